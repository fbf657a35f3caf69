"""The Excel annex of a diagnostic (``annexe_diagnostic.xlsx``), written with openpyxl.

Sheets: « Synthèse » (each indicator for the territory and its comparators, with the
assessment), one sheet per chapter (or per CLS axis) listing every indicator × zone, « Sources et
définitions » (from the catalogue), « Notes » (methods, thresholds, vintages, how to read the
colours).

Cells hold numbers with a number format (``#,##0.0``, which French Excel shows as ``12 345,6``),
never numbers as text. A result that is not a number says why in words: « secret statistique
(effectif < 10) », « non disponible ». Small counts of suppressed results are never written.

The annex is built from results and the catalogue only: no survey response ever reaches it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties

from cls_analysis._atomic import atomic_path
from cls_analysis.export._common import (
    ASSESSMENT_LABELS,
    COMPARISON_LABELS,
    POLARITY_LABELS,
    STATISTIC_LABELS,
    ZONE_LABELS,
    ZONE_ORDER,
    status_text,
)
from cls_analysis.export.report import ExportError, Note
from cls_analysis.indicators.catalogue import AXES, THEMES, load_catalogue
from cls_analysis.viz.theme import DEMO_NOTICE

__all__ = [
    "ASSESSMENT_FILLS",
    "REQUIRED_COLUMNS",
    "number_format",
    "sheet_names",
    "write_excel_annex",
]

#: Columns of the results table the annex needs (the others of the contract are optional).
REQUIRED_COLUMNS = ("indicator", "zone_type", "zone_code", "zone_name", "period", "value", "status")
_OPTIONAL_COLUMNS = {
    "sex": "all",
    "numerator": math.nan,
    "denominator": math.nan,
    "lower_ci": math.nan,
    "upper_ci": math.nan,
    "confidence": math.nan,
    "unit": None,
    "comparator": "",
    "comparison": "",
    "assessment": "",
    "note": "",
}
#: Background of the assessment (and comparison) cells: light tints of the package palette.
ASSESSMENT_FILLS = {
    "better": "CDEBDD",  # green, PALETTE["better"] lightened
    "similar": "FBEBC0",  # yellow
    "worse": "F6D0B3",  # orange
}
_NOT_JUDGED_DIFFERENT = "DCE6F2"  # significant difference, no polarity: light blue
_SEX_LABELS = {"all": "Ensemble", "M": "Hommes", "F": "Femmes"}
_HEADER_ROW = 4
_TITLE_FONT = Font(bold=True, size=14, color="1A1A1A")
_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="0072B2")
_DEMO_FONT = Font(bold=True, color="B2182B")
_THIN = Side(style="thin", color="BFBFBF")
_BORDER = Border(bottom=_THIN)
_INVALID_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def number_format(decimals: int) -> str:
    """The Excel format code for ``decimals`` decimals, thousands grouped.

    French Excel shows ``#,##0.0`` as ``12 345,6`` (the code is stored in the file's neutral
    syntax; the separators follow the reader's locale).

    >>> number_format(0), number_format(2)
    ('#,##0', '#,##0.00')
    """
    decimals = max(0, int(decimals))
    return "#,##0" + ("." + "0" * decimals if decimals else "")


def sheet_names(titles: Iterable[str]) -> list[str]:
    """Valid, unique Excel sheet names (≤ 31 characters, no ``[]:*?/\\``), in order.

    >>> sheet_names(["Conditions de vie et inégalités sociales", "Conditions de vie et inégalités"])
    ['Conditions de vie et inégalités', 'Conditions de vie et inégal (2)']
    >>> sheet_names(["Santé / environnement"])
    ['Santé - environnement']
    """
    used: set[str] = set()
    names = []
    for title in titles:
        base = _INVALID_SHEET_CHARS.sub("-", str(title)).strip().strip("'") or "Feuille"
        name = base[:31].rstrip()
        counter = 2
        while name.lower() in used:
            suffix = f" ({counter})"
            name = base[: 31 - len(suffix)].rstrip() + suffix
            counter += 1
        used.add(name.lower())
        names.append(name)
    return names


def _missing(value) -> bool:
    if value is None or value is pd.NA:
        return True
    try:
        return math.isnan(float(value))
    except (TypeError, ValueError):
        return str(value).strip() in {"", "—", "–"}


def _period_end(period: str) -> str:
    return str(period).split("-")[-1]


def check_results(results: pd.DataFrame) -> pd.DataFrame:
    if not isinstance(results, pd.DataFrame):
        raise ExportError(f"results doit être un DataFrame (tableau des résultats), reçu {type(results).__name__}.")
    absent = [c for c in REQUIRED_COLUMNS if c not in results.columns]
    if absent:
        raise ExportError(
            "Tableau des résultats : colonne(s) manquante(s) "
            f"{', '.join(absent)} (voir docs/contracts.md, « Results »)."
        )
    frame = results.copy()
    for column, default in _OPTIONAL_COLUMNS.items():
        if column not in frame.columns:
            frame[column] = default
    unknown = sorted(set(frame["status"].astype(str)) - {"ok", "suppressed", "missing", "zero"})
    if unknown:
        raise ExportError(
            f"Tableau des résultats : statut(s) inconnu(s) {', '.join(unknown)} "
            "(attendu ok, suppressed, missing ou zero)."
        )
    for column in ("zone_code", "period", "zone_type", "indicator"):
        frame[column] = frame[column].astype(str)
    return frame


class _Meta:
    """Catalogue metadata with fallbacks for indicators absent from the catalogue."""

    def __init__(self, catalogue: pd.DataFrame, indicators: Sequence[str]):
        self.table = catalogue.set_index("id")
        self.order = {ind: i for i, ind in enumerate(catalogue["id"])}
        self.indicators = sorted(set(indicators), key=lambda i: (self.order.get(i, 10**6), i))

    def get(self, indicator: str, key: str, default=None):
        if indicator in self.table.index:
            value = self.table.at[indicator, key]
            if not _missing(value) and value != "":
                return value
        return default

    def label(self, indicator: str) -> str:
        return str(self.get(indicator, "label", indicator))

    def decimals(self, indicator: str) -> int:
        return int(self.get(indicator, "decimals", 1))

    def unit(self, indicator: str, row_unit=None) -> str:
        if row_unit is not None and not _missing(row_unit):
            return str(row_unit)
        return str(self.get(indicator, "unit", "") or "")

    def min_count(self, indicator: str) -> int:
        return int(self.get(indicator, "min_count", 10))

    def group(self, indicator: str, by: str) -> str:
        return str(self.get(indicator, by, "autres"))


# --- cell helpers ---------------------------------------------------------------------------


def _write_heading(ws, title: str, subtitle: str, demo: bool) -> None:
    ws.cell(row=1, column=1, value=title).font = _TITLE_FONT
    if subtitle:
        ws.cell(row=2, column=1, value=subtitle).font = Font(italic=True, color="333333")
    if demo:
        ws.cell(row=3, column=1, value=DEMO_NOTICE).font = _DEMO_FONT


def _write_header_row(ws, headers: Sequence[str], row: int = _HEADER_ROW) -> None:
    for column, header in enumerate(headers, start=1):
        cell = ws.cell(row=row, column=column, value=header)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    ws.row_dimensions[row].height = 32


def _set_number(cell, value, decimals: int) -> None:
    cell.value = float(value)
    cell.number_format = number_format(decimals)


def _fill(code: str) -> PatternFill:
    return PatternFill("solid", fgColor=code)


def _assessment_fill(assessment: str, comparison: str) -> PatternFill | None:
    if assessment in ASSESSMENT_FILLS:
        return _fill(ASSESSMENT_FILLS[assessment])
    if comparison in {"higher", "lower"}:
        return _fill(_NOT_JUDGED_DIFFERENT)
    return None


def _finish_sheet(ws, *, last_row: int, last_column: int, territory_name: str, footer: str,
                  demo: bool, widths: dict[int, float] | None = None, freeze: str = "C5",
                  autofilter: bool = True, wrap_columns: Iterable[int] = ()) -> None:
    """Frozen headers, autofilter, widths, print set-up, header and footer."""
    ws.freeze_panes = freeze
    if autofilter and last_row > _HEADER_ROW:
        ws.auto_filter.ref = f"A{_HEADER_ROW}:{get_column_letter(last_column)}{last_row}"
    _autosize(ws, last_row, last_column, widths or {}, set(wrap_columns))
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_title_rows = f"{_HEADER_ROW}:{_HEADER_ROW}"
    ws.print_options.gridLines = False
    ws.page_margins.top = ws.page_margins.bottom = 0.75
    ws.oddHeader.left.text = _header_text(territory_name)
    ws.oddHeader.left.size = 9
    ws.oddHeader.center.text = "&A"
    ws.oddHeader.center.size = 9
    if demo:
        ws.oddHeader.right.text = DEMO_NOTICE
        ws.oddHeader.right.color = "B2182B"
        ws.oddHeader.right.size = 9
    ws.oddFooter.left.text = _header_text(footer)
    ws.oddFooter.left.size = 8
    ws.oddFooter.right.text = "Page &P / &N"
    ws.oddFooter.right.size = 8


def _header_text(text: str, limit: int = 200) -> str:
    """Text for an Excel header/footer: ``&`` doubled, kept under Excel's 255-character limit."""
    text = str(text).replace("&", "&&")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _autosize(ws, last_row: int, last_column: int, widths: dict[int, float], wrap: set[int]) -> None:
    for column in range(1, last_column + 1):
        letter = get_column_letter(column)
        if column in widths:
            ws.column_dimensions[letter].width = widths[column]
        else:
            longest = 8
            for row in range(_HEADER_ROW, last_row + 1):
                value = ws.cell(row=row, column=column).value
                if value is None:
                    continue
                if isinstance(value, float):
                    length = len(f"{value:,.2f}")
                else:
                    length = len(str(value)) if row > _HEADER_ROW else min(len(str(value)), 16)
                longest = max(longest, length)
            ws.column_dimensions[letter].width = min(longest + 2, 48)
        if column in wrap:
            width = ws.column_dimensions[letter].width
            for row in range(_HEADER_ROW + 1, last_row + 1):
                cell = ws.cell(row=row, column=column)
                cell.alignment = Alignment(wrap_text=True, vertical="top")
                # spreadsheets do not grow a row for wrapped text written by a program: set it
                if isinstance(cell.value, str):
                    lines = sum(max(1, math.ceil(len(part) / max(width - 1, 1)))
                                for part in cell.value.split("\n"))
                    height = 14.0 * lines + 2
                    current = ws.row_dimensions[row].height or 15.0
                    ws.row_dimensions[row].height = max(current, height)
    for row in range(_HEADER_ROW + 1, last_row + 1):  # the other cells of a tall row, at the top
        if (ws.row_dimensions[row].height or 15.0) > 16:
            for column in range(1, last_column + 1):
                cell = ws.cell(row=row, column=column)
                if not cell.alignment.wrap_text:
                    cell.alignment = Alignment(horizontal=cell.alignment.horizontal, vertical="top")


