"""The declarative indicator catalogue (``catalogue.toml``): one entry per indicator.

A user adds an indicator by adding an ``[[indicateur]]`` entry, not code. Columns and
vocabularies are documented in ``docs/contracts.md``.

>>> catalogue = load_catalogue()
>>> catalogue.set_index("id").loc["part_75p", "unit"]
'%'
>>> indicator_meta("part_75p")["polarity"]
'0'
"""

from __future__ import annotations

import functools
import tomllib
from importlib.resources import files
from pathlib import Path

import pandas as pd

from cls_analysis.errors import ConfigError

__all__ = [
    "AXES",
    "CATALOGUE_COLUMNS",
    "STATISTICS",
    "THEMES",
    "indicator_meta",
    "load_catalogue",
]

#: Chapters of a diagnostic, in report order, with their French titles.
THEMES = {
    "territoire": "Territoire",
    "population": "Population et modes de vie",
    "conditions_de_vie": "Conditions de vie et inégalités sociales",
    "cadre_de_vie": "Cadre de vie",
    "etat_de_sante": "État de santé",
    "offre_et_recours": "Offre et recours aux soins, prévention",
    "personnes_agees_handicap": "Personnes âgées et handicap",
    "enquete": "Point de vue des habitants",
}
#: Axes of a Contrat Local de Santé, with their French titles.
AXES = {
    "acces_aux_soins": "Accès aux soins et offre de santé",
    "prevention": "Prévention et promotion de la santé",
    "sante_mentale": "Santé mentale",
    "parcours_fragiles": "Parcours des personnes âgées, handicapées et aidants",
    "enfance_jeunesse": "Enfance et jeunesse",
    "sante_environnement": "Santé-environnement et cadre de vie",
    "determinants_sociaux": "Déterminants socio-économiques",
}
STATISTICS = (
    "count",
    "proportion",
    "crude_rate",
    "dsr",
    "isr",
    "life_expectancy",
    "read",
    "weighted_mean",
    "density",
    "ratio",
    "evolution",
    "share_below",
)
#: Columns of the catalogue table, with their default values.
CATALOGUE_COLUMNS = {
    "id": None,
    "label": None,
    "short_label": None,
    "theme": None,
    "axis": None,
    "statistic": None,
    "numerator": None,
    "denominator": None,
    "age": "all",
    "sex": "all",
    "denominator_age": None,
    "denominator_sex": None,
    "complement": False,
    "threshold": None,
    "multiplier": 1.0,
    "unit": "",
    "decimals": 1,
    "polarity": "0",
    "pooling": 1,
    "min_count": 10,
    "standard": None,
    "definition": "",
    "source": "",
}
_REQUIRED = ("id", "label", "theme", "axis", "statistic", "numerator")
_DEFAULT_PATH = files("cls_analysis.indicators") / "catalogue.toml"


@functools.cache
def _load(path: str) -> pd.DataFrame:
    file = Path(path)
    try:
        content = tomllib.loads(file.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{file.name} : TOML invalide ({exc}).") from exc
    entries = content.get("indicateur", [])
    rows, problems = [], []
    for position, entry in enumerate(entries, start=1):
        where = f"indicateur n° {position} ({entry.get('id', 'sans id')})"
        unknown = sorted(set(entry) - set(CATALOGUE_COLUMNS))
        if unknown:
            problems.append(f"{where} : clé(s) inconnue(s) {', '.join(unknown)}")
        missing = [k for k in _REQUIRED if not entry.get(k)]
        if missing:
            problems.append(f"{where} : clé(s) obligatoire(s) manquante(s) {', '.join(missing)}")
        if entry.get("theme") and entry["theme"] not in THEMES:
            problems.append(f"{where} : thème inconnu {entry['theme']!r} ({', '.join(THEMES)})")
        if entry.get("axis") and entry["axis"] not in AXES:
            problems.append(f"{where} : axe inconnu {entry['axis']!r} ({', '.join(AXES)})")
        if entry.get("statistic") and entry["statistic"] not in STATISTICS:
            problems.append(f"{where} : statistique inconnue {entry['statistic']!r}")
        if str(entry.get("polarity", "0")) not in {"+", "-", "0"}:
            problems.append(f"{where} : polarité {entry['polarity']!r} (attendu +, - ou 0)")
        row = {key: entry.get(key, default) for key, default in CATALOGUE_COLUMNS.items()}
        row["short_label"] = row["short_label"] or row["label"]
        rows.append(row)
    table = pd.DataFrame(rows, columns=list(CATALOGUE_COLUMNS))
    duplicated = table.loc[table["id"].duplicated(), "id"].tolist()
    if duplicated:
        problems.append(f"identifiants en double : {', '.join(duplicated)}")
    if problems:
        raise ConfigError(f"{file.name} : catalogue invalide :\n- " + "\n- ".join(problems))
    return table


def load_catalogue(path: str | Path | None = None) -> pd.DataFrame:
    """Read the indicator catalogue (the package's own by default) and check it.

    Returns a DataFrame with the columns of :data:`CATALOGUE_COLUMNS`, one row per
    indicator, in catalogue order. Every problem of the file is reported at once.
    """
    return _load(str(path or _DEFAULT_PATH)).copy()


def indicator_meta(indicator: str, catalogue: pd.DataFrame | None = None) -> dict:
    """Metadata of one indicator as a dict (label, unit, polarity, source…)."""
    table = catalogue if catalogue is not None else load_catalogue()
    found = table.loc[table["id"] == indicator]
    if found.empty:
        raise ConfigError(
            f"Indicateur inconnu : « {indicator} » n'est pas dans le catalogue "
            f"({len(table)} indicateurs ; voir cls_analysis/indicators/catalogue.toml)."
        )
    return found.iloc[0].to_dict()
