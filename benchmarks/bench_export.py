"""Benchmark: time to write every annex of a synthetic diagnostic.

The territory is the demo one (CC Aunis Atlantique) with its real commune map (the largest
figure of a diagnostic: many polygons in SVG) and the synthetic results of
``cls_analysis.export.sample`` widened to 20 communes. Figures are drawn before timing: the
benchmark measures the export room only. Run: ``python benchmarks/bench_export.py``.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")


def main() -> None:
    t0 = time.perf_counter()
    import cls_analysis.export as export
    from cls_analysis.export.annexes import ANNEX_FILES
    from cls_analysis.export.report import Figure
    from cls_analysis.export.sample import sample_report, sample_results

    import_time = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        results = sample_results(extra_communes=17)
        report = sample_report(out / "source_figures", results)
        try:  # the real reference map of the demo territory, when the geography is installed
            import matplotlib.pyplot as plt

            from cls_analysis.pipeline import DEMO_EPCI, _save_figure
            from cls_analysis.territory import Territory
            from cls_analysis.viz.maps import commune_map

            territory = Territory.from_epci(DEMO_EPCI)
            png, svg = _save_figure(commune_map(territory, demo=True), out / "source_figures" / "carte")
            report.chapters[0].blocks.insert(3, Figure(
                png, svg, f"Les communes de {territory.name}", "IGN, Insee (COG)",
                "Carte des communes du territoire et de leur population."))
            plt.close("all")
        except Exception as exc:  # the benchmark still runs without the geography
            print(f"(carte des communes non disponible : {exc})")
        figures = sum(1 for _ in report.figures())
        print(f"Export d'un diagnostic synthétique : {len(results)} résultats, "
              f"{len(report.chapters)} chapitres, {figures} figures")
        print(f"  import de cls_analysis.export : {import_time:.2f} s")
        timings = {}
        start = time.perf_counter()
        for name in (*ANNEX_FILES, "figures", "donnees"):
            t = time.perf_counter()
            written = export.write_annexes(report, results, out / "annexes", formats=[name])
            timings[name] = time.perf_counter() - t
            size = sum(p.stat().st_size for p in written[name])
            print(f"  {name:8s} {timings[name]:6.2f} s  ({size / 1024:,.0f} Kio)".replace(",", " "))
        total = time.perf_counter() - start
        print(f"  total    {total:6.2f} s (toutes les annexes)")
        t = time.perf_counter()
        export.write_annexes(report, results, out / "annexes")
        print(f"  second passage (polices déjà découpées) : {time.perf_counter() - t:.2f} s")


if __name__ == "__main__":
    main()
