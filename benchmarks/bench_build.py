"""Benchmark: building a territory's whole diagnostic, and a batch of a région's EPCIs.

Prints the time of `make demo`'s build (target: under 90 s on this 2-core machine), with its
steps (preparation: reading and aggregating the observations, the indicators; the notebooks;
the annexes), then the time per territory of ``batch`` over a few EPCIs of a région (demo
data, two territories at a time).

Run: ``python benchmarks/bench_build.py [--epci N]``.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epci", type=int, default=4, help="EPCI de la région 75 construits par le batch")
    args = parser.parse_args(argv)

    from cls_analysis import demo, pipeline
    from cls_analysis.geo.geography import Geography

    started = time.perf_counter()
    demo.demo_observations()  # generates the demo files once (and their cache), as make demo does
    print(f"Données de démonstration prêtes en {time.perf_counter() - started:.1f} s (fichiers déjà écrits : lecture du cache)")
    with tempfile.TemporaryDirectory() as folder:
        result = pipeline.build_demo(Path(folder) / "demo")
        steps = " ; ".join(f"{name} {seconds:.1f} s" for name, seconds in result.timings.items())
        print(f"make demo (CC Aunis Atlantique, 20 communes) : {result.seconds:.1f} s — cible < 90 s "
              f"({'atteinte' if result.seconds < 90 else 'non atteinte'})")
        print(f"  étapes : {steps}")
        communes = Geography.embedded().communes
        sirens = sorted(communes.loc[communes["region"] == "75", "epci"].dropna().unique())
        chosen = sirens[: args.epci]
        started = time.perf_counter()
        summary = pipeline.batch(chosen, Path(folder) / "batch", demo=True, workers=2, progress=False)
        elapsed = time.perf_counter() - started
        ok = (summary["statut"] == "réussi").sum()
        print(f"batch --region 75 (démonstration) : {len(chosen)} EPCI sur {len(sirens)} en {elapsed:.1f} s, "
              f"{ok} réussis ; {elapsed / len(chosen):.1f} s par territoire avec 2 processus "
              f"(soit ≈ {elapsed / len(chosen) * len(sirens) / 60:.0f} min pour les {len(sirens)} EPCI de la région)")
        print(f"  durée de chaque construction (s) : {', '.join(f'{s:.0f}' for s in summary['secondes'])}")


if __name__ == "__main__":
    main()
