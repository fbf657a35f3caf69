"""The report model and the light markdown of Text blocks."""

from __future__ import annotations

import datetime

import pandas as pd
import pytest

from cls_analysis.export import _text
from cls_analysis.export._common import status_text, table_cells
from cls_analysis.export.report import (
    Chapter,
    ExportError,
    Figure,
    Report,
    Table,
    Text,
    french_date,
    source_line,
)


def test_french_date():
    assert french_date(datetime.date(2026, 11, 23)) == "23 novembre 2026"
    assert french_date(datetime.date(2027, 2, 1)) == "1 février 2027"


def test_figure_requires_alt_and_caption(tmp_path):
    with pytest.raises(ExportError, match="texte alternatif"):
        Figure(tmp_path / "a.png", caption="Une carte", source="Insee", alt=" ")
    with pytest.raises(ExportError, match="légende"):
        Figure(tmp_path / "a.png", caption="", source="Insee", alt="Carte")


def test_duplicate_chapter_keys_rejected():
    with pytest.raises(ExportError, match="en double"):
        Report("T", "Terr", chapters=[Chapter("a", "A"), Chapter("a", "B")])


def test_unknown_block_rejected():
    with pytest.raises(ExportError, match="bloc de type str"):
        Chapter("a", "A", ["du texte brut"])


def test_missing_figure_file_named(tmp_path):
    figure = Figure(tmp_path / "absente.png", caption="Carte", source="Insee", alt="Carte")
    report = Report("T", "Terr", chapters=[Chapter("a", "A", [figure])])
    with pytest.raises(ExportError, match="absente.png"):
        report.check_files()


def test_table_number_formats_must_name_columns():
    with pytest.raises(ExportError, match="Taux"):
        Table(pd.DataFrame({"Zone": ["A"]}), "c", "s", {"Taux": 1})


def test_table_cells_french_numbers_and_status_words():
    frame = pd.DataFrame({"Zone": ["A", "B", "C"], "Taux": [12.345, "secret statistique", None],
                          "Effectif": [1234, 5, 0]})
    headers, rows = table_cells(Table(frame, "c", "s", {"Taux": 1}))
    assert headers == ["Zone", "Taux", "Effectif"]
    assert [c.text for c in rows[0]] == ["A", "12,3", "1\u202f234"]
    assert rows[1][1].text == "secret statistique" and not rows[1][1].numeric
    assert rows[2][1].text == "–"
    assert rows[0][2].numeric and rows[0][2].value == 1234


def test_status_words():
    assert status_text("suppressed", 11) == "secret statistique (effectif < 11)"
    assert status_text("missing") == "non disponible"
    assert status_text("zero") == "0 (aucun cas)"


def test_source_line():
    assert source_line("Insee, RP 2021") == "Source : Insee, RP 2021"
    assert source_line("Source : Insee") == "Source : Insee"


def test_markdown_is_escaped_and_structured():
    html = _text.to_html("Titre <script>alert(1)</script> **gras**\n\n### Sous-titre\n- un\n- deux")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<strong>gras</strong>" in html
    assert "<h3>Sous-titre</h3>" in html
    assert "<ul><li>un</li><li>deux</li></ul>" in html


def test_markdown_keeps_arithmetic_stars():
    blocks = _text.parse("2 * 3 * 4 = 24")
    assert blocks == [("paragraph", [("2 * 3 * 4 = 24", False, False)])]


def test_sample_report_has_every_block_type(report):
    kinds = {type(b).__name__ for c in report.chapters for b in c.blocks}
    assert kinds == {"Text", "Figure", "Table", "KeyFigure"}
    assert len(report.chapters) == 3
    assert report.date_text == "23 novembre 2026"
    assert isinstance(report.chapters[0].blocks[2], Text)
