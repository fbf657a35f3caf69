"""Parts of a map computed when it is drawn: scale bar, north arrow, names without overlaps.

They are artists that measure the map at draw time (after the axes took its final shape), so a
map saved at another size keeps a round scale-bar length and names that do not overlap.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from matplotlib import patheffects
from matplotlib.artist import Artist
from matplotlib.patches import Polygon, Rectangle
from matplotlib.text import Text
from matplotlib.transforms import Bbox, IdentityTransform, ScaledTranslation

from cls_analysis.viz.fmt import format_number

__all__ = ["LabelLayer", "NorthArrow", "ScaleBar", "nice_length"]

HALO = [patheffects.withStroke(linewidth=2.4, foreground="white")]


def nice_length(span: float) -> float:
    """A round length (1, 2 or 5 × 10ⁿ metres) close to a fifth of ``span``, not above it.

    >>> nice_length(37_000), nice_length(1_100_000)
    (5000.0, 200000.0)
    """
    target = span / 5
    magnitude = 10 ** np.floor(np.log10(target))
    best = magnitude
    for step in (1, 2, 5, 10):
        if step * magnitude <= target * 1.25:
            best = step * magnitude
    return float(best)


class _PixelArtist(Artist):
    """An artist that draws helper artists in pixel coordinates."""

    def __init__(self, ax):
        super().__init__()
        self.ax = ax
        self.set_figure(ax.figure)
        self.set_zorder(9)

    def _draw_parts(self, renderer, parts) -> None:
        for part in parts:
            part.set_figure(self.figure)
            part.draw(renderer)


class ScaleBar(_PixelArtist):
    """Scale bar in kilometres at the bottom left of a map in metres (Lambert-93)."""

    def _geometry(self, renderer):
        box = self.ax.get_window_extent(renderer)
        x0, x1 = self.ax.get_xlim()
        metres_per_px = (x1 - x0) / box.width
        length = nice_length(x1 - x0)
        pt = renderer.points_to_pixels(1.0)
        px0 = box.x0 + 10 * pt
        py0 = box.y0 + 16 * pt
        return px0, py0, length / metres_per_px, 3.2 * pt, length, pt

    def get_window_extent(self, renderer=None):
        renderer = renderer or self.figure.canvas.get_renderer()
        px0, py0, width, height, _length, pt = self._geometry(renderer)
        return Bbox.from_extents(px0 - 6 * pt, py0 - 12 * pt, px0 + width + 28 * pt, py0 + height + 3 * pt)

    def draw(self, renderer):
        if not self.get_visible():
            return
        px0, py0, width, height, length, pt = self._geometry(renderer)
        ident = IdentityTransform()
        parts = [
            Rectangle((px0, py0), width / 2, height, facecolor="#1a1a1a", edgecolor="#1a1a1a",
                      linewidth=0.6, transform=ident),
            Rectangle((px0 + width / 2, py0), width / 2, height, facecolor="white",
                      edgecolor="#1a1a1a", linewidth=0.6, transform=ident),
        ]
        scale, unit = (1000.0, "km") if length >= 1000 else (1.0, "m")

        def number(value: float) -> str:
            return format_number(value, 0 if abs(value - round(value)) < 1e-9 else 1)

        labels = [(px0, "0"), (px0 + width / 2, number(length / 2 / scale)),
                  (px0 + width, f"{number(length / scale)}\u00a0{unit}")]
        for x, text in labels:
            parts.append(Text(x, py0 - 2 * pt, text, fontsize=7, ha="center", va="top",
                              color="#1a1a1a", transform=ident, path_effects=HALO))
        self._draw_parts(renderer, parts)


class NorthArrow(_PixelArtist):
    """A north arrow at the top right of a map (grid north of the projection)."""

    def _geometry(self, renderer):
        box = self.ax.get_window_extent(renderer)
        pt = renderer.points_to_pixels(1.0)
        cx = box.x1 - 14 * pt
        top = box.y1 - 6 * pt
        return cx, top, pt

    def get_window_extent(self, renderer=None):
        renderer = renderer or self.figure.canvas.get_renderer()
        cx, top, pt = self._geometry(renderer)
        return Bbox.from_extents(cx - 9 * pt, top - 34 * pt, cx + 9 * pt, top + 1 * pt)

    def draw(self, renderer):
        if not self.get_visible():
            return
        cx, top, pt = self._geometry(renderer)
        ident = IdentityTransform()
        tip, base = top - 12 * pt, top - 30 * pt
        parts = [
            Text(cx, top, "N", fontsize=9, fontweight="bold", ha="center", va="top",
                 color="#1a1a1a", transform=ident, path_effects=HALO),
            Polygon([(cx, tip), (cx - 5 * pt, base), (cx, base + 5 * pt)], closed=True,
                    facecolor="#1a1a1a", edgecolor="#1a1a1a", linewidth=0.6, transform=ident),
            Polygon([(cx, tip), (cx + 5 * pt, base), (cx, base + 5 * pt)], closed=True,
                    facecolor="white", edgecolor="#1a1a1a", linewidth=0.6, transform=ident),
        ]
        self._draw_parts(renderer, parts)


class LabelLayer(_PixelArtist):
    """Names placed greedily, most important first, never overlapping, inside the map.

    Parameters
    ----------
    ax : Axes
    xs, ys : sequence of float
        Anchor points in data coordinates.
    texts : sequence of str
    priority : sequence of float
        Higher first (population).
    max_labels : int, optional
    offsets : sequence of sequences of (dx, dy, ha, va), optional
        Candidate positions of each label, in points from its anchor (the first that fits is
        used); by default the anchor itself, then just above and just below it.
    obstacles : callable, optional
        ``obstacles(renderer)`` returns pixel boxes labels must avoid (legend, scale bar…).
    radii : sequence of float, optional
        Radius in points of a circle drawn at each anchor (proportional symbols): a label may
        touch its own circle, never another one.
    """

    def __init__(self, ax, xs: Sequence[float], ys: Sequence[float], texts: Sequence[str],
                 priority: Sequence[float], *, max_labels: int | None = None,
                 offsets: Sequence[Sequence[tuple]] | None = None,
                 obstacles: Callable | None = None, radii: Sequence[float] | None = None,
                 fontsize: float = 7.0, **style):
        super().__init__(ax)
        self.set_zorder(7)
        self.xs, self.ys, self.texts = list(xs), list(ys), list(texts)
        self.priority = np.nan_to_num(np.asarray(priority, dtype=float), nan=-1.0)
        self.max_labels = max_labels
        default = [(0, 0, "center", "center"), (0, 7, "center", "bottom"), (0, -7, "center", "top")]
        self.offsets = list(offsets) if offsets is not None else [default] * len(self.texts)
        self.obstacles = obstacles
        self.radii = np.zeros(len(self.texts)) if radii is None else np.asarray(radii, dtype=float)
        self.style = {"fontsize": fontsize, "color": "#1a1a1a"}
        self.style.update(style)
        self.placed: list[str] = []

    def draw(self, renderer):
        if not self.get_visible():
            return
        frame = self.ax.get_window_extent(renderer)
        blocked = [b for b in (self.obstacles(renderer) if self.obstacles else [])]
        boxes: list[Bbox] = []
        self.placed = []
        centres = self.ax.transData.transform(np.column_stack([self.xs, self.ys])) if self.texts else []
        scale = renderer.points_to_pixels(1.0)
        circles = [
            Bbox.from_extents(cx - r * scale, cy - r * scale, cx + r * scale, cy + r * scale)
            if r > 0 else None
            for (cx, cy), r in zip(centres, self.radii, strict=True)
        ]
        for i in np.argsort(-self.priority, kind="stable"):
            if self.max_labels is not None and len(self.placed) >= self.max_labels:
                break
            for dx, dy, ha, va in self.offsets[i]:
                shift = ScaledTranslation(dx / 72, dy / 72, self.figure.dpi_scale_trans)
                label = Text(self.xs[i], self.ys[i], self.texts[i], ha=ha, va=va,
                             transform=self.ax.transData + shift, **self.style)
                label.set_figure(self.figure)
                box = label.get_window_extent(renderer).expanded(1.06, 1.2)
                inside = (box.x0 >= frame.x0 and box.x1 <= frame.x1 and box.y0 >= frame.y0
                          and box.y1 <= frame.y1)
                if not inside or any(box.overlaps(b) for b in boxes + blocked):
                    continue
                if any(c is not None and j != i and box.overlaps(c) for j, c in enumerate(circles)):
                    continue
                # The halo is a separate stroked copy, so the name itself stays text in SVG/PDF.
                halo = Text(self.xs[i], self.ys[i], self.texts[i], ha=ha, va=va,
                            transform=self.ax.transData + shift,
                            path_effects=[patheffects.Stroke(linewidth=2.4, foreground="white")],
                            **self.style)
                halo.set_figure(self.figure)
                halo.draw(renderer)
                label.draw(renderer)
                boxes.append(box)
                self.placed.append(self.texts[i])
                break
