"""Indirect standardisation: ICM/SMR ratios and indirectly standardised rates (PHE ISRatio/ISRate)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from cls_analysis.errors import describe_rows
from cls_analysis.stats._groups import first_occurrence, group_rows, sum_by
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
from cls_analysis.stats.ages import normalize_age_band, normalize_age_codes

__all__ = ["ISR_KINDS", "isr", "isr_from_sums"]

#: What :func:`isr` returns: the ratio (ICM/SMR) or the indirectly standardised rate.
ISR_KINDS = ("ratio", "rate")


def _reference_lookup(
    df: pd.DataFrame,
    reference: pd.DataFrame,
    age: str,
    keys: list[str],
    x_ref: str,
    n_ref: str,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Reference events and population of each row of ``df``, joined on age band (+ keys).

    Returns the two arrays and the stratum code of each row (age band × keys).
    """
    if not isinstance(reference, pd.DataFrame):
        raise StatsInputError(
            f"L'argument reference doit être un tableau pandas ; reçu : {type(reference).__name__}."
        )
    check_columns(reference, {"age (reference)": age, "x_ref": x_ref, "n_ref": n_ref,
                              **{f"reference_on[{k}]": k for k in keys}})
    ref = pd.DataFrame({"_age": [normalize_age_band(a) for a in reference[age]]})
    for k in keys:
        ref[k] = reference[k].to_numpy()
    ref["_x"] = np.nan_to_num(numeric_column(reference, x_ref, "x_ref (reference)"))
    ref["_n"] = numeric_column(reference, n_ref, "n_ref (reference)", allow_missing=False)
    dup = ref.duplicated(["_age", *keys])
    if dup.any():
        raise StatsInputError(
            "Le tableau de référence a plusieurs lignes pour une même tranche d'âge "
            f"(lignes {describe_rows(reference.index[dup.to_numpy()])}) : agrégez-le d'abord, "
            "ou précisez les colonnes de jointure (reference_on=[...])."
        )
    age_codes, labels = normalize_age_codes(df[age])
    if (age_codes < 0).any():
        raise StatsInputError(
            f"La colonne d'âge '{age}' contient des valeurs manquantes (lignes "
            f"{describe_rows(df.index[age_codes < 0])})."
        )
    strata = age_codes.astype(np.int64)
    for k in keys:
        codes, uniques = pd.factorize(df[k], use_na_sentinel=False)
        strata = strata * len(uniques) + codes
    strata, _ = pd.factorize(strata)
    first = first_occurrence(strata)
    combos = pd.DataFrame({"_age": labels[age_codes[first]]})
    for k in keys:
        combos[k] = df[k].to_numpy()[first]
    joined = combos.merge(ref, how="left", on=["_age", *keys], validate="one_to_one")
    missing = joined["_n"].isna().to_numpy()
    if missing.any():
        what = describe_rows(
            (", ".join(f"{c}={v}" for c, v in row.items()) for _, row in
             joined.loc[missing, ["_age", *keys]].rename(columns={"_age": age}).iterrows()),
            limit=8,
        )
        raise StatsInputError(
            f"Tranches d'âge absentes du tableau de référence : {what}. Complétez la référence "
            "ou regroupez les âges des données de la même façon."
        )
    return joined["_x"].to_numpy()[strata], joined["_n"].to_numpy()[strata], strata


def _observed_totals(
    observed: pd.DataFrame, keys: pd.DataFrame, by_cols: list[str], x: str
) -> np.ndarray:
    """Observed total of each group, read from the ``observed`` table joined on ``by``."""
    if not isinstance(observed, pd.DataFrame):
        raise StatsInputError(
            f"L'argument observed doit être un tableau pandas ; reçu : {type(observed).__name__}."
        )
    check_columns(observed, {"x (observed)": x, **{f"by[{c}] (observed)": c for c in by_cols}})
    counts = np.nan_to_num(numeric_column(observed, x, "x (observed)"))
    if not by_cols:
        if len(observed) != 1:
            raise StatsInputError(
                "Sans regroupement (by=None), le tableau observed doit avoir une seule ligne : "
                f"il en a {len(observed)}."
            )
        return counts[:1]
    table = observed[by_cols].assign(_obs=counts)
    if table.duplicated(by_cols).any():
        raise StatsInputError(
            f"Le tableau observed a plusieurs lignes pour un même groupe ({', '.join(by_cols)}) : "
            "agrégez-le d'abord."
        )
    joined = keys.merge(table, how="left", on=by_cols, sort=False)
    missing = joined["_obs"].isna().to_numpy()
    if missing.any():
        raise StatsInputError(
            f"Total observé absent du tableau observed pour les groupes "
            f"{describe_groups(keys, missing)} : complétez-le (0 s'il n'y a eu aucun événement)."
        )
    return joined["_obs"].to_numpy(dtype=float)


