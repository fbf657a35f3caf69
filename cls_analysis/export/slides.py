"""The steering-committee deck (``copil.pptx``), 16:9, written with python-pptx.

A title slide; for each chapter, its key figures (cards coloured by the assessment) and one
slide per figure (title, the picture, its source); a closing slide. Every slide carries a
source line, the territory, its number and, for the demo data, « Données fictives de
démonstration ». Titles are real title placeholders (outline view, accessibility) and pictures
carry their alternative text; the figure's caption and description go into the speaker notes.
"""

from __future__ import annotations

from pathlib import Path

from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.util import Emu, Inches, Pt

from cls_analysis._atomic import atomic_path
from cls_analysis.export._common import ASSESSMENT_LABELS, image_size
from cls_analysis.export.report import (
    DEMO_NOTICE,
    ExportError,
    Figure,
    KeyFigure,
    Report,
    source_line,
)

__all__ = ["write_pptx"]

_WIDTH, _HEIGHT = Emu(12_192_000), Emu(6_858_000)  # 13.333 × 7.5 in, 16:9
_MARGIN = Inches(0.5)
_ACCENT = RGBColor(0x00, 0x72, 0xB2)
_INK = RGBColor(0x1A, 0x1A, 0x1A)
_GREY = RGBColor(0x55, 0x55, 0x55)
_DEMO_RED = RGBColor(0xB2, 0x18, 0x2B)
_ASSESSMENT_COLOURS = {
    "better": RGBColor(0x1B, 0x9E, 0x77),
    "similar": RGBColor(0xC9, 0x9A, 0x06),
    "worse": RGBColor(0xD9, 0x5F, 0x02),
}
_NEUTRAL = RGBColor(0x9E, 0x9E, 0x9E)
_FONT = "Calibri"
_ANNEX_SOURCE = "Sources détaillées : annexe statistique du diagnostic"


def _text_box(slide, left, top, width, height, text: str, *, size: float = 12,
              bold: bool = False, colour: RGBColor = _INK, align=PP_ALIGN.LEFT,
              anchor=MSO_ANCHOR.TOP, wrap: bool = True, name: str | None = None):
    box = slide.shapes.add_textbox(left, top, width, height)
    if name:
        box.name = name
    frame = box.text_frame
    frame.word_wrap = wrap
    frame.vertical_anchor = anchor
    frame.margin_left = frame.margin_right = Inches(0.05)
    lines = text.split("\n")
    for position, line in enumerate(lines):
        paragraph = frame.paragraphs[0] if position == 0 else frame.add_paragraph()
        paragraph.alignment = align
        run = paragraph.add_run()
        run.text = line
        run.font.size = Pt(size)
        run.font.bold = bold
        run.font.name = _FONT
        run.font.color.rgb = colour
    return box


def _set_title(slide, text: str, *, top: int | None = None, size: float = 28) -> None:
    title = slide.shapes.title
    title.left, title.top = _MARGIN, Inches(0.35) if top is None else top
    title.width, title.height = _WIDTH - 2 * _MARGIN, Inches(0.9)
    title.text = text
    frame = title.text_frame
    frame.word_wrap = True
    frame.vertical_anchor = MSO_ANCHOR.MIDDLE
    for paragraph in frame.paragraphs:
        paragraph.alignment = PP_ALIGN.LEFT
        for run in paragraph.runs:
            run.font.size = Pt(size)
            run.font.bold = True
            run.font.name = _FONT
            run.font.color.rgb = _INK


def _footer(slide, report: Report, number: int, source: str) -> None:
    """Source line, territory and date, slide number, demo notice."""
    bottom = _HEIGHT - Inches(0.45)
    _text_box(slide, _MARGIN, bottom - Inches(0.4), _WIDTH - 2 * _MARGIN, Inches(0.35),
              source_line(source) or _ANNEX_SOURCE, size=10, colour=_GREY, name="Source")
    line = slide.shapes.add_connector(1, _MARGIN, bottom, _WIDTH - _MARGIN, bottom)
    line.line.color.rgb = RGBColor(0xD0, 0xD0, 0xD0)
    _text_box(slide, _MARGIN, bottom + Inches(0.02), Inches(7), Inches(0.35),
              f"{report.territory_name} – {report.title} – {report.date_text}", size=9,
              colour=_GREY, name="Pied de page")
    if report.demo:
        _text_box(slide, Inches(7.6), bottom + Inches(0.02), Inches(4.3), Inches(0.35),
                  DEMO_NOTICE, size=10, bold=True, colour=_DEMO_RED, align=PP_ALIGN.RIGHT,
                  name="Mention démonstration")
    _text_box(slide, _WIDTH - _MARGIN - Inches(1), bottom + Inches(0.02), Inches(1), Inches(0.35),
              str(number), size=9, colour=_GREY, align=PP_ALIGN.RIGHT, name="Numéro")


