"""The Excel annex, read back with openpyxl."""

from __future__ import annotations

import re

import openpyxl
import pandas as pd
import pytest

from cls_analysis.export.excel import ASSESSMENT_FILLS, sheet_names, write_excel_annex
from cls_analysis.export.report import ExportError
from cls_analysis.viz.theme import DEMO_NOTICE

CODE_OR_PERIOD = re.compile(r"^(\d{5}|\d{9}|\d{2}|\d{4}(-\d{4})?)$")
NUMBER_AS_TEXT = re.compile(r"^\s*-?[\d\s\u202f\u00a0]+([.,]\d+)?\s*%?\s*$")


@pytest.fixture(scope="module")
def workbook(excel_path):
    return openpyxl.load_workbook(excel_path)


def _rows(ws, header_row=4):
    headers = [c.value for c in ws[header_row]]
    rows = []
    for row in ws.iter_rows(min_row=header_row + 1):
        if all(c.value is None for c in row):
            break
        rows.append(dict(zip(headers, row, strict=False)))
    return rows


def _find(ws, indicator_label_start, zone):
    for row in _rows(ws):
        if str(row["Indicateur"].value).startswith(indicator_label_start) and row["Zone"].value == zone:
            return row
    raise AssertionError(f"pas de ligne {indicator_label_start} × {zone} dans {ws.title}")


def test_sheet_names_valid_unique_and_ordered(workbook):
    names = workbook.sheetnames
    assert names[0] == "Synthèse"
    assert names[-2:] == ["Sources et définitions", "Notes"]
    assert all(len(n) <= 31 for n in names)
    assert len({n.lower() for n in names}) == len(names)
    # chapters in report order (catalogue THEMES)
    assert names[1:-2] == ["Population et modes de vie", "Conditions de vie et inégalités",
                           "État de santé", "Offre et recours aux soins, pré"]


def test_sheet_names_helper_truncates_and_deduplicates():
    names = sheet_names(["A" * 40, "A" * 35, "x[1]:y?", "Notes", "notes"])
    assert all(len(n) <= 31 for n in names)
    assert len({n.lower() for n in names}) == 5
    assert names[2] == "x-1--y-"


def test_numbers_are_numeric_cells_with_formats(workbook):
    health = workbook["État de santé"]
    row = _find(health, "Mortalité prématurée", "CC Aunis Atlantique")
    value = row["Valeur"]
    # the number format follows the catalogue's decimals for the indicator
    from cls_analysis.indicators import indicator_meta

    decimals = int(indicator_meta("mort_prematuree_icm")["decimals"])
    expected = "#,##0" + ("." + "0" * decimals if decimals else "")
    assert isinstance(value.value, float) and value.number_format == expected
    assert isinstance(row["Borne basse IC 95 %"].value, float)
    assert row["Borne basse IC 95 %"].number_format == expected
    assert row["Numérateur"].number_format == "#,##0"
    population = _find(workbook["Population et modes de vie"], "Population municipale", "France métropolitaine")
    assert population["Valeur"].value == 65_505_213 and population["Valeur"].number_format == "#,##0"
    apl = _find(workbook["Offre et recours aux soins, pré"], "Accessibilité", "CC Aunis Atlantique")
    assert apl["Valeur"].value == pytest.approx(2.61) and apl["Valeur"].number_format == "#,##0.00"
    assert _find(health, "Mortalité", "Andilly")["Code"].value == "17008"  # codes stay text


def test_no_number_stored_as_text(workbook):
    for ws in workbook:
        for row in ws.iter_rows():
            for cell in row:
                # codes (17008) and periods or vintages (2021, 2019-2023) are labels, kept as text
                if isinstance(cell.value, str) and not CODE_OR_PERIOD.match(cell.value):
                    assert not NUMBER_AS_TEXT.match(cell.value), (ws.title, cell.coordinate, cell.value)


def test_status_words_never_fake_numbers(workbook, results):
    health = workbook["État de santé"]
    marans = _find(health, "Mortalité", "Marans")
    assert marans["Valeur"].value == "secret statistique (effectif < 10)"
    assert marans["Statut"].value == "secret statistique (effectif < 10)"
    assert marans["Numérateur"].value is None  # the 4 deaths are never written
    assert marans["Borne basse IC 95 %"].value is None and marans["Borne haute IC 95 %"].value is None
    assert marans["Appréciation"].fill.fgColor.rgb in (None, "00000000")
    andilly = _find(workbook["Conditions de vie et inégalités"], "Taux de pauvreté", "Andilly")
    assert andilly["Valeur"].value == "non disponible"
    assert "Insee" in andilly["Remarque"].value
    zero = _find(workbook["Population et modes de vie"], "Part des 75", "Saint-Sauveur-d'Aunis")
    assert zero["Valeur"].value == 0 and isinstance(zero["Valeur"].value, int | float)
    assert zero["Valeur"].data_type == "n"
    assert zero["Statut"].value == "0 (aucun cas)"


