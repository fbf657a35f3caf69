"""Charts: age pyramid, comparison bars with intervals, spine chart of a CLS axis, trends.

Each function takes the long results (or observations) table, reads labels, units, decimals
and polarity from the catalogue (keyword overrides win), draws in the shared theme, calls
:func:`~cls_analysis.viz.figure.layout` with a title, a subtitle and the source line, and
returns the main axes. Zones without a number are shown as such (« non diffusé »,
« donnée manquante »), never dropped.
"""

from __future__ import annotations

import re
import textwrap
import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.collections import PolyCollection
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from cls_analysis.errors import ClsAnalysisError
from cls_analysis.viz.data import (
    check_columns,
    indicator_rows,
    is_demo,
    latest_period,
    period_key,
    resolve_meta,
    sex_text,
    status_label,
)
from cls_analysis.viz.figure import layout, new_figure
from cls_analysis.viz.fmt import (
    ASSESSMENT_LABELS,
    COMPARISON_LABELS,
    format_age_band,
    format_number,
    format_percent,
    format_unit,
    format_value,
    plural,
    tick_formatter,
)
from cls_analysis.viz.mapparts import HALO
from cls_analysis.viz.theme import ASSESSMENT_COLOURS, PALETTE

__all__ = ["compare_bars", "pyramid", "spine", "trend"]

LEVEL_STYLES = {
    "departement": {"color": PALETTE["departement"], "linestyle": (0, (5, 2)), "linewidth": 1.4},
    "region": {"color": PALETTE["region"], "linestyle": (0, (6, 2, 1.5, 2)), "linewidth": 1.4},
    "france": {"color": PALETTE["france"], "linestyle": "-", "linewidth": 1.4},
    "epci": {"color": PALETTE["epci"], "linestyle": (0, (2, 1.5)), "linewidth": 1.3},
}
LEVEL_WORDS = {"departement": "département", "region": "région", "france": "France"}


# ---------------------------------------------------------------------------- shared
def _source(meta: dict, source: str | None, period: str | None = None) -> str:
    if source:
        return source
    text = meta.get("source") or "non précisée"
    return f"Source : {text}" + (f" ({period})" if period else "")


def _label_with_unit(meta: dict) -> str:
    unit = format_unit(meta["unit"])
    label = meta["short_label"]
    if unit and unit not in label and f"({meta['unit']})" not in label:
        return f"{label} ({unit})"
    return label


def _comparator_rows(rows: pd.DataFrame, territory, levels: Sequence[str]) -> list[pd.Series]:
    """One row per comparator level: the territory's own département, région and France.

    Without a territory, a level is kept only when the results hold a single zone of it (or
    France métropolitaine among several France rows): picking « the first département » of a
    national table would be a wrong comparator.
    """
    found = []
    for level in levels:
        candidates = rows.loc[rows["zone_type"] == level]
        if candidates.empty:
            continue
        if territory is not None:
            wanted = territory.comparators.loc[territory.comparators["zone_type"] == level, "zone_code"]
            own = candidates.loc[candidates["zone_code"].isin(set(wanted))]
            if level == "france" and own.empty:
                own = candidates
            candidates = own
        elif candidates["zone_code"].nunique() > 1:
            if level != "france":
                continue
            metro = candidates.loc[candidates["zone_code"] == "FRM"]
            candidates = metro if not metro.empty else candidates
        if candidates.empty:
            continue
        found.append(candidates.iloc[0])
    return found


def _territory_row(rows: pd.DataFrame, territory) -> pd.Series | None:
    found = rows.loc[rows["zone_type"] == "territory"]
    if territory is not None:
        own = found.loc[found["zone_code"] == str(territory.code)]
        found = own if not own.empty else found.loc[found["zone_name"].astype(str) == territory.name] \
            if "zone_name" in found.columns else own
    return None if found.empty else found.iloc[0]


def _tag(row: pd.Series, kind: str) -> pd.Series:
    tagged = row.copy()
    tagged["_kind"] = kind
    return tagged


def _name(row: pd.Series) -> str:
    name = row.get("zone_name")
    return str(name) if name is not None and pd.notna(name) else str(row["zone_code"])


def _status_text(status: str, meta: dict, note: object = None) -> str:
    return status_label(status, meta, [note])


def _judgement_colour(row: pd.Series, polarity: str) -> tuple[str, str]:
    """Colour and legend key of a zone's comparison with its comparator."""
    assessment = str(row.get("assessment", "not judged"))
    comparison = str(row.get("comparison", "not compared"))
    if polarity in ("+", "-") and assessment in ("better", "similar", "worse"):
        return ASSESSMENT_COLOURS[assessment], assessment
    if comparison in ("higher", "lower"):
        return ASSESSMENT_COLOURS[comparison], comparison
    if comparison == "similar":
        return ASSESSMENT_COLOURS["similar"], "similar"
    return ASSESSMENT_COLOURS["not judged"], "not judged"


def _judgement_label(key: str) -> str:
    if key in ("higher", "lower"):
        return COMPARISON_LABELS[key]
    return ASSESSMENT_LABELS.get(key, key)


# ---------------------------------------------------------------------------- pyramid
def _age_start(band: str) -> int:
    match = re.match(r"\s*(\d+)", str(band))
    return int(match.group(1)) if match else 10_000