# --- sheets ---------------------------------------------------------------------------------


def _zone_sort_key(row) -> tuple:
    return (ZONE_ORDER.get(row["zone_type"], 99), str(row["zone_name"]), row["zone_code"])


def _ordered(results: pd.DataFrame, meta: _Meta) -> pd.DataFrame:
    frame = results.copy()
    frame["_ind"] = frame["indicator"].map(lambda i: meta.indicators.index(i))
    frame["_zone"] = frame["zone_type"].map(lambda z: ZONE_ORDER.get(z, 99))
    frame["_sex"] = frame["sex"].map({"all": 0, "F": 1, "M": 2}).fillna(3)
    frame["_period"] = frame["period"].map(_period_end)
    frame = frame.sort_values(
        ["_ind", "_period", "_sex", "_zone", "zone_name", "zone_code"],
        ascending=[True, False, True, True, True, True], kind="stable",
    )
    return frame.drop(columns=["_ind", "_zone", "_sex", "_period"])


def _detail_sheet(ws, rows: pd.DataFrame, meta: _Meta, *, title: str, territory_name: str,
                  demo: bool, with_sex: bool) -> None:
    levels = sorted(set(rows["confidence"].dropna().astype(float)))
    ci = f" IC {levels[0] * 100:g} %".replace(".", ",") if len(levels) == 1 else " IC"
    headers = ["Indicateur", "Zone", "Niveau", "Code", "Période"]
    if with_sex:
        headers.append("Sexe")
    headers += ["Numérateur", "Dénominateur", "Valeur", f"Borne basse{ci}", f"Borne haute{ci}",
                "Unité", "Référence", "Comparaison", "Appréciation", "Statut", "Remarque"]
    sources = sorted({str(meta.get(i, "source", "")) for i in rows["indicator"].unique()} - {""})
    subtitle = "Sources : " + " ; ".join(sources) if sources else ""
    _write_heading(ws, f"{title} – {territory_name}", subtitle, demo)
    _write_header_row(ws, headers)
    col = {name: position for position, name in enumerate(headers, start=1)}
    row_number = _HEADER_ROW
    for record in rows.to_dict("records"):
        row_number += 1
        indicator = record["indicator"]
        decimals = meta.decimals(indicator)
        status = record["status"]

        def put(header, value, _row=row_number):
            return ws.cell(row=_row, column=col[header], value=value)

        put("Indicateur", meta.label(indicator))
        put("Zone", record["zone_name"])
        put("Niveau", ZONE_LABELS.get(record["zone_type"], record["zone_type"]))
        put("Code", str(record["zone_code"]))
        put("Période", str(record["period"]))
        if with_sex:
            put("Sexe", _SEX_LABELS.get(str(record["sex"]), str(record["sex"])))
        shows_numbers = status in {"ok", "zero"}
        # a suppressed result never shows its small count
        for header, key in (("Numérateur", "numerator"), ("Dénominateur", "denominator")):
            value = record[key]
            if (shows_numbers or key == "denominator") and not _missing(value):
                integer = float(value) == round(float(value))
                _set_number(put(header, None), value, 0 if integer else 1)
        value_cell = put("Valeur", None)
        if status == "zero":
            _set_number(value_cell, 0.0 if _missing(record["value"]) else record["value"], decimals)
        elif status == "ok" and not _missing(record["value"]):
            _set_number(value_cell, record["value"], decimals)
        else:
            value_cell.value = status_text(status if status != "ok" else "missing",
                                           meta.min_count(indicator))
            value_cell.font = Font(italic=True, color="555555")
        value_cell.alignment = Alignment(horizontal="right")
        for header, key in ((f"Borne basse{ci}", "lower_ci"), (f"Borne haute{ci}", "upper_ci")):
            if shows_numbers and not _missing(record[key]):
                _set_number(put(header, None), record[key], decimals)
        put("Unité", meta.unit(indicator, record["unit"]))
        put("Référence", None if _missing(record["comparator"]) else str(record["comparator"]))
        comparison = "" if _missing(record["comparison"]) else str(record["comparison"])
        assessment = "" if _missing(record["assessment"]) else str(record["assessment"])
        comparison_cell = put("Comparaison", COMPARISON_LABELS.get(comparison, comparison) or None)
        assessment_cell = put("Appréciation", ASSESSMENT_LABELS.get(assessment, assessment) or None)
        fill = _assessment_fill(assessment, comparison) if shows_numbers else None
        if fill is not None:
            comparison_cell.fill = fill
            assessment_cell.fill = fill
        put("Statut", status_text(status, meta.min_count(indicator)))
        put("Remarque", None if _missing(record["note"]) else str(record["note"]))
        for column in range(1, len(headers) + 1):
            ws.cell(row=row_number, column=column).border = _BORDER
    _finish_sheet(ws, last_row=row_number, last_column=len(headers), territory_name=territory_name,
                  footer=subtitle or title, demo=demo,
                  widths={col["Indicateur"]: 40, col["Zone"]: 26, col["Remarque"]: 30},
                  wrap_columns=(col["Indicateur"], col["Remarque"]))


