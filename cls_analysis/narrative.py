"""French sentences and summary tables written from the results, for the notebooks and annexes.

Everything here reads the results table (``docs/contracts.md``) and the catalogue, and writes
French for users: numbers through :mod:`cls_analysis.viz.fmt`, comparisons in words
(« significativement plus élevé qu'en France »), statuses in words (« secret statistique »).

>>> comparison_words("higher", "France métropolitaine")
"significativement plus élevé qu'en France métropolitaine"
"""

from __future__ import annotations

import math

import pandas as pd

from cls_analysis.indicators.catalogue import AXES, load_catalogue
from cls_analysis.viz.fmt import format_ci, format_value

__all__ = [
    "ASSESSMENT_WORDS",
    "STATUS_WORDS",
    "comparison_words",
    "indicator_sentence",
    "indicator_table",
    "latest_period",
    "synthesis_table",
    "unavailable_text",
]

#: Result statuses in words.
STATUS_WORDS = {
    "ok": "",
    "zero": "0",
    "suppressed": "secret statistique",
    "missing": "non disponible",
}
#: Assessments in words.
ASSESSMENT_WORDS = {
    "better": "plus favorable",
    "similar": "comparable",
    "worse": "moins favorable",
    "not judged": "sans jugement",
}
_ZONE_PREPOSITION = {"france": "en", "region": "en", "departement": "en"}


def comparison_words(comparison: str | None, comparator: str) -> str:
    """A comparison in French words (the test of the interval against the comparator).

    >>> comparison_words("similar", "Charente-Maritime")
    'sans différence significative avec Charente-Maritime'
    """
    if comparison == "higher":
        return f"significativement plus élevé qu'en {comparator}"
    if comparison == "lower":
        return f"significativement plus bas qu'en {comparator}"
    if comparison == "similar":
        return f"sans différence significative avec {comparator}"
    return ""


def latest_period(rows: pd.DataFrame) -> str | None:
    """Latest period of a set of result rows (``2019-2023`` sorts after ``2021``)."""
    if rows.empty:
        return None
    return max(rows["period"].astype(str).unique(), key=lambda p: (p[-4:], p))


def _value_text(row: pd.Series, meta: dict) -> str:
    if row["status"] in ("suppressed", "missing"):
        return STATUS_WORDS[row["status"]]
    return format_value(row["value"], meta["unit"] or None, int(meta["decimals"]))


def _zone_rows(results: pd.DataFrame, indicator: str) -> pd.DataFrame:
    rows = results.loc[results["indicator"] == indicator]
    period = latest_period(rows)
    return rows.loc[rows["period"].astype(str) == period] if period else rows


def indicator_sentence(results: pd.DataFrame, indicator: str, catalogue: pd.DataFrame | None = None) -> str:
    """One sentence: the territory's value, its interval, the comparators and the test.

    Returns an empty string when the indicator has no row for the territory.
    """
    catalogue = load_catalogue() if catalogue is None else catalogue
    meta = catalogue.set_index("id").loc[indicator].to_dict()
    rows = _zone_rows(results, indicator)
    territory = rows.loc[rows["zone_type"] == "territory"]
    if territory.empty:
        return ""
    row = territory.iloc[0]
    label = meta["label"]
    period = row["period"]
    if row["status"] == "suppressed":
        return f"{label} ({period}) : non diffusé pour le territoire ({row['note'] or 'secret statistique'})."
    if row["status"] == "missing":
        return f"{label} ({period}) : non disponible pour le territoire."
    text = f"{label} : {_value_text(row, meta)} dans le territoire ({period})"
    if not (isinstance(row["lower_ci"], float) and math.isnan(row["lower_ci"])):
        text += f", intervalle de confiance à 95 % {format_ci(row['lower_ci'], row['upper_ci'], int(meta['decimals']))}"
    comparators = rows.loc[rows["zone_type"].isin(["departement", "region", "france"])]
    if not comparators.empty:
        parts = [f"{c['zone_name']} : {_value_text(c, meta)}" for _, c in comparators.iterrows()]
        text += " (" + " ; ".join(parts) + ")"
    words = comparison_words(row.get("comparison"), row.get("comparator") or "France")
    if words:
        text += f", {words}"
    return text + "."