def _pyramid_bands(labels) -> list[str]:
    """Age bands of a pyramid: five-year bands when present, else the finest cover of all ages.

    >>> _pyramid_bands(["0-14", "0-4", "5-9", "10-14", "15+", "0", "1-4"])
    ['0-4', '5-9', '10-14', '15+']
    """
    from cls_analysis.indicators.select import finest_partition

    labels = [str(a) for a in labels if str(a) != "all"]
    preferred = [a for a in labels if a not in ("0", "1-4")]
    return (finest_partition(preferred, "0+") or finest_partition(labels, "0+") or [])


def pyramid(observations: pd.DataFrame, territory, comparator: str | tuple[str, str] | None = "departement",
            *, period: str | None = None, measure: str = "population", title: str | None = None,
            subtitle: str | None = None, source: str | None = None, champ: str | None = None,
            demo: bool | None = None, size="slide"):
    """Age pyramid: percent of the population by sex and age band, territory vs a comparator.

    Parameters
    ----------
    observations : DataFrame
        Observations (``zone_type, zone_code, period, measure, sex, age, value``, ``status``
        and ``source`` optional): ``measure == "population"``, sexes ``M``/``F``, age bands
        (``0-4`` … ``90+``). The territory's rows are ``zone_type == "territory"``; without
        them its communes' rows are summed.
    territory : Territory
    comparator : {'departement', 'region', 'france'}, (zone_type, zone_code) or None
        Zone drawn as an outline; ``None`` for none.
    period : str, optional
        Census year; the latest by default.

    Returns
    -------
    Axes
    """
    check_columns(observations, ["zone_type", "zone_code", "measure", "sex", "age", "value"], "observations")
    obs = observations.loc[(observations["measure"].astype(str) == measure)
                           & observations["sex"].isin(["M", "F"])
                           & (observations["age"].astype(str) != "all")].copy()
    if obs.empty:
        raise ClsAnalysisError(
            f"Pyramide des âges : aucune observation « {measure} » par sexe (M/F) et tranche d'âge."
        )
    for column in ("zone_type", "zone_code", "age"):
        obs[column] = obs[column].astype(str)
    obs["value"] = pd.to_numeric(obs["value"], errors="coerce")
    if "period" not in obs.columns:
        obs["period"] = ""
    obs["period"] = obs["period"].astype(str)
    own = obs.loc[(obs["zone_type"] == "territory") & (obs["zone_code"] == str(territory.code))]
    notes = []
    if own.empty:
        own = obs.loc[(obs["zone_type"] == "commune") & obs["zone_code"].isin(territory.commune_codes)]
        if own.empty:
            raise ClsAnalysisError(
                f"Pyramide des âges : aucune observation pour {territory.name} (ni zone_type "
                f"« territory » code {territory.code}, ni ses communes)."
            )
        if "status" in own.columns and own["status"].isin(["secret", "missing"]).any():
            notes.append("Certaines communes ont des effectifs non diffusés : totaux sans elles.")
    chosen = str(period) if period is not None else latest_period(own["period"])
    own = own.loc[own["period"] == chosen]
    if own.empty:
        raise ClsAnalysisError(f"Pyramide des âges : aucune observation pour la période {chosen}.")
    # census files give several breakdowns (0-14 and 0-4, 75+ and 75-79…): draw one set of
    # bands that cover the ages without overlap, preferring five-year bands
    bands = _pyramid_bands(own["age"].unique())
    if not bands:
        raise ClsAnalysisError(
            "Pyramide des âges : les tranches d'âge des observations ne couvrent pas tous les âges "
            f"sans chevauchement ({', '.join(sorted(own['age'].unique(), key=_age_start))})."
        )
    own = own.loc[own["age"].isin(bands)]
    obs = obs.loc[obs["age"].isin(bands)]

    def shares(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, float]:
        table = frame.groupby(["sex", "age"])["value"].sum(min_count=1).unstack("age").reindex(
            index=["M", "F"], columns=bands)
        total = float(np.nansum(table.to_numpy()))
        if total <= 0:
            return np.full(len(bands), np.nan), np.full(len(bands), np.nan), 0.0
        return (table.loc["M"].to_numpy(dtype=float) / total * 100,
                table.loc["F"].to_numpy(dtype=float) / total * 100, total)

    men, women, total = shares(own)
    comp_name, comp_men, comp_women = None, None, None
    if comparator is not None:
        if isinstance(comparator, tuple):
            level, code = comparator
            names = territory.comparators.set_index("zone_code")["zone_name"]
            comp_name = str(names.get(code, code))
        else:
            found = territory.comparators.loc[territory.comparators["zone_type"] == comparator]
            if found.empty:
                raise ClsAnalysisError(
                    f"Comparateur « {comparator} » inconnu pour {territory.name} "
                    f"(niveaux : {', '.join(territory.comparators['zone_type'])})."
                )
            level, code, comp_name = comparator, found["zone_code"].iloc[0], found["zone_name"].iloc[0]
        comp = obs.loc[(obs["zone_type"] == level) & (obs["zone_code"] == str(code)) & (obs["period"] == chosen)]
        if comp.empty:
            warnings.warn(f"Pyramide des âges : pas d'observations pour {comp_name} en {chosen}.",
                          UserWarning, stacklevel=2)
            notes.append(f"Comparaison impossible : pas de données pour {comp_name} en {chosen}.")
            comp_name = None
        else:
            comp_men, comp_women, _ = shares(comp)

    state = new_figure("chart", size)
    ax = state.add_axes(pad=(0.75, 0.42, 0.25, 0.0))
    y = np.arange(len(bands))
    ax.barh(y, -men, height=0.86, color=PALETTE["men"], alpha=0.85, label=f"Hommes – {territory.name}")
    ax.barh(y, women, height=0.86, color=PALETTE["women"], alpha=0.85, label=f"Femmes – {territory.name}")
    if comp_men is not None:
        edges = np.arange(len(bands) + 1) - 0.5
        ax.stairs(-comp_men, edges, orientation="horizontal", baseline=None, color="#1a1a1a", linewidth=1.1,
                  label=comp_name)
        ax.stairs(comp_women, edges, orientation="horizontal", baseline=None, color="#1a1a1a", linewidth=1.1)
    extreme = np.nanmax(np.abs(np.concatenate([men, women] + ([comp_men, comp_women] if comp_men is not None else []))))
    ax.set_xlim(-extreme * 1.12, extreme * 1.12)
    ax.set_ylim(-0.6, len(bands) - 0.4)
    ax.set_yticks(y, [format_age_band(b, short=True) for b in bands])
    ax.xaxis.set_major_formatter(tick_formatter(None, "%", absolute=True))
    ax.axvline(0, color="#1a1a1a", linewidth=0.6)
    ax.set_ylabel("Âge (ans)")
    ax.set_xlabel("Part dans la population totale")
    ax.grid(axis="x", color=PALETTE["grid"], linewidth=0.6)
    ax.set_axisbelow(True)
    ax.text(0.25, 1.005, "Hommes", transform=ax.transAxes, ha="center", va="bottom", fontsize=9,
            fontweight="bold", color=PALETTE["men"])
    ax.text(0.75, 1.005, "Femmes", transform=ax.transAxes, ha="center", va="bottom", fontsize=9,
            fontweight="bold", color=PALETTE["women"])
    handles, labels = ax.get_legend_handles_labels()
    order = sorted(range(len(labels)), key=lambda i: labels[i] == comp_name)
    state.chart_legend = {"handles": [handles[i] for i in order], "fontsize": 8, "gap": 0.22,
                          "handlelength": 1.6}
    old = sum(men[i] + women[i] for i, b in enumerate(bands) if _age_start(b) >= 75)
    lecture = (f"Lecture : {format_percent(old)} des habitants de {territory.name} ont 75 ans ou plus"
               + (f" ; le trait noir donne la pyramide de {comp_name}." if comp_name else "."))
    sources = []
    used = pd.concat([own] + ([comp] if comp_name else [])) if comparator is not None else own
    if "source" in used.columns:
        sources = list(dict.fromkeys(str(s) for s in used["source"].dropna()))
    default_source = "Source : " + (" ; ".join(sources) if sources else "Insee, recensement de la population")
    layout(ax, title=title or f"Pyramide des âges : {territory.name}"
           + (f" et {comp_name}" if comp_name else ""),
           subtitle=subtitle or f"Répartition de la population par sexe et âge, en % de la population "
                                f"totale ({format_number(total, 0)} habitants) – {chosen}",
           source=source or default_source, champ=champ, lecture=lecture,
           note=" ".join(notes) or None, demo=is_demo(used, demo))
    return ax


