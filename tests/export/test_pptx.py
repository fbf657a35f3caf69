"""The COPIL deck, read back with python-pptx."""

from __future__ import annotations

import pptx
import pytest
from pptx.enum.shapes import MSO_SHAPE_TYPE

from cls_analysis.export.report import DEMO_NOTICE
from cls_analysis.export.slides import write_pptx


@pytest.fixture(scope="module")
def deck(pptx_path):
    return pptx.Presentation(pptx_path)


def _texts(slide):
    return [s.text_frame.text for s in slide.shapes if s.has_text_frame]


def test_sixteen_by_nine_and_slide_count(deck):
    assert deck.slide_width * 9 == deck.slide_height * 16
    # title, 3 key-figure slides, 3 figure slides, closing
    assert len(deck.slides) == 8
    titles = [s.shapes.title.text for s in deck.slides]
    assert titles[0] == "Diagnostic local de santé"
    assert titles[1] == "Population et modes de vie : chiffres clés"
    assert titles[2] == "Part des 75 ans et plus par commune en 2021"
    assert titles[-1] == "Échanges et suites"


def test_source_and_demo_notice_on_every_slide(deck):
    for number, slide in enumerate(deck.slides, start=1):
        texts = _texts(slide)
        assert any(t.startswith("Source") for t in texts), number
        assert any(DEMO_NOTICE in t for t in texts), number
    figure_slide = deck.slides[4]
    assert "Source : Inserm-CépiDc ; Insee, RP – 2019-2023" in _texts(figure_slide)
    assert "5" in _texts(figure_slide)  # slide number


def test_pictures_fit_with_alt_text(deck, report):
    pictures = [s for slide in deck.slides for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]
    assert len(pictures) == 3
    assert [p._element.nvPicPr.cNvPr.get("descr") for p in pictures] == [f.alt for _, f in report.figures()]
    for picture in pictures:
        assert picture.left >= 0 and picture.top >= 0
        assert picture.left + picture.width <= deck.slide_width
        assert picture.top + picture.height <= deck.slide_height
    notes = deck.slides[2].notes_slide.notes_text_frame.text
    assert "Part des 75 ans" in notes and "Description" in notes


def test_key_figures_on_slides(deck):
    texts = " ".join(_texts(deck.slides[1]))
    assert "31\u202f250" in texts and "Part des 75 ans et plus" in texts
    assert "France métropolitaine : 12,8\u00a0%" in texts
    assert "Situation moins favorable" in " ".join(_texts(deck.slides[5]))


def test_one_key_figure_per_slide(tmp_path, report):
    deck = pptx.Presentation(write_pptx(report, tmp_path / "un.pptx", key_figures_per_slide=1))
    assert len(deck.slides) == 9  # the first chapter has two key figures
