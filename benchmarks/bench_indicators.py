"""Benchmark: the indicator engine's national pass, and the statistics against their peers.

Prints, in one run:

- the national pass: the whole catalogue for every commune, EPCI, département and région of
  France from the national demo observations (target: under 10 s and under 4 GB);
- ``stats.dsr`` / ``stats.isr`` / ``stats.proportion`` on 35,000 groups × 19 age bands against
  PHStatsMethods and a bare numpy computation (``bench_stats.py``; ``--quick`` times
  PHStatsMethods on a tenth of the groups and extrapolates).

Run: ``python benchmarks/bench_indicators.py [--regions 24] [--quick]`` (``make bench`` installs
the peers).
"""

from __future__ import annotations

import resource
import sys
import time
from pathlib import Path


def national_pass(regions=None) -> None:
    from cls_analysis import demo
    from cls_analysis.indicators.engine import classified_communes, compute_zone_results
    from cls_analysis.indicators.national import NationalZones, aggregate_national

    started = time.perf_counter()
    obs = demo.demo_observations()
    loaded = time.perf_counter()
    national = NationalZones(regions=regions)
    zones = national.zones()
    communes = classified_communes(obs, national.geography)
    # as compute_national does: the national tables are handed on, not kept, so that each
    # step can free what it no longer needs
    box, marks = {"obs": obs}, []
    del obs

    def zone_observations():
        zobs = aggregate_national(box.pop("obs"), national)
        marks.append(time.perf_counter())
        return zobs

    results = compute_zone_results(zone_observations(), zones, secondary_within=("epci",), commune_observations=communes)
    aggregated = marks[0]
    done = time.perf_counter()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2  # kB → GB
    counts = results.drop_duplicates(["zone_type", "zone_code"]).groupby("zone_type").size()
    where = "France métropolitaine" if regions is None else f"région(s) {', '.join(regions)}"
    print(f"Passe nationale (catalogue complet, {where}, données de démonstration)")
    print(f"  zones : {', '.join(f'{n} {t}' for t, n in counts.items())} ; {len(results)} lignes de résultats")
    print(f"  lecture des observations (cache) {loaded - started:.1f} s ; agrégation {aggregated - loaded:.1f} s ; "
          f"indicateurs {done - aggregated:.1f} s")
    total = done - loaded
    print(f"  passe (agrégation + indicateurs) : {total:.1f} s — cible < 10 s pour toute la France "
          f"({'atteinte' if total < 10 and regions is None else 'non atteinte'}) ; mémoire maximale du "
          f"processus : {peak:.2f} Go — cible < 4 Go")


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--regions", nargs="*", default=None,
                        help="restreindre la passe à ces régions (ex. 24) ; toute la France par défaut")
    parser.add_argument("--quick", action="store_true", help="PHStatsMethods mesuré sur 10 %% des groupes")
    args = parser.parse_args()
    national_pass(args.regions)
    print()
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import bench_stats

    bench_stats.main(["--quick"] if args.quick else [])


if __name__ == "__main__":
    main()