# ---------------------------------------------------------------------------- bars
def compare_bars(results: pd.DataFrame, indicator: str, territory=None, *, period: str | None = None,
                 sex: str = "all", communes: bool = True,
                 comparators: Sequence[str] = ("departement", "region", "france"),
                 colour_by: str = "auto", catalogue: pd.DataFrame | None = None,
                 label: str | None = None, short_label: str | None = None, unit: str | None = None,
                 decimals: int | None = None, polarity: str | None = None, source: str | None = None,
                 title: str | None = None, subtitle: str | None = None, champ: str | None = None,
                 demo: bool | None = None, size="slide"):
    """Bars of the territory and its communes with confidence intervals, comparators as lines.

    Parameters
    ----------
    results : DataFrame
        Rows of the indicator for ``territory``, ``commune`` (optional) and the comparator
        levels (``departement``, ``region``, ``france``); ``lower_ci``/``upper_ci`` draw the
        intervals, ``assessment``/``comparison`` the colours.
    territory : Territory, optional
        Picks its own rows, communes (absent ones shown as missing) and comparators.
    communes : bool
        One bar per commune (sorted by value; suppressed and missing listed at the end).
    comparators : sequence of str
        Levels drawn as vertical lines with their value in the legend.
    colour_by : {'auto', 'assessment', 'zone'}
        ``assessment``: colour by the comparison with the comparator (better / similar / worse,
        or higher / lower without polarity); ``zone``: territory and communes in two blues;
        ``auto``: assessment when any bar is judged.

    Returns
    -------
    Axes
    """
    rows = indicator_rows(results, indicator, period=period, sex=sex)
    meta = resolve_meta(indicator, catalogue, rows=rows, label=label, short_label=short_label,
                        unit=unit, decimals=decimals, polarity=polarity, source=source)
    chosen = str(rows["period"].iloc[0])
    digits = meta["decimals"]
    own = _territory_row(rows, territory)
    bars: list[pd.Series] = []
    if own is not None:
        bars.append(_tag(own, "territory"))
    absent: list[str] = []
    if communes:
        commune_rows = rows.loc[rows["zone_type"] == "commune"]
        if territory is not None:
            commune_rows = commune_rows.loc[commune_rows["zone_code"].isin(territory.commune_codes)]
            present = set(commune_rows["zone_code"])
            names = territory.communes.set_index("code")["name"]
            absent = [names[c] for c in territory.commune_codes if c not in present]
        with_value = commune_rows.loc[commune_rows["status"].isin(["ok", "zero"])].sort_values("value", ascending=False)
        without = commune_rows.loc[~commune_rows["status"].isin(["ok", "zero"])].sort_values("zone_name")
        bars += [_tag(r, "commune") for _, r in with_value.iterrows()]
        bars += [_tag(r, "commune") for _, r in without.iterrows()]
        for name in sorted(absent):
            bars.append(pd.Series({"zone_type": "commune", "zone_code": "", "zone_name": name, "value": np.nan,
                                   "status": "missing", "_kind": "commune", "_absent": True}))
    if not bars:
        raise ClsAnalysisError(
            f"Indicateur « {indicator} » : ni territoire ni communes dans les résultats pour {chosen}."
        )
    levels = _comparator_rows(rows, territory, comparators)
    polarity_key = meta["polarity"]
    judged = any(_judgement_colour(b, polarity_key)[1] != "not judged" for b in bars)
    use_assessment = colour_by == "assessment" or (colour_by == "auto" and judged)

    n = len(bars)
    state = new_figure("chart", size)
    name_w = max(len(_name(b)) for b in bars) * 7.2 * 0.6 / 72 + 0.25
    ax = state.add_axes(pad=(min(name_w, 2.6), 0.42, 0.2, 0.05))
    y = np.arange(n)[::-1]
    font = 7.5 if n <= 24 else 6.5
    values = np.array([float(b["value"]) if pd.notna(b.get("value")) else np.nan for b in bars])
    lower = np.array([float(b.get("lower_ci")) if pd.notna(b.get("lower_ci", np.nan)) else np.nan for b in bars])
    upper = np.array([float(b.get("upper_ci")) if pd.notna(b.get("upper_ci", np.nan)) else np.nan for b in bars])
    legend_keys: dict[str, str] = {}
    for i, bar in enumerate(bars):
        if use_assessment:
            colour, key = _judgement_colour(bar, polarity_key)
            legend_keys[key] = colour
        else:
            colour = PALETTE["territory"] if bar["_kind"] == "territory" else PALETTE["commune"]
        if np.isfinite(values[i]):
            ax.barh(y[i], values[i], height=0.72, color=colour,
                    edgecolor="#1a1a1a" if bar["_kind"] == "territory" else "#7a7a7a",
                    linewidth=1.2 if bar["_kind"] == "territory" else 0.4, zorder=2)
    finite_ci = np.isfinite(lower) & np.isfinite(upper) & np.isfinite(values)
    if finite_ci.any():
        ax.errorbar(values[finite_ci], y[finite_ci],
                    xerr=[values[finite_ci] - lower[finite_ci], upper[finite_ci] - values[finite_ci]],
                    fmt="none", ecolor="#1a1a1a", elinewidth=0.8, capsize=2.2, zorder=3)
    level_values = [float(r["value"]) for r in levels if pd.notna(r["value"])]
    top = np.nanmax(np.concatenate([values[np.isfinite(values)], upper[np.isfinite(upper)],
                                    np.array(level_values)])) if (np.isfinite(values).any() or level_values) else 1.0
    top = top if top > 0 else 1.0
    ax.set_xlim(0, top * 1.16)
    for i, bar in enumerate(bars):
        if np.isfinite(values[i]):
            end = upper[i] if np.isfinite(upper[i]) else values[i]
            ax.text(end + top * 0.012, y[i], format_number(values[i], digits), va="center", ha="left",
                    fontsize=font, color="#1a1a1a",
                    fontweight="bold" if bar["_kind"] == "territory" else "normal", zorder=4)
        else:
            text = _status_text(str(bar["status"]), meta, bar.get("note"))
            if bar.get("_absent", False) is True:
                text = "absente des résultats"
            ax.text(top * 0.01, y[i], text, va="center", ha="left", fontsize=font - 0.5,
                    color="#555555", style="italic", zorder=6, path_effects=HALO)
    handles = []
    for row in levels:
        level = str(row["zone_type"])
        style = LEVEL_STYLES.get(level, LEVEL_STYLES["france"])
        if pd.notna(row["value"]):
            ax.axvline(float(row["value"]), zorder=5, **style)
        handles.append(Line2D([], [], **style,
                              label=f"{_name(row)} : {format_value(row['value'], meta['unit'], digits)}"))
    if use_assessment:
        order = ["better", "similar", "worse", "higher", "lower", "not judged"]
        for key in order:
            if key in legend_keys:
                handles.append(Patch(facecolor=legend_keys[key], edgecolor="#7a7a7a", linewidth=0.5,
                                     label=_judgement_label(key)))
    ax.set_yticks(y, [_name(b) for b in bars], fontsize=font)
    for tick, bar in zip(ax.get_yticklabels(), bars, strict=True):
        if bar["_kind"] == "territory":
            tick.set_fontweight("bold")
    ax.set_ylim(-0.7, n - 0.3)
    if own is not None and communes and n > 1:
        ax.axhline(n - 1.5, color="#9e9e9e", linewidth=0.6)
    ax.xaxis.set_major_formatter(tick_formatter(None, "%" if meta["unit"] == "%" else None))
    ax.set_xlabel(_label_with_unit(meta))
    ax.grid(axis="x", color=PALETTE["grid"], linewidth=0.6)
    ax.set_axisbelow(True)
    ax.tick_params(axis="y", length=0)
    ax.spines["left"].set_visible(False)
    if handles:
        state.chart_legend = {"handles": handles, "fontsize": 7.5, "handlelength": 2.2, "max_columns": 3}
    where = territory.name if territory is not None else (_name(own) if own is not None else "")
    default_subtitle = f"{where}{' et ses communes' if communes else ''} – {chosen}"
    if sex_text(sex):
        default_subtitle += f" – {sex_text(sex)}"
    if finite_ci.any():
        confidence = rows["confidence"].dropna().iloc[0] if "confidence" in rows and rows["confidence"].notna().any() else 0.95
        default_subtitle += f" ; intervalles de confiance à {format_number(float(confidence) * 100, 0)} %"
    comparator_name = ""
    if use_assessment and "comparator" in rows.columns and rows["comparator"].notna().any():
        comparator_name = str(rows["comparator"].dropna().iloc[0])
    note = f"Couleurs : comparaison avec {comparator_name} (test à 95 %)." if comparator_name else None
    layout(ax, title=title or meta["label"], subtitle=subtitle or default_subtitle,
           source=_source(meta, source, chosen), champ=champ, note=note, demo=is_demo(rows, demo))
    return ax


