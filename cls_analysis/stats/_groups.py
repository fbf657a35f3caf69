"""Vectorised grouping: integer codes per row, in order of first appearance.

The statistics never loop over groups in Python: rows get an integer group code (hash-based
:func:`pandas.factorize`), sums are :func:`numpy.bincount` calls and every formula runs on
arrays with one entry per group.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from cls_analysis._keys import category_codes, compact, countable, in_order_of_appearance
from cls_analysis.errors import describe_rows
from cls_analysis.stats._validate import StatsInputError

__all__ = ["Groups", "first_occurrence", "group_rows", "sum_by"]


@dataclass(frozen=True)
class Groups:
    """Rows → groups. ``codes[i]`` is the group of row ``i``; ``keys`` has one row per group."""

    codes: np.ndarray
    keys: pd.DataFrame

    @property
    def size(self) -> int:
        return len(self.keys)


def first_occurrence(codes: np.ndarray) -> np.ndarray:
    """Row positions where each code first appears, for codes numbered by first appearance.

    >>> first_occurrence(np.array([0, 0, 1, 0, 2, 1])).tolist()
    [0, 2, 4]
    """
    if len(codes) == 0:
        return np.zeros(0, dtype=np.intp)
    running = np.maximum.accumulate(codes)
    new = np.empty(len(codes), dtype=bool)
    new[0] = True
    new[1:] = codes[1:] > running[:-1]
    return np.flatnonzero(new)


def _factorize_column(df: pd.DataFrame, col: str, arg: str) -> tuple[np.ndarray, int]:
    """Integer codes of a grouping column and their number (codes need not follow the rows'
    order: :func:`group_rows` renumbers the combined codes). Categoricals give their codes and
    small non-negative integers themselves, without hashing."""
    values = df[col]
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes, size = compact(category_codes(values), len(values.cat.categories))
    elif values.dtype.kind in "iu" and len(values) and 0 <= values.min() and countable(int(values.max()) + 1, len(values)):
        codes = values.to_numpy(dtype=np.int64)
        size = int(codes.max()) + 1
    else:
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        codes, size = codes.astype(np.int64, copy=False), len(uniques)
    if (codes < 0).any():
        rows = describe_rows(df.index[codes < 0], limit=8)
        raise StatsInputError(
            f"La colonne de regroupement '{col}' (argument {arg}) contient des valeurs manquantes "
            f"(lignes {rows}) : chaque ligne doit appartenir à un groupe. Complétez-les ou "
            "retirez ces lignes."
        )
    return codes, size


def group_rows(df: pd.DataFrame, by: list[str], arg: str = "by") -> Groups:
    """Group the rows of ``df`` by the columns ``by`` (empty list: a single group).

    Groups are numbered in the order of their first row.
    """
    n = len(df)
    if not by:
        return Groups(np.zeros(n, dtype=np.int64), pd.DataFrame(index=pd.RangeIndex(1 if n else 0)))
    codes, size = _factorize_column(df, by[0], arg)
    for col in by[1:]:
        more, more_size = _factorize_column(df, col, arg)
        if size * more_size >= 1 << 62:  # keep the combined code in 64 bits: renumber first
            codes = pd.factorize(codes)[0].astype(np.int64)
            size = int(codes.max(initial=-1)) + 1
        codes, size = codes * more_size + more, size * more_size
    codes = in_order_of_appearance(codes, size)
    first = first_occurrence(codes)
    if len(first) == n:  # every row its own group: the keys are the rows (no copy)
        keys = pd.DataFrame({c: df[c].reset_index(drop=True) for c in by})
    else:
        keys = pd.DataFrame({c: df[c].take(first).reset_index(drop=True) for c in by})
    return Groups(codes, keys)


def sum_by(codes: np.ndarray, values: np.ndarray, size: int) -> np.ndarray:
    """Sum ``values`` per code (NaN propagates, as ``sum(skipna=False)``)."""
    return np.bincount(codes, weights=values, minlength=size)
