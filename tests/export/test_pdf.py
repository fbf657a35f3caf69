"""The PDF report: pages rendered with pypdfium2, text extracted."""

from __future__ import annotations

import ctypes
import re

import pypdfium2 as pdfium
import pytest
from PIL import ImageStat

from cls_analysis.export.report import DEMO_NOTICE


@pytest.fixture(scope="module")
def pdf(pdf_path):
    document = pdfium.PdfDocument(pdf_path)
    yield document
    document.close()


def _text(page) -> str:
    return page.get_textpage().get_text_range().replace("\r\n", "\n")


def test_page_count_and_title_page(pdf, report):
    # title, contents, 3 chapters (the first on two pages), annexes
    assert 7 <= len(pdf) <= 10
    first = _text(pdf[0])
    for expected in (report.title, report.territory_name, report.subtitle, "23 novembre 2026",
                     DEMO_NOTICE, "CONTRAT LOCAL DE SANTÉ"):
        assert expected in first
    assert "Page " not in first  # no page number on the title page


def test_contents_page_numbers_point_at_chapters(pdf, report):
    contents = _text(pdf[1])
    assert "Sommaire" in contents
    for number, chapter in enumerate(report.chapters, start=1):
        match = re.search(rf"{number}\. {re.escape(chapter.title)}[\s.]*(\d+)", contents)
        assert match, chapter.title
        page = int(match.group(1))
        assert f"{number}. {chapter.title}" in _text(pdf[page - 1])


def test_running_header_page_numbers_and_demo_notice(pdf, report):
    total = len(pdf)
    for index in range(1, total):
        text = _text(pdf[index])
        assert f"Page {index + 1} / {total}" in text
        assert report.territory_name in text
        assert DEMO_NOTICE in text


def test_chapters_hold_figures_tables_and_sources(pdf):
    everything = "\n".join(_text(pdf[i]) for i in range(len(pdf)))
    assert "Figure 2 – Mortalité prématurée" in everything
    assert "Tableau 3 – Mortalité prématurée" in everything
    assert "secret statistique" in everything
    assert "Source : DREES, APL 2023" in everything
    assert "Méthodes et notes" in everything and "Sources des données" in everything
    assert "103,0" in everything and "31\u202f250" in everything  # French numbers


def test_pages_render_with_figures(pdf, tmp_path):
    for index in (0, 2, 4):
        image = pdf[index].render(scale=0.6).to_pil().convert("L")
        image.save(tmp_path / f"page{index + 1}.png")
        assert ImageStat.Stat(image).stddev[0] > 10
    objects = [o.type for o in pdf[4].get_objects()]
    assert pdfium.raw.FPDF_PAGEOBJ_PATH in objects or pdfium.raw.FPDF_PAGEOBJ_IMAGE in objects


def test_fonts_embedded(pdf):
    """Every font is embedded (DejaVu Sans from matplotlib): the PDF looks the same anywhere."""
    raw = pdfium.raw
    fonts = set()
    for index in range(len(pdf)):
        for obj in pdf[index].get_objects(filter=[raw.FPDF_PAGEOBJ_TEXT]):
            font = raw.FPDFTextObj_GetFont(obj.raw)
            buffer = ctypes.create_string_buffer(256)
            raw.FPDFFont_GetBaseFontName(font, buffer, 256)
            fonts.add((buffer.value.decode().split("+")[-1], bool(raw.FPDFFont_GetIsEmbedded(font))))
    assert fonts
    assert all(embedded for _, embedded in fonts), fonts
    assert all("DejaVu" in name for name, _ in fonts), fonts