def isr(
    df: pd.DataFrame,
    x: str,
    n: str,
    x_ref: str | None = None,
    n_ref: str | None = None,
    age: str = "age",
    by: str | Sequence[str] | None = None,
    confidence: float | Sequence[float] = 0.95,
    reference_value: float = 100,
    kind: str = "ratio",
    multiplier: float = 100_000,
    reference: pd.DataFrame | None = None,
    reference_on: Sequence[str] | None = None,
    observed: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Indirectly standardised ratio (ICM, SMR) or rate per group.

    Expected events :math:`E = \\sum_i n_i\\, x^{ref}_i / n^{ref}_i` over the rows (age bands) of
    a group; observed :math:`O = \\sum_i x_i`.

    * ``kind="ratio"`` (PHE ``calculate_ISRatio``; the French *indice comparatif de
      mortalité*): :math:`O/E \\times` ``reference_value`` (100: France = 100);
    * ``kind="rate"`` (PHE ``calculate_ISRate``): :math:`O/E \\times R` with :math:`R` the crude
      rate of the reference population over the group's age bands, × ``multiplier``.

    Limits are those of the count :math:`O` scaled the same way: exact (χ²) when
    :math:`O < 10`, Byar's from :math:`O \\ge 10` (``method`` says which).

    Parameters
    ----------
    df : pandas.DataFrame
        One row per group and age band (or finer: rows are summed).
    x, n : str
        Observed events and population per row. Missing values count as 0.
    x_ref, n_ref : str, optional
        Reference events and population per age band: columns of ``df``, or, with
        ``reference``, columns of that table (default: the names ``x`` and ``n``).
    age : str
        Age band column (labels normalised, see :func:`~cls_analysis.stats.normalize_age_band`).
    by : str, list of str or None
        Grouping columns; None gives a single group.
    confidence : float or sequence of float
        Confidence level(s), each in [0.9, 0.9999].
    reference_value : float
        Scale of the ratio (100 for an ICM with France = 100, 1 for a plain SMR).
    kind : {"ratio", "rate"}
        Ratio (ICM/SMR) or indirectly standardised rate.
    multiplier : float
        For ``kind="rate"``: rate per ``multiplier`` persons.
    reference : pandas.DataFrame, optional
        Reference events and population by age band (e.g. France), joined to the data on the
        age band label — and on the columns ``reference_on`` (e.g. ``["sex"]``) — never by
        position. An age band of the data absent from it is an error naming the band.
    reference_on : list of str, optional
        Extra join columns between ``df`` and ``reference``.
    observed : pandas.DataFrame, optional
        Observed totals per group when deaths by age are not known (PHE's
        ``observed_totals``; an ICM needs only the total): the ``by`` columns and the column
        ``x``, one row per group, joined on the ``by`` columns. ``df`` then needs no ``x``.

    Returns
    -------
    pandas.DataFrame
        The ``by`` columns, then ``numerator`` (observed), ``denominator`` (expected),
        ``value``, ``lower_ci``, ``upper_ci``, ``confidence``, ``statistic``
        (``"indirectly standardised ratio x 100"`` / ``"indirectly standardised rate per
        100000"``) and ``method`` (``"Exact"`` / ``"Byars"``).

    Raises
    ------
    StatsInputError
        Missing or non-numeric column, negative values, a missing or zero reference population
        where reference events exist, a group with no expected event, an age band absent
        from ``reference``, reference values varying within a group's age band (``kind="rate"``).

    Examples
    --------
    >>> df = pd.DataFrame({"area": ["A", "A"], "age": ["0-64", "65+"], "deaths": [20, 80],
    ...                    "pop": [9000, 1000]})
    >>> france = pd.DataFrame({"age": ["0-64", "65+"], "deaths": [1500, 6000],
    ...                        "pop": [800000, 200000]})
    >>> out = isr(df, "deaths", "pop", by="area", reference=france)
    >>> out[["area", "numerator", "denominator", "value", "lower_ci", "upper_ci"]].round(2)
      area  numerator  denominator   value  lower_ci  upper_ci
    0    A      100.0        46.88  213.33    173.56    259.48
    """
    df = check_dataframe(df)
    by_cols = to_column_list(by)
    keys = to_column_list(reference_on, "reference_on")
    if reference is None:
        if x_ref is None or n_ref is None:
            raise StatsInputError(
                "Indiquez les colonnes de référence x_ref= et n_ref= (décès et population de "
                "référence par tranche d'âge), ou un tableau de référence reference=."
            )
        check_columns(df, {"x_ref": x_ref, "n_ref": n_ref})
    check_columns(df, {"x": x if observed is None else None, "n": n, "age": age,
                       **{f"by[{c}]": c for c in by_cols},
                       **{f"reference_on[{k}]": k for k in keys}})
    levels = confidence_levels(confidence)
    if kind not in ISR_KINDS:
        raise StatsInputError(
            f"kind={kind!r} inconnu : choisissez 'ratio' (ICM, rapport standardisé) ou 'rate' "
            "(taux standardisé indirectement)."
        )
    ref_value = positive_number(reference_value, "reference_value")
    mult = positive_number(multiplier, "multiplier")

    xv = None if observed is not None else np.nan_to_num(numeric_column(df, x, "x"))
    nv = np.nan_to_num(numeric_column(df, n, "n"))
    if reference is None:
        xr = np.nan_to_num(numeric_column(df, x_ref, "x_ref"))
        nr = numeric_column(df, n_ref, "n_ref", allow_missing=False)
        strata = None
    else:
        xr, nr, strata = _reference_lookup(
            df, reference, age, keys, x_ref or x, n_ref or n
        )
    bad_ref = (nr == 0) & (xr > 0)
    if bad_ref.any():
        rows = describe_rows(df.index[bad_ref], limit=8)
        raise StatsInputError(
            f"Population de référence nulle avec des événements de référence (lignes {rows}) : "
            "le taux de référence y est infini. Vérifiez la population de référence."
        )
    with np.errstate(divide="ignore", invalid="ignore"):
        ref_rate = np.where(nr > 0, xr / nr, 0.0)

    groups = group_rows(df, by_cols)
    expected = sum_by(groups.codes, nv * ref_rate, groups.size)
    observed = (
        sum_by(groups.codes, xv, groups.size) if xv is not None
        else _observed_totals(observed, groups.keys, by_cols, x)
    )
    none = expected <= 0
    if none.any():
        raise StatsInputError(
            f"Aucun événement attendu pour les groupes {describe_groups(groups.keys, none)} "
            "(population nulle, ou taux de référence nuls dans leurs tranches d'âge) : le "
            "rapport n'est pas défini. Retirez ces groupes ou vérifiez les données."
        )

    if kind == "ratio":
        value, lower, upper, statistic = isr_from_sums(observed, expected, levels, ref_value)
    else:
        if strata is None:
            strata, _ = normalize_age_codes(df[age])
            strata = strata.astype(np.int64)
        n_strata = int(strata.max()) + 1 if len(strata) else 0
        cell, _ = pd.factorize(groups.codes * n_strata + strata)
        first = first_occurrence(cell)
        if reference is None:
            differs = (xr != xr[first][cell]) | (nr != nr[first][cell])
            if differs.any():
                raise StatsInputError(
                    f"Les valeurs de référence '{x_ref}'/'{n_ref}' diffèrent au sein d'un même "
                    f"groupe et d'une même tranche d'âge (lignes "
                    f"{describe_rows(df.index[differs], limit=8)}) : le taux de référence "
                    "brut ne peut pas être calculé. Ajoutez la colonne qui les distingue "
                    "(le sexe…) à by=, ou passez un tableau reference= avec reference_on=."
                )
        ref_x = sum_by(groups.codes[first], xr[first], groups.size)
        ref_n = sum_by(groups.codes[first], nr[first], groups.size)
        value, lower, upper = scaled_poisson(observed, ref_x / ref_n * mult / expected, levels)
        statistic = f"indirectly standardised rate per {format_multiplier(mult)}"
    return build_output(
        groups.keys,
        levels,
        numerator=observed,
        denominator=expected,
        value=value,
        lower=lower,
        upper=upper,
        statistic=statistic,
        method=poisson_method(observed),
    )


def isr_from_sums(observed: np.ndarray, expected: np.ndarray, levels: Sequence[float],
                  reference_value: float = 100) -> tuple[np.ndarray, np.ndarray, np.ndarray, str]:
    """The figures of :func:`isr` (``kind="ratio"``) from each group's observed and expected
    events, its checks done: the value, the limits (groups × levels: exact below 10 observed
    events, Byar's from 10) and the ``statistic`` text. The indicator engine calls it on its
    grids of zones × bands.

    >>> value, lower, upper, statistic = isr_from_sums(np.array([12.0]), np.array([10.0]), [0.95])
    >>> float(value[0]), statistic
    (120.0, 'indirectly standardised ratio x 100')
    """
    value, lower, upper = scaled_poisson(observed, reference_value / expected, levels)
    return value, lower, upper, f"indirectly standardised ratio x {format_multiplier(reference_value)}"
