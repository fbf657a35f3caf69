"""Work shared with forked processes (Linux): large reads and the national pass use the free processors.

Processes are started by ``fork``: they share the parent's memory (imports, loaded tables,
copy-on-write) and send back only their results. A task whose process dies, or whose result
cannot come back, is missing from the results: the caller runs it itself, so a failure of the
parallel machinery never changes an outcome, only the time it takes.
"""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Callable, Sequence
from typing import Any

__all__ = ["can_fork", "free_processors", "run_forked"]


def can_fork() -> bool:
    """Whether worker processes can be started by ``fork`` here (Linux)."""
    if not sys.platform.startswith("linux"):
        return False
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()


#: Linux's count of the tasks running or ready to run now (4th field, ``running/total``).
_LOADAVG = "/proc/loadavg"


def _busy_elsewhere() -> float:
    """Processors busy with other work now: the tasks running or ready to run, but this one
    (Linux, the least of a few readings 5 ms apart, so that a task that only passes by is
    not counted); elsewhere the 1-minute load average, less this process."""
    import time

    readings = []
    for attempt in range(5):
        try:
            with open(_LOADAVG) as f:
                readings.append(int(f.read().split()[3].split("/")[0]) - 1)
        except (OSError, IndexError, ValueError):
            break
        if attempt < 4:
            time.sleep(0.005)
    if readings:
        return float(max(0, min(readings)))
    try:
        return max(0.0, os.getloadavg()[0] - 1.0)
    except (AttributeError, OSError):
        return 0.0


def free_processors() -> int:
    """Processors available to this process and not busy with others.

    Others are counted as they are now (the tasks running or ready to run), not by the load
    average of the last minute: that average counts this process's own work of the minute
    before (a national pass run right after another one would believe the machine busy and
    use one processor). On a machine busy with other work, fewer processors are free (work
    shared with processors already taken is slower than work done in one process).
    """
    try:
        count = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        count = os.cpu_count() or 1
    return max(1, min(count, round(count - _busy_elsewhere())))


def run_forked(task: Callable[[Any], Any], items: Sequence[Any], workers: int,
               here: Callable[[], Any] | None = None) -> tuple[dict[int, Any], Any]:
    """``task(item)`` for each item in ``workers`` forked processes, while this process runs ``here()``.

    Returns ``(results, outcome)``: the results by position in ``items`` (items whose process
    died, or whose result could not come back, are missing: run them yourself), and what
    ``here()`` returned. When no process can be started, ``results`` is empty and ``here()``
    still runs. An exception raised by ``here()`` propagates once the workers are done.

    Examples
    --------
    >>> results, outcome = run_forked(abs, [-1, -2], workers=1, here=lambda: "ici")
    >>> outcome, sorted(results.items()) in ([], [(0, 1), (1, 2)])
    ('ici', True)
    """
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    results: dict[int, Any] = {}
    outcome, error, ran = None, None, False

    def run_here() -> None:
        nonlocal outcome, error, ran
        ran = True
        if here is not None:
            try:
                outcome = here()
            except BaseException as exc:  # raised once the workers are done
                error = exc

    try:
        with warnings.catch_warnings():
            # Python >= 3.12 warns when forking a process with threads (pyarrow's pools); pyarrow
            # re-creates its pools in the child (at-fork handlers)
            warnings.filterwarnings("ignore", message=r".*fork\(\) may lead to deadlocks", category=DeprecationWarning)
            with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork")) as pool:
                futures = [pool.submit(task, item) for item in items]
                run_here()
                for position, future in enumerate(futures):
                    try:
                        results[position] = future.result()
                    except BrokenProcessPool:
                        break
                    except Exception:  # a result that could not come back: the caller runs it
                        continue
    except (OSError, BrokenProcessPool, AssertionError):
        pass  # no process could be started (limits, daemon process): everything here
    if not ran:
        run_here()
    if error is not None:
        raise error
    return results, outcome