# ---------------------------------------------------------------------------- spine chart
def spine(results: pd.DataFrame, axis: str | None = None, territory=None, *,
          indicators: Sequence[str] | None = None, range_level: str = "departement",
          sex: str = "all", catalogue: pd.DataFrame | None = None, title: str | None = None,
          subtitle: str | None = None, source: str | None = None, demo: bool | None = None,
          size="slide"):
    """Spine chart (after Fingertips) of the indicators of a CLS axis.

    One line per indicator: the territory's value (a dot coloured by its assessment: better,
    similar, worse, not judged; higher/lower without polarity) on the range of the comparator
    units, France at the centre; the values in French in columns.

    **Range rule.** For each indicator, its latest period: the grey bar spans the values of
    every zone of ``range_level`` in the results (``departement`` by default; ``region``,
    ``commune``, ``epci``), the darker part their 25th–75th percentiles. With France
    métropolitaine (``FRM``) as comparator, overseas départements are left out of the range.
    The row is scaled so that France is at the centre and the farthest of the range and the
    territory fits; it is oriented so that the right is the favourable side (polarity ``-``
    flipped), or the higher side for an indicator without polarity. An indicator without at
    least two units of ``range_level`` is drawn without bar (noted); counts are left out.

    Parameters
    ----------
    results : DataFrame
        Results with, per indicator, the ``territory`` row, the ``france`` row and rows of
        ``range_level`` (e.g. all départements).
    axis : str
        A CLS axis (``acces_aux_soins``…); its indicators come from the catalogue, in catalogue
        order, those present in the results.
    indicators : sequence of str, optional
        Explicit list instead of an axis.

    Returns
    -------
    Axes
        The spine's axes.
    """
    from cls_analysis.indicators.catalogue import AXES, load_catalogue

    check_columns(results, ["indicator", "zone_type", "zone_code", "value", "status"])
    table = catalogue if catalogue is not None else load_catalogue()
    if indicators is None:
        if axis is None:
            raise ClsAnalysisError("spine() : donnez un axe du CLS (axis=…) ou une liste d'indicateurs.")
        if axis not in AXES:
            raise ClsAnalysisError(f"Axe du CLS inconnu : « {axis} » ; axes : {', '.join(AXES)}.")
        wanted = table.loc[table["axis"] == axis, "id"].tolist()
    else:
        wanted = list(indicators)
    present = set(results["indicator"].astype(str))
    chosen = [i for i in wanted if i in present]
    skipped = []
    lines = []
    france_code = None if territory is None else ("FRM" if territory.france == "metropole" else "FR")
    by_sex = []
    for ident in chosen:
        if not (results.loc[results["indicator"].astype(str) == ident, "sex"].astype(str) == sex).any():
            by_sex.append(resolve_meta(ident, table)["short_label"])  # e.g. life expectancy by sex
            continue
        rows = indicator_rows(results, ident, sex=sex)
        meta = resolve_meta(ident, table, rows=rows)
        if meta.get("statistic") == "count":
            skipped.append(meta["short_label"])
            continue
        own = _territory_row(rows, territory)
        fr_rows = rows.loc[rows["zone_type"] == "france"]
        if france_code is not None and (fr_rows["zone_code"] == france_code).any():
            fr_rows = fr_rows.loc[fr_rows["zone_code"] == france_code]
        france = fr_rows.iloc[0] if not fr_rows.empty else None
        units = rows.loc[(rows["zone_type"] == range_level) & rows["status"].isin(["ok", "zero"])]
        if range_level == "departement" and france is not None and str(france["zone_code"]) == "FRM":
            units = units.loc[~units["zone_code"].str.startswith("97")]
        lines.append({"id": ident, "meta": meta, "own": own, "france": france,
                      "units": units["value"].to_numpy(dtype=float), "period": str(rows["period"].iloc[0])})
    if not lines:
        what = f"l'axe « {AXES.get(axis, axis)} »" if indicators is None else "la liste donnée"
        raise ClsAnalysisError(
            f"Spine chart : aucun indicateur de {what} dans les résultats "
            f"(attendus : {', '.join(wanted) or 'aucun dans le catalogue'})."
        )

    n = len(lines)
    state = new_figure("chart", size)
    tallest = 0.55 * n  # inches: rows stay rows on a tall page
    table_ax = state.add_axes(rect=(0.0, 0.0, 0.64, 1.0), pad=(0.0, 0.05, 0.0, 0.0), max_height=tallest)
    spine_ax = state.add_axes(rect=(0.64, 0.0, 1.0, 1.0), pad=(0.1, 0.05, 0.15, 0.0), max_height=tallest)
    font = 7.5 if n <= 10 else 6.8
    columns = [(0.0, "Indicateur (période)", "left"), (0.69, "Territoire", "right"),
               (0.80, "France", "right"), (0.90, "Min.", "right"), (1.0, "Max.", "right")]
    for axes in (table_ax, spine_ax):
        axes.set_ylim(n - 0.5, -0.5)
        axes.set_axis_off()
    table_ax.set_xlim(0, 1)
    spine_ax.set_xlim(-0.02, 1.02)
    header = {"xycoords": ("data", "axes fraction"), "xytext": (0, 4), "textcoords": "offset points",
              "va": "bottom"}
    for x, text, ha in columns:
        table_ax.annotate(text, (x, 1), ha=ha, fontsize=font, fontweight="bold", color="#333333", **header)
    spine_ax.annotate("◀ moins favorable", (0.0, 1), ha="left", fontsize=font - 0.5, color="#555555", **header)
    spine_ax.annotate("plus favorable ▶", (1.0, 1), ha="right", fontsize=font - 0.5, color="#555555", **header)
    spine_ax.axvline(0.5, color=PALETTE["france"], linewidth=1.2, zorder=3)
    notes = []
    label_chars = int(0.56 * 0.64 * (state.fig.get_size_inches()[0] - 0.4) * 72 / (font * 0.6))
    keys_seen: dict[str, str] = {}
    for i, line in enumerate(lines):
        meta, own, france, units = line["meta"], line["own"], line["france"], line["units"]
        digits = meta["decimals"]
        if i % 2 == 0:
            for axes in (table_ax, spine_ax):
                axes.axhspan(i - 0.5, i + 0.5, color="#f4f4f4", zorder=0, linewidth=0)
        label = _label_with_unit(meta)
        label = textwrap.shorten(label, label_chars, placeholder="…")
        table_ax.annotate(label, (0.0, i), xytext=(0, 1), textcoords="offset points", ha="left",
                          va="bottom", fontsize=font, color="#1a1a1a")
        table_ax.annotate(line["period"], (0.0, i), xytext=(0, -1), textcoords="offset points",
                          ha="left", va="top", fontsize=font - 1, color="#666666")
        own_value = float(own["value"]) if own is not None and pd.notna(own["value"]) else np.nan
        own_text = (format_number(own_value, digits) if np.isfinite(own_value)
                    else (_status_text(str(own["status"]), meta).split(" (")[0] if own is not None else "–"))
        table_ax.text(0.69, i, own_text, ha="right", va="center", fontsize=font, fontweight="bold")
        fr_value = float(france["value"]) if france is not None and pd.notna(france["value"]) else np.nan
        table_ax.text(0.80, i, format_number(fr_value, digits), ha="right", va="center", fontsize=font)
        finite = units[np.isfinite(units)]
        if finite.size >= 2:
            low, q25, q75, high = np.percentile(finite, [0, 25, 75, 100])
        else:
            low = q25 = q75 = high = np.nan
            notes.append(meta["short_label"])
        table_ax.text(0.90, i, format_number(low, digits), ha="right", va="center", fontsize=font, color="#444444")
        table_ax.text(1.0, i, format_number(high, digits), ha="right", va="center", fontsize=font, color="#444444")
        centre = fr_value if np.isfinite(fr_value) else (np.nanmedian(finite) if finite.size else own_value)
        if not np.isfinite(centre):
            continue
        flip = meta["polarity"] == "-"
        spread = [abs(v - centre) for v in (low, high, own_value) if np.isfinite(v)]
        half = max(spread + [abs(centre) * 0.05, 1e-9]) * 1.06

        def pos(value, centre=centre, flip=flip, half=half):
            offset = (value - centre) / (2 * half)
            return 0.5 - offset if flip else 0.5 + offset

        if np.isfinite(low):
            a, b = sorted((pos(low), pos(high)))
            spine_ax.barh(i, b - a, left=a, height=0.56, color="#d4d4d4", zorder=1, linewidth=0)
            a, b = sorted((pos(q25), pos(q75)))
            spine_ax.barh(i, b - a, left=a, height=0.56, color="#8f8f8f", zorder=2, linewidth=0)
        if np.isfinite(own_value):
            colour, key = _judgement_colour(own, meta["polarity"])
            keys_seen[key] = colour
            spine_ax.plot([pos(own_value)], [i], marker="o", markersize=7.5, color=colour,
                          markeredgecolor="#1a1a1a", markeredgewidth=0.8, zorder=4, linestyle="none")
    # Legend above: marker colours, then the range key.
    handles = []
    for key in ("better", "similar", "worse", "higher", "lower", "not judged"):
        if key in keys_seen:
            handles.append(Line2D([], [], marker="o", linestyle="none", markersize=7, color=keys_seen[key],
                                  markeredgecolor="#1a1a1a", markeredgewidth=0.8, label=_judgement_label(key)))
    level_word = {"departement": "départements", "region": "régions", "commune": "communes",
                  "epci": "EPCI"}.get(range_level, range_level)
    handles.append(Patch(facecolor="#d4d4d4", label=f"Étendue des {level_word}"))
    handles.append(Patch(facecolor="#8f8f8f", label="25e-75e centiles"))
    france_name = _name(lines[0]["france"]) if lines[0]["france"] is not None else "France"
    handles.append(Line2D([], [], color=PALETTE["france"], linewidth=1.2, label=france_name))
    state.chart_legend = {"handles": handles, "fontsize": 7.2, "gap": 0.2, "handlelength": 1.5}
    demo_flag = is_demo(results.loc[results["indicator"].isin(chosen)], demo)
    sources = list(dict.fromkeys(part.strip() for line in lines
                                 for part in str(line["meta"].get("source") or "").split(";") if part.strip()))
    note = (f"Barre grise : valeurs des {level_word}"
            + (" de France métropolitaine" if france_name == "France métropolitaine" and range_level == "departement" else "")
            + f", {france_name} au centre ; à droite, la situation la plus favorable (ou la valeur la "
            "plus élevée pour un indicateur sans sens) ; couleur du point : comparaison du territoire "
            "avec la France (test à 95 %).")
    if notes:
        note += f" Sans étendue (moins de 2 {level_word}) : {', '.join(notes)}."
    if skipped:
        note += f" Effectifs non représentés : {', '.join(skipped)}."
    if by_sex:
        note += f" Indicateurs par sexe non représentés : {', '.join(by_sex)}."
    where = territory.name if territory is not None else (_name(lines[0]["own"]) if lines[0]["own"] is not None else "")
    axis_title = AXES.get(axis, "Indicateurs") if indicators is None else "Indicateurs"
    layout(spine_ax, title=title or f"{axis_title} : {where} au regard des {level_word}",
           subtitle=subtitle or f"{plural(n, 'indicateur')}, dernière période disponible de chacun ; "
                                f"{where} comparé à {france_name}",
           source=source or "Source : " + " ; ".join(s for s in sources if s), note=note, demo=demo_flag)
    return spine_ax


