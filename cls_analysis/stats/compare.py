"""Significance of a zone against a comparator, and its reading through the indicator's polarity.

The Fingertips convention: a zone is ``"higher"`` than its comparator when the lower limit of
the zone's confidence interval is above the comparator's *value*, ``"lower"`` when the upper
limit is below it, ``"similar"`` otherwise. Each row is judged at its own confidence level, so
a results table with rows at 95 % and 99.8 % gets both comparisons. The polarity of the
indicator turns that into an ``assessment``: ``"+"`` (higher is better), ``"-"`` (higher is
worse) or ``"0"`` (no judgement: ``"not judged"``).

Codes are language-neutral: French labels are a formatting concern (``viz``/``export``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from numbers import Real

import numpy as np
import pandas as pd

from cls_analysis.errors import describe_rows
from cls_analysis.stats._validate import (
    StatsInputError,
    check_columns,
    check_dataframe,
    to_column_list,
)

__all__ = ["ASSESSMENTS", "COMPARISONS", "DEFAULT_MATCH", "compare", "significance", "significance_codes"]

#: Values of the ``comparison`` column (missing when it cannot be judged).
COMPARISONS = ("higher", "similar", "lower")
#: Values of the ``assessment`` column.
ASSESSMENTS = ("better", "similar", "worse", "not judged")
#: Columns that match a zone's row to its comparator's row, when present.
DEFAULT_MATCH = ("indicator", "period", "sex", "age")

_POLARITY = {"+": 1, "-": -1, "−": -1, "0": 0, 1: 1, -1: -1, 0: 0}


def significance_codes(lower: np.ndarray, upper: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """:func:`significance` as integer codes: 0 higher, 1 similar, 2 lower (positions in
    :data:`COMPARISONS`), -1 where a limit or the reference is missing.

    >>> significance_codes(np.array([105.0, 90.0, 80.0, np.nan]), np.array([120.0, 110.0, 95.0, 1.0]), 100.0).tolist()
    [0, 1, 2, -1]
    """
    lower, upper, reference = np.broadcast_arrays(
        np.asarray(lower, dtype=float), np.asarray(upper, dtype=float),
        np.asarray(reference, dtype=float),
    )
    known = ~(np.isnan(lower) | np.isnan(upper) | np.isnan(reference))
    out = np.where(known, 1, -1).astype(np.int8)
    out[known & (lower > reference)] = 0
    out[known & (upper < reference)] = 2
    return out


def significance(lower: np.ndarray, upper: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """``"higher"`` / ``"similar"`` / ``"lower"`` for intervals against reference values.

    Missing limits or reference give None.

    >>> significance(np.array([105.0, 90.0, 80.0]), np.array([120.0, 110.0, 95.0]), 100.0)
    array(['higher', 'similar', 'lower'], dtype=object)
    """
    codes = significance_codes(lower, upper, reference)
    return np.append(np.array(COMPARISONS, dtype=object), None)[codes]


def _polarity_codes(polarity: object, results: pd.DataFrame) -> np.ndarray:
    """+1 / -1 / 0 per row of ``results``."""
    def code(p: object, where: str) -> int:
        key = p.strip() if isinstance(p, str) else p
        if isinstance(key, Real) and not isinstance(key, bool) and float(key).is_integer():
            key = int(key)
        if key not in _POLARITY:
            raise StatsInputError(
                f"Polarité {p!r} inconnue {where}: utilisez '+' (plus haut = mieux), "
                "'-' (plus haut = moins bien) ou '0' (pas de jugement)."
            )
        return _POLARITY[key]

    if polarity is None:
        if "polarity" not in results.columns:
            raise StatsInputError(
                "Indiquez la polarité de l'indicateur : polarity='+', '-' ou '0', un "
                "dictionnaire {indicateur: polarité}, ou une colonne 'polarity' dans le tableau."
            )
        values = results["polarity"]
        uniques = {v: code(v, "(colonne polarity) ") for v in values.dropna().unique()}
        if values.isna().any():
            rows = describe_rows(results.index[values.isna().to_numpy()])
            raise StatsInputError(f"Polarité manquante dans la colonne 'polarity' (lignes {rows}).")
        return values.map(uniques).to_numpy(dtype=int)
    if isinstance(polarity, Mapping):
        check_columns(results, {"polarity (indicateur)": "indicator"})
        table = {k: code(v, f"pour l'indicateur {k!r} ") for k, v in polarity.items()}
        indicators = results["indicator"]
        unknown = sorted(set(indicators.dropna().unique()) - set(table))
        if unknown:
            raise StatsInputError(
                f"Polarité non donnée pour les indicateurs {describe_rows(map(str, unknown))} : "
                "complétez le dictionnaire polarity."
            )
        return indicators.map(table).to_numpy(dtype=int)
    return np.full(len(results), code(polarity, ""), dtype=int)


def compare(
    results: pd.DataFrame,
    comparator: Mapping[str, object] | pd.DataFrame | float,
    polarity: str | int | Mapping[str, object] | None = None,
    on: Sequence[str] | None = None,
    label: str | None = None,
) -> pd.DataFrame:
    """Compare each zone's interval with a comparator's value; judge it through the polarity.

    Parameters
    ----------
    results : pandas.DataFrame
        Long results (the DESIGN "Results" contract, or any statistic's output): needs
        ``value``, ``lower_ci``, ``upper_ci``; one row per zone and confidence level.
    comparator : mapping, DataFrame or number
        * a mapping selects the comparator's rows in ``results`` itself, e.g.
          ``{"zone_type": "france"}`` or ``{"zone_type": "departement", "zone_code": "17"}``;
        * a DataFrame gives the comparator's rows (the ``on`` columns and ``value``;
          ``zone_name`` or ``zone_code`` name it);
        * a number is a fixed reference value (100 for an ICM with France = 100, 1 for a
          ratio).
    polarity : {"+", "-", "0"}, mapping or None
        ``"+"`` higher is better, ``"-"`` higher is worse, ``"0"`` no judgement (1, -1, 0
        and the typographic minus ``"−"`` are accepted); a mapping ``{indicator: polarity}``
        uses the ``indicator`` column; None reads a ``polarity`` column.
    on : sequence of str, optional
        Columns matching a zone's row to its comparator's (same indicator, period…). Default:
        those of :data:`DEFAULT_MATCH` present in ``results`` (and in a comparator table).
    label : str, optional
        Text of the ``comparator`` column; default: the comparator's ``zone_name`` (else
        ``zone_code``), or the number.

    Returns
    -------
    pandas.DataFrame
        A copy of ``results`` with the columns ``comparator``, ``comparison``
        (``"higher"``/``"similar"``/``"lower"``, missing when a limit or the comparator's value
        is missing, or for the comparator's own rows) and ``assessment``
        (``"better"``/``"similar"``/``"worse"``, or ``"not judged"`` for polarity 0 or a missing
        comparison) — replaced if present, else appended in that order.

    Raises
    ------
    StatsInputError
        Missing columns, a selector that matches no row, a comparator with two different
        values for the same match, an unknown polarity.

    Examples
    --------
    >>> res = pd.DataFrame({
    ...     "indicator": "mort_icm", "zone_type": ["commune", "commune", "france"],
    ...     "zone_code": ["17008", "17182", "FR"], "zone_name": ["Andilly", "Aytré", "France"],
    ...     "value": [130.0, 104.0, 100.0], "lower_ci": [112.0, 93.0, 99.6],
    ...     "upper_ci": [150.0, 116.0, 100.4], "confidence": 0.95})
    >>> out = compare(res, {"zone_type": "france"}, polarity="-")
    >>> out[["zone_name", "comparator", "comparison", "assessment"]]
      zone_name comparator comparison  assessment
    0   Andilly     France     higher       worse
    1     Aytré     France    similar     similar
    2    France     France        NaN  not judged
    """
    results = check_dataframe(results, "results")
    check_columns(results, {"value": "value", "lower_ci": "lower_ci", "upper_ci": "upper_ci"})
    pol = _polarity_codes(polarity, results)
    out = results.copy()
    n = len(out)
    own = np.zeros(n, dtype=bool)

    if isinstance(comparator, Real) and not isinstance(comparator, bool):
        reference = np.full(n, float(comparator))
        name = label if label is not None else f"{float(comparator):g}"
        names = np.full(n, name, dtype=object)
    else:
        if isinstance(comparator, Mapping):
            check_columns(results, {f"comparator[{k}]": k for k in comparator})
            sel = np.ones(n, dtype=bool)
            for k, v in comparator.items():
                sel &= (results[k] == v).to_numpy(dtype=bool, na_value=False)
            if not sel.any():
                raise StatsInputError(
                    f"Aucune ligne ne correspond au comparateur {dict(comparator)!r} dans le "
                    "tableau de résultats : vérifiez zone_type/zone_code, ou passez un tableau "
                    "ou une valeur de comparaison."
                )
            table = results.loc[sel]
            own = sel
        elif isinstance(comparator, pd.DataFrame):
            table = comparator
            check_columns(table, {"comparator[value]": "value"})
        else:
            raise StatsInputError(
                "comparator doit être un dictionnaire de sélection (par exemple "
                "{'zone_type': 'france'}), un tableau pandas ou un nombre ; reçu : "
                f"{type(comparator).__name__}."
            )
        keys = (
            to_column_list(on, "on") if on is not None
            else [c for c in DEFAULT_MATCH if c in results.columns and c in table.columns]
        )
        check_columns(results, {f"on[{k}]": k for k in keys})
        check_columns(table, {f"on[{k}] (comparateur)": k for k in keys})
        name_col = next((c for c in ("zone_name", "zone_code") if c in table.columns), None)
        cols = [*keys, "value", *([name_col] if name_col else [])]
        ref = table[cols].drop_duplicates()
        if keys and ref.duplicated(keys).any() or not keys and len(ref) > 1:
            raise StatsInputError(
                "Le comparateur a plusieurs valeurs pour une même correspondance "
                f"({', '.join(keys) or 'aucune colonne de correspondance'}) : précisez le "
                "sélecteur (zone_code…) ou les colonnes on=[...]."
            )
        ref = ref.rename(columns={"value": "_ref_value", **({name_col: "_ref_name"} if name_col else {})})
        if keys:
            matched = results[keys].merge(ref, how="left", on=keys, sort=False)
        else:
            matched = pd.DataFrame(
                {c: np.repeat(ref[c].to_numpy(), n) for c in ref.columns}
            )
        reference = matched["_ref_value"].to_numpy(dtype=float, na_value=np.nan)
        if label is not None:
            names = np.where(np.isnan(reference), None, label).astype(object)
        elif name_col:
            names = matched["_ref_name"].astype(object).where(matched["_ref_name"].notna(), None)
            names = names.to_numpy(dtype=object)
        else:
            names = np.where(np.isnan(reference), None, "comparator").astype(object)

    comparison = significance(
        results["lower_ci"].to_numpy(dtype=float, na_value=np.nan),
        results["upper_ci"].to_numpy(dtype=float, na_value=np.nan),
        reference,
    )
    comparison[own] = None
    assessment = np.full(n, "not judged", dtype=object)
    judged = (pol != 0) & (comparison != None)  # noqa: E711 (element-wise on objects)
    assessment[judged & (comparison == "similar")] = "similar"
    good = np.where(pol > 0, "higher", "lower")
    bad = np.where(pol > 0, "lower", "higher")
    assessment[judged & (comparison == good)] = "better"
    assessment[judged & (comparison == bad)] = "worse"
    out["comparator"] = names
    out["comparison"] = comparison
    out["assessment"] = assessment
    return out
