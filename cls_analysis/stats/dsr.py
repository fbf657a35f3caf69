"""Directly standardised rates: Dobson (PHE ``calculate_dsr``) or Fay-Feuer gamma limits."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy.special import gammaincinv

from cls_analysis.errors import describe_rows
from cls_analysis.stats._groups import group_rows
from cls_analysis.stats._output import build_output, format_multiplier, text_labels
from cls_analysis.stats._poisson import poisson_limits
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
from cls_analysis.stats.ages import normalize_age_codes
from cls_analysis.stats.standards import standard_weights

__all__ = ["DSR_METHODS", "dsr", "dsr_from_bands"]

#: Confidence interval methods of :func:`dsr`.
DSR_METHODS = ("dobson", "gamma")


def _age_codes(df: pd.DataFrame, age: str) -> tuple[np.ndarray, np.ndarray]:
    codes, labels = normalize_age_codes(df[age])
    if (codes < 0).any():
        rows = describe_rows(df.index[codes < 0], limit=8)
        raise StatsInputError(
            f"La colonne d'âge '{age}' (argument age) contient des valeurs manquantes (lignes "
            f"{rows}) : chaque ligne doit avoir une tranche d'âge."
        )
    return codes.astype(np.int64, copy=False), labels


def _missing_bands_message(keys: pd.DataFrame, present: np.ndarray, labels: np.ndarray) -> str:
    incomplete = ~present.all(axis=1)
    examples = []
    for g in np.flatnonzero(incomplete)[:5]:
        who = describe_groups(keys, np.arange(len(keys)) == g) or "ensemble"
        examples.append(f"{who} (manque {describe_rows(labels[~present[g]], limit=5)})")
    more = f"… ({int(incomplete.sum())} groupes au total)" if incomplete.sum() > 5 else ""
    return " ; ".join(examples) + more


def dsr(
    df: pd.DataFrame,
    x: str,
    n: str,
    standard: str | Mapping[str, float] | pd.Series = "esp2013",
    age: str = "age",
    by: str | Sequence[str] | None = None,
    confidence: float | Sequence[float] = 0.95,
    multiplier: float = 100_000,
    method: str = "dobson",
    event_frequency: str | None = None,
    min_count: float = 10,
) -> pd.DataFrame:
    """Directly standardised rate per group with Dobson (default) or Fay-Feuer gamma limits.

    With :math:`x_i`, :math:`n_i` the events and population of age band :math:`i` and
    :math:`w_i` the standard population (:math:`W = \\sum w_i`):

    * value :math:`\\mathrm{DSR} = \\frac{1}{W}\\sum_i w_i x_i / n_i` (× ``multiplier``);
    * variance :math:`V = \\frac{1}{W^2}\\sum_i x_i (w_i / n_i)^2`;
    * ``method="dobson"`` (Dobson et al. 1991, as PHEindicatormethods): with the total count
      :math:`O = \\sum x_i` and its Poisson limits :math:`O_L, O_U` (Byar's from 10 events,
      exact below), :math:`\\mathrm{DSR} + \\sqrt{V/O}\\,(O_{L,U} - O)`;
    * ``method="gamma"`` (Fay & Feuer 1997, as ``epitools::ageadjust.direct``): gamma quantiles
      with shape :math:`\\mathrm{DSR}^2/V`, scale :math:`V/\\mathrm{DSR}` for the lower limit and
      :math:`(\\mathrm{DSR}+w_M)^2/(V+w_M^2)`, :math:`(V+w_M^2)/(\\mathrm{DSR}+w_M)` for the upper
      one, :math:`w_M = \\max_i w_i/(W n_i)`.

    Non-independent events (PHE's ``independent_events = FALSE``): pass
    ``event_frequency``; each row then gives, for one age band and one frequency :math:`f`,
    the number of *persons* ``x`` who had :math:`f` events. The rate counts events
    (:math:`\\sum f \\cdot x`) and the variance becomes
    :math:`\\frac{1}{W^2}\\sum_f f^2 \\sum_i x_{i,f} (w_i/n_i)^2` (the population ``n`` and the
    standard repeat on every frequency row of a band and must agree).

    Parameters
    ----------
    df : pandas.DataFrame
        Tidy input: one row per group and age band (several rows of a group and band, e.g.
        its communes, are summed first).
    x, n : str
        Columns holding the events (or persons, with ``event_frequency``) and the population.
        A missing ``x`` counts as 0; ``n`` must be present.
    standard : str, mapping or Series
        A column of ``df`` (read per row, joined on the age band; it takes precedence over a
        built-in name), ``"esp2013"`` or ``"france"`` (see :mod:`cls_analysis.stats.standards`),
        or ``{age band: weight}``. Never matched by position.
    age : str
        Column of age band labels (normalised by
        :func:`~cls_analysis.stats.ages.normalize_age_band`, so ``"00-04"`` is ``"0-4"``).
    by : str, list of str or None
        Grouping columns; None gives a single group.
    confidence : float or sequence of float
        Confidence level(s), each in [0.9, 0.9999].
    multiplier : float
        Rate per ``multiplier`` persons.
    method : {"dobson", "gamma"}
        Confidence interval method.
    event_frequency : str, optional
        Column of event frequencies for non-independent events.
    min_count : float
        A group with fewer total events gets no value nor limits and ``statistic`` says why
        (PHE: ``"dsr NA for total count < 10"``). Lower it only knowingly: below 10 events
        Dobson's limits use the exact Poisson limits of the total, and a group without any
        event has the value 0, no Dobson limits, and gamma limits [0, upper].

    Returns
    -------
    pandas.DataFrame
        The ``by`` columns, then ``numerator`` (total events), ``denominator`` (total
        population), ``value``, ``lower_ci``, ``upper_ci``, ``confidence``, ``statistic``
        (``"dsr per 100000"`` or the reason it is missing) and ``method``.

    Raises
    ------
    StatsInputError
        Missing or non-numeric column, negative count or population, missing population, an
        age band absent from the standard (named), groups without the same age bands,
        events in a band of zero population, a standard column that varies within a band.

    Notes
    -----
    Every group must have every age band present in the data (a missing *row* is an error; a
    missing *count* is 0). A band with zero population and zero events adds nothing
    (PHEindicatormethods refuses any zero population; communes often have an empty 90+ band).

    Examples
    --------
    >>> bands = ["0-4", "5-9", "10-14", "15-19", "20-24", "25-29", "30-34", "35-39", "40-44",
    ...          "45-49", "50-54", "55-59", "60-64", "65-69", "70-74", "75-79", "80-84",
    ...          "85-89", "90+"]
    >>> df = pd.DataFrame({"area": "A", "age": bands, "deaths": range(1, 20), "pop": 1000})
    >>> out = dsr(df, "deaths", "pop", standard="esp2013", by="area")
    >>> out[["area", "numerator", "value", "lower_ci", "upper_ci", "method"]].round(1)
      area  numerator  value  lower_ci  upper_ci  method
    0    A      190.0  892.5     758.2    1042.1  Dobson
    """
    df = check_dataframe(df)
    by_cols = to_column_list(by)
    check_columns(
        df,
        {"x": x, "n": n, "age": age, "event_frequency": event_frequency,
         **{f"by[{c}]": c for c in by_cols}},
    )
    levels = confidence_levels(confidence)
    mult = positive_number(multiplier, "multiplier")
    if method not in DSR_METHODS:
        raise StatsInputError(
            f"Méthode {method!r} inconnue pour un taux standardisé : choisissez 'dobson' "
            "(PHE, par défaut) ou 'gamma' (Fay-Feuer)."
        )
    if isinstance(min_count, bool) or not isinstance(min_count, (int, float)) or min_count < 0:
        raise StatsInputError(f"min_count doit être un nombre positif ou nul ; reçu : {min_count!r}.")

    xv = numeric_column(df, x, "x")
    xv = np.where(np.isnan(xv), 0.0, xv)
    nv = numeric_column(df, n, "n", allow_missing=False)
    age_codes, labels = _age_codes(df, age)
    weights, _ = standard_weights(df, standard, age_codes, labels, nv)
    groups = group_rows(df, by_cols)
    n_groups, n_bands = groups.size, len(labels)
    cell = groups.codes * n_bands + age_codes
    size = n_groups * n_bands
    present = (np.bincount(cell, minlength=size) > 0).reshape(n_groups, n_bands)
    if not present.all():
        raise StatsInputError(
            "Tous les groupes doivent avoir les mêmes tranches d'âge (une tranche sans décès "
            "s'écrit avec un effectif 0) ; tranches absentes : "
            f"{_missing_bands_message(groups.keys, present, labels)}."
        )

    if event_frequency is None:
        events = np.bincount(cell, weights=xv, minlength=size).reshape(n_groups, n_bands)
        pop = np.bincount(cell, weights=nv, minlength=size).reshape(n_groups, n_bands)
        persons = freq = None
    else:
        fv = numeric_column(df, event_frequency, "event_frequency", allow_missing=False)
        fcodes, freq = pd.factorize(fv)
        freq = np.asarray(freq, dtype=float)
        n_freq = len(freq)
        sub = cell * n_freq + fcodes
        sub_size = size * n_freq
        sub_present = (np.bincount(sub, minlength=sub_size) > 0).reshape(size, n_freq)
        sub_pop = np.bincount(sub, weights=nv, minlength=sub_size).reshape(size, n_freq)
        high = np.where(sub_present, sub_pop, -np.inf).max(axis=1)
        low = np.where(sub_present, sub_pop, np.inf).min(axis=1)
        if (high != low).any():
            bad = np.flatnonzero(high != low)[:5]
            where = "; ".join(
                f"{describe_groups(groups.keys, np.arange(n_groups) == c // n_bands) or 'ensemble'}"
                f", âge {labels[c % n_bands]}"
                for c in bad
            )
            raise StatsInputError(
                f"La population '{n}' diffère selon la fréquence d'événements pour une même "
                f"tranche d'âge ({where}) : avec event_frequency, chaque ligne répète la "
                "population de sa tranche. Corrigez les données."
            )
        pop = high.reshape(n_groups, n_bands)
        persons = np.bincount(sub, weights=xv, minlength=sub_size).reshape(
            n_groups, n_bands, n_freq
        )
        events = persons @ freq

    impossible = (pop == 0) & (events > 0)
    if impossible.any():
        g, b = np.nonzero(impossible)
        where = "; ".join(
            f"{describe_groups(groups.keys, np.arange(n_groups) == gi) or 'ensemble'}, âge "
            f"{labels[bi]}"
            for gi, bi in list(zip(g, b, strict=True))[:5]
        )
        raise StatsInputError(
            f"Des événements '{x}' sont comptés dans une tranche d'âge de population '{n}' "
            f"nulle ({where}) : le taux y est infini. Vérifiez la population."
        )

    total, value, lower, upper, statistic = dsr_from_bands(
        events, pop, weights, levels, mult, method=method, min_count=min_count, persons=persons, freq=freq
    )
    label = "Dobson" if method == "dobson" else "Fay-Feuer gamma"
    if event_frequency is not None:
        label += ", with confidence adjusted for non-independent events"
    return build_output(
        groups.keys,
        levels,
        numerator=total,
        denominator=pop.sum(axis=1),
        value=value,
        lower=lower,
        upper=upper,
        statistic=statistic,
        method=label,
    )


def dsr_from_bands(
    events: np.ndarray,
    pop: np.ndarray,
    weights: np.ndarray,
    levels: Sequence[float],
    multiplier: float,
    *,
    method: str = "dobson",
    min_count: float = 10,
    persons: np.ndarray | None = None,
    freq: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, tuple]:
    """The formulas of :func:`dsr` on dense arrays, its checks done: ``events`` and ``pop``
    (groups × bands), ``weights`` (the standard population of each band); with
    ``persons`` (groups × bands × frequencies) and ``freq``, non-independent events.

    Returns the total events, the value, the lower and upper limits (groups × levels) and the
    ``statistic`` text of each group (``(codes, labels)``, see :func:`text_labels`). The
    indicator engine calls it on its grids of zones × bands.

    >>> value = dsr_from_bands(np.array([[5.0, 15.0]]), np.array([[1000.0, 2000.0]]), np.array([1.0, 1.0]),
    ...                        [0.95], 1000)[1]
    >>> float(value[0])  # (5/1000 + 15/2000) / 2 × 1000
    6.25
    """
    mult = float(multiplier)
    total_w = weights.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(pop > 0, weights / pop, 0.0)  # w_i / n_i
    value_unit = (events * ratio).sum(axis=1) / total_w
    if persons is None:
        var = (events * ratio * ratio).sum(axis=1) / total_w**2
    else:
        var = np.einsum("gbf,gb,f->g", persons, ratio * ratio, freq * freq) / total_w**2
    total = events.sum(axis=1)
    value = value_unit * mult

    lower = np.empty((len(events), len(levels)))
    upper = np.empty_like(lower)
    with np.errstate(divide="ignore", invalid="ignore"):
        if method == "dobson":
            spread = np.sqrt(var / total) * mult
            for j, level in enumerate(levels):
                lo, up = poisson_limits(total, level)
                lower[:, j] = value + spread * (lo - total)
                upper[:, j] = value + spread * (up - total)
        else:
            w_max = np.where(pop > 0, ratio / total_w, 0.0).max(axis=1)
            shape_u = (value_unit + w_max) ** 2 / (var + w_max**2)
            scale_u = (var + w_max**2) / (value_unit + w_max)
            for j, level in enumerate(levels):
                lo = gammaincinv(value_unit**2 / var, (1 - level) / 2) * (var / value_unit)
                lower[:, j] = np.where(value_unit == 0, 0.0, lo) * mult
                upper[:, j] = gammaincinv(shape_u, (1 + level) / 2) * scale_u * mult

    few = total < min_count
    value[few] = np.nan
    lower[few] = np.nan
    upper[few] = np.nan
    statistic = text_labels(
        few.astype(np.intp),
        [f"dsr per {format_multiplier(mult)}",
         f"dsr NA for total count < {format_multiplier(float(min_count))}"],
    )
    return total, value, lower, upper, statistic