# ---------------------------------------------------------------------------- trends
def trend(results: pd.DataFrame, indicator: str, territory=None, *, sex: str = "all",
          levels: Sequence[str] = ("territory", "departement", "region", "france"),
          zero_based: bool | None = None, catalogue: pd.DataFrame | None = None,
          label: str | None = None, short_label: str | None = None, unit: str | None = None,
          decimals: int | None = None, source: str | None = None, title: str | None = None,
          subtitle: str | None = None, demo: bool | None = None, size="slide"):
    """Evolution of an indicator over its periods: territory with its interval, comparators.

    Parameters
    ----------
    results : DataFrame
        Rows of the indicator for several ``period`` values (years or pooled spans, ordered by
        end year), for the territory and the comparator levels.
    levels : sequence of str
        Zones drawn: ``territory`` and comparator levels (``epci`` for each EPCI of a
        multi-EPCI territory).
    zero_based : bool, optional
        Start the value axis at 0 (default for shares and rates; not for indices).

    Returns
    -------
    Axes
    """
    rows = indicator_rows(results, indicator, sex=sex, all_periods=True)
    meta = resolve_meta(indicator, catalogue, rows=rows, label=label, short_label=short_label,
                        unit=unit, decimals=decimals, source=source)
    periods = sorted(rows["period"].unique(), key=period_key)
    x_of = {p: i for i, p in enumerate(periods)}
    digits = meta["decimals"]
    series = []
    for level in levels:
        if level == "territory":
            found = rows.loc[rows["zone_type"] == "territory"]
            if territory is not None:
                found = found.loc[found["zone_code"] == str(territory.code)]
        else:
            picked = _comparator_rows(rows, territory, [level])
            if not picked:
                continue
            found = rows.loc[(rows["zone_type"] == level) & (rows["zone_code"] == picked[0]["zone_code"])]
        if found.empty:
            continue
        found = found.assign(_x=found["period"].map(x_of)).sort_values("_x")
        series.append((level, found))
    if not series:
        raise ClsAnalysisError(f"Indicateur « {indicator} » : ni territoire ni comparateur à tracer.")
    state = new_figure("chart", size)
    state.top_extra = 0.05
    ax = state.add_axes(pad=(0.65, 0.45, 2.1, 0.1))
    notes = []
    ends = []
    for level, found in series:
        name = _name(found.iloc[-1])
        xs = found["_x"].to_numpy(dtype=float)
        ys = found["value"].to_numpy(dtype=float)
        if level == "territory":
            colour = PALETTE["territory"]
            if {"lower_ci", "upper_ci"} <= set(found.columns):
                lo = pd.to_numeric(found["lower_ci"], errors="coerce").to_numpy(dtype=float)
                hi = pd.to_numeric(found["upper_ci"], errors="coerce").to_numpy(dtype=float)
                ok = np.isfinite(lo) & np.isfinite(hi)
                if ok.any():
                    ax.fill_between(xs, np.where(ok, lo, np.nan), np.where(ok, hi, np.nan), color=colour,
                                    alpha=0.15, linewidth=0, zorder=1,
                                    label="Intervalle de confiance à 95 %")
            ax.plot(xs, ys, color=colour, linewidth=2.4, marker="o", markersize=5, zorder=4, label=name)
            for status in ("suppressed", "missing"):
                bad = found.loc[found["status"] == status, "period"].tolist()
                if bad:
                    notes.append(f"{name}, {', '.join(bad)} : {_status_text(status, meta).lower()}.")
        else:
            style = dict(LEVEL_STYLES.get(level, LEVEL_STYLES["france"]))
            colour = style["color"]
            ax.plot(xs, ys, marker="o", markersize=3.5, zorder=3, label=name, **style)
        last = np.where(np.isfinite(ys))[0]
        if last.size:
            ends.append((float(ys[last[-1]]), float(xs[last[-1]]), name, colour, level == "territory"))
    values = np.concatenate([f["value"].to_numpy(dtype=float) for _, f in series])
    for level, found in series:
        if level == "territory":
            for column in ("lower_ci", "upper_ci"):
                if column in found.columns:
                    values = np.concatenate([values, pd.to_numeric(found[column], errors="coerce").to_numpy(dtype=float)])
    finite = values[np.isfinite(values)]
    if zero_based is None:
        zero_based = meta.get("statistic") in ("proportion", "crude_rate", "count", "density", "dsr")
    low = 0.0 if zero_based else float(finite.min()) if finite.size else 0.0
    high = float(finite.max()) if finite.size else 1.0
    span = (high - low) or max(abs(high), 1.0)
    ax.set_ylim(low - (0 if zero_based else span * 0.12), high + span * 0.12)
    if meta.get("statistic") == "isr":
        ax.axhline(100, color="#9e9e9e", linewidth=0.8, zorder=0)
    ax.set_xlim(-0.3, len(periods) - 0.7)
    ax.set_xticks(range(len(periods)), periods)
    ax.yaxis.set_major_formatter(tick_formatter(None, "%" if meta["unit"] == "%" else None))
    ax.set_ylabel(_label_with_unit(meta))
    ax.grid(axis="y", color=PALETTE["grid"], linewidth=0.6)
    ax.set_axisbelow(True)
    if len(periods) == 1:
        notes.append("Une seule période disponible.")
    if any(isinstance(c, PolyCollection) for c in ax.collections):
        notes.append(f"Zone colorée : intervalle de confiance à 95 % de {series[0][1]['zone_name'].iloc[-1]}."
                     if series[0][0] == "territory" else "")
    where = territory.name if territory is not None else _name(series[0][1].iloc[-1])
    default_subtitle = f"{where} et ses territoires de comparaison, {periods[0]} à {periods[-1]}"
    if sex_text(sex):
        default_subtitle += f" – {sex_text(sex)}"
    layout(ax, title=title or f"Évolution : {meta['label']}", subtitle=subtitle or default_subtitle,
           source=_source(meta, source, f"{periods[0]} à {periods[-1]}"),
           note=" ".join(n for n in notes if n) or None, demo=is_demo(rows, demo))
    _end_labels(ax, ends, len(periods), digits)
    return ax


