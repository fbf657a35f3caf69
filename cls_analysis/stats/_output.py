"""Assembly of the tidy output shared by every statistic.

One row per group and confidence level (group-major: all levels of the first group, then the
next group), with the columns :data:`OUTPUT_COLUMNS` after the group columns.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["OUTPUT_COLUMNS", "build_output", "format_multiplier", "text_labels"]

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


def text_labels(codes: np.ndarray, labels: list[str]) -> tuple[np.ndarray, list[str]]:
    """A text column given as integer codes into a few labels (-1: missing)."""
    return np.asarray(codes, dtype=np.intp), list(labels)


def _text_column(spec: object, n_groups: int, n_levels: int) -> object:
    """Expand a text column to one value per row, cheaply: codes into a small string array.

    ``spec`` is a scalar (one text for every row), a ``(codes, labels)`` pair from
    :func:`text_labels` with one code per group or per row, or an array of texts.
    """
    n_rows = n_groups * n_levels
    if isinstance(spec, tuple):
        codes, labels = spec
    elif np.ndim(spec) == 0:
        if not isinstance(spec, str):
            return np.full(n_rows, np.nan)
        codes, labels = np.zeros(1, dtype=np.intp), [spec]
    else:
        codes, uniques = pd.factorize(np.asarray(spec, dtype=object).reshape(-1))
        labels = [str(u) for u in uniques]
    codes = np.asarray(codes, dtype=np.intp).reshape(-1)
    if len(codes) == 1:
        codes = np.full(n_rows, codes[0], dtype=np.intp)
    elif len(codes) == n_groups and n_levels > 1:
        codes = np.repeat(codes, n_levels)
    return pd.array(labels, dtype="str").take(codes, allow_fill=True)


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
    ``denominator`` one entry per group; ``statistic`` and ``method`` are a text for every
    row, ``(codes, labels)`` from :func:`text_labels` or an array of texts, per group or per
    (group, level).
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
    out["statistic"] = _text_column(statistic, n_groups, n_levels)
    out["method"] = _text_column(method, n_groups, n_levels)
    return out