def _summary_sheet(ws, results: pd.DataFrame, meta: _Meta, *, by: str, territory_name: str,
                   demo: bool) -> None:
    overall = results[results["sex"].astype(str) == "all"]
    territory = overall[overall["zone_type"] == "territory"]
    comparators = (
        overall[overall["zone_type"].isin(["departement", "region", "france"])]
        [["zone_type", "zone_code", "zone_name"]].drop_duplicates()
    )
    comparators = comparators.assign(_o=comparators["zone_type"].map(ZONE_ORDER)).sort_values(
        ["_o", "zone_code"])
    zone_columns = [("territory", None, territory_name)] + [
        (z.zone_type, z.zone_code, z.zone_name) for z in comparators.itertuples()
    ]
    group_titles = THEMES if by == "theme" else AXES
    headers = ["Thème" if by == "theme" else "Axe du CLS", "Indicateur", "Unité", "Période"]
    headers += [name for _t, _c, name in zone_columns]
    headers += ["Référence", "Comparaison", "Appréciation"]
    _write_heading(
        ws, f"Synthèse des indicateurs – {territory_name}",
        "Valeur du territoire et des zones de comparaison (dernière période disponible, "
        "ensemble de la population) ; comparaison et appréciation du territoire par rapport à la "
        "référence indiquée (intervalle de confiance à 95 %).", demo,
    )
    _write_header_row(ws, headers)
    row_number = _HEADER_ROW
    for indicator in meta.indicators:
        own = territory[territory["indicator"] == indicator]
        everything = overall[overall["indicator"] == indicator]
        if everything.empty:
            continue
        base = own if not own.empty else everything
        period = max(base["period"], key=_period_end)
        rows = everything[everything["period"] == period]
        row_number += 1
        decimals = meta.decimals(indicator)
        group = meta.group(indicator, by)
        values = [group_titles.get(group, group), meta.label(indicator), meta.unit(indicator), period]
        for column, value in enumerate(values, start=1):
            ws.cell(row=row_number, column=column, value=value)
        for offset, (zone_type, zone_code, _name) in enumerate(zone_columns):
            cell = ws.cell(row=row_number, column=5 + offset)
            match = rows[rows["zone_type"] == zone_type]
            if zone_code is not None:
                match = match[match["zone_code"] == zone_code]
            if match.empty:
                cell.value = status_text("missing")
            else:
                record = match.iloc[0]
                if record["status"] in {"ok", "zero"} and not _missing(record["value"]):
                    _set_number(cell, record["value"], decimals)
                elif record["status"] == "zero":
                    _set_number(cell, 0.0, decimals)
                else:
                    cell.value = status_text(
                        record["status"] if record["status"] != "ok" else "missing",
                        meta.min_count(indicator))
                    cell.font = Font(italic=True, color="555555")
            cell.alignment = Alignment(horizontal="right")
        own_period = own[own["period"] == period]
        first = len(zone_columns) + 5
        if not own_period.empty:
            record = own_period.iloc[0]
            comparison = "" if _missing(record["comparison"]) else str(record["comparison"])
            assessment = "" if _missing(record["assessment"]) else str(record["assessment"])
            ws.cell(row=row_number, column=first,
                    value=None if _missing(record["comparator"]) else str(record["comparator"]))
            comparison_cell = ws.cell(row=row_number, column=first + 1,
                                      value=COMPARISON_LABELS.get(comparison, comparison) or None)
            assessment_cell = ws.cell(row=row_number, column=first + 2,
                                      value=ASSESSMENT_LABELS.get(assessment, assessment) or None)
            fill = _assessment_fill(assessment, comparison) if record["status"] in {"ok", "zero"} else None
            if fill is not None:
                comparison_cell.fill = fill
                assessment_cell.fill = fill
        for column in range(1, len(headers) + 1):
            ws.cell(row=row_number, column=column).border = _BORDER
    _finish_sheet(ws, last_row=row_number, last_column=len(headers), territory_name=territory_name,
                  footer="Sources : voir la feuille « Sources et définitions »", demo=demo,
                  widths={1: 28, 2: 44}, wrap_columns=(1, 2))


