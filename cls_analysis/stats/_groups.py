"""Vectorised grouping: integer codes per row, in order of first appearance.

The statistics never loop over groups in Python: rows get an integer group code (hash-based
:func:`pandas.factorize`), sums are :func:`numpy.bincount` calls and every formula runs on
arrays with one entry per group.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

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
    codes, uniques = pd.factorize(df[col], use_na_sentinel=True)
    if (codes < 0).any():
        rows = describe_rows(df.index[codes < 0], limit=8)
        raise StatsInputError(
            f"La colonne de regroupement '{col}' (argument {arg}) contient des valeurs manquantes "
            f"(lignes {rows}) : chaque ligne doit appartenir à un groupe. Complétez-les ou "
            "retirez ces lignes."
        )
    return codes.astype(np.int64, copy=False), len(uniques)


def group_rows(df: pd.DataFrame, by: list[str], arg: str = "by") -> Groups:
    """Group the rows of ``df`` by the columns ``by`` (empty list: a single group)."""
    n = len(df)
    if not by:
        return Groups(np.zeros(n, dtype=np.int64), pd.DataFrame(index=pd.RangeIndex(1 if n else 0)))
    codes, _ = _factorize_column(df, by[0], arg)
    for col in by[1:]:
        more, size = _factorize_column(df, col, arg)
        codes = codes * size + more
    if len(by) > 1:
        codes, _ = pd.factorize(codes)
        codes = codes.astype(np.int64, copy=False)
    first = first_occurrence(codes)
    keys = pd.DataFrame({c: df[c].take(first).reset_index(drop=True) for c in by})
    return Groups(codes, keys)


def sum_by(codes: np.ndarray, values: np.ndarray, size: int) -> np.ndarray:
    """Sum ``values`` per code (NaN propagates, as ``sum(skipna=False)``)."""
    return np.bincount(codes, weights=values, minlength=size)
