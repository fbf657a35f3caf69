"""Saving figures: PNG (150 and 300 dpi), SVG and PDF, at slide, A4 or square size, atomically.

A figure saved at another size than it was drawn is laid out again for that size (title
wrapped, legend moved, names re-placed), then put back as it was. Files are written to a
temporary name beside the target and renamed, so an interrupted build never leaves half a file.
Text is embedded as TrueType in PDF (DejaVu Sans, with its accents and the narrow no-break
space of French thousands). In SVG it is drawn as outlines by default, so that the figure looks
the same on a machine without DejaVu Sans (a viewer's fallback font may lack U+202F and show a
box); ``svg_text="text"`` keeps editable text for a cartographer's drawing program.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import matplotlib as mpl
from matplotlib.figure import Figure

from cls_analysis._atomic import atomic_path
from cls_analysis.errors import ClsAnalysisError
from cls_analysis.viz.figure import figure_size

__all__ = ["FORMATS", "save"]

FORMATS = ("png", "svg", "pdf")
_UMASK = os.umask(0)
os.umask(_UMASK)
_FILE_MODE = 0o666 & ~_UMASK
_METADATA = {
    "png": {"Software": "cls_analysis"},
    "svg": {"Date": None, "Creator": "cls_analysis"},
    "pdf": {"CreationDate": None, "ModDate": None, "Creator": "cls_analysis", "Producer": "cls_analysis"},
}


def _figure(obj) -> Figure:
    if isinstance(obj, Figure):
        return obj
    figure = getattr(obj, "figure", None)
    if figure is None:
        raise ClsAnalysisError(f"save() attend une figure ou des axes matplotlib, reçu {type(obj).__name__}.")
    return figure.get_figure(root=True) if hasattr(figure, "get_figure") else figure


def save(fig, path: str | Path, formats: Sequence[str] = ("png", "svg", "pdf"),
         size: str | tuple[float, float] | None = None, dpi: int | Sequence[int] = (150, 300),
         svg_text: str = "path") -> list[Path]:
    """Write a figure in several formats; returns the paths written.

    Parameters
    ----------
    fig : Figure or Axes
        What a figure function returned.
    path : str or Path
        Target without extension (``reports/aunis/figures/carte_icm``); an extension among
        ``.png``, ``.svg``, ``.pdf`` is replaced.
    formats : sequence of {'png', 'svg', 'pdf'}
    size : {'slide', 'a4', 'a4_paysage', 'square'} or (width, height), optional
        Size in inches of the saved figure; the figure's own size by default.
    dpi : int or sequence of int
        PNG resolution(s): the first is written as ``<name>.png``, the others as
        ``<name>_<dpi>dpi.png`` (default 150 and 300 dpi).
    svg_text : {'path', 'text'}
        SVG text as outlines (same look everywhere) or as editable text (DejaVu Sans needed).

    Examples
    --------
    >>> import tempfile, matplotlib.pyplot as plt
    >>> from cls_analysis.viz.figure import layout
    >>> figure, axes = plt.subplots()
    >>> _ = layout(axes, title="Essai", source="Source : essai")
    >>> [p.name for p in save(figure, tempfile.mkdtemp() + "/essai", formats=("png", "svg"))]
    ['essai.png', 'essai_300dpi.png', 'essai.svg']
    >>> plt.close(figure)
    """
    figure = _figure(fig)
    target = Path(path)
    if target.suffix.lower() in {".png", ".svg", ".pdf"}:
        target = target.with_suffix("")
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise ClsAnalysisError(
            f"Format(s) de fichier inconnu(s) : {', '.join(unknown) or 'aucun'} ; formats possibles : "
            f"{', '.join(FORMATS)}."
        )
    resolutions = [int(dpi)] if isinstance(dpi, (int, float)) else [int(d) for d in dpi]
    if not resolutions or min(resolutions) < 50:
        raise ClsAnalysisError(f"Résolution invalide : {dpi} (au moins 50 dpi ; 150 et 300 conseillés).")
    if svg_text not in ("path", "text"):
        raise ClsAnalysisError(f"svg_text = « {svg_text} » : choisissez path ou text.")
    state = getattr(figure, "_cls_state", None)
    original = tuple(figure.get_size_inches())
    wanted = figure_size(size) if size is not None else original
    resized = tuple(round(v, 4) for v in wanted) != tuple(round(v, 4) for v in original)
    if resized:
        figure.set_size_inches(*wanted)
        if state is not None:
            state.render()
    written: list[Path] = []
    try:
        for fmt in formats:
            outputs = ([(target.with_name(target.name + ".png"), resolutions[0])]
                       + [(target.with_name(f"{target.name}_{d}dpi.png"), d) for d in resolutions[1:]]
                       if fmt == "png" else [(target.with_name(f"{target.name}.{fmt}"), resolutions[0])])
            for out, resolution in outputs:
                with atomic_path(out) as temporary, mpl.rc_context(
                        {"svg.fonttype": "none" if svg_text == "text" else "path"}):
                    figure.savefig(temporary, format=fmt, dpi=resolution, metadata=_METADATA[fmt],
                                   facecolor="white")
                    os.chmod(temporary, _FILE_MODE)  # a temporary file is private; a figure is not
                written.append(out)
    finally:
        if resized:
            figure.set_size_inches(*original)
            if state is not None:
                state.render()
    return written