def _definitions_sheet(ws, meta: _Meta, sources: pd.DataFrame | None, *, territory_name: str,
                       demo: bool) -> None:
    headers = ["Identifiant", "Indicateur", "Thème", "Axe du CLS", "Définition", "Statistique",
               "Unité", "Polarité", "Années cumulées", "Seuil du secret statistique", "Source"]
    _write_heading(ws, f"Sources et définitions des indicateurs – {territory_name}",
                   "Catalogue des indicateurs de cls_analysis (indicators/catalogue.toml).", demo)
    _write_header_row(ws, headers)
    row_number = _HEADER_ROW
    for indicator in meta.indicators:
        row_number += 1
        theme = meta.get(indicator, "theme", "")
        axis = meta.get(indicator, "axis", "")
        statistic = meta.get(indicator, "statistic", "")
        polarity = str(meta.get(indicator, "polarity", "0"))
        values = [
            indicator, meta.label(indicator), THEMES.get(theme, theme), AXES.get(axis, axis),
            meta.get(indicator, "definition", ""), STATISTIC_LABELS.get(statistic, statistic),
            meta.unit(indicator), POLARITY_LABELS.get(polarity, polarity),
            int(meta.get(indicator, "pooling", 1)), meta.min_count(indicator),
            meta.get(indicator, "source", ""),
        ]
        for column, value in enumerate(values, start=1):
            cell = ws.cell(row=row_number, column=column, value=value)
            if isinstance(value, int):
                cell.number_format = "0"
            cell.border = _BORDER
    last_catalogue_row = row_number
    if sources is not None and not sources.empty:
        row_number += 2
        ws.cell(row=row_number, column=1, value="Sources des données").font = Font(bold=True, size=12)
        row_number += 1
        _write_header_row(ws, [str(c) for c in sources.columns], row=row_number)
        for record in sources.itertuples(index=False, name=None):
            row_number += 1
            for column, value in enumerate(record, start=1):
                if _missing(value):
                    continue
                cell = ws.cell(row=row_number, column=column)
                if isinstance(value, int | float) and not isinstance(value, bool):
                    _set_number(cell, value, 0 if float(value) == round(float(value)) else 1)
                    cell.number_format = "0" if float(value) == round(float(value)) else "0.0"
                else:
                    cell.value = str(value)
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    _finish_sheet(ws, last_row=row_number, last_column=len(headers), territory_name=territory_name,
                  footer="Sources et définitions", demo=demo, freeze="C5", autofilter=False,
                  widths={1: 22, 2: 40, 3: 24, 4: 28, 5: 60, 6: 22, 8: 26, 11: 30},
                  wrap_columns=(2, 3, 4, 5, 8, 11))
    ws.auto_filter.ref = f"A{_HEADER_ROW}:{get_column_letter(len(headers))}{last_catalogue_row}"