def _end_labels(ax, ends, n_periods: int, digits: int) -> None:
    """Name and last value of each line at the right, pushed apart so that none overlap."""
    from cls_analysis.viz.figure import get_state

    ylim = ax.get_ylim()
    _width, height_in = get_state(ax).axes_inches(ax)
    min_gap = (ylim[1] - ylim[0]) * (10.5 / 72) / max(height_in, 0.5)
    ends = sorted(ends, key=lambda e: e[0])
    placed: list[float] = []
    for value, *_rest in ends:
        placed.append(value if not placed else max(value, placed[-1] + min_gap))
    overflow = (placed[-1] - (ylim[1] - min_gap / 2)) if placed else 0
    if overflow > 0:
        placed[-1] -= overflow
        for i in range(len(placed) - 2, -1, -1):
            placed[i] = min(placed[i], placed[i + 1] - min_gap)
    for (value, x, name, colour, bold), target in zip(ends, placed, strict=True):
        text = f"{textwrap.shorten(name, 26, placeholder='…')} : {format_number(value, digits)}"
        # just right of the axes, whatever the number of periods (the right margin holds it)
        ax.annotate(text, xy=(x, value), xytext=(1.02, target), textcoords=("axes fraction", "data"),
                    va="center", ha="left", fontsize=7.5,
                    color=colour if colour != PALETTE["france"] else "#1a1a1a",
                    fontweight="bold" if bold else "normal", annotation_clip=False,
                    arrowprops={"arrowstyle": "-", "color": "#b0b0b0", "linewidth": 0.5,
                                "shrinkA": 0, "shrinkB": 3})
