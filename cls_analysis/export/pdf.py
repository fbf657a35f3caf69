"""The PDF report (``diagnostic.pdf``): the HTML report laid out on A4 pages by WeasyPrint.

Offline: WeasyPrint uses the system's pango and cairo, the fonts are matplotlib's DejaVu Sans
(subset and embedded into the PDF) and the figures are the files already saved; nothing is
fetched (a URL fetcher refuses anything but ``data:`` and local ``file:`` URLs). Title page,
contents with page numbers, one chapter per theme starting on a new page, running header with
the territory and the chapter, page numbers, the demo notice at the foot of every page.
"""

from __future__ import annotations

import logging
from pathlib import Path

from cls_analysis._atomic import atomic_path
from cls_analysis.export.html_report import render_html
from cls_analysis.export.report import ExportError, Report

__all__ = ["write_pdf"]


def _offline_fetcher():
    """A WeasyPrint URL fetcher that refuses anything but ``data:`` and ``file:`` URLs."""
    from weasyprint import urls

    if hasattr(urls, "URLFetcher"):  # WeasyPrint ≥ 66
        return urls.URLFetcher(allowed_protocols={"data", "file"})

    def fetch(url: str, *args, **kwargs):  # older WeasyPrint: a function
        if not url.startswith(("data:", "file:")):
            raise ValueError(f"ressource externe refusée : {url[:80]}")
        return urls.default_url_fetcher(url, *args, **kwargs)

    return fetch


def write_pdf(report: Report, path: str | Path, *, prefer_svg: bool = True) -> Path:
    """Write the PDF report, atomically.

    Parameters
    ----------
    report : Report
    path : path
        Usually ``diagnostic.pdf``.
    prefer_svg : bool
        Draw figures from their SVG when available (vector, sharp in print), else the PNG.

    Returns
    -------
    Path
    """
    try:
        import weasyprint
    except OSError as exc:  # pango/cairo missing
        raise ExportError(
            "PDF : WeasyPrint ne trouve pas les bibliothèques pango/cairo du système "
            f"({exc}). Sous Debian/Ubuntu : apt-get install libpango-1.0-0 libpangoft2-1.0-0."
        ) from exc
    html = render_html(report, paged=True, prefer_svg=prefer_svg, embed_fonts=False)
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    document = weasyprint.HTML(string=html, base_url=str(Path.cwd()), url_fetcher=_offline_fetcher())
    target = Path(path)
    with atomic_path(target) as tmp:
        document.write_pdf(tmp)
    return target
