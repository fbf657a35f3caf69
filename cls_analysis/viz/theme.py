"""The shared look of every figure: fonts, colours, sizes, status fills, demo notice.

Fonts are DejaVu Sans, shipped with matplotlib itself, so accents and the narrow no-break
space (U+202F, the French thousands separator) render on a fresh machine without downloading
anything: :func:`check_font` verifies the glyphs are there.

Colours are colour-blind safe: Okabe-Ito for categories (zones, assessments), ColorBrewer
sequential and diverging ramps for classes. The statuses of a result that is not a number
(suppressed, missing, zero) have their own fills, distinct from every class colour and from the
grey of neighbouring communes, and are always named in the legend.
"""

from __future__ import annotations

import functools

import matplotlib as mpl
import numpy as np
from matplotlib.colors import to_hex

__all__ = [
    "ASSESSMENT_COLOURS",
    "CONTEXT_STYLE",
    "DEMO_NOTICE",
    "FONT_FAMILY",
    "PALETTE",
    "SIGNIFICANCE_HATCH",
    "SIZES",
    "STATUS_STYLES",
    "add_footer",
    "apply_theme",
    "check_font",
    "diverging_colours",
    "figure_text_style",
    "sequential_colours",
]

#: Shown on every output built from the fictitious demo data.
DEMO_NOTICE = "Données fictives de démonstration"
#: The one font of every figure (shipped with matplotlib).
FONT_FAMILY = "DejaVu Sans"

#: Figure sizes in inches: slide (16:9), A4 portrait and landscape, square.
SIZES = {
    "slide": (10.24, 5.76),  # 16:9, exactly 1536 × 864 px at 150 dpi
    "a4": (8.27, 11.69),
    "a4_paysage": (11.69, 8.27),
    "square": (7.0, 7.0),
}

#: Colours shared by charts and maps (colour-blind safe, Okabe-Ito based).
PALETTE = {
    "territory": "#0072B2",
    "commune": "#56B4E9",
    "departement": "#E69F00",
    "region": "#009E73",
    "france": "#333333",
    "epci": "#CC79A7",
    "outline": "#1a1a1a",
    "context": "#e3e3e3",
    "context_edge": "#ffffff",
    "land": "#f7f7f5",
    "missing": "#ffffff",
    "suppressed": "#9a9a9a",
    "zero": "#ffffff",
    "better": "#009E73",
    "worse": "#D55E00",
    "similar": "#EBD46E",
    "not judged": "#ffffff",
    "higher": "#0072B2",
    "lower": "#9ecae1",
    "men": "#0072B2",
    "women": "#E69F00",
    "text": "#1a1a1a",
    "muted": "#555555",
    "grid": "#e6e6e6",
    "demo": "#b2182b",
}

#: Fills of assessments (spine chart, bars): better / similar / worse / not judged, and the
#: comparison of indicators without polarity (higher / lower).
ASSESSMENT_COLOURS = {
    key: PALETTE[key] for key in ("better", "similar", "worse", "not judged", "higher", "lower")
}

#: How a zone without a number is drawn on a map (face, hatch, hatch colour).
STATUS_STYLES = {
    "suppressed": {"facecolor": PALETTE["suppressed"], "hatch": None, "hatchcolor": None},
    "missing": {"facecolor": PALETTE["missing"], "hatch": "xxxx", "hatchcolor": "#a0a0a0"},
    "zero": {"facecolor": PALETTE["zero"], "hatch": "....", "hatchcolor": "#7a7a7a"},
}
#: Neighbouring communes drawn for context (never in the legend's classes).
CONTEXT_STYLE = {"facecolor": PALETTE["context"], "edgecolor": PALETTE["context_edge"], "linewidth": 0.5}
#: Hatching of the zones significantly different from the comparator.
SIGNIFICANCE_HATCH = {"hatch": "////", "hatchcolor": "#1a1a1a"}

#: Default sequential ramps by polarity (higher is better, worse, no judgement).
SEQUENTIAL_BY_POLARITY = {"+": "GnBu", "-": "OrRd", "0": "Blues"}
#: Default diverging ramps by polarity: the low end first.
DIVERGING_BY_POLARITY = {"+": "RdBu", "-": "RdBu_r", "0": "PuOr_r"}


