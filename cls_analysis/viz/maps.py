"""Reference map of a territory: its communes, their names and population.

This is the first map of every diagnostic (chapter « Territoire »): communes in Lambert-93,
neighbouring communes in grey for context, the territory's outline, commune names without
overlaps, population as proportional circles (a count is never drawn as a choropleth), scale
bar, north arrow, source line.
"""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.lines import Line2D

from cls_analysis.errors import ClsAnalysisError
from cls_analysis.viz.fmt import format_count
from cls_analysis.viz.labels import place_labels
from cls_analysis.viz.theme import PALETTE, add_footer, apply_theme

__all__ = ["add_north_arrow", "add_scale_bar", "commune_map"]


def _nice_length(span: float) -> float:
    """A round scale-bar length close to a fifth of ``span`` (metres)."""
    target = span / 5
    magnitude = 10 ** np.floor(np.log10(target))
    for step in (1, 2, 5, 10):
        if step * magnitude >= target:
            return float(step * magnitude)
    return float(10 * magnitude)


def add_scale_bar(ax) -> None:
    """Scale bar in kilometres at the bottom left of a map in metres."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    length = _nice_length(x1 - x0)
    x = x0 + 0.04 * (x1 - x0)
    y = y0 + 0.04 * (y1 - y0)
    ax.plot([x, x + length], [y, y], color="#1a1a1a", linewidth=2.5, solid_capstyle="butt", zorder=8)
    label = f"{length / 1000:g}".replace(".", ",") + " km"
    ax.text(x + length / 2, y + 0.012 * (y1 - y0), label, ha="center", va="bottom", fontsize=8, zorder=8)


def add_north_arrow(ax) -> None:
    """North arrow at the top right of a map."""
    ax.annotate(
        "N",
        xy=(0.95, 0.95),
        xytext=(0.95, 0.86),
        xycoords="axes fraction",
        ha="center",
        va="center",
        fontsize=10,
        fontweight="bold",
        arrowprops={"arrowstyle": "-|>", "color": "#1a1a1a", "linewidth": 1.2},
        zorder=8,
    )


def commune_map(territory, *, title: str | None = None, source: str | None = None,
                population_label: str | None = None, demo: bool = False, max_labels: int = 25,
                figsize: tuple[float, float] = (10, 5.625)):
    """Map of the communes of a territory with their population.

    Parameters
    ----------
    territory : Territory
    title : str, optional
        Default: ``Les communes de <territoire>``.
    source : str, optional
        Source line; by default the geography's source.
    population_label : str, optional
        Legend title of the circles; by default the territory's population label.
    demo : bool
        Add « Données fictives de démonstration ».
    max_labels : int
        At most this many names, the most populated first, none overlapping.

    Returns
    -------
    matplotlib.figure.Figure
    """
    communes = territory.communes
    if communes.geometry.isna().all() or communes.geometry.is_empty.all():
        raise ClsAnalysisError(
            f"Le territoire « {territory.name} » n'a aucune géométrie de commune : fournissez les "
            "contours (géographie intégrée ou ADMIN EXPRESS) pour dessiner la carte."
        )
    apply_theme()
    fig, ax = plt.subplots(figsize=figsize)
    fig.subplots_adjust(left=0.02, right=0.72, top=0.9, bottom=0.1)
    neighbours = territory.neighbours()
    if not neighbours.empty:
        neighbours.plot(ax=ax, color=PALETTE["context"], edgecolor=PALETTE["context_edge"], linewidth=0.6)
    communes.plot(ax=ax, color="#e8f1f8", edgecolor="#7f9db9", linewidth=0.7, zorder=2)
    territory.boundary.plot(ax=ax, facecolor="none", edgecolor=PALETTE["outline"], linewidth=1.6, zorder=3)

    minx, miny, maxx, maxy = territory.boundary.total_bounds
    pad = 0.08 * max(maxx - minx, maxy - miny)
    ax.set_xlim(minx - pad, maxx + pad)
    ax.set_ylim(miny - pad, maxy + pad)
    ax.set_aspect("equal")
    ax.set_axis_off()

    points = communes.geometry.representative_point()
    population = communes["population"].to_numpy(dtype=float)
    known = np.isfinite(population)
    if known.any():
        largest = np.nanmax(population)
        max_area = 900.0  # points², for the largest commune
        sizes = np.where(known, max_area * population / largest, 0.0)
        ax.scatter(points.x[known], points.y[known], s=sizes[known], color=PALETTE["territory"],
                   alpha=0.55, edgecolor="white", linewidth=0.6, zorder=4)
        handles = []
        for value in _legend_values(largest):
            handles.append(Line2D([], [], linestyle="none", marker="o", markersize=np.sqrt(max_area * value / largest),
                                  markerfacecolor=PALETTE["territory"], alpha=0.55, markeredgecolor="white",
                                  label=format_count(value)))
        legend_title = textwrap.fill(population_label or territory.population_label, 28)
        legend = ax.legend(handles=handles, title=legend_title,
                           loc="upper left", bbox_to_anchor=(1.01, 0.9), frameon=False,
                           labelspacing=1.6, borderpad=1.2, title_fontsize=8, fontsize=8)
        legend._legend_box.align = "left"
    names = communes["name"].tolist()
    priority = np.where(known, population, 0.0)
    place_labels(ax, points.x.to_numpy(), points.y.to_numpy(), names, priority, max_labels=max_labels)
    add_scale_bar(ax)
    add_north_arrow(ax)
    fig.suptitle(title or f"Les communes de {territory.name}", x=0.02, y=0.97, ha="left",
                 fontsize=13, fontweight="bold")
    fig.text(0.02, 0.915, f"{len(communes)} communes, COG {territory.cog_year} ; "
             "communes voisines en gris", fontsize=9, color="#444444")
    add_footer(fig, source or f"Source : {territory.geography.source}", demo=demo)
    return fig


def _legend_values(largest: float) -> list[float]:
    """Three round population values for the circle legend."""
    top = float(f"{largest:.1g}")
    if top > largest:
        top = float(f"{largest:.2g}")
    return [v for v in (top, top / 4, top / 16) if v >= 1]
