"""The self-contained HTML report (``diagnostic.html``), also the source of the PDF.

One file holds everything: figures as ``data:`` URIs (SVG when available, PNG otherwise), CSS
and a Latin subset of DejaVu Sans inline. A Content-Security-Policy forbids any request, so the
report opens the same offline, from an e-mail attachment or a USB key, and leaks nothing.
Headings (``h1`` title, ``h2`` chapters, ``h3`` sub-headings), alternative texts, table
captions and header cells make it readable with a screen reader; the print stylesheet starts
each chapter on a new page.
"""

from __future__ import annotations

import functools
from html import escape
from importlib.resources import files
from pathlib import Path

import jinja2
from markupsafe import Markup

from cls_analysis._atomic import atomic_path
from cls_analysis.export import _text
from cls_analysis.export._common import (
    ASSESSMENT_LABELS,
    data_uri,
    font_face_css,
    image_size,
    table_cells,
)
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

__all__ = ["render_html", "write_html"]

#: Above this size an SVG is replaced by its PNG in the HTML (maps with many vertices).
MAX_SVG_BYTES = 3_000_000
_PACKAGE = files("cls_analysis.export")


@functools.cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FunctionLoader(lambda name: (_PACKAGE / name).read_text(encoding="utf-8")),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )


def _css(name: str) -> str:
    return (_PACKAGE / name).read_text(encoding="utf-8")


def _anchor(key: str) -> str:
    safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in key.lower())
    return f"ch-{safe}"


class _Counter:
    def __init__(self) -> None:
        self.figures = 0
        self.tables = 0


def _figure_image(figure: Figure, prefer_svg: bool) -> Path:
    svg = figure.path_svg
    if prefer_svg and svg is not None and svg.is_file() and svg.stat().st_size <= MAX_SVG_BYTES:
        return svg
    return figure.path_png


def _figure_html(figure: Figure, counter: _Counter, prefer_svg: bool) -> str:
    counter.figures += 1
    number = counter.figures
    image = _figure_image(figure, prefer_svg)
    width, height = image_size(figure.path_png)
    source = source_line(figure.source)
    return (
        f'<figure class="figure" id="figure-{number}">'
        f'<img src="{data_uri(image)}" alt="{escape(figure.alt)}" width="{width}" height="{height}">'
        f'<figcaption><span class="fig-number">Figure {number} – </span>{escape(figure.caption)}'
        + (f'<p class="source">{escape(source)}</p>' if source else "")
        + "</figcaption></figure>"
    )


