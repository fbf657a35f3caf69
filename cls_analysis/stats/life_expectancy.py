"""Life expectancy from an abridged life table: Chiang II, Silcocks CI (PHE ``phe_life_expectancy``)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from pandas.api.types import is_numeric_dtype

from cls_analysis.errors import describe_rows
from cls_analysis.stats._groups import group_rows
from cls_analysis.stats._output import build_output
from cls_analysis.stats._poisson import z_value
from cls_analysis.stats._validate import (
    StatsInputError,
    check_columns,
    check_dataframe,
    confidence_levels,
    numeric_column,
    to_column_list,
)
from cls_analysis.stats.ages import normalize_age_band

__all__ = ["LIFE_TABLE_BANDS", "MIN_TOTAL_POPULATION", "life_expectancy", "life_table_from_bands"]

#: The 20 age bands of the abridged life table, in order.
LIFE_TABLE_BANDS = ("0", "1-4", *(f"{a}-{a + 4}" for a in range(5, 90, 5)), "90+")
_START = np.array([0, 1, *range(5, 95, 5)], dtype=float)
_WIDTH = np.diff(_START)  # 1, 4, 5, …, 5 (the last band is open)
_FRACTION = np.where(_START[:-1] == 0, 0.1, 0.5)  # a_i: fraction of the interval lived by deaths
#: PHE does not compute a life expectancy for a total population at or under this.
MIN_TOTAL_POPULATION = 5000
#: PHE suppresses a life expectancy whose 95 % interval is wider than this (years).
MAX_CI_WIDTH = 20

REASONS = {
    "bands": "life expectancy NA: the 20 age bands 0, 1-4, 5-9, …, 90+ are not all present",
    "pop": "life expectancy NA: population of zero or missing in an age band",
    "deaths": "life expectancy NA: more deaths than population in an age band",
    "small": f"life expectancy NA for total population <= {MIN_TOTAL_POPULATION}",
    "last": "life expectancy NA: no death in the 90+ band",
    "wide": f"life expectancy NA: 95% confidence interval wider than {MAX_CI_WIDTH} years",
}


def _band_codes(df: pd.DataFrame, age: str) -> np.ndarray:
    series = df[age]
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    if (codes < 0).any():
        raise StatsInputError(
            f"La colonne d'âge '{age}' contient des valeurs manquantes (lignes "
            f"{describe_rows(df.index[codes < 0])})."
        )
    if is_numeric_dtype(series.dtype) and not isinstance(series.dtype, pd.BooleanDtype):
        # start ages, as PHE: 0, 1, 5, 10, …, 90
        lookup = {float(s): i for i, s in enumerate(_START)}
        mapped = [lookup.get(float(u), -1) for u in uniques]
        shown = [f"{u:g}" for u in np.asarray(uniques, dtype=float)]
    else:
        order = {b: i for i, b in enumerate(LIFE_TABLE_BANDS)}
        mapped = [order.get(normalize_age_band(u), -1) for u in uniques]
        shown = [str(u) for u in uniques]
    unknown = [s for s, m in zip(shown, mapped, strict=True) if m < 0]
    if unknown:
        raise StatsInputError(
            f"Tranches d'âge non reconnues pour une table de mortalité : {describe_rows(unknown)}. "
            f"Attendu : {', '.join(LIFE_TABLE_BANDS)} (ou les âges de début 0, 1, 5, …, 90) ; "
            "la première tranche 0-4 doit être séparée en 0 et 1-4."
        )
    return np.asarray(mapped, dtype=np.int64)[codes]


def _life_table(deaths: np.ndarray, pop: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Life expectancy and its standard error at each age, for (groups, 20) arrays."""
    last = len(LIFE_TABLE_BANDS) - 1
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        rate = deaths / pop
        n_i, a_i = _WIDTH, _FRACTION
        m, d, p = rate[:, :last], deaths[:, :last], pop[:, :last]
        q = np.where(d <= p / n_i / a_i, m * n_i / (1 + m * n_i * (1 - a_i)), 1.0)
        survivors = np.empty_like(rate)
        survivors[:, 0] = 1e5
        survivors[:, 1:] = 1e5 * np.cumprod(1 - q, axis=1)
        dying = survivors[:, :last] - survivors[:, 1:]
        years = np.empty_like(rate)
        years[:, :last] = n_i * (survivors[:, 1:] + a_i * dying)
        years[:, last] = survivors[:, last] / rate[:, last]
        total_years = np.cumsum(years[:, ::-1], axis=1)[:, ::-1]
        expectancy = np.where(survivors == 0, 0.0, total_years / survivors)
        var_p = np.where(dying == 0, 0.0, q * q * (1 - q) / d)
        weighted = np.empty_like(rate)
        weighted[:, :last] = (
            var_p * survivors[:, :last] ** 2 * ((1 - a_i) * n_i + expectancy[:, 1:]) ** 2
        )
        weighted[:, last] = (survivors[:, last] / 2) ** 2 * 4 / (
            deaths[:, last] * rate[:, last] ** 2
        )
        cum = np.cumsum(weighted[:, ::-1], axis=1)[:, ::-1]
        se = np.sqrt(cum / survivors**2)
    return expectancy, se


