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

__all__ = [
    "among",
    "category_codes",
    "compact",
    "countable",
    "factorize",
    "factorize_keys",
    "in_order_of_appearance",
    "label_positions",
    "positions",
    "repeated_rows",
    "used_codes",
]


def countable(size: int, n: int) -> bool:
    """Whether integer keys below ``size``, for ``n`` rows, are few enough to be counted
    (``bincount``, lookup arrays) rather than sorted or hashed.

    >>> countable(1_000, 10), countable(10**12, 10)
    (True, False)
    """
    return size <= 4 * n + (1 << 20)


def category_codes(series: pd.Series) -> np.ndarray:
    """The integer codes of a categorical column, read-only and without a copy (pandas 3's
    ``Series.cat.codes`` copies them into a new Series at each call); -1 for missing.

    >>> category_codes(pd.Series(["b", None, "a"], dtype="category")).tolist()
    [1, -1, 0]
    """
    return series.array.codes


def factorize(series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes and distinct values of a column (free for categoricals); -1 for missing.

    >>> codes, uniques = factorize(pd.Series(["b", "a", "b"]))
    >>> codes.tolist(), uniques.tolist()
    ([0, 1, 0], ['b', 'a'])
    """
    if isinstance(series.dtype, pd.CategoricalDtype):
        return category_codes(series), np.asarray(series.cat.categories, dtype=object)
    codes, uniques = pd.factorize(series.to_numpy(dtype=object), use_na_sentinel=True)
    return codes, np.asarray(uniques, dtype=object)


def label_positions(column: pd.Series, labels: Sequence[str], rows: np.ndarray | None = None) -> np.ndarray:
    """Position of each row's value among ``labels`` (-1: absent or missing), for the ``rows``
    of ``column`` (all by default), by the column's codes: each distinct value looked up once.

    >>> label_positions(pd.Series(["b", "z", None, "a"]), ["a", "b"]).tolist()
    [1, -1, -1, 0]
    """
    codes, uniques = factorize(column)
    found = pd.Index(list(labels), dtype=object).get_indexer(np.asarray(uniques).astype(str))
    return np.append(found, -1)[codes if rows is None else codes[rows]]


def compact(codes: np.ndarray, size: int) -> tuple[np.ndarray, int]:
    """Codes in ``range(size)`` renumbered over the values used only (order kept), and their
    number: combined keys of several columns then stay small (a categorical's unused
    categories take no room). Negative codes (missing) stay negative.

    >>> codes, size = compact(np.array([5, 2, 5, -1]), 8)
    >>> codes.tolist(), size
    ([1, 0, 1, -1], 2)
    """
    codes = np.asarray(codes, dtype=np.int64)
    used = np.bincount(codes + 1, minlength=size + 1) > 0  # shifted: 0 counts the missing
    if used[1:].all():
        return codes, size
    used[0] = True
    number = np.cumsum(used) - 2  # shifted code → new code, -1 for missing
    return number[codes + 1], int(used[1:].sum())


def used_codes(codes: np.ndarray, size: int) -> np.ndarray:
    """The codes (of ``size`` labels) that occur, in increasing order; missing (-1) left out.

    >>> used_codes(np.array([3, -1, 0, 3]), 5).tolist()
    [0, 3]
    """
    return np.flatnonzero(np.bincount(np.asarray(codes) + 1, minlength=size + 1)[1:])


def among(codes: np.ndarray, labels: np.ndarray, wanted) -> np.ndarray:
    """Rows whose label (given by ``codes`` into ``labels``) is one of ``wanted``; missing: no.

    >>> among(np.array([0, 1, -1, 2]), np.array(["ok", "secret", "zero"]), ["ok", "zero"]).tolist()
    [True, False, False, True]
    """
    hit = np.isin(np.asarray(labels).astype(str), list(wanted))
    return np.append(hit, False)[codes]


def positions(wanted: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Position of each ``wanted`` integer key in ``keys`` (distinct), -1 where absent.

    Combined keys are bounded integers: when they are few enough, a lookup array replaces
    hashing (millions of rows matched in milliseconds).

    >>> positions(np.array([5, 2, 9]), np.array([2, 5, 7])).tolist()
    [1, 0, -1]
    """
    wanted, keys = np.asarray(wanted, dtype=np.int64), np.asarray(keys, dtype=np.int64)
    if not len(keys) or not len(wanted):
        return np.full(len(wanted), -1, dtype=np.int64)
    low = min(int(keys.min()), int(wanted.min()))
    high = max(int(keys.max()), int(wanted.max()))
    if low < 0 or not countable(high + 1, len(keys) + len(wanted)):
        return pd.Index(keys).get_indexer(wanted)
    lookup = np.full(high + 1, -1, dtype=np.int64)
    lookup[keys] = np.arange(len(keys))
    return lookup[wanted]


def first_rows(codes: np.ndarray, size: int) -> np.ndarray:
    """The first row of each code in ``range(size)`` (``len(codes)`` for codes absent).

    >>> first_rows(np.array([2, 0, 2, 0]), 3).tolist()
    [1, 4, 0]
    """
    first = np.full(size, len(codes), dtype=np.int64)
    np.minimum.at(first, codes, np.arange(len(codes), dtype=np.int64))
    return first


def in_order_of_appearance(combined: np.ndarray, size: int) -> np.ndarray:
    """Renumber integer keys ``0, 1, …`` in the order of their first row (as
    :func:`pandas.factorize`). Keys below ``size`` and few enough are counted, not hashed.

    >>> in_order_of_appearance(np.array([7, 3, 7, 0, 3]), 8).tolist()
    [0, 1, 0, 2, 1]
    >>> in_order_of_appearance(np.array([7, 3, 0]), 8).tolist()  # distinct keys: the rows' order
    [0, 1, 2]
    """
    n = len(combined)
    if n == 0 or not countable(size, n):
        return pd.factorize(combined)[0].astype(np.int64, copy=False)
    if np.bincount(combined, minlength=size).max() <= 1:  # every row its own key: already in order
        return np.arange(n, dtype=np.int64)
    first = first_rows(combined, size)
    present = np.flatnonzero(first < n)
    # the first rows are distinct positions in range(n): marking them sorts them
    key_at = np.empty(n, dtype=np.int64)
    key_at[first[present]] = present
    marked = np.zeros(n, dtype=bool)
    marked[first[present]] = True
    number = np.empty(size, dtype=np.int64)
    number[key_at[marked]] = np.arange(len(present), dtype=np.int64)
    return number[combined]


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
    frame = rows.iloc[first_rows(inverse, n_keys)][list(columns)].reset_index(drop=True)
    return inverse, frame


def _combined_keys(rows: pd.DataFrame, columns: Sequence[str]) -> tuple[np.ndarray, int]:
    """One integer per row for its key (``columns``), ordered as
    :func:`factorize_keys` orders keys, and the number of possible values (``size``).

    The codes of the columns are combined of the columns in mixed radix (``combined × (n + 1) +
    code``). Here, when no code is missing, the integers are renumbered densely (by counting,
    which keeps their order) whenever the next column would make them too large to count:
    same order, same equalities, small integers.
    """
    coded = [factorize(rows[column]) for column in columns]
    # missing values: the mixed radix as it is
    renumber = not any(len(codes) and codes.min() < 0 for codes, _ in coded)
    combined = np.zeros(len(rows), dtype=np.int64)
    size = 1
    for codes, uniques in coded:
        radix = len(uniques) + 1
        if renumber and not countable(size * radix, len(rows)) and size > 1:
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
    return bool(len(combined)) and countable(size, len(combined)) and combined.min() >= 0


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
