"""Assembly of the tidy output shared by every statistic.

One row per group and confidence level (group-major: all levels of the first group, then the
next group), with the columns :data:`OUTPUT_COLUMNS` after the group columns.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["OUTPUT_COLUMNS", "build_output", "format_multiplier"]

#: Columns of every statistic's output, after the ``by`` columns (in this order).
OUTPUT_COLUMNS = (
    "numerator",
    "denominator",
    "value",
    "lower_ci",
    "upper_ci",
    "confidence",
    "statistic",
    "method",
)


def format_multiplier(multiplier: float) -> str:
    """Write a multiplier without scientific notation.

    >>> format_multiplier(100000.0), format_multiplier(2.5)
    ('100000', '2.5')
    """
    return str(int(multiplier)) if float(multiplier).is_integer() else f"{multiplier:g}"


def _per_row(values: object, n_groups: int, n_levels: int) -> np.ndarray:
    """Expand a scalar, a per-group array or a (group, level) array to one value per row."""
    arr = np.asarray(values, dtype=object if isinstance(values, str) else None)
    if arr.ndim == 0:
        return np.full(n_groups * n_levels, values, dtype=object)
    if arr.ndim == 2:
        return arr.reshape(-1)
    return np.repeat(arr, n_levels)


def build_output(
    keys: pd.DataFrame,
    levels: np.ndarray,
    *,
    numerator: np.ndarray,
    denominator: np.ndarray,
    value: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    statistic: object,
    method: object,
    extra: dict[str, np.ndarray] | None = None,
) -> pd.DataFrame:
    """Build the tidy output: ``keys`` columns, ``extra`` columns, then :data:`OUTPUT_COLUMNS`.

    ``lower`` and ``upper`` have shape (groups, levels); ``value``, ``numerator`` and
    ``denominator`` one entry per group; ``statistic`` and ``method`` are a scalar, one entry
    per group or one per (group, level).
    """
    n_groups, n_levels = len(keys), len(levels)
    rows = np.repeat(np.arange(n_groups), n_levels)
    out = keys.take(rows).reset_index(drop=True) if keys.shape[1] else pd.DataFrame(
        index=pd.RangeIndex(n_groups * n_levels)
    )
    for name, col in (extra or {}).items():
        out[name] = np.repeat(np.asarray(col), n_levels)
    out["numerator"] = np.repeat(np.asarray(numerator, dtype=float), n_levels)
    out["denominator"] = np.repeat(np.asarray(denominator, dtype=float), n_levels)
    out["value"] = np.repeat(np.asarray(value, dtype=float), n_levels)
    out["lower_ci"] = np.asarray(lower, dtype=float).reshape(-1)
    out["upper_ci"] = np.asarray(upper, dtype=float).reshape(-1)
    out["confidence"] = np.tile(levels, n_groups)
    out["statistic"] = _per_row(statistic, n_groups, n_levels)
    out["method"] = _per_row(method, n_groups, n_levels)
    return out