def _notes_sheet(ws, notes: Sequence[Note | str], meta: _Meta, *, territory_name: str,
                 demo: bool) -> None:
    headers = ["Catégorie", "Titre", "Texte"]
    _write_heading(ws, f"Notes de méthode – {territory_name}",
                   "Méthodes, seuils, millésimes et lecture des tableaux.", demo)
    _write_header_row(ws, headers)
    thresholds = sorted({meta.min_count(i) for i in meta.indicators})
    rows: list[tuple[str, str, str, str | None]] = []
    for note in notes:
        if isinstance(note, Note):
            rows.append((note.category, note.title, note.text, None))
        else:
            rows.append(("Méthode", "", str(note), None))
    rows += [
        ("Lecture", "Secret statistique",
         "Un résultat calculé sur moins de "
         + " ou ".join(map(str, thresholds))
         + " cas n'est pas diffusé (« secret statistique ») ; un second résultat peut être masqué "
         "pour qu'il ne puisse pas être retrouvé par différence. Son effectif n'est jamais affiché.",
         None),
        ("Lecture", "Non disponible", "La donnée n'est pas publiée ou n'a pas pu être calculée pour "
         "cette zone (la colonne « Remarque » en donne la raison quand elle est connue).", None),
        ("Lecture", "0 (aucun cas)", "Aucun cas observé : un vrai zéro, distinct d'une donnée manquante.", None),
        ("Lecture", "Comparaison",
         "« supérieur » ou « inférieur » : l'écart avec la référence est statistiquement "
         "significatif (intervalle de confiance à 95 %) ; « similaire » sinon.", None),
        ("Lecture", "Appréciation : plus favorable", "Écart significatif dans le sens favorable "
         "(selon la polarité de l'indicateur).", ASSESSMENT_FILLS["better"]),
        ("Lecture", "Appréciation : similaire", "Pas d'écart significatif avec la référence.",
         ASSESSMENT_FILLS["similar"]),
        ("Lecture", "Appréciation : moins favorable", "Écart significatif dans le sens "
         "défavorable.", ASSESSMENT_FILLS["worse"]),
        ("Lecture", "Écart sans jugement", "Écart significatif pour un indicateur sans polarité "
         "(ni favorable ni défavorable en soi).", _NOT_JUDGED_DIFFERENT),
        ("Lecture", "Nombres", "Les cellules contiennent des nombres (non arrondis) affichés avec "
         "le nombre de décimales de l'indicateur : ils peuvent être recalculés et triés.", None),
    ]
    row_number = _HEADER_ROW
    for category, title, text, fill in rows:
        row_number += 1
        for column, value in enumerate((category, title, text), start=1):
            cell = ws.cell(row=row_number, column=column, value=value or None)
            cell.border = _BORDER
        if fill:
            ws.cell(row=row_number, column=2).fill = _fill(fill)
    _finish_sheet(ws, last_row=row_number, last_column=3, territory_name=territory_name,
                  footer="Notes de méthode", demo=demo, freeze="A5",
                  widths={1: 16, 2: 34, 3: 100}, wrap_columns=(2, 3))


