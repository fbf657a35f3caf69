"""Exports: CSV for French Excel, Excel annex, HTML/PDF report, Word report, PPTX deck, packs.

The notebooks and the pipeline fill a :class:`Report` (chapters of text, figures, tables and
key figures; notes; sources; what is missing) and call the writers. Every writer writes
atomically (temporary file, then rename): an interrupted build leaves the previous annex intact.
The writers only read the report model and the results table, never survey responses: no
respondent-level row or free-text answer can reach an annex through them.

=====================  ==========================  ======================================
writer                 usual file                  content
=====================  ==========================  ======================================
write_excel_annex      annexe_diagnostic.xlsx      summary, a sheet per chapter, sources, notes
write_html             diagnostic.html             self-contained report (no request at all)
write_pdf              diagnostic.pdf              the same report paged on A4 (WeasyPrint)
write_docx             diagnostic.docx             editable Word report with placeholders
write_pptx             copil.pptx                  16:9 deck for the steering committee
write_figure_pack      figures/                    PNG + SVG, numbered, with figures.csv
write_data_pack        donnees/                    results and catalogue, CSV for French Excel
write_annexes          all of the above
=====================  ==========================  ======================================
"""

from __future__ import annotations

import importlib

from cls_analysis.export.csv import write_csv_fr

# The writers are imported on first use: ``from cls_analysis.export.csv import write_csv_fr``
# stays light, and a machine without pango (WeasyPrint) can still write every other annex.
_LAZY = {
    "ANNEX_FILES": "annexes",
    "write_annexes": "annexes",
    "write_excel_annex": "excel",
    "render_html": "html_report",
    "write_html": "html_report",
    "public_results": "packs",
    "write_data_pack": "packs",
    "write_figure_pack": "packs",
    "write_pdf": "pdf",
    "Chapter": "report",
    "ExportError": "report",
    "Figure": "report",
    "KeyFigure": "report",
    "Note": "report",
    "Report": "report",
    "Table": "report",
    "Text": "report",
    "write_pptx": "slides",
    "write_docx": "word",
}


def __getattr__(name: str):
    if name in _LAZY:
        module = importlib.import_module(f"cls_analysis.export.{_LAZY[name]}")
        return getattr(module, name)
    raise AttributeError(f"module 'cls_analysis.export' has no attribute {name!r}")


__all__ = [
    "ANNEX_FILES",
    "Chapter",
    "ExportError",
    "Figure",
    "KeyFigure",
    "Note",
    "Report",
    "Table",
    "Text",
    "public_results",
    "render_html",
    "write_annexes",
    "write_csv_fr",
    "write_data_pack",
    "write_docx",
    "write_excel_annex",
    "write_figure_pack",
    "write_html",
    "write_pdf",
    "write_pptx",
]
