"""What the figures read from the results and observations tables (``docs/contracts.md``).

Every figure function takes the long ``results`` table, an indicator id and keyword overrides
of the catalogue's metadata; this module selects the rows, checks the columns, resolves the
metadata and decides whether the demo notice is due.

Demo notice rule
----------------
A figure carries « Données fictives de démonstration » when ``demo=True`` is passed, or, with
``demo=None`` (the default), when the table it is drawn from says so: a ``source`` column with
« Données fictives » in any row used (case and accents as written), or
``table.attrs["demo"]`` set to true. ``demo=False`` forces the notice off.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable

import numpy as np
import pandas as pd

from cls_analysis.errors import ClsAnalysisError, ConfigError, describe_rows
from cls_analysis.viz.fmt import SEX_LABELS

__all__ = [
    "RESULT_STATUSES",
    "check_columns",
    "indicator_rows",
    "is_demo",
    "latest_period",
    "period_key",
    "resolve_meta",
    "status_label",
    "zone_value",
]

#: Statuses of a result (``docs/contracts.md``).
RESULT_STATUSES = ("ok", "suppressed", "missing", "zero")
_DEMO_PATTERN = re.compile(r"donn[ée]es fictives", re.IGNORECASE)


def check_columns(table: pd.DataFrame, needed: Iterable[str], what: str = "résultats") -> None:
    """Raise a French error naming the missing columns of ``table``."""
    if not isinstance(table, pd.DataFrame):
        raise ClsAnalysisError(
            f"La table des {what} doit être un DataFrame pandas, reçu {type(table).__name__}."
        )
    missing = [c for c in needed if c not in table.columns]
    if missing:
        raise ClsAnalysisError(
            f"Table des {what} : colonne(s) absente(s) {', '.join(missing)} "
            f"(colonnes présentes : {describe_rows(table.columns, 12)} ; "
            "voir docs/contracts.md)."
        )


def period_key(period: object) -> tuple[int, int, str]:
    """Sort key of a period: ``2021`` and ``2019-2023`` sort by end year, then start year.

    >>> sorted(["2019-2023", "2021", "2015-2019", "2018-2022"], key=period_key)
    ['2015-2019', '2021', '2018-2022', '2019-2023']
    """
    text = str(period)
    years = [int(y) for y in re.findall(r"\d{4}", text)]
    if not years:
        return (0, 0, text)
    return (max(years), min(years), text)


def latest_period(periods: Iterable[object]) -> str:
    """The most recent period.

    >>> latest_period(["2015-2019", "2019-2023", "2017-2021"])
    '2019-2023'
    """
    values = [str(p) for p in pd.unique(pd.Series(list(periods), dtype="object")) if pd.notna(p)]
    if not values:
        raise ClsAnalysisError("Aucune période dans la table.")
    return max(values, key=period_key)


def indicator_rows(results: pd.DataFrame, indicator: str, *, zone_type: str | Iterable[str] | None = None,
                   period: str | None = None, sex: str | None = "all",
                   all_periods: bool = False) -> pd.DataFrame:
    """Rows of one indicator (one period, one sex), with string codes and checked statuses.

    Parameters
    ----------
    results : DataFrame
        The results table.
    indicator : str
        Indicator id.
    zone_type : str or list, optional
        Keep these zone types.
    period : str, optional
        Period; the most recent one of the indicator by default.
    sex : str, optional
        ``all`` by default; ``None`` keeps every sex. Without a ``sex`` column every row counts
        as ``all``.
    all_periods : bool
        Keep every period (trends).

    Raises
    ------
    ClsAnalysisError
        Indicator, zone type, period or sex absent; unknown statuses.
    """
    check_columns(results, ["indicator", "zone_type", "zone_code", "value", "status"])
    rows = results.loc[results["indicator"].astype(str) == indicator]
    if rows.empty:
        present = sorted(results["indicator"].dropna().astype(str).unique())
        raise ClsAnalysisError(
            f"L'indicateur « {indicator} » est absent des résultats "
            f"(indicateurs présents : {describe_rows(present) or 'aucun'}). Calculez-le avec le "
            "moteur d'indicateurs ou vérifiez son identifiant dans le catalogue."
        )
    rows = rows.copy()
    rows["zone_type"] = rows["zone_type"].astype(str)
    rows["zone_code"] = rows["zone_code"].astype(str)
    rows["status"] = rows["status"].astype(str)
    rows["value"] = pd.to_numeric(rows["value"], errors="coerce").astype(float)
    if "period" not in rows.columns:
        rows["period"] = ""
    rows["period"] = rows["period"].astype(str)
    if "sex" not in rows.columns:
        rows["sex"] = "all"
    rows["sex"] = rows["sex"].astype(str)
    unknown = sorted(set(rows["status"]) - set(RESULT_STATUSES))
    if unknown:
        raise ClsAnalysisError(
            f"Indicateur « {indicator} » : statut(s) inconnu(s) {', '.join(unknown)} dans la "
            f"colonne status (attendu : {', '.join(RESULT_STATUSES)})."
        )
    if zone_type is not None:
        wanted = [zone_type] if isinstance(zone_type, str) else list(zone_type)
        kept = rows.loc[rows["zone_type"].isin(wanted)]
        if kept.empty:
            raise ClsAnalysisError(
                f"Indicateur « {indicator} » : aucun résultat au niveau {' / '.join(wanted)} "
                f"(niveaux présents : {', '.join(sorted(rows['zone_type'].unique()))})."
            )
        rows = kept
    if sex is not None:
        kept = rows.loc[rows["sex"] == sex]
        if kept.empty:
            raise ClsAnalysisError(
                f"Indicateur « {indicator} » : aucun résultat pour le sexe « {sex} » "
                f"(présents : {', '.join(sorted(rows['sex'].unique()))})."
            )
        rows = kept
    if not all_periods:
        chosen = str(period) if period is not None else latest_period(rows["period"])
        kept = rows.loc[rows["period"] == chosen]
        if kept.empty:
            raise ClsAnalysisError(
                f"Indicateur « {indicator} » : aucun résultat pour la période {chosen} "
                f"(périodes présentes : {', '.join(sorted(rows['period'].unique(), key=period_key))})."
            )
        rows = kept
    # A value is a number only when the status says so.
    not_number = ~rows["status"].isin(["ok", "zero"])
    rows.loc[not_number, "value"] = np.nan
    rows.loc[rows["status"].eq("zero"), "value"] = 0.0
    bad_ok = rows["status"].eq("ok") & rows["value"].isna()
    rows.loc[bad_ok, "status"] = "missing"
    return rows


def zone_value(rows: pd.DataFrame, zone_type: str, zone_code: str | None = None) -> pd.Series | None:
    """The row of one zone (the first when ``zone_code`` is None), or None."""
    found = rows.loc[rows["zone_type"] == zone_type]
    if zone_code is not None:
        found = found.loc[found["zone_code"] == str(zone_code)]
    if found.empty:
        return None
    return found.iloc[0]


def resolve_meta(indicator: str, catalogue: pd.DataFrame | None = None, *,
                 rows: pd.DataFrame | None = None, **overrides) -> dict:
    """Metadata of an indicator: the catalogue's entry, then ``overrides`` (non-None).

    An indicator missing from the catalogue still gets a figure, labelled with its id and the
    results' unit, with a warning.

    >>> meta = resolve_meta("taux_pauvrete", unit="pour cent")
    >>> meta["label"], meta["unit"], meta["polarity"]
    ('Taux de pauvreté au seuil de 60 %', 'pour cent', '-')
    """
    from cls_analysis.indicators.catalogue import indicator_meta

    try:
        meta = dict(indicator_meta(indicator, catalogue))
    except ConfigError:
        unit = ""
        if rows is not None and "unit" in rows.columns and rows["unit"].notna().any():
            unit = str(rows["unit"].dropna().iloc[0])
        meta = {
            "id": indicator,
            "label": indicator,
            "short_label": indicator,
            "unit": unit,
            "decimals": 1,
            "polarity": "0",
            "statistic": "",
            "source": "",
            "definition": "",
            "min_count": 10,
            "axis": "",
            "theme": "",
        }
        if not overrides.get("label"):
            warnings.warn(
                f"Indicateur « {indicator} » absent du catalogue : libellé, unité et source à "
                "préciser (label=, unit=, source=).",
                UserWarning,
                stacklevel=3,
            )
    for key, value in overrides.items():
        if value is not None:
            meta[key] = value
    if not meta.get("short_label") or (isinstance(meta["short_label"], float)):
        meta["short_label"] = meta["label"]
    meta["decimals"] = int(meta.get("decimals") if pd.notna(meta.get("decimals")) else 1)
    meta["polarity"] = str(meta.get("polarity", "0"))
    unit = meta.get("unit")
    meta["unit"] = "" if unit is None or (isinstance(unit, float) and np.isnan(unit)) else str(unit)
    meta["min_count"] = int(meta.get("min_count") or 10)
    return meta


def is_demo(table: pd.DataFrame | None, demo: bool | None = None) -> bool:
    """Whether a figure drawn from ``table`` carries the demo notice (see the module's rule).

    >>> is_demo(pd.DataFrame({"source": ["Données fictives de démonstration"]}))
    True
    >>> is_demo(pd.DataFrame({"source": ["Insee, RP 2021"]})), is_demo(None, True)
    (False, True)
    """
    if demo is not None:
        return bool(demo)
    if table is None:
        return False
    if bool(table.attrs.get("demo", False)):
        return True
    if "source" in table.columns:
        sources = table["source"].dropna().astype(str)
        return bool(sources.str.contains(_DEMO_PATTERN).any())
    return False


#: Statistics computed from counts: a suppressed value is a small count.
COUNT_BASED = {"count", "proportion", "crude_rate", "dsr", "isr", "life_expectancy"}


def status_label(status: str, meta: dict, notes: Iterable[object] = ()) -> str:
    """Legend label of a status; a suppressed value says why (the rows' ``note``, else the rule).

    >>> meta = {"statistic": "isr", "min_count": 10}
    >>> status_label("suppressed", meta)
    'Non diffusé (moins de 10 cas)'
    >>> status_label("suppressed", {"statistic": "read", "min_count": 10})
    'Non diffusé (secret statistique)'
    >>> status_label("suppressed", meta, ["secret statistique (moins de 1 000 ménages)"])
    'Non diffusé : secret statistique (moins de 1 000 ménages)'
    """
    from cls_analysis.viz.fmt import STATUS_LABELS

    if status != "suppressed":
        return STATUS_LABELS.get(status, status).format(min_count=meta.get("min_count", 10))
    reasons = {str(n).strip() for n in notes if n is not None and pd.notna(n) and str(n).strip()}
    if len(reasons) == 1:
        return f"Non diffusé : {reasons.pop()}"
    if meta.get("statistic") in COUNT_BASED:
        return STATUS_LABELS["suppressed"].format(min_count=meta.get("min_count", 10))
    return "Non diffusé (secret statistique)"


def sex_text(sex: str | None) -> str:
    """``Hommes``, ``Femmes`` or empty for both sexes."""
    if sex in (None, "all"):
        return ""
    return SEX_LABELS.get(str(sex), str(sex))
