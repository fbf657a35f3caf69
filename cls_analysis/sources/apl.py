"""DREES APL (accessibilité potentielle localisée) workbooks, per commune.

Where to get it
---------------
data.drees, dataset ``530_l-accessibilite-potentielle-localisee-apl``:
``https://data.drees.solidarites-sante.gouv.fr/explore/dataset/530_l-accessibilite-potentielle-localisee-apl/``
(one workbook per profession, e.g. ``apl_generalistes.xlsx`` / « Indicateur d'accessibilité
potentielle localisée (APL) aux médecins généralistes »).

Format read
-----------
Sheets ``Paramètres`` (method, not read) and ``APL 2022``, ``APL 2023``… (one per millésime).
Each APL sheet: title and metadata rows (row 3 ``Millésime : 2023``, sources, champ « France hors
Mayotte », lecture, note), **labels on row 9** (found by content: ``Code commune INSEE``), a
**units row** below (skipped), data from row 11:

=====================================================  ====================================
column                                                 measure
=====================================================  ====================================
Code commune INSEE                                     zone_code (5 characters; Paris, Lyon
                                                       and Marseille by arrondissement)
APL aux médecins généralistes                          ``apl_gp``
APL aux médecins généralistes de moins de 65 ans       ``apl_gp_under65``
Population standardisée 2021 pour la médecine générale ``apl_gp_standardised_population``
Population totale 2021                                 ``apl_gp_population``
=====================================================  ====================================

Other professions (infirmiers, masseurs-kinésithérapeutes, sages-femmes, chirurgiens-dentistes)
give ``apl_nurse``, ``apl_physio``, ``apl_midwife``, ``apl_dentist`` and their populations.

The APL of a zone is the mean of its communes' APL **weighted by the standardised population**
(registry: ``weighted_mean:apl_gp_standardised_population``); counting people under a threshold
uses the total population. Vintage: the millésime (period ``2023``); geography: COG of
1 January millésime + 1 (checked: sheet APL 2023 = COG 2024, APL 2022 = COG 2023).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from cls_analysis._io import require_file
from cls_analysis.errors import FileFormatError
from cls_analysis.sources._common import (
    SourceReport,
    Variable,
    commune_codes,
    drop_duplicate_codes,
    finish,
    header_row,
    parse_numbers,
    sheet_table,
    source_label,
    wide_to_long,
)

__all__ = ["read_apl"]

_PROFESSIONS = [
    ("généralistes", "gp"),
    ("generalistes", "gp"),
    ("médecine générale", "gp"),
    ("infirmi", "nurse"),
    ("kinésithérapeute", "physio"),
    ("kinesitherapeute", "physio"),
    ("sages-femmes", "midwife"),
    ("sage-femme", "midwife"),
    ("dentiste", "dentist"),
]
_CODE = "code commune insee"


def _profession(label: str) -> str | None:
    low = label.lower()
    for key, prof in _PROFESSIONS:
        if key in low:
            return prof
    return None


def _measure(label: str, default_prof: str | None) -> str | None:
    low = label.lower().strip()
    if low.startswith("apl"):
        prof = _profession(low) or default_prof
        if prof is None:
            return None
        return f"apl_{prof}_under65" if "65" in low else f"apl_{prof}"
    if low.startswith("population standardisée") or low.startswith("population standardisee"):
        prof = _profession(low) or default_prof
        return f"apl_{prof}_standardised_population" if prof else None
    if low.startswith("population totale"):
        return f"apl_{default_prof}_population" if default_prof else None
    return None


def read_apl(
    path: str | Path,
    year: int | None = None,
    *,
    cog: int | None = None,
    source_note: str | None = None,
) -> pd.DataFrame:
    """Read a DREES APL workbook (one sheet ``APL YYYY`` per millésime).

    Parameters
    ----------
    path : path
        The ``.xlsx`` workbook.
    year : int, optional
        Millésime to read (sheet ``APL 2023``); all APL sheets by default.
    cog : int, optional
        COG vintage of the codes; default millésime + 1.
    source_note : str, optional
        Appended to every source.

    Examples
    --------
    >>> import tempfile, pathlib, openpyxl
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "apl.xlsx"
    >>> wb = openpyxl.Workbook(); ws = wb.active; ws.title = "APL 2023"
    >>> for _ in range(8): ws.append([None])
    >>> ws.append(["Code commune INSEE", "Commune", "APL aux médecins généralistes",
    ...            "Population standardisée 2021 pour la médecine générale", "Population totale 2021"])
    >>> ws.append([None, None, "En nombre de consultations", "En nombre d'habitants", "En nombre d'habitants"])
    >>> ws.append(["17008", "Andilly", 2.5, 2000.0, 2100]); ws.append(["17009", "Angliers", 3.5, 1000.0, 1050])
    >>> wb.save(f)
    >>> obs = read_apl(f, 2023)
    >>> obs.loc[obs["measure"] == "apl_gp", ["zone_code", "period", "value", "cog"]].values.tolist()
    [['17008', '2023', 2.5, 2024], ['17009', '2023', 3.5, 2024]]
    """
    file = require_file(path, "un classeur APL de la DREES")
    what = "un classeur APL de la DREES (feuilles « APL AAAA »)"
    report = SourceReport(path=file, kind="DREES, accessibilité potentielle localisée (APL)")
    names = _sheet_names(file, what)
    apl_sheets = [n for n in names if re.fullmatch(r"APL\s*\d{4}", n.strip(), re.I)]
    if year is not None:
        wanted = [n for n in apl_sheets if n.strip().endswith(str(year))]
        if not wanted:
            raise FileFormatError(
                f"feuille « APL {year} » absente ; feuilles trouvées : {', '.join(names)}. "
                "Choisissez un des millésimes présents (year=…).",
                file,
            )
        apl_sheets = wanted
    if not apl_sheets:
        raise FileFormatError(
            f"aucune feuille « APL AAAA » ({what} attendu) ; feuilles trouvées : {', '.join(names)}.",
            file,
        )
    parts, years = [], []
    for sheet in apl_sheets:
        cells = pd.read_excel(file, sheet_name=sheet, header=None, dtype=object, engine="calamine")
        parts.append(_read_sheet(cells, sheet, file, report, cog, source_note, years))
    from cls_analysis.observations import concat

    obs = concat(parts)
    report.cog = cog or int(max(years)) + 1
    if len(years) > 1:
        report.vintage = ", ".join(f"APL {y} (COG {cog or int(y) + 1})" for y in years)
    else:
        report.vintage = f"APL {years[0]}"
    return finish(obs, report, path=file)


def _sheet_names(file: Path, what: str) -> list[str]:
    try:
        from python_calamine import CalamineWorkbook

        return list(CalamineWorkbook.from_path(str(file)).sheet_names)
    except Exception as exc:
        raise FileFormatError(f"classeur illisible ou tronqué ({exc}) ({what} attendu).", file) from exc


def _read_sheet(cells, sheet, file, report, cog, note, years) -> pd.DataFrame:
    header = header_row(cells, ["Code commune INSEE"])
    if header is None:
        raise FileFormatError(
            f"feuille « {sheet} » : ligne d'en-tête « Code commune INSEE » introuvable dans les "
            "40 premières lignes. Le format du classeur a changé ?",
            file,
        )
    title = " ".join(str(c) for c in cells.iloc[:header].to_numpy().ravel() if c is not None and c == c)
    found = re.search(r"Millésime\s*:\s*(\d{4})", title) or re.search(r"(\d{4})", sheet)
    year = found.group(1)
    years.append(year)
    table, rows = sheet_table(cells, header)
    code_column = next(c for c in table.columns if c.strip().lower() == _CODE)
    is_data = table[code_column].str.strip().ne("").to_numpy()
    if not is_data[0] and header + 2 == rows[0]:
        report.notes.append(f"feuille « {sheet} » : ligne des unités (ligne {rows[0]}) ignorée.")
    table, rows = table.loc[is_data].reset_index(drop=True), rows[is_data]
    lines = np.array([f"{sheet}!{r}" for r in rows], dtype=object)
    default_prof = next((_profession(c) for c in table.columns if c.lower().startswith("apl") and _profession(c)), None)
    variables = []
    for column in table.columns:
        measure = _measure(column, default_prof)
        if measure:
            variables.append(Variable((column,), measure, year))
    if not any(v.measure.endswith("standardised_population") for v in variables):
        raise FileFormatError(
            f"feuille « {sheet} » : colonne « Population standardisée … » absente : elle est "
            f"nécessaire pour agréger l'APL. Colonnes trouvées : {', '.join(table.columns)}.",
            file,
        )
    codes = commune_codes(table[code_column], path=file, column=code_column, lines=lines, report=report)
    table = table.assign(**{code_column: codes.to_numpy()})
    table = drop_duplicate_codes(table, [code_column], path=file, lines=lines, report=report)
    lines = lines[table.index.to_numpy()]
    table = table.reset_index(drop=True)
    values, statuses = parse_numbers(table, [v.columns[0] for v in variables], path=file, lines=lines)
    sheet_cog = cog or int(year) + 1
    source = source_label(f"DREES, APL {year} ({file.stem}, COG {sheet_cog})", note)
    obs = wide_to_long(table[code_column].to_numpy(dtype=object), "commune", variables, values, statuses,
                       source=source, cog=sheet_cog)
    negative = obs["value"].to_numpy() < 0
    if negative.any():
        i = int(np.flatnonzero(negative)[0])
        n = len(table)
        raise FileFormatError(
            f"valeur négative : {variables[i // n].columns[0]} {lines[i % n]} = {obs['value'].iloc[i]}.",
            file,
        )
    return obs
