"""Benchmark: the indicator engine's national pass, and the statistics against their peers.

Prints, in one run:

- the national pass: the whole catalogue for every commune, EPCI, département and région of
  France from the national demo observations (target: under 10 s and under 4 GB);
- ``stats.dsr`` / ``stats.isr`` / ``stats.proportion`` on 35,000 groups × 19 age bands against
  PHStatsMethods and a bare numpy computation (``bench_stats.py``; ``--quick`` times
  PHStatsMethods on a tenth of the groups and extrapolates).

Run: ``python benchmarks/bench_indicators.py [--regions 24] [--quick] [--workers 1|2]
[--repeat 3] [--national-only]`` (``make bench`` installs the peers).
"""

from __future__ import annotations

import resource
import sys
import time
from pathlib import Path


class MemoryWatch:
    """Largest memory of this process and its children together, sampled every 20 ms (Linux).

    Two figures:

    - ``peak_rss``: the largest sum of the processes' resident sizes (``/proc/<pid>/statm``, a
      counter the kernel keeps: cheap to read). Pages a forked child shares with its parent
      are counted twice: an upper bound.
    - ``peak``: the proportional set size (PSS, ``smaps_rollup``) of the family, where shared
      pages are split between the processes. Reading it walks every page table of the
      process, which costs processor time and holds the process's memory map: it is read only
      when the resident sum climbs 2 % above the level of the last reading (not every 20 ms,
      which slowed the pass it measures by about a tenth).

    Elsewhere than Linux: nothing is measured (0).
    """

    def __init__(self):
        import os
        import threading

        self.peak = 0
        self.peak_rss = 0
        self._page = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
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

    def _rss(self, pid: int) -> int:
        try:
            with open(f"/proc/{pid}/statm") as f:
                return int(f.read().split()[1]) * self._page
        except (OSError, IndexError, ValueError):
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
        checked = 0  # resident sum at the last PSS reading
        while not self._stop.wait(0.02):
            family = self._family()
            rss = sum(self._rss(pid) for pid in family)
            self.peak_rss = max(self.peak_rss, rss)
            if rss > checked * 1.02:
                checked = rss
                self.peak = max(self.peak, sum(self._pss(pid) for pid in family))


