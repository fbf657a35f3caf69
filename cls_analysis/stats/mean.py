"""Means with Student's t confidence intervals (PHEindicatormethods ``phe_mean``)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy.special import stdtrit

from cls_analysis.stats._groups import group_rows, sum_by
from cls_analysis.stats._output import build_output
from cls_analysis.stats._validate import (
    check_columns,
    check_dataframe,
    confidence_levels,
    numeric_column,
    to_column_list,
)

__all__ = ["mean"]


def mean(
    df: pd.DataFrame,
    values: str,
    by: str | Sequence[str] | None = None,
    confidence: float | Sequence[float] = 0.95,
) -> pd.DataFrame:
    """Mean of ``values`` per group with a Student's t confidence interval.

    :math:`\\bar v \\pm t_{(1+c)/2,\\,k-1}\\, s/\\sqrt{k}` with :math:`k` values and their
    sample standard deviation :math:`s` (``ddof = 1``). The variance is computed in two passes
    (deviations from the group mean), which keeps full precision for large values.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per observation.
    values : str
        Column holding the observations (negative values are allowed).
    by : str, list of str or None
        Grouping columns; None gives a single group.
    confidence : float or sequence of float
        Confidence level(s), each in [0.9, 0.9999].

    Returns
    -------
    pandas.DataFrame
        The ``by`` columns, then ``numerator`` (the sum), ``denominator`` (the number of
        values), ``value``, ``lower_ci``, ``upper_ci``, ``confidence``, ``statistic``
        (``"mean"``), ``method`` (``"Student's t-distribution"``).

    Notes
    -----
    A missing value in a group gives a missing mean for the group (PHE keeps ``NA``); a group
    of a single value has a mean but no interval.

    Examples
    --------
    >>> df = pd.DataFrame({"area": ["A"] * 4, "v": [1.0, 2.0, 3.0, 4.0]})
    >>> mean(df, "v", by="area")[["area", "value", "lower_ci", "upper_ci"]].round(4)
      area  value  lower_ci  upper_ci
    0    A    2.5    0.4457    4.5543
    """
    df = check_dataframe(df)
    by_cols = to_column_list(by)
    check_columns(df, {"values": values, **{f"by[{c}]": c for c in by_cols}})
    levels = confidence_levels(confidence)
    v = numeric_column(df, values, "values", allow_negative=True)
    groups = group_rows(df, by_cols)
    total = sum_by(groups.codes, v, groups.size)
    count = np.bincount(groups.codes, weights=~np.isnan(v), minlength=groups.size)
    avg = total / count
    dev = v - avg[groups.codes]
    with np.errstate(divide="ignore", invalid="ignore"):
        sd = np.sqrt(sum_by(groups.codes, dev * dev, groups.size) / (count - 1))
        se = sd / np.sqrt(count)
    lower = np.empty((groups.size, len(levels)))
    upper = np.empty_like(lower)
    for j, level in enumerate(levels):
        with np.errstate(invalid="ignore"):
            half = stdtrit(count - 1, 0.5 + level / 2) * se
        half[count < 2] = np.nan
        lower[:, j] = avg - half
        upper[:, j] = avg + half
    return build_output(
        groups.keys,
        levels,
        numerator=total,
        denominator=count,
        value=avg,
        lower=lower,
        upper=upper,
        statistic="mean",
        method="Student's t-distribution",
    )