def _notes(slide, text: str) -> None:
    if text:
        slide.notes_slide.notes_text_frame.text = text


def _title_slide(presentation, report: Report) -> None:
    slide = presentation.slides.add_slide(presentation.slide_layouts[0])
    band = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, 0, 0, Inches(0.35), _HEIGHT)
    band.fill.solid()
    band.fill.fore_color.rgb = _ACCENT
    band.line.fill.background()
    title = slide.shapes.title
    title.left, title.top, title.width, title.height = Inches(1), Inches(2.0), Inches(11.3), Inches(1.2)
    title.text = report.title
    for paragraph in title.text_frame.paragraphs:
        paragraph.alignment = PP_ALIGN.LEFT
        for run in paragraph.runs:
            run.font.size, run.font.bold, run.font.name = Pt(40), True, _FONT
            run.font.color.rgb = _INK
    subtitle = slide.placeholders[1]
    subtitle.left, subtitle.top, subtitle.width, subtitle.height = (
        Inches(1), Inches(3.2), Inches(11.3), Inches(2.0))
    frame = subtitle.text_frame
    frame.text = report.territory_name
    lines = [report.subtitle, "Comité de pilotage", report.date_text, report.author]
    for line in filter(None, lines):
        frame.add_paragraph().text = line
    for position, paragraph in enumerate(frame.paragraphs):
        paragraph.alignment = PP_ALIGN.LEFT
        for run in paragraph.runs:
            run.font.name = _FONT
            run.font.size = Pt(28 if position == 0 else 16)
            run.font.color.rgb = _ACCENT if position == 0 else _GREY
    _text_box(slide, Inches(1), Inches(1.3), Inches(8), Inches(0.5), "CONTRAT LOCAL DE SANTÉ",
              size=14, bold=True, colour=_ACCENT)
    if report.demo:
        _text_box(slide, Inches(1), Inches(5.4), Inches(11.3), Inches(0.5),
                  f"{DEMO_NOTICE} : les chiffres de cette présentation sont inventés.",
                  size=16, bold=True, colour=_DEMO_RED, name="Mention démonstration")
    _text_box(slide, Inches(1), _HEIGHT - Inches(0.8), Inches(11.3), Inches(0.35),
              _ANNEX_SOURCE, size=10, colour=_GREY, name="Source")