def write_excel_annex(results: pd.DataFrame, path: str | Path, *,
                      catalogue: pd.DataFrame | None = None, territory_name: str,
                      notes: Sequence[Note | str] = (), sources: pd.DataFrame | None = None,
                      demo: bool = False, by: str = "theme") -> Path:
    """Write the Excel annex of a diagnostic, atomically.

    Parameters
    ----------
    results : DataFrame
        The results table (``docs/contracts.md``), every indicator × zone × period × sex.
    path : path
        Usually ``annexe_diagnostic.xlsx``.
    catalogue : DataFrame, optional
        The indicator catalogue (labels, decimals, sources); the package's own by default.
    territory_name : str
    notes : list of Note or str
        Methods, thresholds, vintages (the « Notes » sheet).
    sources : DataFrame, optional
        Sources of the data, French headers (below the definitions).
    demo : bool
        Write « Données fictives de démonstration » on every sheet and page header.
    by : {"theme", "axis"}
        One sheet per chapter of the report, or per axis of the CLS.

    Returns
    -------
    Path
    """
    if by not in {"theme", "axis"}:
        raise ExportError(f"by={by!r} : attendu « theme » (un onglet par chapitre) ou « axis ».")
    frame = check_results(results)
    catalogue = load_catalogue() if catalogue is None else catalogue
    meta = _Meta(catalogue, frame["indicator"].unique())
    frame = _ordered(frame, meta)
    groups = THEMES if by == "theme" else AXES
    present = {meta.group(i, by) for i in meta.indicators}
    keys = [k for k in groups if k in present] + sorted(present - set(groups))
    titles = ["Synthèse", *[groups.get(k, "Autres indicateurs") for k in keys],
              "Sources et définitions", "Notes"]
    names = sheet_names(titles)
    with_sex = bool((frame["sex"].astype(str) != "all").any())

    workbook = Workbook()
    summary = workbook.active
    summary.title = names[0]
    _summary_sheet(summary, frame, meta, by=by, territory_name=territory_name, demo=demo)
    for key, title, name in zip(keys, titles[1:-2], names[1:-2], strict=True):
        ws = workbook.create_sheet(name)
        members = [i for i in meta.indicators if meta.group(i, by) == key]
        _detail_sheet(ws, frame[frame["indicator"].isin(members)], meta, title=title,
                      territory_name=territory_name, demo=demo, with_sex=with_sex)
    _definitions_sheet(workbook.create_sheet(names[-2]), meta, sources,
                       territory_name=territory_name, demo=demo)
    _notes_sheet(workbook.create_sheet(names[-1]), notes, meta, territory_name=territory_name,
                 demo=demo)
    workbook.properties.title = f"Annexe du diagnostic local de santé – {territory_name}"
    workbook.properties.creator = "cls_analysis"
    workbook.properties.language = "fr-FR"
    if demo:
        workbook.properties.subject = DEMO_NOTICE
    target = Path(path)
    with atomic_path(target) as tmp:
        workbook.save(tmp)
    return target