def indicator_table(results: pd.DataFrame, indicators: list[str] | None = None, *,
                    theme: str | None = None, catalogue: pd.DataFrame | None = None) -> pd.DataFrame:
    """Table of indicators: territory, département(s), région(s), France, comparison, assessment.

    Columns in French; values are numbers (NaN when not shown, the reason in « Remarque »).
    """
    catalogue = load_catalogue() if catalogue is None else catalogue
    if indicators is None:
        chosen = catalogue if theme is None else catalogue.loc[catalogue["theme"] == theme]
        indicators = chosen["id"].tolist()
    meta = catalogue.set_index("id")
    rows = []
    for indicator in indicators:
        zone_rows = _zone_rows(results, indicator)
        if zone_rows.empty:
            continue
        entry = {"Indicateur": meta.loc[indicator, "label"], "Unité": meta.loc[indicator, "unit"],
                 "Période": latest_period(zone_rows)}
        territory = zone_rows.loc[zone_rows["zone_type"] == "territory"]
        if not territory.empty:
            t = territory.iloc[0]
            entry["Territoire"] = t["value"]
            entry["IC 95 % bas"] = t["lower_ci"]
            entry["IC 95 % haut"] = t["upper_ci"]
        for level, heading in (("departement", "Département"), ("region", "Région"), ("france", "France")):
            comparator = zone_rows.loc[zone_rows["zone_type"] == level]
            entry[heading] = comparator["value"].iloc[0] if not comparator.empty else float("nan")
        if not territory.empty:
            t = territory.iloc[0]
            entry["Comparaison à la France"] = comparison_words(t["comparison"], "France").replace(
                " qu'en France", "").replace(" avec France", "") or "–"
            entry["Appréciation"] = ASSESSMENT_WORDS.get(t["assessment"], "–")
            entry["Remarque"] = STATUS_WORDS.get(t["status"], "") if t["status"] != "ok" else ""
            if t["note"]:
                entry["Remarque"] = t["note"]
        rows.append(entry)
    columns = ["Indicateur", "Unité", "Période", "Territoire", "IC 95 % bas", "IC 95 % haut",
               "Département", "Région", "France", "Comparaison à la France", "Appréciation", "Remarque"]
    return pd.DataFrame(rows, columns=columns)


def synthesis_table(results: pd.DataFrame, catalogue: pd.DataFrame | None = None) -> pd.DataFrame:
    """Strengths and weaknesses by CLS axis: counts of indicators better / similar / worse."""
    catalogue = load_catalogue() if catalogue is None else catalogue
    territory = results.loc[results["zone_type"] == "territory"]
    latest = territory.sort_values("period").drop_duplicates("indicator", keep="last")
    merged = latest.merge(catalogue[["id", "axis", "short_label"]], left_on="indicator", right_on="id")
    rows = []
    for axis, title in AXES.items():
        block = merged.loc[merged["axis"] == axis]
        if block.empty:
            continue
        rows.append({
            "Axe du CLS": title,
            "Plus favorable": int((block["assessment"] == "better").sum()),
            "Comparable": int((block["assessment"] == "similar").sum()),
            "Moins favorable": int((block["assessment"] == "worse").sum()),
            "Points de vigilance": ", ".join(block.loc[block["assessment"] == "worse", "short_label"]) or "–",
            "Atouts": ", ".join(block.loc[block["assessment"] == "better", "short_label"]) or "–",
        })
    return pd.DataFrame(rows)


def unavailable_text(unavailable: pd.DataFrame) -> str:
    """A paragraph listing the indicators that could not be computed, and why (or '')."""
    if unavailable.empty:
        return ""
    lines = [f"- {row.label} : {row.reason}" for row in unavailable.itertuples()]
    return "Indicateurs non disponibles pour ce territoire :\n\n" + "\n".join(lines)