def life_expectancy(
    df: pd.DataFrame,
    deaths: str,
    n: str,
    age: str = "age",
    by: str | Sequence[str] | None = None,
    confidence: float | Sequence[float] = 0.95,
    at_age: str | Sequence[str] | None = "0",
) -> pd.DataFrame:
    """Life expectancy per group from deaths and population by age (abridged life table).

    The method of PHEindicatormethods ``phe_life_expectancy`` and the PHE/ONS life expectancy
    calculator: Chiang's abridged life table (Chiang 1968, method II) on the 20 bands ``0``,
    ``1-4``, ``5-9``, …, ``85-89``, ``90+`` with :math:`a_0 = 0.1` and :math:`a_i = 0.5`
    otherwise, and the variance of Chiang completed by Silcocks et al. (2001) for the open
    last band (:math:`4/(D_{90+} M_{90+}^2)`). Deaths and populations are usually pooled over
    5 years.

    Rules (PHE's, stated in ``statistic`` with value and limits missing):

    * the 20 bands must all be present, every population positive, no band with more deaths
      than population, at least one death in ``90+``;
    * no life expectancy when the group's total population is 5 000 or less (Toson & Baker
      2003; Eayres & Williams 2004);
    * a value whose 95 % interval is wider than 20 years is not shown (its limits are).

    Parameters
    ----------
    df : pandas.DataFrame
        One row per group and age band (finer rows, e.g. communes, are summed).
    deaths, n : str
        Deaths and population (or person-years). A missing death count is 0.
    age : str
        Age bands (``"0"``, ``"1-4"``, ``"5-9"``, …, ``"90+"``, normalised as
        :func:`~cls_analysis.stats.normalize_age_band` does) or PHE's start ages
        (0, 1, 5, …, 90).
    by : str, list of str or None
        Grouping columns; None gives a single group.
    confidence : float or sequence of float
        Confidence level(s), each in [0.9, 0.9999].
    at_age : str, int, sequence of them, or None
        Age band(s) at which the life expectancy is returned, as labels (``"65-69"``) or
        PHE's start ages (65); ``"0"`` (at birth) by default, None for every band.

    Returns
    -------
    pandas.DataFrame
        The ``by`` columns, the ``age`` column (the band), then ``numerator`` (deaths from that
        age up), ``denominator`` (population from that age up), ``value``, ``lower_ci``,
        ``upper_ci``, ``confidence``, ``statistic`` (``"life expectancy at 0"`` or the reason it
        is missing) and ``method`` (``"Chiang, using Silcocks et al for confidence limits"``).

    Raises
    ------
    StatsInputError
        Missing or non-numeric column, negative deaths or population (PHE returns NA with a
        warning; here it is an error, as for every count), an unknown age band.

    Examples
    --------
    >>> bands = ["0", "1-4"] + [f"{a}-{a + 4}" for a in range(5, 90, 5)] + ["90+"]
    >>> pops = [7060, 35059, 46974, 48489, 43219, 38561, 46009, 57208, 61435, 55601, 50209,
    ...         56416, 46411, 39820, 37978, 37039, 33288, 23306, 11936, 11936]
    >>> deaths = [17, 9, 4, 8, 20, 15, 24, 33, 50, 71, 100, 163, 263, 304, 536, 872, 1390,
    ...           1605, 1936, 1937]
    >>> df = pd.DataFrame({"age": bands, "deaths": deaths, "pop": pops})
    >>> out = life_expectancy(df, "deaths", "pop", at_age=["0", "65-69"])
    >>> out[["age", "value", "lower_ci", "upper_ci", "statistic"]].round(4)
         age    value  lower_ci  upper_ci               statistic
    0      0  80.1696   79.8827   80.4565    life expectancy at 0
    1  65-69  18.7686   18.5757   18.9614  life expectancy at 65-69
    """
    df = check_dataframe(df)
    by_cols = to_column_list(by)
    check_columns(df, {"deaths": deaths, "n": n, "age": age, **{f"by[{c}]": c for c in by_cols}})
    if age in by_cols:
        raise StatsInputError(f"La colonne d'âge '{age}' ne peut pas être aussi dans by=.")
    levels = confidence_levels(confidence)
    if at_age is None:
        wanted = np.arange(len(LIFE_TABLE_BANDS))
    else:
        asked = [at_age] if isinstance(at_age, (str, int)) else list(at_age)
        order = {b: i for i, b in enumerate(LIFE_TABLE_BANDS)}
        starts = {int(s): i for i, s in enumerate(_START)}
        idx = [
            starts.get(int(a), -1) if isinstance(a, (int, np.integer)) and not isinstance(a, bool)
            else order.get(normalize_age_band(a), -1)
            for a in asked
        ]
        if min(idx, default=-1) < 0:
            raise StatsInputError(
                f"at_age={at_age!r} : chaque âge doit être une tranche de la table de mortalité "
                f"({', '.join(LIFE_TABLE_BANDS)}) ; None donne toutes les tranches."
            )
        wanted = np.asarray(idx)

    dv = np.nan_to_num(numeric_column(df, deaths, "deaths"))
    pv = numeric_column(df, n, "n")
    bands = _band_codes(df, age)
    groups = group_rows(df, by_cols)
    n_groups, n_bands = groups.size, len(LIFE_TABLE_BANDS)
    cell = groups.codes * n_bands + bands
    size = n_groups * n_bands
    present = (np.bincount(cell, minlength=size) > 0).reshape(n_groups, n_bands)
    dmat = np.bincount(cell, weights=dv, minlength=size).reshape(n_groups, n_bands)
    pmat = np.bincount(cell, weights=pv, minlength=size).reshape(n_groups, n_bands)

    deaths_up, pop_up, value, lower, upper, statistic = life_table_from_bands(dmat, pmat, present, levels, wanted)
    labels = np.array(LIFE_TABLE_BANDS, dtype=object)[wanted]
    n_ages = len(wanted)
    units = np.repeat(np.arange(n_groups), n_ages)
    keys = groups.keys.take(units).reset_index(drop=True)
    keys[age] = np.tile(labels, n_groups)
    return build_output(
        keys,
        levels,
        numerator=deaths_up.reshape(-1),
        denominator=pop_up.reshape(-1),
        value=value.reshape(-1),
        lower=lower.reshape(-1, len(levels)),
        upper=upper.reshape(-1, len(levels)),
        statistic=statistic.reshape(-1),
        method="Chiang, using Silcocks et al for confidence limits",
    )


