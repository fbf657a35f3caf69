"""The editable Word report (``diagnostic.docx``), written with python-docx.

The same report as the HTML and the PDF, in a form the CLS coordinator completes: real
headings (« Titre 1 », « Titre 2 » in French Word, so the navigation pane and the table of
contents work), figures as pictures with their alternative text and a numbered caption
(``SEQ`` fields, so Word can list the figures), tables as Word tables whose header row repeats
on each page, and placeholders for the qualitative chapters (interviews, workshops, priorities)
that come from the field, not from data.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from cls_analysis._atomic import atomic_path
from cls_analysis.export import _text
from cls_analysis.export._common import ASSESSMENT_LABELS, image_size, table_cells
from cls_analysis.export.report import (
    DEMO_NOTICE,
    ExportError,
    Figure,
    KeyFigure,
    Report,
    Table,
    Text,
    source_line,
)

__all__ = ["QUALITATIVE_CHAPTERS", "write_docx"]

#: Chapters written by the coordinator, with what to put in them.
QUALITATIVE_CHAPTERS = (
    ("Entretiens", "Synthèse des entretiens menés avec les acteurs du territoire (professionnels "
     "de santé, élus, associations, institutions) : personnes rencontrées, constats partagés, "
     "besoins exprimés."),
    ("Ateliers", "Synthèse des ateliers participatifs avec les habitants et les partenaires : "
     "dates, participants, thèmes abordés, propositions."),
    ("Priorités retenues avec les partenaires", "Priorités de santé retenues par le comité de "
     "pilotage, axes et fiches actions du contrat local de santé."),
)
_DEMO_RED = RGBColor(0xB2, 0x18, 0x2B)
_GREY = RGBColor(0x55, 0x55, 0x55)
_ACCENT = RGBColor(0x00, 0x72, 0xB2)
_ASSESSMENT_COLOURS = {"better": "1B9E77", "similar": "C99A06", "worse": "D95F02"}
_TEXT_WIDTH_CM = 17.0


def _field(paragraph, instruction: str, placeholder: str = "") -> None:
    """Insert a Word field (``PAGE``, ``TOC …``, ``SEQ Figure``) showing ``placeholder``."""
    def element(tag: str, **attributes):
        node = OxmlElement(tag)
        for key, value in attributes.items():
            node.set(qn(key), value)
        return node

    run = paragraph.add_run()
    run._r.append(element("w:fldChar", **{"w:fldCharType": "begin"}))
    run = paragraph.add_run()
    text = element("w:instrText", **{"xml:space": "preserve"})
    text.text = f" {instruction} "
    run._r.append(text)
    run = paragraph.add_run()
    run._r.append(element("w:fldChar", **{"w:fldCharType": "separate"}))
    paragraph.add_run(placeholder)
    run = paragraph.add_run()
    run._r.append(element("w:fldChar", **{"w:fldCharType": "end"}))


def _set_language(document, language: str = "fr-FR") -> None:
    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), language)
    lang.set(qn("w:eastAsia"), language)
    # ask Word to refresh fields (table of contents, page count) when the file is opened
    settings = document.settings.element
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    settings.append(update)


def _add_runs(paragraph, runs: list[_text.Run]) -> None:
    for text, bold, italic in runs:
        run = paragraph.add_run(text)
        run.bold = bold or None
        run.italic = italic or None


def _source(document, text: str) -> None:
    line = source_line(text)
    if not line:
        return
    paragraph = document.add_paragraph()
    run = paragraph.add_run(line)
    run.font.size = Pt(8)
    run.font.color.rgb = _GREY
    paragraph.paragraph_format.space_after = Pt(10)


def _caption(document, kind: str, number: int, text: str):
    paragraph = document.add_paragraph(style="Caption")
    paragraph.add_run(f"{kind} ").bold = True
    _field(paragraph, f"SEQ {kind} \\* ARABIC", str(number))
    paragraph.add_run(" – ").bold = True
    paragraph.add_run(text)
    return paragraph


def _shade(cell, colour: str) -> None:
    properties = cell._tc.get_or_add_tcPr()
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), colour)
    properties.append(shading)


def _repeat_header(row) -> None:
    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def _table(document, table: Table, number: int | None) -> None:
    if number is not None or table.caption:
        caption = _caption(document, "Tableau", number, table.caption) if number is not None else \
            document.add_paragraph(table.caption, style="Caption")
        caption.paragraph_format.keep_with_next = True
    headers, rows = table_cells(table)
    numeric = [any(row[i].numeric for row in rows) for i in range(len(headers))]
    word_table = document.add_table(rows=1 + len(rows), cols=len(headers))
    word_table.style = "Table Grid"
    word_table.alignment = WD_TABLE_ALIGNMENT.LEFT
    header_row = word_table.rows[0]
    _repeat_header(header_row)
    for position, header in enumerate(headers):
        cell = header_row.cells[position]
        cell.text = ""
        run = cell.paragraphs[0].add_run(header)
        run.bold = True
        run.font.size = Pt(9)
        run.font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
        _shade(cell, "0072B2")
        if numeric[position]:
            cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for row_number, row in enumerate(rows, start=1):
        for position, value in enumerate(row):
            cell = word_table.rows[row_number].cells[position]
            paragraph = cell.paragraphs[0]
            run = paragraph.add_run(value.text)
            run.font.size = Pt(9)
            if numeric[position]:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
                if not value.numeric:
                    run.italic = True
    _source(document, table.source)


def _figure(document, figure: Figure, number: int) -> None:
    width_px, height_px = image_size(figure.path_png)
    width = min(_TEXT_WIDTH_CM, _TEXT_WIDTH_CM * 1.0)
    if height_px / width_px * width > 15:  # keep tall figures on the page
        width = 15 * width_px / height_px
    document.add_picture(str(figure.path_png), width=Cm(width))
    picture_paragraph = document.paragraphs[-1]
    picture_paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    picture_paragraph.paragraph_format.keep_with_next = True
    inline = document.inline_shapes[-1]._inline
    inline.docPr.set("descr", figure.alt)
    inline.docPr.set("title", figure.caption)
    caption = _caption(document, "Figure", number, figure.caption)
    caption.paragraph_format.keep_with_next = bool(figure.source)
    _source(document, figure.source)


def _key_figures(document, items: list[KeyFigure]) -> None:
    columns = min(len(items), 3)
    rows = -(-len(items) // columns)
    grid = document.add_table(rows=rows, cols=columns)
    grid.style = "Table Grid"
    for position, item in enumerate(items):
        cell = grid.rows[position // columns].cells[position % columns]
        colour = _ASSESSMENT_COLOURS.get(item.assessment or "", "9E9E9E")
        _shade(cell, "F4F7FA")
        paragraph = cell.paragraphs[0]
        value = paragraph.add_run(item.value_text)
        value.bold = True
        value.font.size = Pt(18)
        value.font.color.rgb = _ACCENT
        label = cell.add_paragraph().add_run(item.label)
        label.bold = True
        label.font.size = Pt(9)
        if item.comparison_text:
            cell.add_paragraph().add_run(item.comparison_text).font.size = Pt(8.5)
        if item.assessment in _ASSESSMENT_COLOURS:
            run = cell.add_paragraph().add_run(f"Situation {ASSESSMENT_LABELS[item.assessment]}")
            run.font.size = Pt(8.5)
            run.bold = True
            run.font.color.rgb = RGBColor.from_string(colour)
        if item.source:
            run = cell.add_paragraph().add_run(source_line(item.source))
            run.font.size = Pt(7.5)
            run.font.color.rgb = _GREY
    document.add_paragraph()


def _text_block(document, block: Text) -> None:
    for parsed in _text.parse(block.content):
        if parsed[0] == "heading":
            heading = document.add_heading(level=2)
            _add_runs(heading, parsed[1])
        elif parsed[0] == "paragraph":
            _add_runs(document.add_paragraph(), parsed[1])
        else:
            for item in parsed[1]:
                _add_runs(document.add_paragraph(style="List Bullet"), item)


def _placeholder(document, text: str) -> None:
    paragraph = document.add_paragraph()
    run = paragraph.add_run(f"[À compléter par la coordination du CLS : {text}]")
    run.italic = True
    run.font.color.rgb = _GREY


def _header_footer(document, report: Report) -> None:
    section = document.sections[0]
    section.different_first_page_header_footer = True
    header = section.header.paragraphs[0]
    header.text = ""
    run = header.add_run(f"{report.title} – {report.territory_name}")
    run.font.size = Pt(8)
    run.font.color.rgb = _GREY
    if report.demo:
        run = header.add_run(f"\t\t{DEMO_NOTICE}")
        run.font.size = Pt(8)
        run.bold = True
        run.font.color.rgb = _DEMO_RED
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    footer.add_run("Page ").font.size = Pt(8)
    _field(footer, "PAGE", "1")
    footer.add_run(" / ").font.size = Pt(8)
    _field(footer, "NUMPAGES", "1")
    if report.demo:
        first = section.first_page_footer.paragraphs[0]
        run = first.add_run(DEMO_NOTICE)
        run.bold = True
        run.font.color.rgb = _DEMO_RED


def _title_page(document, report: Report) -> None:
    if report.demo:
        paragraph = document.add_paragraph()
        run = paragraph.add_run(f"{DEMO_NOTICE} : les chiffres de ce document sont inventés.")
        run.bold = True
        run.font.color.rgb = _DEMO_RED
    kicker = document.add_paragraph()
    run = kicker.add_run("CONTRAT LOCAL DE SANTÉ")
    run.bold = True
    run.font.color.rgb = _ACCENT
    kicker.paragraph_format.space_before = Pt(120)
    document.add_paragraph(report.title, style="Title")
    document.add_paragraph(report.territory_name, style="Subtitle")
    if report.subtitle:
        document.add_paragraph(report.subtitle)
    meta = document.add_paragraph()
    meta.add_run(report.date_text)
    if report.author:
        meta.add_run(f"\n{report.author}")
    meta.paragraph_format.space_before = Pt(24)
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    document.add_paragraph("Sommaire", style="TOC Heading" if "TOC Heading" in
                           [s.name for s in document.styles] else "Heading 1")
    toc = document.add_paragraph()
    _field(toc, 'TOC \\o "1-2" \\h \\z \\u',
           "Table des matières : clic droit puis « Mettre à jour les champs » si elle n'apparaît pas.")
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def write_docx(report: Report, path: str | Path, *,
               qualitative_chapters: Sequence[tuple[str, str]] = QUALITATIVE_CHAPTERS) -> Path:
    """Write the editable Word report, atomically.

    Parameters
    ----------
    report : Report
    path : path
        Usually ``diagnostic.docx``.
    qualitative_chapters : sequence of (title, what to write)
        Chapters left for the coordinator, after the data chapters, each with a placeholder.

    Returns
    -------
    Path
    """
    if not isinstance(report, Report):
        raise ExportError(f"report doit être un Report, reçu {type(report).__name__}.")
    report.check_files()
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2)
    section.top_margin = section.bottom_margin = Cm(2)
    _set_language(document)
    document.styles["Normal"].font.size = Pt(10.5)
    properties = document.core_properties
    properties.title = f"{report.title} – {report.territory_name}"
    properties.subject = report.subtitle or "Diagnostic local de santé"
    properties.author = report.author or "cls_analysis"
    properties.language = "fr-FR"
    properties.keywords = "contrat local de santé; diagnostic"
    if report.demo:
        properties.comments = DEMO_NOTICE
    _header_footer(document, report)
    _title_page(document, report)

    figures = tables = 0
    for number, chapter in enumerate(report.chapters, start=1):
        if number > 1:
            document.add_page_break()
        document.add_heading(f"{number}. {chapter.title}", level=1)
        pending: list[KeyFigure] = []
        for block in [*chapter.blocks, None]:
            if isinstance(block, KeyFigure):
                pending.append(block)
                continue
            if pending:
                _key_figures(document, pending)
                pending = []
            if isinstance(block, Text):
                _text_block(document, block)
            elif isinstance(block, Figure):
                figures += 1
                _figure(document, block, figures)
            elif isinstance(block, Table):
                tables += 1
                _table(document, block, tables)
    offset = len(report.chapters)
    for position, (title, what) in enumerate(qualitative_chapters, start=1):
        document.add_page_break()
        document.add_heading(f"{offset + position}. {title}", level=1)
        _placeholder(document, what)
    if report.missing:
        document.add_page_break()
        document.add_heading("Données non disponibles", level=1)
        for item in report.missing:
            document.add_paragraph(item, style="List Bullet")
    if report.notes:
        document.add_heading("Méthodes et notes", level=1)
        categories: dict[str, list] = {}
        for note in report.notes:
            categories.setdefault(note.category, []).append(note)
        for category, notes in categories.items():
            document.add_heading(category, level=2)
            for note in notes:
                paragraph = document.add_paragraph()
                paragraph.add_run(f"{note.title} : ").bold = True
                paragraph.add_run(note.text)
    if report.sources is not None and not report.sources.empty:
        document.add_heading("Sources", level=1)
        _table(document, Table(report.sources, "Sources des données", ""), None)
    closing = document.add_paragraph()
    run = closing.add_run("Document produit avec cls_analysis. Il ne contient que des résultats "
                          "agrégés : aucune réponse individuelle d'enquête.")
    run.font.size = Pt(8)
    run.font.color.rgb = _GREY

    target = Path(path)
    with atomic_path(target) as tmp:
        document.save(str(tmp))
    return target