def table_html(table: Table, number: int | None = None) -> str:
    """A :class:`Table` as an HTML ``<table>`` with its caption and source line."""
    headers, rows = table_cells(table)
    numeric_columns = [any(row[i].numeric for row in rows) for i in range(len(headers))]
    num_class = ' class="num"'
    head = "".join(
        f'<th scope="col"{num_class if numeric else ""}>{escape(h)}</th>'
        for h, numeric in zip(headers, numeric_columns, strict=True)
    )
    body = []
    for row in rows:
        cells = []
        for cell, numeric in zip(row, numeric_columns, strict=True):
            css = "num" if cell.numeric else ("status" if numeric else "")
            attribute = f' class="{css}"' if css else ""
            cells.append(f"<td{attribute}>{escape(cell.text)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    caption = ""
    if table.caption or number is not None:
        prefix = f'<span class="tab-number">Tableau {number} – </span>' if number is not None else ""
        caption = f"<caption>{prefix}{escape(table.caption)}</caption>"
    source = source_line(table.source)
    return (
        '<div class="table-block"><div class="table-wrap"><table>'
        f"{caption}<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
        + (f'<p class="source">{escape(source)}</p>' if source else "")
        + "</div>"
    )


def _key_figures_html(items: list[KeyFigure]) -> str:
    cards = []
    for item in items:
        css = item.assessment if item.assessment in {"better", "similar", "worse"} else "neutral"
        assessment = ""
        if item.assessment in {"better", "similar", "worse"}:
            assessment = f'<span class="kf-assessment">Situation {ASSESSMENT_LABELS[item.assessment]}</span>'
        source = source_line(item.source)
        cards.append(
            f'<li class="key-figure {css}"><span class="kf-value">{escape(item.value_text)}</span>'
            f'<span class="kf-label">{escape(item.label)}</span>'
            + (f'<span class="kf-comparison">{escape(item.comparison_text)}</span>' if item.comparison_text else "")
            + assessment
            + (f'<span class="source">{escape(source)}</span>' if source else "")
            + "</li>"
        )
    return '<ul class="key-figures" aria-label="Chiffres clés">' + "".join(cards) + "</ul>"


def _blocks_html(blocks, counter: _Counter, prefer_svg: bool) -> list[Markup]:
    out: list[Markup] = []
    pending: list[KeyFigure] = []
    for block in blocks:
        if isinstance(block, KeyFigure):
            pending.append(block)
            continue
        if pending:
            out.append(Markup(_key_figures_html(pending)))
            pending = []
        if isinstance(block, Text):
            out.append(Markup(_text.to_html(block.content, heading_level=3)))
        elif isinstance(block, Figure):
            out.append(Markup(_figure_html(block, counter, prefer_svg)))
        elif isinstance(block, Table):
            counter.tables += 1
            out.append(Markup(table_html(block, counter.tables)))
    if pending:
        out.append(Markup(_key_figures_html(pending)))
    return out


def render_html(report: Report, *, paged: bool = False, prefer_svg: bool = True,
                embed_fonts: bool | None = None) -> str:
    """The report as one HTML document (string).

    Parameters
    ----------
    report : Report
    paged : bool
        Add the paged-media stylesheet (page size, running header, page numbers) for the PDF.
    prefer_svg : bool
        Embed the SVG version of a figure when there is one.
    embed_fonts : bool, optional
        Embed DejaVu Sans as data URIs (default for the HTML report); the PDF points at
        matplotlib's font files instead, which WeasyPrint subsets into the PDF.
    """
    if not isinstance(report, Report):
        raise ExportError(f"report doit être un Report, reçu {type(report).__name__}.")
    report.check_files()
    counter = _Counter()
    chapters = [
        {"anchor": _anchor(c.key), "title": c.title, "blocks": _blocks_html(c.blocks, counter, prefer_svg)}
        for c in report.chapters
    ]
    annex_sections = []
    if report.missing:
        annex_sections.append({"anchor": "donnees-manquantes", "title": "Données non disponibles"})
    notes_by_category: dict[str, list] = {}
    for note in report.notes:
        notes_by_category.setdefault(note.category, []).append(note)
    if notes_by_category:
        annex_sections.append({"anchor": "methodes", "title": "Méthodes et notes"})
    sources_html = ""
    if report.sources is not None and not report.sources.empty:
        annex_sections.append({"anchor": "sources", "title": "Sources"})
        sources_html = Markup(table_html(Table(report.sources, "Sources des données", "")))
    css = _css("report.css")
    if paged:
        css += "\n" + _css("paged.css")
    if report.demo:  # at the foot of every printed page (WeasyPrint, and browsers' print)
        css += (
            "\n@page { @bottom-left { content: \"" + DEMO_NOTICE + "\"; font-size: 7.5pt; "
            "color: #b2182b; font-weight: bold; } }"
        )
    embed = (not paged) if embed_fonts is None else embed_fonts
    return _environment().get_template("report.html.j2").render(
        report=report,
        chapters=chapters,
        annex_sections=annex_sections,
        notes=list(notes_by_category.items()),
        sources=sources_html,
        css=Markup(css),
        fonts_css=Markup(font_face_css(embed=embed)),
        demo_notice=DEMO_NOTICE,
        paged=paged,
    )


def write_html(report: Report, path: str | Path, *, prefer_svg: bool = True) -> Path:
    """Write the self-contained HTML report (usually ``diagnostic.html``), atomically.

    Parameters
    ----------
    report : Report
    path : path
    prefer_svg : bool
        Embed the SVG version of figures when available (crisp at any zoom), else the PNG.

    Returns
    -------
    Path
    """
    html = render_html(report, prefer_svg=prefer_svg)
    target = Path(path)
    with atomic_path(target) as tmp:
        tmp.write_text(html, encoding="utf-8")
    return target