def test_significance_fills(workbook):
    health = workbook["État de santé"]
    similar = _find(health, "Mortalité", "CC Aunis Atlantique")["Appréciation"]
    assert similar.value == "similaire" and similar.fill.fgColor.rgb.endswith(ASSESSMENT_FILLS["similar"])
    better = _find(health, "Mortalité", "Charente-Maritime")
    assert better["Appréciation"].value == "plus favorable"
    assert better["Appréciation"].fill.fgColor.rgb.endswith(ASSESSMENT_FILLS["better"])
    assert better["Comparaison"].value == "inférieur"
    assert better["Comparaison"].fill.fgColor.rgb.endswith(ASSESSMENT_FILLS["better"])
    worse = _find(workbook["Offre et recours aux soins, pré"], "Accessibilité", "CC Aunis Atlantique")
    assert worse["Appréciation"].value == "moins favorable"
    assert worse["Appréciation"].fill.fgColor.rgb.endswith(ASSESSMENT_FILLS["worse"])


def test_frozen_panes_filters_widths_print_setup(workbook):
    for ws in workbook:
        assert ws.freeze_panes in {"C5", "A5"}, ws.title
        assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A4:"), ws.title
        assert ws.page_setup.orientation == "landscape"
        assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.print_title_rows == "$4:$4"
        assert "CC Aunis Atlantique" in ws.oddHeader.left.text
        assert DEMO_NOTICE in ws.oddHeader.right.text
        assert "&P" in ws.oddFooter.right.text
        assert ws["A3"].value == DEMO_NOTICE  # demo notice on every sheet
        assert ws.column_dimensions["B"].width >= 10
    health = workbook["État de santé"]
    assert health.auto_filter.ref == f"A4:{health.cell(4, health.max_column).column_letter}{4 + 7}"
    assert workbook["État de santé"]["A2"].value.startswith("Sources : Inserm-CépiDc")
    assert workbook["État de santé"].oddFooter.left.text.startswith("Sources")


def test_summary_sheet_compares_territory_with_comparators(workbook):
    ws = workbook["Synthèse"]
    headers = [c.value for c in ws[4]]
    assert headers[4:8] == ["CC Aunis Atlantique", "Charente-Maritime", "Nouvelle-Aquitaine",
                            "France métropolitaine"]
    rows = {r["Indicateur"].value: r for r in _rows(ws)}
    assert len(rows) == 5
    apl = rows["Accessibilité potentielle localisée aux médecins généralistes"]
    assert apl["CC Aunis Atlantique"].value == pytest.approx(2.61)
    assert apl["Appréciation"].value == "moins favorable"
    assert apl["Appréciation"].fill.fgColor.rgb.endswith(ASSESSMENT_FILLS["worse"])
    assert apl["Référence"].value == "France métropolitaine"
    icm = rows["Mortalité prématurée (avant 65 ans), indice comparatif (France = 100)"]
    assert icm["Période"].value == "2019-2023"
    from cls_analysis.indicators import indicator_meta

    decimals = int(indicator_meta("mort_prematuree_icm")["decimals"])
    assert icm["France métropolitaine"].number_format == "#,##0" + ("." + "0" * decimals if decimals else "")


def test_sources_and_notes_sheets(workbook, report):
    definitions = workbook["Sources et définitions"]
    texts = [c.value for row in definitions.iter_rows() for c in row if isinstance(c.value, str)]
    from cls_analysis.indicators import indicator_meta

    icm = indicator_meta("mort_prematuree_icm")
    assert "apl_mg" in texts and icm["source"] in texts
    assert icm["definition"] in texts
    assert "une valeur élevée est défavorable" in texts  # polarity of the poverty rate / ICM
    assert "Sources des données" in texts and "Recensement de la population" in texts
    notes = workbook["Notes"]
    titles = [r["Titre"].value for r in _rows(notes)]
    for note in report.notes:
        assert note.title in titles
    assert "Secret statistique" in titles and "Appréciation : moins favorable" in titles


def test_one_sheet_per_axis(tmp_path, results):
    path = write_excel_annex(results, tmp_path / "axes.xlsx", territory_name="CC Test", by="axis")
    names = openpyxl.load_workbook(path).sheetnames
    assert "Accès aux soins et offre de san" in names  # 31 characters at most
    assert "Déterminants socio-économiques" in names
    assert "Données fictives de démonstration" not in [openpyxl.load_workbook(path)["Synthèse"]["A3"].value]


def test_sex_column_when_results_by_sex(tmp_path, results):
    by_sex = results[results["indicator"] == "part_75p"].assign(sex="F")
    path = write_excel_annex(pd.concat([results, by_sex]), tmp_path / "sexe.xlsx",
                             territory_name="CC Test")
    ws = openpyxl.load_workbook(path)["Population et modes de vie"]
    headers = [c.value for c in ws[4]]
    assert "Sexe" in headers
    assert {r["Sexe"].value for r in _rows(ws)} == {"Ensemble", "Femmes"}


def test_missing_columns_named(tmp_path, results):
    with pytest.raises(ExportError, match="zone_name"):
        write_excel_annex(results.drop(columns=["zone_name"]), tmp_path / "x.xlsx",
                          territory_name="CC Test")
    with pytest.raises(ExportError, match="statut"):
        write_excel_annex(results.assign(status="secret"), tmp_path / "x.xlsx",
                          territory_name="CC Test")
    assert not (tmp_path / "x.xlsx").exists()
