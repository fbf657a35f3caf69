"""The editable Word report, read back with python-docx."""

from __future__ import annotations

import docx
import pytest
from docx.oxml.ns import qn

from cls_analysis.export.report import DEMO_NOTICE
from cls_analysis.export.word import QUALITATIVE_CHAPTERS


@pytest.fixture(scope="module")
def document(docx_path):
    return docx.Document(docx_path)


def test_headings_for_navigation(document, report):
    level1 = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    expected = [f"{n}. {c.title}" for n, c in enumerate(report.chapters, start=1)]
    expected += [f"{len(report.chapters) + n}. {t}" for n, (t, _) in enumerate(QUALITATIVE_CHAPTERS, start=1)]
    assert level1[: len(expected)] == expected
    assert "4. Entretiens" in level1 and "5. Ateliers" in level1
    assert "6. Priorités retenues avec les partenaires" in level1
    assert {"Données non disponibles", "Méthodes et notes", "Sources"} <= set(level1)
    level2 = [p.text for p in document.paragraphs if p.style.name == "Heading 2"]
    assert "Points d'attention" in level2
    assert document.paragraphs[[p.style.name for p in document.paragraphs].index("Title")].text == report.title


def test_placeholders_for_qualitative_chapters(document):
    placeholders = [p.text for p in document.paragraphs if p.text.startswith("[À compléter")]
    assert len(placeholders) == 3


def test_pictures_with_alt_text_and_captions(document, report):
    shapes = document.inline_shapes
    assert len(shapes) == 3
    alts = [s._inline.docPr.get("descr") for s in shapes]
    assert alts == [f.alt for _, f in report.figures()]
    captions = [p.text for p in document.paragraphs if p.style.name == "Caption"]
    assert captions[0].startswith("Figure 1 – Part des 75 ans")
    assert sum(c.startswith("Figure ") for c in captions) == 3
    assert sum(c.startswith("Tableau ") for c in captions) == 3
    xml = document.element.xml
    assert "SEQ Figure" in xml and 'TOC \\o "1-2"' in xml


def test_tables(document):
    # 3 key-figure grids, 3 data tables, the sources table
    assert len(document.tables) == 7
    icm = next(t for t in document.tables
               if len(t.columns) == 4 and any(r.cells[0].text == "Marans" for r in t.rows)
               and "secret statistique" in [r.cells[1].text for r in t.rows])
    rows = [[c.text for c in r.cells] for r in icm.rows]
    assert rows[0] == ["Zone", "Valeur", "Borne basse IC 95 %", "Borne haute IC 95 %"]
    assert rows[1][0] == "CC Aunis Atlantique" and rows[1][1] == "103,0"
    marans = next(r for r in rows if r[0] == "Marans")
    assert marans[1:] == ["secret statistique", "–", "–"]
    assert icm.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None


def test_header_language_and_properties(document, report):
    header = document.sections[0].header.paragraphs[0].text
    assert report.territory_name in header and DEMO_NOTICE in header
    assert "NUMPAGES" in document.sections[0].footer._element.xml
    lang = document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr")).find(qn("w:lang"))
    assert lang.get(qn("w:val")) == "fr-FR"
    assert document.core_properties.title == f"{report.title} – {report.territory_name}"
    body = "\n".join(p.text for p in document.paragraphs)
    assert "Source : Insee, RP 2021" in body
    assert "23 novembre 2026" in body
