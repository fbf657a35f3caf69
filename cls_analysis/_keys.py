"""Integer keys of text columns: the codes that let millions of rows be grouped and matched.

Observations, readers and the engine group rows by several text columns (zone, period,
measure, sex, age). Combining the columns' integer codes gives one integer per row; the
integers are counted (:func:`numpy.bincount`) rather than sorted or hashed when they are few.
One implementation, used by :mod:`cls_analysis.observations`, the readers and the engine.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = ["compact", "factorize", "factorize_keys", "repeated_rows"]

#: Rows handled at once where an array of every row's position is not needed.
_CHUNK = 1 << 20


def factorize(series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes and distinct values of a column (free for categoricals); -1 for missing.

    >>> codes, uniques = factorize(pd.Series(["b", "a", "b"]))
    >>> codes.tolist(), uniques.tolist()
    ([0, 1, 0], ['b', 'a'])
    """
    if isinstance(series.dtype, pd.CategoricalDtype):
        return series.cat.codes.to_numpy(), np.asarray(series.cat.categories, dtype=object)
    codes, uniques = pd.factorize(series.to_numpy(dtype=object), use_na_sentinel=True)
    return codes, np.asarray(uniques, dtype=object)


def compact(codes: np.ndarray, size: int) -> tuple[np.ndarray, int]:
    """Codes in ``range(size)`` renumbered over the values used only (order kept), and their
    number: combined keys of several columns then stay small (a categorical's unused
    categories take no room). Negative codes (missing) stay negative.

    >>> codes, size = compact(np.array([5, 2, 5, -1]), 8)
    >>> codes.tolist(), size
    ([1, 0, 1, -1], 2)
    """
    codes = np.asarray(codes, dtype=np.int64)
    if not len(codes):
        return codes, 0
    used = np.bincount(codes[codes >= 0], minlength=size) > 0
    if used.all():
        return codes, size
    number = np.append(np.cumsum(used) - 1, -1)  # last: code -1 stays -1
    return number[codes], int(used.sum())


def factorize_keys(rows: pd.DataFrame, columns: Sequence[str]) -> tuple[np.ndarray, pd.DataFrame]:
    """Integer code of each row's key (``columns``) and the table of distinct keys.

    Keys are numbered in the order of their combined integer code (the columns' codes in
    mixed radix, missing values first), as :func:`numpy.unique` would number them; they are
    counted instead of sorted when their integers are small enough (millions of rows).

    >>> from cls_analysis.observations import categorical
    >>> rows = pd.DataFrame({"a": categorical(["y", "x", "y"]), "b": categorical(["1", "1", "1"])})
    >>> codes, keys = factorize_keys(rows, ["a", "b"])
    >>> codes.tolist(), keys["a"].tolist()
    ([1, 0, 1], ['x', 'y'])
    """
    combined, size = _combined_keys(rows, columns)
    if _dense(combined, size):
        inverse, n_keys = _renumber(combined, size)
    else:
        uniques, inverse = np.unique(combined, return_inverse=True)
        n_keys = len(uniques)
    inverse = inverse.astype(np.int64, copy=False)
    first = np.zeros(n_keys, dtype=np.int64)
    # the first row of each key: positions written from the last to the first, a chunk at a time
    for stop in range(len(inverse), 0, -_CHUNK):
        start = max(stop - _CHUNK, 0)
        first[inverse[start:stop][::-1]] = np.arange(stop - 1, start - 1, -1)
    frame = rows.iloc[first][list(columns)].reset_index(drop=True)
    return inverse, frame


def _combined_keys(rows: pd.DataFrame, columns: Sequence[str]) -> tuple[np.ndarray, int]:
    """One integer per row for its key (``columns``), ordered as
    :func:`factorize_keys` orders keys, and the number of possible values (``size``).

    The codes of the columns are combined of the columns in mixed radix (``combined × (n + 1) +
    code``). Here, when no code is missing, the integers are renumbered densely (by counting,
    which keeps their order) whenever the next column would make them too large to count:
    same order, same equalities, small integers.
    """
    limit = 4 * len(rows) + (1 << 20)
    coded = [factorize(rows[column]) for column in columns]
    if any(len(codes) and codes.min() < 0 for codes, _ in coded):
        limit = None  # missing values: the mixed radix as it is
    combined = np.zeros(len(rows), dtype=np.int64)
    size = 1
    for codes, uniques in coded:
        radix = len(uniques) + 1
        if limit is not None and size * radix > limit and size > 1:
            combined, size = _renumber(combined, size)
        combined *= radix  # in place: millions of rows
        combined += codes
        size *= radix
    return combined, size


def _renumber(combined: np.ndarray, size: int) -> tuple[np.ndarray, int]:
    """Integers in ``range(size)`` renumbered ``0, 1, …`` in the same order (by counting)."""
    present = np.flatnonzero(np.bincount(combined, minlength=size))
    rank = np.zeros(size, dtype=np.int64)
    rank[present] = np.arange(len(present))
    return rank[combined], len(present)


def _dense(combined: np.ndarray, size: int) -> bool:
    """Whether integer keys are few enough to be counted (``bincount``) rather than hashed."""
    return bool(len(combined)) and size <= 4 * len(combined) + (1 << 20) and combined.min() >= 0


def repeated_rows(frame: pd.DataFrame, columns: Sequence[str]) -> np.ndarray:
    """Rows whose values in ``columns`` appear more than once (all of them).


    >>> repeated_rows(pd.DataFrame({"a": ["x", "x", "y"], "b": ["1", "1", "1"]}), ["a", "b"]).tolist()
    [True, True, False]
    """
    if frame.empty:
        return np.zeros(0, dtype=bool)
    combined, size = _combined_keys(frame, columns)
    if not _dense(combined, size):
        combined = pd.factorize(combined)[0]
    return np.bincount(combined)[combined] > 1