def _key_figure_slide(presentation, report: Report, title: str, items: list[KeyFigure],
                      number: int) -> None:
    slide = presentation.slides.add_slide(presentation.slide_layouts[5])
    _set_title(slide, title)
    count = len(items)
    columns = count if count <= 3 else 2
    rows = -(-count // columns)
    gap = Inches(0.3)
    area_top, area_bottom = Inches(1.5), _HEIGHT - Inches(1.05)
    width = min(Inches(6.5), (_WIDTH - 2 * _MARGIN - gap * (columns - 1)) // columns)
    height = min(Inches(4.2), (area_bottom - area_top - gap * (rows - 1)) // rows)
    first_left = (_WIDTH - (width * columns + gap * (columns - 1))) // 2
    for position, item in enumerate(items):
        left = first_left + (position % columns) * (width + gap)
        top = area_top + (position // columns) * (height + gap)
        card = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, left, top, width, height)
        card.fill.solid()
        card.fill.fore_color.rgb = RGBColor(0xF4, 0xF7, 0xFA)
        card.line.color.rgb = RGBColor(0xD0, 0xD0, 0xD0)
        stripe = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, left, top, Inches(0.12), height)
        stripe.fill.solid()
        stripe.fill.fore_color.rgb = _ASSESSMENT_COLOURS.get(item.assessment or "", _NEUTRAL)
        stripe.line.fill.background()
        inner_left, inner_width = left + Inches(0.3), width - Inches(0.45)
        value_size = 44 if rows == 1 else 32
        _text_box(slide, inner_left, top + Inches(0.15), inner_width, Inches(0.9 if rows == 1 else 0.7),
                  item.value_text, size=value_size, bold=True, colour=_ACCENT)
        body = [item.label]
        _text_box(slide, inner_left, top + Inches(1.15 if rows == 1 else 0.85), inner_width,
                  Inches(0.8), "\n".join(body), size=18 if rows == 1 else 15, bold=True)
        details = []
        if item.comparison_text:
            details.append(item.comparison_text)
        if item.assessment in _ASSESSMENT_COLOURS:
            details.append(f"Situation {ASSESSMENT_LABELS[item.assessment]}")
        if details:
            _text_box(slide, inner_left, top + Inches(2.0 if rows == 1 else 1.45), inner_width,
                      Inches(0.9), "\n".join(details), size=14 if rows == 1 else 12, colour=_INK)
        if item.source:
            _text_box(slide, inner_left, top + height - Inches(0.45), inner_width, Inches(0.35),
                      source_line(item.source), size=10, colour=_GREY)
    sources = []
    for item in items:
        if item.source and item.source not in sources:
            sources.append(item.source)
    _footer(slide, report, number, "Sources : " + " ; ".join(sources) if sources else "")
    _notes(slide, "\n".join(f"{i.label} : {i.value_text}. {i.comparison_text}" for i in items))


def _figure_slide(presentation, report: Report, chapter_title: str, figure: Figure,
                  number: int, figure_number: int) -> None:
    slide = presentation.slides.add_slide(presentation.slide_layouts[5])
    _set_title(slide, figure.caption, size=24 if len(figure.caption) < 90 else 20)
    _text_box(slide, _MARGIN, Inches(0.05), Inches(9), Inches(0.35), chapter_title.upper(),
              size=11, bold=True, colour=_ACCENT, name="Chapitre")
    width_px, height_px = image_size(figure.path_png)
    area_left, area_top = _MARGIN, Inches(1.35)
    area_width, area_height = _WIDTH - 2 * _MARGIN, _HEIGHT - Inches(1.35) - Inches(1.0)
    scale = min(area_width / width_px, area_height / height_px)
    width, height = Emu(int(width_px * scale)), Emu(int(height_px * scale))
    left = area_left + (area_width - width) // 2
    picture = slide.shapes.add_picture(str(figure.path_png), left, area_top, width, height)
    picture.name = f"Figure {figure_number}"
    picture._element.nvPicPr.cNvPr.set("descr", figure.alt)
    _footer(slide, report, number, figure.source)
    _notes(slide, f"{figure.caption}\n\nDescription : {figure.alt}")


def _closing_slide(presentation, report: Report, number: int) -> None:
    slide = presentation.slides.add_slide(presentation.slide_layouts[5])
    _set_title(slide, "Échanges et suites", top=Inches(1.6), size=36)
    _text_box(slide, _MARGIN, Inches(2.8), _WIDTH - 2 * _MARGIN, Inches(2.5),
              "Quelles priorités retenir pour le contrat local de santé ?\n"
              "Compléments attendus des partenaires : entretiens, ateliers, données locales.\n"
              "Documents : annexe statistique (Excel), rapport (PDF, HTML, Word).",
              size=20, colour=_INK)
    if report.missing:
        _text_box(slide, _MARGIN, Inches(4.9), _WIDTH - 2 * _MARGIN, Inches(0.8),
                  f"Données non disponibles : {len(report.missing)} élément(s), détaillés dans le rapport.",
                  size=14, colour=_GREY)
    _footer(slide, report, number, _ANNEX_SOURCE)


def write_pptx(report: Report, path: str | Path, *, key_figures_per_slide: int = 4) -> Path:
    """Write the COPIL deck, atomically.

    Parameters
    ----------
    report : Report
    path : path
        Usually ``copil.pptx``.
    key_figures_per_slide : int
        Key figures of a chapter are shown together, this many per slide (1 gives one slide
        per key figure).

    Returns
    -------
    Path
    """
    if not isinstance(report, Report):
        raise ExportError(f"report doit être un Report, reçu {type(report).__name__}.")
    if key_figures_per_slide < 1:
        raise ExportError("key_figures_per_slide doit valoir au moins 1.")
    report.check_files()
    presentation = Presentation()
    presentation.slide_width, presentation.slide_height = _WIDTH, _HEIGHT
    presentation.core_properties.title = f"{report.title} – {report.territory_name}"
    presentation.core_properties.author = report.author or "cls_analysis"
    presentation.core_properties.language = "fr-FR"
    if report.demo:
        presentation.core_properties.comments = DEMO_NOTICE
    _title_slide(presentation, report)
    number = 1
    figures = 0
    for chapter in report.chapters:
        key_figures = chapter.of_type(KeyFigure)
        for start in range(0, len(key_figures), key_figures_per_slide):
            number += 1
            _key_figure_slide(presentation, report, f"{chapter.title} : chiffres clés",
                              key_figures[start : start + key_figures_per_slide], number)
        for figure in chapter.of_type(Figure):
            number += 1
            figures += 1
            _figure_slide(presentation, report, chapter.title, figure, number, figures)
    _closing_slide(presentation, report, number + 1)
    target = Path(path)
    with atomic_path(target) as tmp:
        presentation.save(str(tmp))
    return target