def fresh_memory_cost(size_gb: float = 0.5) -> float:
    """Seconds per GB to touch memory this process never had (first write to each page).

    On a virtual machine whose freed memory goes back to the host (virtio balloon, free page
    reporting), this is far above the cost of reusing memory (here: 1 to 3.5 s/GB against
    0.1 s/GB), and it varies through the day: it explains most of the spread between runs.
    """
    import numpy as np

    time.sleep(3)  # memory freed just before is handed back to the host within a few seconds
    started = time.perf_counter()
    block = np.ones(int(size_gb * 2**30) // 8)
    elapsed = time.perf_counter() - started
    del block
    return elapsed / size_gb


def _cpu() -> tuple[float, float]:
    """User and system CPU seconds of this process and its finished children."""
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + children.ru_utime, me.ru_stime + children.ru_stime


def one_national_pass(regions=None, workers=None) -> dict:
    """One national pass (aggregation + indicators), as ``compute_national`` runs it, timed."""
    from cls_analysis import demo
    from cls_analysis.indicators.engine import compute_zone_results
    from cls_analysis.indicators.national import (
        NationalZones,
        national_classified_communes,
        national_observation_parts,
    )

    started = time.perf_counter()
    obs = demo.demo_observations()
    loaded = time.perf_counter()
    cpu_before = _cpu()
    with MemoryWatch() as watch:
        national = NationalZones(regions=regions)
        zones = national.zones()
        communes = national_classified_communes(obs, national)
        # as compute_national does: the national tables are handed on, not kept, so that each
        # step can free what it no longer needs
        box, marks = {"obs": obs}, []
        del obs

        def zone_observations():
            zobs = national_observation_parts(box.pop("obs"), national)
            marks.append(time.perf_counter())
            return zobs

        results = compute_zone_results(zone_observations(), zones, secondary_within=("epci",),
                                       commune_observations=communes, workers=workers)
        done = time.perf_counter()
    cpu_after = _cpu()
    return {"read": loaded - started, "aggregation": marks[0] - loaded, "indicators": done - marks[0],
            "total": done - loaded, "user": cpu_after[0] - cpu_before[0], "system": cpu_after[1] - cpu_before[1],
            "memory": watch.peak / 1024**3, "memory_rss": watch.peak_rss / 1024**3,
            "results": results}


def national_pass(regions=None, workers=None, repeat: int = 3) -> None:
    import statistics

    from cls_analysis.viz.fmt import format_count, format_number

    def s(seconds: float) -> str:
        return f"{format_number(seconds, 1)} s"

    def gb(size: float) -> str:
        return f"{format_number(size, 2)} Go"

    where = "France métropolitaine" if regions is None else f"région(s) {', '.join(regions)}"
    print(f"Passe nationale (catalogue complet, {where}, données de démonstration)")
    print(f"  coût de la mémoire neuve sur cette machine : {format_number(fresh_memory_cost(), 2)} s/Go "
          "(première écriture de chaque page ; mémoire réutilisée : environ 0,1 s/Go)")
    runs = []
    for attempt in range(repeat):
        run = one_national_pass(regions, workers)
        results = run.pop("results")  # not kept: the next run starts from the same memory
        if attempt == 0:
            counts = results.drop_duplicates(["zone_type", "zone_code"]).groupby("zone_type").size()
            print(f"  zones : {', '.join(f'{format_count(n)} {t}' for t, n in counts.items())} ; "
                  f"{format_count(len(results))} lignes de résultats")
        del results
        runs.append(run)
        print(f"  essai {attempt + 1} : agrégation {s(run['aggregation'])} ; indicateurs {s(run['indicators'])} "
              f"({'processus : ' + str(workers) if workers else 'processus : automatique'}) ; "
              f"passe {s(run['total'])} ; temps processeur : utilisateur {s(run['user'])}, "
              f"système {s(run['system'])} ; mémoire {gb(run['memory'])} (PSS ; "
              f"somme des résidents {gb(run['memory_rss'])})")
    best = min(r["total"] for r in runs)
    middle = statistics.median(r["total"] for r in runs)
    print(f"  passe (agrégation + indicateurs) : meilleur essai {s(best)}, médiane {s(middle)} sur {repeat} — "
          f"cible < 10 s pour toute la France ({'atteinte' if best < 10 and regions is None else 'non atteinte'})")
    memory, resident = max(r["memory"] for r in runs), max(r["memory_rss"] for r in runs)
    print(f"  mémoire maximale (processus et processus auxiliaire ensemble) : PSS {gb(memory)} ; borne haute "
          f"(pages partagées comptées deux fois) {gb(resident)} — cible < 4 Go, jugée sur la borne haute "
          f"({'atteinte' if resident < 4 else 'non atteinte'})")


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--regions", nargs="*", default=None,
                        help="restreindre la passe à ces régions (ex. 24) ; toute la France par défaut")
    parser.add_argument("--quick", action="store_true", help="PHStatsMethods mesuré sur 10 %% des groupes")
    parser.add_argument("--workers", type=int, default=None,
                        help="processus pour les indicateurs (1 ou 2 ; par défaut selon les processeurs libres)")
    parser.add_argument("--national-only", action="store_true", help="seulement la passe nationale")
    parser.add_argument("--repeat", type=int, default=3, help="essais de la passe nationale (3 par défaut)")
    args = parser.parse_args()
    national_pass(args.regions, args.workers, max(1, args.repeat))
    if args.national_only:
        return
    print()
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import bench_stats

    bench_stats.main(["--quick"] if args.quick else [])


if __name__ == "__main__":
    main()
