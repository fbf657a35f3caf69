"""The frame of every figure: title, subtitle, legend panel, footer lines, demo notice.

A figure built by :mod:`cls_analysis.viz` carries a :class:`FigureState` (``fig._cls_state``)
that knows what goes around its content. Margins are kept in inches, not in fractions: the
same figure saved at another size (slide, A4, square) is laid out again — title wrapped to the
new width, map legend moved from the right to below a portrait map, axes placed in what is
left — instead of being stretched. :func:`layout` is the one public entry point (after mapsf's
``mf_layout``): it sets the title, the source line, ``Champ :``, ``Lecture :``, a note, the
scale bar and the north arrow of a map.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.offsetbox import AnchoredOffsetbox
from matplotlib.transforms import Bbox

from cls_analysis.errors import ClsAnalysisError
from cls_analysis.viz.theme import DEMO_NOTICE, PALETTE, SIZES, apply_theme, check_font

__all__ = ["FigureState", "figure_size", "get_state", "layout", "new_figure"]

MARGIN = 0.2  # inches around everything
TITLE_PT, SUBTITLE_PT, FOOTER_PT, DEMO_PT = 13.0, 9.0, 7.5, 8.5
_KEEP = object()


def figure_size(size: str | tuple[float, float]) -> tuple[float, float]:
    """Inches of a named size (``slide``, ``a4``, ``a4_paysage``, ``square``) or a pair."""
    if isinstance(size, str):
        if size not in SIZES:
            raise ClsAnalysisError(
                f"Format de figure inconnu : « {size} » ; formats possibles : {', '.join(SIZES)} "
                "ou un couple (largeur, hauteur) en pouces."
            )
        return SIZES[size]
    width, height = size
    return float(width), float(height)


def _chars(width_in: float, points: float) -> int:
    """How many characters of a DejaVu Sans line fit in ``width_in`` inches."""
    return max(12, int(width_in * 72 / (points * 0.60)))


def _wrap(text: str, width: int) -> list[str]:
    lines: list[str] = []
    for paragraph in str(text).split("\n"):
        lines.extend(textwrap.wrap(paragraph, width, break_on_hyphens=False) or [""])
    return lines


@dataclass
class _Slot:
    ax: Axes
    rect: tuple[float, float, float, float]  # fractions of the content box (x0, y0, x1, y1)
    pad: tuple[float, float, float, float]  # inches inside: left, bottom, right, top
    max_height: float | None = None  # inches; a taller slot keeps its top, shrinks its bottom


@dataclass
class FigureState:
    """What surrounds the content of a figure; :meth:`render` draws it for the current size."""

    fig: Figure
    kind: str = "chart"  # chart | map
    title: str | None = None
    subtitle: str | None = None
    source: str | None = None
    champ: str | None = None
    lecture: str | None = None
    note: str | None = None
    credits: str | None = None
    demo: bool = False
    scale_bar: bool = False
    north_arrow: bool = False
    legend_groups: list = field(default_factory=list)
    legend_position: str = "auto"  # auto | right | bottom | none
    legend_width: float = 2.55  # inches, legend on the right
    top_extra: float = 0.0  # inches reserved above the axes
    chart_legend: dict | None = None  # handles (and fontsize, gap, max_columns) of a chart
    map_ax: Axes | None = None
    slots: list[_Slot] = field(default_factory=list)
    _artists: list = field(default_factory=list)
    _box: tuple[float, float, float, float] = (0.0, 0.0, 1.0, 1.0)  # content box, inches l b r t
    _decor: list = field(default_factory=list)
    _extents: dict = field(default_factory=dict)
    _insets: dict = field(default_factory=dict)
    _reserve_left: dict = field(default_factory=dict)
    insets: list = field(default_factory=list)

    # ----------------------------------------------------------------- axes
    def add_axes(self, rect=(0.0, 0.0, 1.0, 1.0), pad=(0.0, 0.0, 0.0, 0.0),
                 max_height: float | None = None, **kwargs) -> Axes:
        """A new axes placed in ``rect`` (fractions of the content box), ``pad`` inches inside."""
        ax = self.fig.add_axes((0, 0, 1, 1), **kwargs)
        self.place(ax, rect, pad, max_height)
        return ax

    def place(self, ax: Axes, rect=(0.0, 0.0, 1.0, 1.0), pad=(0.0, 0.0, 0.0, 0.0),
              max_height: float | None = None) -> None:
        slot = _Slot(ax, tuple(rect), tuple(pad), max_height)
        self.slots = [s for s in self.slots if s.ax is not ax] + [slot]
        ax.set_axes_locator(lambda _ax, _renderer, slot=slot: self._locate(slot))

    def _locate(self, slot: _Slot) -> Bbox:
        width, height = self.fig.get_size_inches()
        left, bottom, right, top = self._box
        x0, y0, x1, y1 = slot.rect
        pl, pb, pr, pt = slot.pad
        l_in = left + (right - left) * x0 + pl
        r_in = left + (right - left) * x1 - pr
        b_in = bottom + (top - bottom) * y0 + pb
        t_in = bottom + (top - bottom) * y1 - pt
        r_in, t_in = max(r_in, l_in + 0.1), max(t_in, b_in + 0.1)
        if slot.max_height is not None and t_in - b_in > slot.max_height:
            b_in = t_in - slot.max_height
        if slot.ax in self._extents:  # a map: widen its area to the shape of the frame
            self._fit_extent(slot.ax, (r_in - l_in) / (t_in - b_in))
            for inset, (_x0, _y0, w, h) in self._insets.get(slot.ax, []):
                self._fit_extent(inset, (w * (r_in - l_in)) / (h * (t_in - b_in)))
        return Bbox.from_extents(l_in / width, b_in / height, r_in / width, t_in / height)

    def axes_inches(self, ax: Axes) -> tuple[float, float]:
        """Width and height in inches of a placed axes, as laid out for the current size."""
        width, height = self.fig.get_size_inches()
        for slot in self.slots:
            if slot.ax is ax:
                box = self._locate(slot)
                return box.width * width, box.height * height
        position = ax.get_position()
        return position.width * width, position.height * height

    def _fit_extent(self, ax: Axes, box_ratio: float) -> None:
        """Limits showing the map's area at the frame's shape, right of a column of insets."""
        minx, miny, maxx, maxy = self._extents[ax]
        reserve = self._reserve_left.get(ax, 0.0)
        cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
        w, h = maxx - minx, maxy - miny
        content_ratio = box_ratio * (1 - reserve)
        if w / h < content_ratio:
            w = h * content_ratio
        else:
            h = w / content_ratio
        total = w / (1 - reserve)
        left = cx - w / 2 - reserve * total
        ax.set_xlim(left, left + total)
        ax.set_ylim(cy - h / 2, cy + h / 2)

    def set_extent(self, ax: Axes, extent) -> None:
        """The area a map axes must show; the frame's shape may widen it, never crop it."""
        self._extents[ax] = tuple(float(v) for v in extent)
        self._reset_extent(ax)

    def add_inset(self, parent: Axes, rect, extent) -> Axes:
        """An inset map in ``rect`` (fractions of ``parent``) showing at least ``extent``."""
        inset = parent.inset_axes(rect)
        inset.set_aspect("equal", adjustable="box")
        self._reserve_left[parent] = max(self._reserve_left.get(parent, 0.0), rect[0] + rect[2] + 0.02)
        self._insets.setdefault(parent, []).append((inset, tuple(rect)))
        self.insets.append(inset)
        self.set_extent(inset, extent)
        return inset

    def _reset_extent(self, ax: Axes) -> None:
        minx, miny, maxx, maxy = self._extents[ax]
        ax.set_xlim(minx, maxx)
        ax.set_ylim(miny, maxy)

    # ----------------------------------------------------------------- drawing
    def _text(self, x_in: float, y_in: float, text: str, **style):
        width, height = self.fig.get_size_inches()
        artist = self.fig.text(x_in / width, y_in / height, text, **style)
        self._artists.append(artist)
        return artist

    def render(self) -> None:
        """(Re)draw title, footer, legend, scale bar and north arrow for the current size."""
        for artist in self._artists:
            artist.remove()
        self._artists = []
        width, height = (float(v) for v in self.fig.get_size_inches())
        usable = width - 2 * MARGIN

        # Demo notice: top right, red; on its own line when the title needs the full width.
        y = height - MARGIN
        if self.demo:
            self._text(width - MARGIN, y + 0.04, DEMO_NOTICE, fontsize=DEMO_PT,
                       fontweight="bold", color=PALETTE["demo"], ha="right", va="top")
            demo_w = len(DEMO_NOTICE) * DEMO_PT * 0.62 / 72 + 0.3
            title_chars = _chars(usable, TITLE_PT * 1.08)
            if self.title and len(_wrap(self.title, _chars(usable - demo_w, TITLE_PT * 1.08))) > len(
                    _wrap(self.title, title_chars)):
                y -= DEMO_PT * 1.5 / 72
            else:
                title_chars = _chars(usable - demo_w, TITLE_PT * 1.08)
        else:
            title_chars = _chars(usable, TITLE_PT * 1.08)

        # Title and subtitle, top left.
        if self.title:
            lines = _wrap(self.title, title_chars)
            self._text(MARGIN, y, "\n".join(lines), fontsize=TITLE_PT, fontweight="bold",
                       color=PALETTE["text"], ha="left", va="top", linespacing=1.15)
            y -= len(lines) * TITLE_PT * 1.32 / 72
        if self.subtitle:
            y -= 0.04
            lines = _wrap(self.subtitle, _chars(usable, SUBTITLE_PT))
            self._text(MARGIN, y, "\n".join(lines), fontsize=SUBTITLE_PT, color="#444444",
                       ha="left", va="top", linespacing=1.2)
            y -= len(lines) * SUBTITLE_PT * 1.4 / 72
        top = y - 0.12 - self.top_extra

        # A chart's legend: a row (or a few) above the axes, as many columns as fit.
        if self.chart_legend is not None:
            handles = self.chart_legend["handles"]
            size = self.chart_legend.get("fontsize", 7.5)
            item_w = max(len(h.get_label()) for h in handles) * size * 0.6 / 72 + 0.55
            ncol = max(1, min(len(handles), self.chart_legend.get("max_columns", 4),
                              int(usable // item_w)))
            rows = -(-len(handles) // ncol)
            legend_h = rows * size * 1.65 / 72
            legend = self.fig.legend(handles=handles, loc="upper left", ncol=ncol, fontsize=size,
                                     frameon=False, borderaxespad=0, borderpad=0,
                                     handlelength=self.chart_legend.get("handlelength", 2.0),
                                     columnspacing=1.2,
                                     bbox_to_anchor=(MARGIN / width, (top + 0.02) / height))
            self._artists.append(legend)
            top -= legend_h + 0.1 + self.chart_legend.get("gap", 0.0)

        # Footer, bottom left: Champ, Lecture, Note, Source, Fond de carte.
        footer = []
        if self.champ:
            footer.append(self.champ if self.champ.startswith("Champ") else f"Champ : {self.champ}")
        if self.lecture:
            footer.append(self.lecture if self.lecture.startswith("Lecture") else f"Lecture : {self.lecture}")
        if self.note:
            footer.append(self.note)
        if self.source:
            footer.append(self.source if self.source.startswith("Source") else f"Source : {self.source}")
        if self.credits:
            footer.append(self.credits)
        lines = []
        for item in footer:
            lines.extend(_wrap(item, _chars(usable, FOOTER_PT)))
        line_h = FOOTER_PT * 1.35 / 72
        for i, line in enumerate(reversed(lines)):
            self._text(MARGIN, MARGIN * 0.6 + i * line_h, line, fontsize=FOOTER_PT, color="#333333",
                       ha="left", va="bottom")
        bottom = MARGIN * 0.6 + len(lines) * line_h + (0.12 if lines else 0.05)

        # Legend panel of a map.
        left, right = MARGIN, width - MARGIN
        position = self._legend_position(width, height)
        if self.legend_groups and position != "none":
            from cls_analysis.viz.legend import build_legend

            horizontal = position == "bottom"
            chars = _chars(self.legend_width - 0.1, 7.5) if not horizontal else 30
            box = build_legend(self.legend_groups, orientation="horizontal" if horizontal else "vertical",
                               width_chars=chars)
            holder = AnchoredOffsetbox(loc="upper left", child=box, pad=0, borderpad=0, frameon=False,
                                       bbox_to_anchor=(0, 1), bbox_transform=self.fig.transFigure)
            self.fig.add_artist(holder)
            self._artists.append(holder)
            renderer = self.fig.canvas.get_renderer()
            extent = box.get_bbox(renderer)
            box_w, box_h = extent.width / 72 * 72 / self.fig.dpi, extent.height / self.fig.dpi
            if horizontal:
                anchor = (MARGIN / width, (bottom + box_h) / height)
                bottom += box_h + 0.15
            else:
                legend_w = max(self.legend_width, min(box_w + 0.15, width * 0.42))
                right = width - MARGIN - legend_w
                anchor = ((right + 0.15) / width, top / height)
            holder.set_bbox_to_anchor(anchor, transform=self.fig.transFigure)
        self._box = (left, bottom, right, top)

        # Maps start again from the area they must show (the aspect widens it at draw time).
        for ax in self._extents:
            self._reset_extent(ax)

        # Scale bar and north arrow of a map.
        for artist in self._decor:
            artist.remove()
        self._decor = []
        if self.map_ax is not None:
            from cls_analysis.viz.mapparts import NorthArrow, ScaleBar

            if self.scale_bar:
                self._decor.append(self.map_ax.add_artist(ScaleBar(self.map_ax)))
            if self.north_arrow:
                self._decor.append(self.map_ax.add_artist(NorthArrow(self.map_ax)))

    def _legend_position(self, width: float, height: float) -> str:
        if self.legend_position != "auto":
            return self.legend_position
        return "right" if width / height >= 1.15 else "bottom"


def new_figure(kind: str = "chart", size: str | tuple[float, float] = "slide") -> FigureState:
    """A new figure at ``size`` with its :class:`FigureState` (``state.fig``)."""
    apply_theme()
    check_font()
    fig = plt.figure(figsize=figure_size(size))
    state = FigureState(fig=fig, kind=kind)
    fig._cls_state = state
    return state


def get_state(obj) -> FigureState:
    """The :class:`FigureState` of a figure or axes; one is created for foreign figures."""
    fig = obj if isinstance(obj, Figure) else getattr(obj, "figure", None)
    if fig is None:
        raise ClsAnalysisError(
            f"layout() attend une figure ou des axes matplotlib, reçu {type(obj).__name__}."
        )
    fig = fig.get_figure(root=True) if hasattr(fig, "get_figure") else fig
    state = getattr(fig, "_cls_state", None)
    if state is None:
        state = FigureState(fig=fig)
        fig._cls_state = state
        for ax in fig.axes:
            state.place(ax, pad=(0.55, 0.45, 0.1, 0.1))
    return state


def layout(ax, *, title=_KEEP, subtitle=_KEEP, source=_KEEP, champ=_KEEP, lecture=_KEEP,
           note=_KEEP, credits=_KEEP, scale_bar: bool | None = None, north_arrow: bool | None = None,
           demo: bool | None = None, legend_position: str | None = None):
    """Title, credits, scale bar and north arrow of a figure (after mapsf's ``mf_layout``).

    Every figure function already calls it with defaults drawn from the catalogue and the
    results (title = indicator label, source = the catalogue's source); a call overrides what
    it names and keeps the rest. ``None``-like empty strings remove a line.

    Parameters
    ----------
    ax : Axes or Figure
        What a figure function returned.
    title, subtitle : str
        Title (bold, wrapped to the width) and subtitle (zone, period).
    source : str
        Source line, written ``Source : …`` (the prefix is added when absent).
    champ, lecture, note : str
        ``Champ :`` and ``Lecture :`` lines, a free note.
    credits : str
        Last line (a map's « Fond de carte : … »).
    scale_bar, north_arrow : bool
        Draw them on a map (both on by default for maps).
    demo : bool
        Show « Données fictives de démonstration ».
    legend_position : {'auto', 'right', 'bottom', 'none'}
        Where a map's legend goes; ``auto``: right of a wide figure, below a tall one.

    Returns
    -------
    Axes
        ``ax``, for chaining.
    """
    state = get_state(ax)
    for name, value in (("title", title), ("subtitle", subtitle), ("source", source),
                        ("champ", champ), ("lecture", lecture), ("note", note),
                        ("credits", credits)):
        if value is not _KEEP:
            setattr(state, name, value or None)
    if scale_bar is not None:
        state.scale_bar = bool(scale_bar)
    if north_arrow is not None:
        state.north_arrow = bool(north_arrow)
    if demo is not None:
        state.demo = bool(demo)
    if legend_position is not None:
        if legend_position not in {"auto", "right", "bottom", "none"}:
            raise ClsAnalysisError(
                f"legend_position = « {legend_position} » : choisissez auto, right, bottom ou none."
            )
        state.legend_position = legend_position
    if (state.scale_bar or state.north_arrow) and state.map_ax is None:
        raise ClsAnalysisError("Échelle et flèche du nord : réservées aux cartes (pas à ce graphique).")
    state.render()
    return ax
