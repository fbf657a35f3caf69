"""Benchmark: the indicator engine's national pass, and the statistics against their peers.

Prints, in one run:

- the national pass: the whole catalogue for every commune, EPCI, département and région of
  France from the national demo observations (target: under 10 s and under 4 GB);
- ``stats.dsr`` / ``stats.isr`` / ``stats.proportion`` on 35,000 groups × 19 age bands against
  PHStatsMethods and a bare numpy computation (``bench_stats.py``; ``--quick`` times
  PHStatsMethods on a tenth of the groups and extrapolates).

Run: ``python benchmarks/bench_indicators.py [--regions 24] [--quick] [--workers 1|2]
[--national-only]`` (``make bench`` installs the peers).
"""

from __future__ import annotations

import resource
import sys
import time
from pathlib import Path


class MemoryWatch:
    """Largest memory of this process and its children together, sampled every 20 ms (Linux).

    Proportional set size (PSS): pages shared by a parent and its forked child (the zone
    observations) are split between them, not counted twice. Elsewhere: this process's peak.
    """

    def __init__(self):
        import threading

        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    @staticmethod
    def _pss(pid: int) -> int:
        try:
            with open(f"/proc/{pid}/smaps_rollup") as f:
                return next(int(line.split()[1]) for line in f if line.startswith("Pss:")) * 1024
        except (OSError, StopIteration, ValueError):
            return 0

    def _family(self) -> list[int]:
        import os

        pids = [os.getpid()]
        try:
            for task in os.listdir("/proc/self/task"):
                with open(f"/proc/self/task/{task}/children") as f:
                    pids += [int(p) for p in f.read().split()]
        except OSError:
            pass
        return pids

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, sum(self._pss(pid) for pid in self._family()))


def national_pass(regions=None, workers=None) -> None:
    from cls_analysis import demo
    from cls_analysis.indicators.engine import compute_zone_results
    from cls_analysis.indicators.national import (
        NationalZones,
        aggregate_national,
        national_classified_communes,
    )

    started = time.perf_counter()
    obs = demo.demo_observations()
    loaded = time.perf_counter()
    with MemoryWatch() as watch:
        national = NationalZones(regions=regions)
        zones = national.zones()
        communes = national_classified_communes(obs, national)
        # as compute_national does: the national tables are handed on, not kept, so that each
        # step can free what it no longer needs
        box, marks = {"obs": obs}, []
        del obs

        def zone_observations():
            zobs = aggregate_national(box.pop("obs"), national)
            marks.append(time.perf_counter())
            return zobs

        results = compute_zone_results(zone_observations(), zones, secondary_within=("epci",),
                                       commune_observations=communes, workers=workers)
        aggregated = marks[0]
        done = time.perf_counter()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2  # kB → GB
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024**2
    counts = results.drop_duplicates(["zone_type", "zone_code"]).groupby("zone_type").size()
    where = "France métropolitaine" if regions is None else f"région(s) {', '.join(regions)}"
    print(f"Passe nationale (catalogue complet, {where}, données de démonstration)")
    print(f"  zones : {', '.join(f'{n} {t}' for t, n in counts.items())} ; {len(results)} lignes de résultats")
    print(f"  lecture des observations (cache) {loaded - started:.1f} s ; agrégation {aggregated - loaded:.1f} s ; "
          f"indicateurs {done - aggregated:.1f} s ({'processus : ' + str(workers) if workers else 'processus : automatique'})")
    total = done - loaded
    print(f"  passe (agrégation + indicateurs) : {total:.1f} s — cible < 10 s pour toute la France "
          f"({'atteinte' if total < 10 and regions is None else 'non atteinte'})")
    memory = watch.peak / 1024**3 if watch.peak else peak
    print(f"  mémoire maximale (processus et processus auxiliaire ensemble, PSS) : {memory:.2f} Go — cible < 4 Go "
          f"({'atteinte' if memory < 4 else 'non atteinte'}) ; pics séparés : principal {peak:.2f} Go, "
          f"auxiliaire {child:.2f} Go (pages partagées comptées dans les deux)")


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--regions", nargs="*", default=None,
                        help="restreindre la passe à ces régions (ex. 24) ; toute la France par défaut")
    parser.add_argument("--quick", action="store_true", help="PHStatsMethods mesuré sur 10 %% des groupes")
    parser.add_argument("--workers", type=int, default=None,
                        help="processus pour les indicateurs (1 ou 2 ; par défaut selon les processeurs libres)")
    parser.add_argument("--national-only", action="store_true", help="seulement la passe nationale")
    args = parser.parse_args()
    national_pass(args.regions, args.workers)
    if args.national_only:
        return
    print()
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import bench_stats

    bench_stats.main(["--quick"] if args.quick else [])


if __name__ == "__main__":
    main()
