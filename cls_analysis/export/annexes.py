"""Write every annex of a diagnostic at once (what ``cls-analysis build`` calls).

>>> sorted(ANNEX_FILES)
['docx', 'excel', 'html', 'pdf', 'pptx']
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from cls_analysis.export.excel import write_excel_annex
from cls_analysis.export.html_report import write_html
from cls_analysis.export.packs import write_data_pack, write_figure_pack
from cls_analysis.export.pdf import write_pdf
from cls_analysis.export.report import ExportError, Report
from cls_analysis.export.slides import write_pptx
from cls_analysis.export.word import write_docx

__all__ = ["ALL_FORMATS", "ANNEX_FILES", "write_annexes"]

#: File name of each annex.
ANNEX_FILES = {
    "excel": "annexe_diagnostic.xlsx",
    "html": "diagnostic.html",
    "pdf": "diagnostic.pdf",
    "docx": "diagnostic.docx",
    "pptx": "copil.pptx",
}
ALL_FORMATS = (*ANNEX_FILES, "figures", "donnees")


def write_annexes(report: Report, results: pd.DataFrame, output_dir: str | Path, *,
                  catalogue: pd.DataFrame | None = None,
                  formats: Iterable[str] = ALL_FORMATS) -> dict[str, list[Path]]:
    """Write the annexes of ``report`` into ``output_dir``.

    Parameters
    ----------
    report : Report
    results : DataFrame
        The results table (the Excel annex and ``donnees/``).
    output_dir : path
    catalogue : DataFrame, optional
    formats : iterable of str
        Among ``excel``, ``html``, ``pdf``, ``docx``, ``pptx``, ``figures``, ``donnees``.

    Returns
    -------
    dict
        Files written, by format.
    """
    wanted = list(formats)
    unknown = sorted(set(wanted) - set(ALL_FORMATS))
    if unknown:
        raise ExportError(f"Format(s) inconnu(s) : {', '.join(unknown)} (possibles : {', '.join(ALL_FORMATS)}).")
    out = Path(output_dir)
    written: dict[str, list[Path]] = {}
    if "excel" in wanted:
        written["excel"] = [write_excel_annex(
            results, out / ANNEX_FILES["excel"], catalogue=catalogue,
            territory_name=report.territory_name, notes=report.notes, sources=report.sources,
            demo=report.demo)]
    writers = {"html": write_html, "pdf": write_pdf, "docx": write_docx, "pptx": write_pptx}
    for name, writer in writers.items():
        if name in wanted:
            written[name] = [writer(report, out / ANNEX_FILES[name])]
    if "figures" in wanted:
        written["figures"] = write_figure_pack(report, out / "figures")
    if "donnees" in wanted:
        written["donnees"] = write_data_pack(results, out / "donnees", catalogue=catalogue)
    return written