def life_table_from_bands(dmat: np.ndarray, pmat: np.ndarray, present: np.ndarray, levels: Sequence[float],
                          wanted: Sequence[int] = (0,)) -> tuple[np.ndarray, ...]:
    """The life table of :func:`life_expectancy` and its rules on dense arrays: deaths,
    population and presence of each group's 20 bands (groups × :data:`LIFE_TABLE_BANDS`).

    Returns, per group and age of ``wanted`` (positions in :data:`LIFE_TABLE_BANDS`): deaths
    and population from that age up, the value, the lower and upper limits (groups × ages ×
    levels) and the ``statistic`` text. The indicator engine calls it on its grids of zones ×
    bands.
    """
    n_groups, n_bands = dmat.shape
    wanted = np.asarray(wanted)
    reason = np.full(n_groups, "", dtype=object)
    for key, fails in (
        ("bands", ~present.all(axis=1)),
        ("pop", ~(pmat > 0).all(axis=1)),  # NaN or ≤ 0
        ("deaths", (dmat > pmat).any(axis=1)),
        ("small", pmat.sum(axis=1) <= MIN_TOTAL_POPULATION),
        ("last", dmat[:, -1] <= 0),
    ):
        reason[(reason == "") & fails] = REASONS[key]
    valid = reason == ""

    expectancy = np.full((n_groups, n_bands), np.nan)
    se = np.full((n_groups, n_bands), np.nan)
    if valid.any():
        expectancy[valid], se[valid] = _life_table(dmat[valid], pmat[valid])
    wide = z_value(0.95) * se > MAX_CI_WIDTH / 2

    # per (group, age) output units, group-major
    exp_w, se_w, wide_w = expectancy[:, wanted], se[:, wanted], wide[:, wanted]
    deaths_up = np.cumsum(dmat[:, ::-1], axis=1)[:, ::-1][:, wanted]
    pop_up = np.cumsum(pmat[:, ::-1], axis=1)[:, ::-1][:, wanted]
    labels = np.array(LIFE_TABLE_BANDS, dtype=object)[wanted]
    statistic = np.where(
        valid[:, None],
        np.where(wide_w, REASONS["wide"], np.char.add("life expectancy at ", labels.astype(str))),
        reason[:, None],
    ).astype(object)
    value = np.where(wide_w, np.nan, exp_w)
    z = z_value(levels)
    lower = exp_w[..., None] - z * se_w[..., None]
    upper = exp_w[..., None] + z * se_w[..., None]

    return deaths_up, pop_up, value, lower, upper, statistic
