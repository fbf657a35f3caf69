"""Proportions with Wilson score confidence intervals (PHEindicatormethods ``phe_proportion``)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from cls_analysis.errors import describe_rows
from cls_analysis.stats._groups import group_rows, sum_by
from cls_analysis.stats._output import build_output, format_multiplier
from cls_analysis.stats._poisson import z_value
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

__all__ = ["proportion", "proportion_from_sums", "wilson_limits"]


def wilson_limits(
    x: np.ndarray, n: np.ndarray, confidence: float
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score limits of the proportion ``x / n`` (Wilson 1927; Newcombe & Altman 2000).

    .. math:: \\frac{2x + z^2 \\mp z\\sqrt{z^2 + 4x(1 - x/n)}}{2(n + z^2)}

    >>> lo, up = wilson_limits(np.array([65.0]), np.array([100.0]), 0.95)
    >>> round(float(lo[0]), 6), round(float(up[0]), 6)
    (0.552544, 0.736358)
    """
    x = np.asarray(x, dtype=float)
    n = np.asarray(n, dtype=float)
    z = z_value(confidence)
    z2 = z * z
    with np.errstate(divide="ignore", invalid="ignore"):
        root = z * np.sqrt(z2 + 4 * x * (1 - x / n))
        denom = 2 * (n + z2)
        lower = (2 * x + z2 - root) / denom
        upper = (2 * x + z2 + root) / denom
    # x = 0 and x = n give 0 and 1 exactly; rounding must not push them outside [0, 1].
    return np.clip(lower, 0.0, 1.0), np.clip(upper, 0.0, 1.0)


def proportion(
    df: pd.DataFrame,
    x: str,
    n: str,
    by: str | Sequence[str] | None = None,
    confidence: float | Sequence[float] = 0.95,
    multiplier: float = 1,
) -> pd.DataFrame:
    """Proportion of ``x`` in ``n`` per group, with Wilson score confidence limits.

    Counts are summed per group first (a territory's share comes from its summed counts, never
    from an average of its communes), then the proportion and its limits are computed.

    Parameters
    ----------
    df : pandas.DataFrame
        Tidy input, one or more rows per group.
    x, n : str
        Columns holding the numerator (cases) and the denominator (sample or population).
    by : str, list of str or None
        Grouping columns; None gives a single group over all rows.
    confidence : float or sequence of float
        Confidence level(s), each in [0.9, 0.9999]; several levels give one row each.
    multiplier : float
        1 for a proportion, 100 for a percentage.

    Returns
    -------
    pandas.DataFrame
        The ``by`` columns, then ``numerator``, ``denominator``, ``value``, ``lower_ci``,
        ``upper_ci``, ``confidence``, ``statistic`` (``"proportion of 1"``,
        ``"percentage"``…), ``method`` (``"Wilson"``).

    Raises
    ------
    StatsInputError
        Missing or non-numeric column, negative count, ``x > n`` on a row, a group whose summed
        denominator is 0 (as PHEindicatormethods, which refuses denominators ≤ 0; a row with
        ``n = 0`` inside a group of positive total is accepted), a level outside [0.9, 0.9999].

    Notes
    -----
    A missing ``x`` or ``n`` on any row of a group gives a missing value and limits for that
    group (PHEindicatormethods sums with ``na.rm = FALSE``).

    Examples
    --------
    >>> df = pd.DataFrame({"area": ["A", "A", "B"], "x": [30, 35, 5], "n": [50, 50, 100]})
    >>> out = proportion(df, "x", "n", by="area", multiplier=100)
    >>> out[["area", "value", "lower_ci", "upper_ci", "statistic"]].round(2)
      area  value  lower_ci  upper_ci   statistic
    0    A   65.0     55.25     73.64  percentage
    1    B    5.0      2.15     11.18  percentage
    """
    df = check_dataframe(df)
    by_cols = to_column_list(by)
    check_columns(df, {"x": x, "n": n, **{f"by[{c}]": c for c in by_cols}})
    levels = confidence_levels(confidence)
    mult = positive_number(multiplier, "multiplier")
    xv = numeric_column(df, x, "x")
    nv = numeric_column(df, n, "n")
    over = xv > nv
    if over.any():
        rows = describe_rows(
            (f"{i} ({a:g} > {b:g})" for i, a, b in zip(df.index[over], xv[over], nv[over], strict=True)),
            limit=8,
        )
        raise StatsInputError(
            f"Numérateur '{x}' supérieur au dénominateur '{n}' (lignes {rows}) : une proportion "
            "ne peut pas dépasser 1. Vérifiez que x et n ne sont pas inversés et que les deux "
            "comptent la même population."
        )
    groups = group_rows(df, by_cols)
    xs = sum_by(groups.codes, xv, groups.size)
    ns = sum_by(groups.codes, nv, groups.size)
    zero = ns == 0
    if zero.any():
        raise StatsInputError(
            f"Dénominateur '{n}' nul pour les groupes {describe_groups(groups.keys, zero)} : une "
            "proportion n'est pas définie sur un effectif nul (PHEindicatormethods refuse aussi "
            "les dénominateurs nuls). Retirez ces groupes ou corrigez le dénominateur."
        )
    value, lower, upper, statistic = proportion_from_sums(xs, ns, levels, mult)
    return build_output(
        groups.keys,
        levels,
        numerator=xs,
        denominator=ns,
        value=value,
        lower=lower,
        upper=upper,
        statistic=statistic,
        method="Wilson",
    )


def proportion_from_sums(xs: np.ndarray, ns: np.ndarray, levels: Sequence[float],
                         multiplier: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, str]:
    """The figures of :func:`proportion` from each group's sums, its checks done: the value,
    the Wilson limits (groups × levels) and the ``statistic`` text. The indicator engine calls
    it on the pairs it has already checked.

    >>> value, lower, upper, statistic = proportion_from_sums(np.array([20.0]), np.array([100.0]), [0.95], 100)
    >>> float(value[0]), statistic
    (20.0, 'percentage')
    """
    mult = float(multiplier)
    value = xs / ns * mult
    lower = np.empty((len(xs), len(levels)))
    upper = np.empty_like(lower)
    for j, level in enumerate(levels):
        lo, up = wilson_limits(xs, ns, level)
        lower[:, j] = lo * mult
        upper[:, j] = up * mult
    if mult == 1:
        statistic = "proportion of 1"
    elif mult == 100:
        statistic = "percentage"
    else:
        statistic = f"proportion of {format_multiplier(mult)}"
    return value, lower, upper, statistic