def sequential_colours(name: str, k: int) -> list[str]:
    """``k`` colours of a sequential ramp, light to dark, never white (white is « zéro »).

    >>> sequential_colours("Blues", 3)
    ['#ccdff1', '#4f9bcb', '#083c7d']
    """
    cmap = mpl.colormaps[name]
    if k == 1:
        return [to_hex(cmap(0.6))]
    return [to_hex(cmap(x)) for x in np.linspace(0.22, 0.95, k)]


def diverging_colours(name: str, below: int, above: int) -> list[str]:
    """Colours of ``below`` classes under a centre and ``above`` classes over it.

    Intensity grows with the distance to the centre, at the same pace on both sides, so that
    the two classes around the centre are equally light.

    >>> diverging_colours("RdBu_r", 2, 1)
    ['#10457e', '#bddbea', '#facab1']
    """
    cmap = mpl.colormaps[name]
    steps = max(below, above, 1)

    def position(rank: int) -> float:  # rank 1 = nearest the centre
        return 0.13 + 0.33 * (rank - 1) / max(steps - 1, 1) if steps > 1 else 0.25

    low = [to_hex(cmap(0.5 - position(r))) for r in range(below, 0, -1)]
    high = [to_hex(cmap(0.5 + position(r))) for r in range(1, above + 1)]
    return low + high


def apply_theme() -> None:
    """Set matplotlib's defaults for every figure of the package."""
    mpl.rcParams.update(
        {
            "font.family": FONT_FAMILY,
            "font.size": 9,
            "axes.titlesize": 12,
            "axes.titleweight": "bold",
            "axes.titlelocation": "left",
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.edgecolor": "#777777",
            "axes.labelcolor": PALETTE["text"],
            "axes.labelsize": 8.5,
            "xtick.labelsize": 8,
            "ytick.labelsize": 8,
            "xtick.color": "#444444",
            "ytick.color": "#444444",
            "axes.formatter.use_locale": False,
            "axes.unicode_minus": False,
            "figure.dpi": 100,
            "savefig.dpi": 150,
            "svg.fonttype": "none",
            "svg.hashsalt": "cls_analysis",
            "pdf.fonttype": 42,
            "hatch.linewidth": 0.6,
            "legend.frameon": False,
        }
    )


@functools.cache
def check_font() -> str:
    """Path of the figures' font, after checking it has every character they print.

    Raises
    ------
    ClsAnalysisError
        When the font is not DejaVu Sans or lacks a glyph (accents, ``€``, ``–``, ``≥``, the
        no-break and narrow no-break spaces): figures would show empty boxes.
    """
    from matplotlib import font_manager, ft2font

    from cls_analysis.errors import ClsAnalysisError

    path = font_manager.findfont(font_manager.FontProperties(family=FONT_FAMILY), fallback_to_default=False)
    charmap = ft2font.FT2Font(path).get_charmap()
    needed = "éèêàâçôîûùœÉÈÀÇ€–—≥≤±‰²\u00a0\u202f"
    absent = [c for c in needed if ord(c) not in charmap]
    if absent:
        raise ClsAnalysisError(
            f"La police {path} n'a pas les caractères {', '.join(repr(c) for c in absent)} : "
            "réinstallez matplotlib (qui fournit DejaVu Sans)."
        )
    return path


def figure_text_style() -> dict:
    """Style of the footer lines (source, champ, notice)."""
    return {"fontsize": 7.5, "color": "#333333", "ha": "left", "va": "bottom"}


def add_footer(fig, source: str | None, *, champ: str | None = None, note: str | None = None,
               demo: bool = False) -> None:
    """Write the source line (and ``Champ :``, a note, the demo notice) under a figure.

    Kept for figures not built by :mod:`cls_analysis.viz` (the survey charts): the package's own
    figures go through :func:`cls_analysis.viz.layout`. Lines are stacked from the bottom-left
    corner; the figure keeps room for them.
    """
    lines = []
    if champ:
        lines.append(champ if champ.startswith("Champ") else f"Champ : {champ}")
    if note:
        lines.append(note)
    if source:
        lines.append(source if source.startswith("Source") else f"Source : {source}")
    y = 0.01
    for line in reversed(lines):
        fig.text(0.01, y, line, **figure_text_style())
        y += 0.035
    if demo:
        fig.text(0.99, 0.01, DEMO_NOTICE, fontsize=9, color=PALETTE["demo"], ha="right",
                 va="bottom", fontweight="bold")
