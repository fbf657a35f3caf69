"""Crude rates with exact Poisson (below 10 events) or Byar's limits (PHE ``phe_rate``)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from cls_analysis.stats._groups import group_rows, sum_by
from cls_analysis.stats._output import build_output, format_multiplier
from cls_analysis.stats._poisson import poisson_method, scaled_poisson
from cls_analysis.stats._validate import (
    StatsInputError,
    check_columns,
    check_dataframe,
    confidence_levels,
    describe_groups,
    numeric_column,
    positive_number,
    to_column_list,
)

__all__ = ["crude_rate", "crude_rate_from_sums"]


def crude_rate(
    df: pd.DataFrame,
    x: str,
    n: str,
    by: str | Sequence[str] | None = None,
    confidence: float | Sequence[float] = 0.95,
    multiplier: float = 100_000,
) -> pd.DataFrame:
    """Crude rate ``x / n × multiplier`` per group, with Poisson confidence limits.

    The limits are those of the summed count ``x`` divided by the summed ``n``: exact
    (χ² quantiles) when ``x < 10``, Byar's approximation when ``x ≥ 10`` — the switch of
    PHEindicatormethods ``phe_rate`` and of the Fingertips technical guidance. ``method`` says
    which one was used (``"Exact"`` or ``"Byars"``).

    Parameters
    ----------
    df : pandas.DataFrame
        Tidy input, one or more rows per group.
    x, n : str
        Columns holding the events and the population (or person-years).
    by : str, list of str or None
        Grouping columns; None gives a single group over all rows.
    confidence : float or sequence of float
        Confidence level(s), each in [0.9, 0.9999].
    multiplier : float
        Rate per ``multiplier`` persons (100 000 by default).

    Returns
    -------
    pandas.DataFrame
        The ``by`` columns, then ``numerator``, ``denominator``, ``value``, ``lower_ci``,
        ``upper_ci``, ``confidence``, ``statistic`` (``"rate per 100000"``) and ``method``.

    Raises
    ------
    StatsInputError
        Missing or non-numeric column, negative count or population, a group whose summed
        population is 0 (PHEindicatormethods refuses denominators ≤ 0), a bad level.

    Notes
    -----
    Unlike a proportion, ``x`` may exceed ``n`` (several events per person). A missing ``x``
    or ``n`` on any row of a group gives a missing value for the group, as in PHE.

    Examples
    --------
    >>> df = pd.DataFrame({"area": ["A", "B"], "deaths": [5, 65], "pop": [100, 100]})
    >>> out = crude_rate(df, "deaths", "pop", by="area", multiplier=100)
    >>> out[["area", "value", "lower_ci", "upper_ci", "method"]].round(3)
      area  value  lower_ci  upper_ci method
    0    A    5.0     1.623    11.668  Exact
    1    B   65.0    50.163    82.849  Byars
    """
    df = check_dataframe(df)
    by_cols = to_column_list(by)
    check_columns(df, {"x": x, "n": n, **{f"by[{c}]": c for c in by_cols}})
    levels = confidence_levels(confidence)
    mult = positive_number(multiplier, "multiplier")
    xv = numeric_column(df, x, "x")
    nv = numeric_column(df, n, "n")
    groups = group_rows(df, by_cols)
    xs = sum_by(groups.codes, xv, groups.size)
    ns = sum_by(groups.codes, nv, groups.size)
    zero = ns == 0
    if zero.any():
        raise StatsInputError(
            f"Population '{n}' nulle pour les groupes {describe_groups(groups.keys, zero)} : un "
            "taux n'est pas défini sur une population nulle (PHEindicatormethods refuse aussi "
            "les dénominateurs nuls). Retirez ces groupes ou corrigez la population."
        )
    value, lower, upper, statistic = crude_rate_from_sums(xs, ns, levels, mult)
    return build_output(
        groups.keys,
        levels,
        numerator=xs,
        denominator=ns,
        value=value,
        lower=lower,
        upper=upper,
        statistic=statistic,
        method=poisson_method(xs),
    )


def crude_rate_from_sums(xs: np.ndarray, ns: np.ndarray, levels: Sequence[float],
                         multiplier: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, str]:
    """The figures of :func:`crude_rate` from each group's sums, its checks done: the value,
    the limits (groups × levels: exact below 10 events, Byar's from 10) and the ``statistic``
    text. The indicator engine calls it on the pairs it has already checked.

    >>> value, lower, upper, statistic = crude_rate_from_sums(np.array([5.0]), np.array([100.0]), [0.95], 100)
    >>> float(value[0]), round(float(upper[0, 0]), 3), statistic
    (5.0, 11.668, 'rate per 100')
    """
    mult = float(multiplier)
    value, lower, upper = scaled_poisson(xs, mult / ns, levels)
    return value, lower, upper, f"rate per {format_multiplier(mult)}"
