"""Benchmark: every figure of a territory, drawn and saved (synthetic results).

Target (issue 5/6): all the figures of a territory in under 20 s on a 2-core machine — reference
map, three choropleths, proportional symbols, age pyramid, comparison bars, trends, a spine
chart per CLS axis, a map of France by département. Run: ``python benchmarks/bench_viz.py
[SIREN] [--formats png svg pdf] [--dpi 150 300] [--workers 2]``; figures go to a temporary
folder. With several workers, the time of each figure includes waiting for the other process.
"""

from __future__ import annotations

import argparse
import tempfile
import time

import matplotlib

matplotlib.use("Agg")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("siren", nargs="?", default="200041499")
    parser.add_argument("--formats", nargs="+", default=["png"])
    parser.add_argument("--dpi", type=int, nargs="+", default=[150])
    parser.add_argument("--workers", type=int, default=1, help="processes (2 on a 2-core machine)")
    args = parser.parse_args()

    start = time.perf_counter()
    from cls_analysis import Territory
    from cls_analysis.viz.gallery import (
        gallery_catalogue,
        synthetic_observations,
        synthetic_results,
    )

    territory = Territory.from_epci(args.siren)
    _ = territory.communes, territory.boundary
    loaded = time.perf_counter()
    catalogue = gallery_catalogue()
    results = synthetic_results(territory, catalogue)
    observations = synthetic_observations(territory)
    data = time.perf_counter()

    from cls_analysis.viz.gallery import render_gallery

    with tempfile.TemporaryDirectory() as folder:
        written = render_gallery(territory, folder, formats=tuple(args.formats), dpi=tuple(args.dpi),
                                 results=results, observations=observations, workers=args.workers)
    done = time.perf_counter()
    timings = written.pop("_timings")
    files = sum(len(paths) for paths in written.values())
    print(f"Figures de {territory.name} ({len(territory.communes)} communes), formats "
          f"{', '.join(args.formats)} à {', '.join(map(str, args.dpi))} dpi, "
          f"{args.workers} processus")
    print(f"  territoire (géographie intégrée)      {loaded - start:6.2f} s")
    print(f"  résultats fictifs ({len(results)} lignes)       {data - loaded:6.2f} s")
    for name, seconds in timings.items():
        print(f"  {name:38s} {seconds:6.2f} s")
    figures = done - data
    print(f"  {len(timings)} figures, {files} fichiers        {figures:6.2f} s")
    print(f"Total {done - start:.2f} s — cible < 20 s pour toutes les figures d'un territoire")


if __name__ == "__main__":
    main()
