"""Map legends built as boxes of groups: classes, statuses, hatching, nested circles.

A legend is a list of groups (each a title, entries and an optional note); :func:`build_legend`
stacks them in a column (legend on the right of a map) or in a row (below a portrait map).
Every entry is drawn exactly as on the map (face, hatch, hatch colour, edge).
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field

import numpy as np
from matplotlib.colors import to_rgb
from matplotlib.lines import Line2D
from matplotlib.offsetbox import DrawingArea, HPacker, TextArea, VPacker
from matplotlib.patches import Circle, Rectangle
from matplotlib.text import Text

__all__ = ["CircleGroup", "LegendEntry", "LegendGroup", "build_legend"]

SWATCH_W, SWATCH_H = 20.0, 11.0
FONT_SIZE = 7.5
TITLE_SIZE = 8.0


@dataclass
class LegendEntry:
    """One line of a legend: a swatch and its label."""

    label: str
    facecolor: str = "none"
    edgecolor: str = "#7a7a7a"
    hatch: str | None = None
    hatchcolor: str | None = None
    linewidth: float = 0.5
    kind: str = "patch"  # patch | line | cross
    linestyle: object = "-"


@dataclass
class LegendGroup:
    """A titled list of entries, with an optional note under it."""

    title: str | None
    entries: list[LegendEntry] = field(default_factory=list)
    note: str | None = None


@dataclass
class CircleGroup:
    """Nested circles of a proportional-symbol map.

    ``radii`` are in points, ``labels`` the French values, largest first.
    """

    title: str | None
    radii: list[float]
    labels: list[str]
    facecolor: str
    edgecolor: str = "#ffffff"
    alpha: float = 0.8
    note: str | None = None


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width, break_on_hyphens=False)) if text else text


def _swatch(entry: LegendEntry) -> DrawingArea:
    area = DrawingArea(SWATCH_W, SWATCH_H, 0, 0, clip=False)
    if entry.kind == "cross":
        area.add_artist(Line2D([SWATCH_W / 2], [SWATCH_H / 2], marker="x", markersize=5,
                               color=entry.edgecolor, linewidth=0, markeredgewidth=0.9))
        return area
    if entry.kind == "line":
        area.add_artist(Line2D([0, SWATCH_W], [SWATCH_H / 2] * 2, color=entry.edgecolor,
                               linewidth=max(entry.linewidth, 1.0), linestyle=entry.linestyle))
        return area
    patch = Rectangle((0, 0), SWATCH_W, SWATCH_H, facecolor=entry.facecolor,
                      edgecolor=entry.edgecolor, linewidth=entry.linewidth, hatch=entry.hatch)
    if entry.hatchcolor:
        patch.set_hatchcolor(entry.hatchcolor)
    area.add_artist(patch)
    return area


def _group_box(group: LegendGroup, width: int) -> VPacker:
    children = []
    if group.title:
        children.append(TextArea(_wrap(group.title, width),
                                 textprops={"fontsize": TITLE_SIZE, "fontweight": "bold",
                                            "color": "#1a1a1a"}))
    rows = []
    for entry in group.entries:
        label = TextArea(_wrap(entry.label, width - 4), textprops={"fontsize": FONT_SIZE, "color": "#1a1a1a"})
        rows.append(HPacker(children=[_swatch(entry), label], align="center", pad=0, sep=5))
    if rows:
        children.append(VPacker(children=rows, align="left", pad=0, sep=3))
    if group.note:
        children.append(TextArea(_wrap(group.note, width),
                                 textprops={"fontsize": FONT_SIZE - 0.5, "color": "#555555",
                                            "style": "italic"}))
    return VPacker(children=children, align="left", pad=0, sep=4)


def _circle_box(group: CircleGroup, width: int) -> VPacker:
    rmax = max(group.radii) if group.radii else 0.0
    text_w = max((len(t) for t in group.labels), default=1) * FONT_SIZE * 0.62
    gap = 8.0
    area = DrawingArea(2 * rmax + gap + text_w + 4, 2 * rmax + 2, 0, 0, clip=False)
    last_y = None
    # The map's translucent circles over a light ground, as one opaque colour (no stacking).
    rgb = np.array(to_rgb(group.facecolor))
    fill = tuple(group.alpha * rgb + (1 - group.alpha) * np.array(to_rgb("#f7f7f5")))
    for radius, label in zip(group.radii, group.labels, strict=True):
        top = 2 * radius + 1
        area.add_artist(Circle((rmax, radius + 1), radius, facecolor=fill, edgecolor=group.edgecolor,
                               linewidth=0.8))
        if last_y is not None and last_y - top < FONT_SIZE * 1.05:
            continue  # too close to the label above: the circle speaks for itself
        area.add_artist(Line2D([rmax, 2 * rmax + gap - 2], [top, top], color="#4d4d4d", linewidth=0.5))
        area.add_artist(Text(2 * rmax + gap, top, label, fontsize=FONT_SIZE, va="center",
                             ha="left", color="#1a1a1a"))
        last_y = top
    children = []
    if group.title:
        children.append(TextArea(_wrap(group.title, width),
                                 textprops={"fontsize": TITLE_SIZE, "fontweight": "bold"}))
    children.append(area)
    if group.note:
        children.append(TextArea(_wrap(group.note, width),
                                 textprops={"fontsize": FONT_SIZE - 0.5, "color": "#555555",
                                            "style": "italic"}))
    return VPacker(children=children, align="left", pad=0, sep=5)


def build_legend(groups, *, orientation: str = "vertical", width_chars: int = 34):
    """Stack legend groups into one box (``vertical``: a column; ``horizontal``: a row)."""
    boxes = []
    for group in groups:
        if isinstance(group, CircleGroup):
            boxes.append(_circle_box(group, width_chars))
        else:
            boxes.append(_group_box(group, width_chars))
    if not boxes:
        return None
    if orientation == "horizontal":
        return HPacker(children=boxes, align="top", pad=0, sep=18)
    return VPacker(children=boxes, align="left", pad=0, sep=11)
