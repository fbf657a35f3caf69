"""Benchmark: the indicator engine's national pass, and the statistics against their peers.

Prints, in one run:

- the national pass: the whole catalogue for every commune, EPCI, département and région of
  France from the national demo observations (target: under 10 s and under 4 GB);
- ``stats.dsr`` / ``stats.isr`` / ``stats.proportion`` on 35,000 groups × 19 age bands against
  PHStatsMethods and a bare numpy computation (``bench_stats.py``; ``--quick`` times
  PHStatsMethods on a tenth of the groups and extrapolates).

Run: ``python benchmarks/bench_indicators.py [--quick]`` (``make bench`` installs the peers).
"""

from __future__ import annotations

import resource
import sys
import time
from pathlib import Path


def national_pass() -> None:
    from cls_analysis import demo, observations
    from cls_analysis.indicators.engine import classified_communes, compute_zone_results
    from cls_analysis.indicators.national import NationalZones

    started = time.perf_counter()
    obs = demo.demo_observations()
    loaded = time.perf_counter()
    national = NationalZones()
    zones = national.zones()
    zobs = observations.aggregate(obs, national)
    aggregated = time.perf_counter()
    communes = classified_communes(obs, national.geography)
    results = compute_zone_results(zobs, zones, secondary_within=("epci",), commune_observations=communes)
    done = time.perf_counter()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2  # kB → GB
    counts = results.drop_duplicates(["zone_type", "zone_code"]).groupby("zone_type").size()
    print("Passe nationale (catalogue complet, toutes les zones de France métropolitaine, données de démonstration)")
    print(f"  zones : {', '.join(f'{n} {t}' for t, n in counts.items())} ; {len(results):,} lignes de résultats".replace(",", "\u202f"))
    print(f"  lecture des observations (cache) {loaded - started:.1f} s ; agrégation {aggregated - loaded:.1f} s ; "
          f"indicateurs {done - aggregated:.1f} s")
    total = done - loaded
    print(f"  passe nationale (agrégation + indicateurs) : {total:.1f} s — cible < 10 s "
          f"({'atteinte' if total < 10 else 'non atteinte'}) ; mémoire maximale du processus : {peak:.2f} Go — cible < 4 Go")


def main() -> None:
    national_pass()
    print()
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import bench_stats

    bench_stats.main()


if __name__ == "__main__":
    main()
