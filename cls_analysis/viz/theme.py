"""The shared look of every figure: fonts, colours, title, source line, demo notice.

Fonts are DejaVu Sans, shipped with matplotlib itself, so accents and the narrow no-break
space render on a fresh machine without downloading anything.
"""

from __future__ import annotations

import matplotlib as mpl

__all__ = [
    "DEMO_NOTICE",
    "PALETTE",
    "add_footer",
    "apply_theme",
    "figure_text_style",
]

#: Shown on every output built from the fictitious demo data.
DEMO_NOTICE = "Données fictives de démonstration"

#: Colours shared by charts and maps (colour-blind safe, Okabe-Ito based).
PALETTE = {
    "territory": "#0072B2",
    "commune": "#56B4E9",
    "departement": "#E69F00",
    "region": "#009E73",
    "france": "#444444",
    "outline": "#1a1a1a",
    "context": "#d9d9d9",
    "context_edge": "#ffffff",
    "missing": "#f0f0f0",
    "suppressed": "#bdbdbd",
    "zero": "#ffffff",
    "better": "#1b9e77",
    "worse": "#d95f02",
    "similar": "#f2c14e",
    "not judged": "#9e9e9e",
    "demo": "#b2182b",
}


def apply_theme() -> None:
    """Set matplotlib's defaults for every figure of the package."""
    mpl.rcParams.update(
        {
            "font.family": "DejaVu Sans",
            "font.size": 10,
            "axes.titlesize": 13,
            "axes.titleweight": "bold",
            "axes.titlelocation": "left",
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.formatter.use_locale": False,
            "figure.dpi": 100,
            "savefig.dpi": 150,
            "svg.fonttype": "none",
            "pdf.fonttype": 42,
        }
    )


def figure_text_style() -> dict:
    """Style of the footer lines (source, champ, notice)."""
    return {"fontsize": 8, "color": "#333333", "ha": "left", "va": "bottom"}


def add_footer(fig, source: str | None, *, champ: str | None = None, note: str | None = None,
               demo: bool = False) -> None:
    """Write the source line (and ``Champ :``, a note, the demo notice) under a figure.

    Lines are stacked from the bottom-left corner; the figure keeps room for them.
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
