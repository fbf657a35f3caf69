"""The indicator engine: observations + zones + catalogue → the results table.

Counts are aggregated to every zone first (territory, its EPCIs and communes, the
comparators — or every commune, EPCI, département and région of France in one national pass);
then each indicator's statistic is computed per zone with the methods of :mod:`cls_analysis.stats`;
then small counts are suppressed (primary, then secondary so that no hidden commune can be
recovered from the total) and every zone is compared with its département, its région and
France at 95 % and 99.8 %.

How it is computed
------------------
Every zone gets a number (:class:`_ZoneTable`); the observations of each measure are taken once,
with that number, and every join (events with their population, a figure with its comparator,
a commune with its EPCI) is a match of integer keys, by lookup arrays when the keys are few.
Standardised indicators (DSR, ICM, life expectancy) read their populations by age band as dense
arrays of zones × periods × sexes × bands (:mod:`cls_analysis.indicators.grid`), and apply the
formulas of :mod:`cls_analysis.stats` to them (``dsr_from_bands``, ``life_table_from_bands``);
data these arrays cannot hold regularly go through the ``stats`` functions themselves.
Each indicator is one self-contained job: its statistic for every zone, the statuses, the
secondary suppression, the comparisons and its sorted rows. In a national pass (tens of
thousands of zones, Linux) the jobs are shared with a second, forked process when a processor
is free; the results are the same as in one process.

The results table follows ``docs/contracts.md``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cls_analysis import stats
from cls_analysis._keys import (
    among,
    category_codes,
    factorize,
    in_order_of_appearance,
    label_positions,
    positions,
    used_codes,
)
from cls_analysis._parallel import can_fork, free_processors, run_forked
from cls_analysis.errors import ClsAnalysisError
from cls_analysis.indicators.catalogue import load_catalogue
from cls_analysis.indicators.grid import BandGrid, BandPair
from cls_analysis.indicators.select import (
    RowCells,
    compatible_partition,
    containing_band,
    finest_partition,
    match_denominator_period,
    period_bounds,
    select_values,
    selected_rows,
    shared_codes,
)
from cls_analysis.stats._poisson import poisson_method
from cls_analysis.stats.dsr import dsr_from_bands
from cls_analysis.stats.life_expectancy import LIFE_TABLE_BANDS, life_table_from_bands
from cls_analysis.stats.proportion import proportion_from_sums
from cls_analysis.stats.rate import crude_rate_from_sums
from cls_analysis.stats.standards import standard_weights

__all__ = ["RESULT_COLUMNS", "classified_communes", "compute", "compute_zone_results", "implicit_zero_measures"]

KEYS = ["zone", "period"]  # zone: number in the zone table (see _ZoneTable)
LEVELS = (0.95, 0.998)
#: Columns of the results table, in order.
RESULT_COLUMNS = [
    "indicator",
    "zone_type",
    "zone_code",
    "zone_name",
    "period",
    "sex",
    "numerator",
    "denominator",
    "value",
    "lower_ci",
    "upper_ci",
    "confidence",
    "lower_ci_998",
    "upper_ci_998",
    "statistic",
    "method",
    "unit",
    "comparator",
    "comparison",
    "comparison_998",
    "assessment",
    "comparison_departement",
    "assessment_departement",
    "comparison_region",
    "assessment_region",
    "status",
    "note",
]
_ZONE_ORDER = {"territory": 0, "epci": 1, "commune": 2, "departement": 3, "region": 4, "france": 5}


class _ZoneTable:
    """Every zone of a computation, numbered: the engine joins zones on these integers.

    ``type``, ``code`` and ``name`` are arrays indexed by zone number; ``rank`` orders zones
    as results are sorted (zone type: territory first, then code).
    """

    def __init__(self, zones: pd.DataFrame):
        unique = zones.drop_duplicates(["zone_type", "zone_code"])
        self.type = unique["zone_type"].astype(str).to_numpy(dtype=object)
        self.code = unique["zone_code"].astype(str).to_numpy(dtype=object)
        self.name = unique["zone_name"].astype(object).to_numpy(dtype=object)
        self.size = len(unique)
        #: Rank of each zone's type (territory first… France last), and of each zone in results.
        self.type_rank = np.array([_ZONE_ORDER.get(t, len(_ZONE_ORDER)) for t in self.type], dtype=np.int64)
        code_rank = pd.factorize(self.code, sort=True)[0]
        self.rank = np.empty(self.size, dtype=np.int64)
        self.rank[np.lexsort((code_rank, self.type_rank))] = np.arange(self.size)

    def of_type(self, zone_type: str) -> np.ndarray:
        """Numbers of the zones of one type."""
        return np.flatnonzero(self.type == zone_type)

    def ids(self, zone_type, zone_code) -> np.ndarray:
        """Zone number of each (type, code) pair of two columns (or of a type and a column);
        -1 for zones not in the table. Works on the columns' codes, not on their rows' text."""
        code_codes, code_labels = factorize(pd.Series(zone_code))
        if isinstance(zone_type, str):
            type_codes, type_labels = np.zeros(len(code_codes), dtype=np.int8), np.array([zone_type], dtype=object)
        else:
            type_codes, type_labels = factorize(pd.Series(zone_type))
        t = pd.Index(type_labels.astype(str), dtype=object).get_indexer(self.type)
        c = pd.Index(code_labels.astype(str), dtype=object).get_indexer(self.code)
        known = (t >= 0) & (c >= 0)
        # codes shifted by one: row and column 0 are missing types and codes (-1), of no zone
        width = len(code_labels) + 1
        lookup = np.full((len(type_labels) + 1) * width, -1, dtype=np.int32)
        lookup[(t[known] + 1) * width + c[known] + 1] = np.flatnonzero(known)
        # 32-bit arithmetic when the keys fit (tens of millions of rows: half the memory)
        dtype = np.int32 if len(lookup) < 1 << 31 else np.int64
        flat = np.asarray(type_codes, dtype=dtype) + 1
        flat *= width
        flat += np.asarray(code_codes)
        flat += 1
        return lookup[flat]

    def within(self, zones: pd.DataFrame, parent_type: str) -> np.ndarray:
        """For each zone number, the number of the ``parent_type`` zone listing it as a commune
        member (-1 if none), from the membership table ``zones``."""
        members = zones.loc[np.asarray(zones["zone_type"] == parent_type, dtype=bool)].drop_duplicates("commune")
        parent = np.full(self.size, -1, dtype=np.int64)
        child = self.ids("commune", members["commune"])
        found = child >= 0
        parent[child[found]] = self.ids(parent_type, members["zone_code"])[found]
        return parent

    def parents(self, zones: pd.DataFrame, levels: Sequence[str]) -> dict[str, np.ndarray]:
        """For each level, and each zone finer than it, the zone of that level holding most
        of its communes (at equal numbers, the one of its first commune listed in ``zones``);
        -1 for the others. On integer codes: zone numbers, and the communes' codes."""
        member_zone = self.ids(zones["zone_type"], zones["zone_code"])
        commune, communes = factorize(zones["commune"])
        member_zone[commune < 0] = -1  # a membership row without a commune links nothing
        return {level: self._parents(member_zone, commune, len(communes), level) for level in levels}

    def _parents(self, member_zone: np.ndarray, commune: np.ndarray, n_communes: int, level: str) -> np.ndarray:
        out = np.full(self.size, -1, dtype=np.int64)
        rank = np.where(member_zone >= 0, self.type_rank[np.clip(member_zone, 0, None)], -1)
        # each commune's zone of that level: the first one listing it
        listed = np.flatnonzero(rank == _ZONE_ORDER[level])
        first = np.unique(commune[listed], return_index=True)[1]
        level_of = np.full(n_communes, -1, dtype=np.int64)
        level_of[commune[listed[first]]] = member_zone[listed[first]]
        finer = np.flatnonzero((member_zone >= 0) & (rank < _ZONE_ORDER[level]))
        zone, parent = member_zone[finer].astype(np.int64), level_of[commune[finer]]
        zone, parent = zone[parent >= 0], parent[parent >= 0]
        if not len(zone):
            return out
        # (zone, parent) pairs counted; per zone the most frequent, the first listed at equal counts
        pairs, first_row, count = np.unique(zone * self.size + parent, return_index=True, return_counts=True)
        order = np.lexsort((first_row, -count, pairs // self.size))
        chosen = order[np.r_[True, np.diff(pairs[order] // self.size) != 0]]
        out[pairs[chosen] // self.size] = pairs[chosen] % self.size
        return out


_MEASURE_COLUMNS = ["zone", "period", "measure", "sex", "age", "value", "status"]


class _ByMeasure:
    """The rows of each measure of a zone observations table, taken when first asked for.

    Each row's zone becomes its number in the zone table (rows of other zones are left out);
    the table is sorted once by measure, a measure's rows being one slice of that order. A
    table given in parts (a list of tables with the same columns) is read as their
    concatenation, without making it: a measure's rows are those of each part in turn, its
    text columns categoricals with the sorted union of the parts' categories.
    """

    def __init__(self, zobs: pd.DataFrame | Sequence[pd.DataFrame], table: _ZoneTable):
        parts = [zobs] if isinstance(zobs, pd.DataFrame) else [p for p in zobs if len(p)] or list(zobs)[:1]
        self._parts: list[dict] = []
        self._slices: dict[str, list[tuple[int, np.ndarray]]] = {}
        for number, part in enumerate(parts):
            zone = table.ids(part["zone_type"], part["zone_code"])
            measure = part["measure"].astype("category")
            count = len(measure.cat.categories)
            codes = np.where(zone >= 0, category_codes(measure), -1).astype(np.int16 if count < 1 << 14 else np.int32)
            self._parts.append({"zone": zone, "value": part["value"].to_numpy(dtype=float),
                                **{c: part[c] for c in ("period", "measure", "sex", "age", "status")}})
            order = np.argsort(codes, kind="stable")
            # where each measure's slice starts in that order (searched in the codes' own type)
            bounds = np.searchsorted(codes[order], np.arange(-1, count + 1, dtype=codes.dtype))
            for i, m in enumerate(measure.cat.categories):
                if bounds[i + 2] > bounds[i + 1]:
                    self._slices.setdefault(str(m), []).append((number, order[bounds[i + 1]:bounds[i + 2]]))
        self._frames: dict[str, pd.DataFrame] = {}

    def __contains__(self, name: str) -> bool:
        return name in self._slices

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in self._frames:
            if len(self._parts) == 1:
                (number, rows), = self._slices[name]
                columns = {c: (self._parts[0][c].array if c in _TEXT_OBS else self._parts[0][c]).take(rows)
                           for c in _MEASURE_COLUMNS}
            else:
                from cls_analysis.observations import _union_text

                rows_of = dict(self._slices[name])
                taken = [rows_of.get(i, np.zeros(0, dtype=np.intp)) for i in range(len(self._parts))]
                columns = {c: np.concatenate([p[c][r] for p, r in zip(self._parts, taken, strict=True)])
                           for c in ("zone", "value")}
                for c in _TEXT_OBS:  # every part, so that the categories are those of the whole table
                    columns[c] = _union_text([(p[c], r) for p, r in zip(self._parts, taken, strict=True)])
            self._frames[name] = pd.DataFrame({c: columns[c] for c in _MEASURE_COLUMNS})
        return self._frames[name]


_TEXT_OBS = ("period", "measure", "sex", "age", "status")


@dataclass
class _Context:
    zobs: _ByMeasure
    zones: pd.DataFrame  # zone_type, zone_code, zone_name, commune
    table: _ZoneTable
    catalogue: pd.DataFrame  # the indicators computed (their positions number the parts)
    communes: pd.DataFrame | None = None  # commune observations of all France (share_below)
    within: list[np.ndarray] = field(default_factory=list)  # secondary suppression: parent of each zone, by type
    parents: dict[str, np.ndarray] = field(default_factory=dict)  # comparisons: parent of each zone, by level
    selections: dict = field(default_factory=dict)
    grids: dict = field(default_factory=dict)  # population rows chosen, their periods, and the grids made (kept)
    distinct: dict = field(default_factory=dict)
    cells: dict = field(default_factory=dict)  # RowCells of the tables read (by id, the table kept)
    relabelled: dict = field(default_factory=dict)  # events with finer bands renamed (kept)

    @property
    def france(self) -> np.ndarray:
        """Numbers of the France zones."""
        return self.table.of_type("france")

    def select(self, measures: str | Sequence[str], **options) -> pd.DataFrame:
        """:func:`select_values` of the zone observations, kept for the next indicator asking the
        same (the population by sex and age of every standardised indicator). Not to be modified."""
        names = [measures] if isinstance(measures, str) else list(measures)
        key = (tuple(names), tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in options.items())))
        if key not in self.selections:
            rows = self.measure(names)
            self.selections[key] = select_values(rows, names, keys=KEYS, cells=self.row_cells(rows), **options)
        return self.selections[key]

    def row_cells(self, rows: pd.DataFrame) -> RowCells:
        """The :class:`~cls_analysis.indicators.select.RowCells` of a table of rows the context
        keeps (a measure's rows), made once."""
        if id(rows) not in self.cells:
            self.cells[id(rows)] = (rows, RowCells(rows))  # the table kept: its id stays its own
        return self.cells[id(rows)][1]

    def labels(self, names: Sequence[str], column: str) -> list[str]:
        """The distinct values of ``column`` among the rows of measures ``names`` (kept)."""
        key = (tuple(names), column)
        if key not in self.distinct:
            self.distinct[key] = _labels(self.measure(names)[column])
        return self.distinct[key]

    def measure(self, names: str | Sequence[str] | None) -> pd.DataFrame:
        names = [names] if isinstance(names, str) else list(names or [])
        frames = [self.zobs[n] for n in names if n in self.zobs]
        if not frames:
            return _EMPTY_OBS
        return frames[0] if len(frames) == 1 else _stack(frames)


_EMPTY_OBS = pd.DataFrame(columns=_MEASURE_COLUMNS)
_EMPTY_COMMUNES = pd.DataFrame(columns=["zone_type", "zone_code", *_MEASURE_COLUMNS[1:]])


def _measures(value: object) -> list[str]:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return []
    if isinstance(value, str):
        return [value]
    return list(value)


def _opt(value: object, default: object) -> object:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return default
    return value


def _pair(num: pd.DataFrame, den: pd.DataFrame) -> pd.DataFrame:
    """Join numerator and denominator rows (``zone``, ``period``; from :func:`select_values`),
    matching the denominator's period to each numerator's (:func:`match_denominator_period`),
    on integer keys: zone × the denominator's periods."""
    if num.empty or den.empty:
        return pd.DataFrame(columns=[*KEYS, "x", "n", "x_ok", "x_secret", "n_factor"])
    den_codes, den_labels = factorize(den["period"])
    den_labels = [str(p) for p in den_labels]
    available = sorted(np.asarray(den_labels, dtype=object)[used_codes(den_codes, len(den_labels))])
    num_codes, num_labels = factorize(num["period"])
    matches = [match_denominator_period(str(p), available) for p in num_labels]
    # per numerator period: the denominator's period (its code) and the factor; last: none
    target = np.array([den_labels.index(m[0]) if m else -1 for m in matches] + [-1], dtype=np.int64)[num_codes]
    factor = np.array([m[1] if m else np.nan for m in matches] + [np.nan])[num_codes]
    width = len(den_labels)
    matched = np.flatnonzero(target >= 0)
    position = np.full(len(num), -1, dtype=np.int64)
    position[matched] = positions(num["zone"].to_numpy(dtype=np.int64)[matched] * width + target[matched],
                                  den["zone"].to_numpy(dtype=np.int64) * width + den_codes)
    found, at = position >= 0, np.clip(position, 0, None)
    out = num.rename(columns={"value": "x", "n_ok": "x_ok", "n_secret": "x_secret"})
    out["n_factor"] = factor
    out["n"] = np.where(found, den["value"].to_numpy(dtype=float)[at], np.nan) * factor
    if "n_secret" in den:  # a denominator with a withheld part makes the figure secret too
        den_secret = den["n_secret"].to_numpy(dtype=float)[at]
        out["x_secret"] = out["x_secret"].to_numpy(dtype=float) + np.where(found, den_secret, 0.0)
    return out


def _widen(result: pd.DataFrame, by: Sequence[str]) -> pd.DataFrame:
    """One row per group: the 95 % limits in lower_ci/upper_ci, the 99.8 % ones beside them."""
    confidence = result["confidence"].to_numpy(dtype=float)
    first = result.loc[np.isclose(confidence, LEVELS[0])].reset_index(drop=True)
    second = result.loc[np.isclose(confidence, LEVELS[1])]
    first_key, second_key = shared_codes([first, second], list(by))
    at = positions(first_key, second_key)
    for column in ("lower_ci", "upper_ci"):  # position -1: no 99.8 % row, NaN
        first[f"{column}_998"] = np.append(second[column].to_numpy(dtype=float), np.nan)[at]
    return first


def _statistic_output(frame: pd.DataFrame, **columns) -> pd.DataFrame:
    out = frame[KEYS].copy()
    for name, values in columns.items():
        out[name] = values
    return out


# ---------------------------------------------------------------------------- statistics
def _simple(ind: dict, ctx: _Context, kind: str) -> pd.DataFrame:
    """proportion, crude_rate, ratio, density, count."""
    num = ctx.select(_measures(ind["numerator"]), sex=ind["sex"], age=ind["age"])
    if kind == "count":
        return _statistic_output(
            num, numerator=num["value"], denominator=np.nan, value=num["value"],
            x_secret=num["n_secret"], statistic="count", method="",
        )
    den_measures = _measures(ind["denominator"])
    den = ctx.select(den_measures, sex=_opt(ind["denominator_sex"], ind["sex"]),
                     age=_opt(ind["denominator_age"], ind["age"]))
    pair = _pair(num, den)
    multiplier = float(ind["multiplier"])
    x, n = pair["x"].to_numpy(dtype=float), pair["n"].to_numpy(dtype=float)
    known = ~np.isnan(x) & ~np.isnan(n)
    valid = known & (n > 0)
    if kind == "proportion":
        valid &= x <= n * (1 + 1e-9)
    if ((x < 0) | (n < 0))[known].any():  # stats would refuse them: said for every zone
        raise ClsAnalysisError(f"effectifs négatifs dans {', '.join(_measures(ind['numerator']))} ou "
                               f"{', '.join(den_measures)} : corrigez les observations.")
    figures = {c: np.full(len(pair), np.nan) for c in ("value", "lower_ci", "upper_ci", "lower_ci_998", "upper_ci_998")}
    statistic, method = _TextCodes.constant(kind, len(pair)), _TextCodes.constant("", len(pair))
    rows = np.flatnonzero(valid)
    if kind in ("ratio", "density"):
        figures["value"][rows] = x[rows] / n[rows] * multiplier
        method = _TextCodes.constant("ratio (effectifs exhaustifs, sans intervalle)", len(pair))
    elif len(rows):
        # one row per zone and period, checked: the figures of stats.proportion / stats.crude_rate
        if kind == "proportion":
            value, lower, upper, label = proportion_from_sums(np.minimum(x[rows], n[rows]), n[rows], LEVELS, multiplier)
            method.put(rows, "Wilson")
        else:
            value, lower, upper, label = crude_rate_from_sums(x[rows], n[rows], LEVELS, multiplier)
            codes, labels = poisson_method(x[rows])
            for code, text in enumerate(labels):
                method.put(rows[codes == code], text)
        figures["value"][rows] = value
        figures["lower_ci"][rows], figures["upper_ci"][rows] = lower[:, 0], upper[:, 0]
        figures["lower_ci_998"][rows], figures["upper_ci_998"][rows] = lower[:, 1], upper[:, 1]
        statistic.put(rows, label)
    if kind == "proportion" and valid.any() and bool(ind.get("complement")):
        x, value = n - x, figures["value"]
        figures = {"value": multiplier - value,
                   "lower_ci": multiplier - figures["upper_ci"], "upper_ci": multiplier - figures["lower_ci"],
                   "lower_ci_998": multiplier - figures["upper_ci_998"],
                   "upper_ci_998": multiplier - figures["lower_ci_998"]}
    inconsistent = known & ~valid
    note = pd.Categorical.from_codes(inconsistent.astype(np.int8),
                                     categories=pd.Index(["", "dénominateur nul ou inférieur au numérateur"], dtype=object))
    return _statistic_output(pair, numerator=x, denominator=n, x_secret=pair["x_secret"], **figures,
                             statistic=statistic.categorical(), method=method.categorical(), note=note)


def _read(ind: dict, ctx: _Context) -> pd.DataFrame:
    """A published value read at each zone (median income, poverty rate, APL weighted mean)."""
    num = ctx.select(ind["numerator"], sex=ind["sex"], age=ind["age"])
    out = _statistic_output(num, numerator=np.nan, denominator=np.nan, value=num["value"], x_secret=num["n_secret"])
    weights = _measures(ind["denominator"])
    if ind["statistic"] == "weighted_mean" and weights:
        den = ctx.select(weights)
        out["denominator"] = _pair(num, den)["n"].to_numpy()
        out["statistic"], out["method"] = "weighted mean", "moyenne pondérée des communes"
    else:
        out["statistic"], out["method"] = "published value", "valeur publiée (non agrégeable)"
    return out


def _evolution(ind: dict, ctx: _Context) -> pd.DataFrame:
    num = ctx.select(ind["numerator"], sex=ind["sex"], age=ind["age"])
    periods = sorted(num["period"].unique(), key=period_bounds)
    singles = [p for p in periods if period_bounds(p)[0] == period_bounds(p)[1]]
    if len(singles) < 2:
        return pd.DataFrame(columns=KEYS)
    start, end = singles[0], singles[-1]
    years = period_bounds(end)[0] - period_bounds(start)[0]
    wide = num.pivot_table(index="zone", columns="period", values="value", aggfunc="sum", observed=True)
    wide = wide.reindex(columns=[start, end])
    zones = wide.index.to_numpy(dtype=np.int64)  # rows in order of zone type and code (as text)
    wide = wide.iloc[np.lexsort((ctx.table.code[zones].astype(str), ctx.table.type[zones].astype(str)))]
    ratio = wide[end] / wide[start]
    value = (np.power(ratio.where(ratio > 0), 1 / years) - 1) * 100
    out = pd.DataFrame(
        {
            "zone": wide.index.to_numpy(),
            "period": f"{start}-{end}",
            "numerator": wide[end].to_numpy(),
            "denominator": wide[start].to_numpy(),
            "value": value.to_numpy(),
        }
    )
    out["statistic"], out["method"] = "annual change", "taux de variation annuel moyen"
    return out


def _share_below(ind: dict, ctx: _Context) -> pd.DataFrame:
    """Share of the population living in communes whose measure is below a threshold.

    Needs the value of every member commune of a zone: zones whose communes are not all
    known (a comparator when only the territory's communes were given) are left out.
    """
    source = ctx.communes if ctx.communes is not None else _EMPTY_COMMUNES
    names = [ind["numerator"], *_measures(ind["denominator"])]
    zone_rows = [ctx.measure(n) for n in names]
    zone_rows = [f.assign(zone_type=ctx.table.type[f["zone"].to_numpy(dtype=np.int64)],
                          zone_code=ctx.table.code[f["zone"].to_numpy(dtype=np.int64)]) for f in zone_rows if len(f)]
    pool = pd.concat([source.loc[source["measure"].isin(names)], *zone_rows], ignore_index=True)
    pool = pool.loc[pool["zone_type"] == "commune"].drop_duplicates(["zone_code", "period", "measure", "sex", "age"])
    values = pool.loc[pool["measure"] == ind["numerator"]]
    weights = pool.loc[pool["measure"].isin(_measures(ind["denominator"]))]
    if values.empty or weights.empty:
        return pd.DataFrame(columns=KEYS)
    latest = max(values["period"].unique(), key=period_bounds)
    v = values.loc[values["period"] == latest].groupby("zone_code")["value"].first()
    w = weights.loc[weights["period"] == latest].groupby("zone_code")["value"].sum()
    table = pd.DataFrame({"v": v, "w": w}).dropna()
    table["below"] = np.where(table["v"] < float(ind["threshold"]), table["w"], 0.0)
    members = ctx.zones[["zone_type", "zone_code", "commune"]].merge(
        table, left_on="commune", right_index=True, how="left"
    )
    # a zone is computed only when (almost) all its communes are known (Mayotte has no APL)
    members["known"] = members["w"].notna().astype(float)
    sums = members.groupby(["zone_type", "zone_code"], sort=False)[["below", "w", "known"]].agg(
        {"below": "sum", "w": "sum", "known": "mean"}).reset_index()
    sums = sums.loc[sums["known"].to_numpy() >= 0.99].drop(columns="known")
    out = sums.assign(zone=ctx.table.ids(sums["zone_type"], sums["zone_code"]), period=latest,
                      numerator=sums["below"], denominator=sums["w"])
    out = out.loc[out["zone"].to_numpy() >= 0]
    out["value"] = out["below"] / out["w"] * float(ind["multiplier"])
    out["statistic"] = "share below threshold"
    out["method"] = f"population des communes sous le seuil de {ind['threshold']}"
    return out[[*KEYS, "numerator", "denominator", "value", "statistic", "method"]]


def _band_pair(ind: dict, ctx: _Context, by_sex: bool, avoid: Sequence[str] = ()) -> BandPair | None:
    """The events of a standardised indicator and their population, by zone, period, (sex) and
    band (:class:`~cls_analysis.indicators.grid.BandPair`); None when there are none."""
    num_m, den_m = _measures(ind["numerator"]), _measures(ind["denominator"])
    num_rows, den_rows = ctx.measure(num_m), ctx.measure(den_m)
    if num_rows.empty or den_rows.empty:
        return None
    event_bands = finest_partition([a for a in ctx.labels(num_m, "age") if a != "all"], ind["age"], cover=False) or []
    bands = compatible_partition(ctx.labels(den_m, "age"), event_bands, ind["age"], avoid)
    # events of finer bands are summed into the population's band (deaths at 0 and 1-4 → 0-4)
    into = {e: containing_band(bands or [], e) for e in event_bands}
    unmatched = sorted(e for e, band in into.items() if band is None)
    if bands is None or unmatched:
        raise ClsAnalysisError(
            f"tranches d'âge des événements ({', '.join(unmatched or event_bands)}) sans population "
            f"correspondante ({', '.join(sorted(set(den_rows['age'].astype(str))))}) : les deux fichiers "
            "doivent avoir les mêmes tranches."
        )
    relabel = {e: b for e, b in into.items() if b != e}
    if relabel:
        renamed = (tuple(num_m), tuple(sorted(relabel.items())))
        if renamed not in ctx.relabelled:
            ctx.relabelled[renamed] = num_rows.assign(age=_relabel(num_rows["age"], relabel))
        num_rows = ctx.relabelled[renamed]
    # the event rows summed (as select_values would), placed straight into the population grid
    cells = ctx.row_cells(num_rows)
    rows = selected_rows(num_rows, num_m, sex=ind["sex"], by_sex=by_sex, by_age=True, bands=bands, cells=cells)
    # a band without events may be left out (sparse sources, the national pass): a zone and
    # period with none of the bands asked for still has zero events in them if it has known
    # events at other ages (in a period whose events are given by band: those of the grid)
    known_rows = selected_rows(num_rows, num_m, sex=ind["sex"], by_sex=by_sex, bands=ctx.labels(num_m, "age"),
                               cells=cells)
    status, labels = factorize(num_rows["status"])
    known_rows = known_rows[among(status[known_rows], labels, ["ok", "zero"])]
    # the population rows summed, and their periods (kept for the indicators sharing them)
    population = (tuple(den_m), ind["sex"], by_sex, tuple(bands))
    if population not in ctx.grids:
        chosen = selected_rows(den_rows, den_m, sex=ind["sex"], by_sex=by_sex, by_age=True, bands=list(bands),
                               cells=ctx.row_cells(den_rows))
        codes, period_labels = factorize(den_rows["period"])
        ctx.grids[population] = (chosen, sorted(str(p) for p in period_labels[used_codes(codes[chosen], len(period_labels))]))
    chosen, available = ctx.grids[population]
    if not len(rows) or not len(chosen):
        return None
    periods = tuple((p, *match) for p in pd.unique(num_rows["period"].array.take(rows))
                    if (match := match_denominator_period(p, available)) is not None)
    if not periods:
        return None
    key = (*population, periods)
    if key not in ctx.grids:
        ctx.grids[key] = BandGrid(den_rows, chosen, periods, bands, by_sex, ctx.table.size)
    return ctx.grids[key].paired(num_rows, rows, known_rows)


def _labels(column: pd.Series) -> list[str]:
    """The distinct values of a column, as text (by codes: free for categoricals)."""
    codes, labels = factorize(column)
    return [str(label) for label in labels[used_codes(codes, len(labels))]]


def _relabel(ages: pd.Series, relabel: dict[str, str]) -> pd.Series:
    """Age labels renamed (finer event bands into the population's band), by category."""
    cat = ages.astype("category").array
    labels = np.array([relabel.get(str(c), str(c)) for c in cat.categories], dtype=object)
    uniques, inverse = np.unique(labels.astype(str), return_inverse=True)
    codes = np.asarray(cat.codes, dtype=np.int64)
    mapped = np.where(codes >= 0, inverse[np.clip(codes, 0, None)], -1)
    return pd.Series(pd.Categorical.from_codes(mapped, categories=pd.Index(uniques, dtype=object)), index=ages.index)


def _stack(frames: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate frames with the same columns, categoricals kept as categoricals."""
    if len(frames) == 1:
        return frames[0].reset_index(drop=True)
    columns = {}
    for column in frames[0].columns:
        parts = [f[column] for f in frames]
        if all(isinstance(p.dtype, pd.CategoricalDtype) for p in parts):
            columns[column] = pd.api.types.union_categoricals([p.array for p in parts], ignore_order=True)
        else:
            columns[column] = pd.concat(parts, ignore_index=True).array
    return pd.DataFrame(columns)


def _standardised(ind: dict, ctx: _Context) -> pd.DataFrame:
    kind = ind["statistic"]
    if kind == "life_expectancy":  # the life table's first bands are 0 and 1-4
        pair = _band_pair(ind, ctx, by_sex=False, avoid=("0-4",))
        if pair is None:
            return pd.DataFrame(columns=KEYS)
        return _life_expectancy(pair)
    pair = _band_pair(ind, ctx, by_sex=kind == "isr", avoid=("0", "1-4") if kind == "dsr" else ())
    if pair is None:
        return pd.DataFrame(columns=KEYS)
    pair.drop_inconsistent()
    if not pair.kept.any():
        return pd.DataFrame(columns=KEYS)
    multiplier = float(ind["multiplier"])
    if kind == "dsr":
        result = _direct(pair, ind, ctx)
        if result is None:  # irregular data: stats.dsr says what is wrong
            frame = pair.frame().assign(n=lambda f: f["n"].fillna(0.0))
            result = _widen(stats.dsr(frame, x="x", n="n", standard=_standard(ind, pair, ctx), age="age", by=KEYS,
                                      confidence=LEVELS, multiplier=multiplier), KEYS)
    else:
        result = pair.indirect(ctx.france, multiplier, LEVELS)
        if result is None:  # data stats.isr refuses: it says why
            frame = pair.frame().assign(n=lambda f: f["n"].fillna(0.0))
            reference = frame.loc[np.isin(frame["zone"].to_numpy(), ctx.france)]
            if reference.empty:
                return pd.DataFrame(columns=KEYS)
            result = _widen(_indirect_by_stats(frame, reference, multiplier), KEYS)
    # withheld rows (population or events) of each zone and period
    periods = pair.grid.periods
    zone_period = result["zone"].to_numpy(dtype=np.int64) * len(periods) + label_positions(result["period"], periods)
    result["x_secret"] = pair.secret()[zone_period]
    return result


def _life_expectancy(pair: BandPair) -> pd.DataFrame:
    """Life expectancy at birth of every zone and period of ``pair`` (bands 0, 1-4, 5-9…,
    90+), from its cells of positive population, in wide form, with the withheld rows of those
    cells: on the grid (:func:`_life_table`), else through
    :func:`cls_analysis.stats.life_expectancy` on a table (it says what is wrong)."""
    grid = pair.grid
    usable = grid.present & (grid.n > 0)
    result = _life_table(pair, usable)
    if result is None:
        frame = pair.frame()
        frame = frame.loc[frame["n"] > 0]
        if frame.empty:
            return pd.DataFrame(columns=KEYS)
        result = stats.life_expectancy(frame, deaths="x", n="n", age="age", by=KEYS, confidence=LEVELS)
        result = _widen(result.drop(columns=[c for c in result.columns if c == "age"]), KEYS)
    zone_period = result["zone"].to_numpy(dtype=np.int64) * len(grid.periods) + label_positions(result["period"], grid.periods)
    result["x_secret"] = pair.secret(usable)[zone_period]
    return result


def _life_table(pair: BandPair, usable: np.ndarray) -> pd.DataFrame | None:
    """The life expectancies of :func:`_life_expectancy` on the grid, by
    :func:`~cls_analysis.stats.life_expectancy.life_table_from_bands` (the table and rules of
    ``stats.life_expectancy``); None when the grid's bands are not the life table's or counts
    are negative."""
    grid = pair.grid
    rank = {band: i for i, band in enumerate(LIFE_TABLE_BANDS)}
    position = [rank.get(stats.normalize_age_band(band), -1) for band in grid.bands]
    if sorted(position) != list(range(len(LIFE_TABLE_BANDS))) or grid.negative or (pair.x < 0).any():
        return None
    at = np.flatnonzero(pair.kept & usable.any(axis=(1, 2)))
    columns = np.argsort(position)  # the grid's band of each band of the life table
    use = usable[at, 0][:, columns]
    deaths = np.where(use, pair.x[at, 0][:, columns], 0.0)
    population = np.where(use, grid.n_filled[at, 0][:, columns], 0.0)
    numerator, denominator, value, lower, upper, statistic = life_table_from_bands(deaths, population, use, LEVELS)
    result = pair.keys(at)
    result["numerator"], result["denominator"], result["value"] = numerator[:, 0], denominator[:, 0], value[:, 0]
    result["lower_ci"], result["upper_ci"] = lower[:, 0, 0], upper[:, 0, 0]
    result["lower_ci_998"], result["upper_ci_998"] = lower[:, 0, 1], upper[:, 0, 1]
    result["confidence"] = LEVELS[0]
    result["statistic"] = pd.Categorical(statistic[:, 0])
    result["method"] = "Chiang, using Silcocks et al for confidence limits"
    return result


def _standard(ind: dict, pair: BandPair, ctx: _Context) -> str | pd.Series:
    """The standard population of a DSR: a built-in name, or for ``france`` the population of
    the France zones of ``pair`` (every period kept) by band, the bands where they have rows."""
    standard = _opt(ind["standard"], "esp2013")
    if standard != "france":
        return standard
    grid = pair.grid
    france = pair.kept & np.isin(np.arange(len(pair.kept)) // len(grid.periods), ctx.france)
    present = grid.present[france].any(axis=(0, 1))
    total = np.where(grid.present[france], grid.n_filled[france], 0.0).sum(axis=(0, 1))
    return pd.Series(total[present], index=pd.Index(grid.bands, dtype=object)[present])


def _direct(pair: BandPair, ind: dict, ctx: _Context) -> pd.DataFrame | None:
    """The DSR of every zone and period of ``pair`` on its grid (the formulas of
    :func:`cls_analysis.stats.dsr`, by :func:`~cls_analysis.stats.dsr.dsr_from_bands`), in
    wide form; None when the data are irregular (a zone without some band, negative counts):
    ``stats.dsr`` then says what is wrong."""
    grid = pair.grid
    labels = np.array([stats.normalize_age_band(b) for b in grid.bands], dtype=object)
    if not pair.regular or len(set(labels)) < len(labels) or grid.negative:
        return None
    at = np.flatnonzero(pair.kept)
    events, population = pair.x[at, 0], grid.n_filled[at, 0]
    if (events < 0).any():
        return None
    weights, _ = standard_weights(pd.DataFrame(), _standard(ind, pair, ctx), np.arange(len(labels)), labels,
                                  population[:, 0])
    total, value, lower, upper, (codes, texts) = dsr_from_bands(events, population, weights, LEVELS,
                                                                float(ind["multiplier"]))
    out = pair.keys()
    out["numerator"], out["denominator"], out["value"] = total, population.sum(axis=1), value
    out["lower_ci"], out["upper_ci"], out["lower_ci_998"], out["upper_ci_998"] = lower[:, 0], upper[:, 0], lower[:, 1], upper[:, 1]
    out["confidence"] = LEVELS[0]
    out["statistic"] = pd.Categorical.from_codes(codes, categories=pd.Index(texts, dtype=object))
    out["method"] = "Dobson"
    return out


def _indirect_by_stats(pair: pd.DataFrame, reference: pd.DataFrame, reference_value: float) -> pd.DataFrame:
    """ICM of every zone and period by :func:`cls_analysis.stats.isr`, period by period, the
    rows of the France zones (``reference``) as reference, bands absent from it left out."""
    reference = reference.groupby(["period", "sex", "age"], as_index=False)[["x", "n"]].sum()
    reference = reference.rename(columns={"x": "x_ref", "n": "n_ref"})
    parts = []
    for period, block in pair.groupby("period", sort=False):
        ref = reference.loc[reference["period"] == period]
        block = block.loc[block["age"].isin(ref["age"])]
        parts.append(
            stats.isr(block, x="x", n="n", x_ref="x_ref", n_ref="n_ref", age="age", by=KEYS,
                      reference=ref.drop(columns="period"), reference_on=["sex"],
                      confidence=LEVELS, reference_value=reference_value)
        )
    return pd.concat(parts, ignore_index=True)


def _unavailable(ctx: _Context, reason: str) -> pd.DataFrame:
    """A missing row for every zone (except communes), with the reason in ``note``."""
    zones = np.flatnonzero(ctx.table.type != "commune")
    return pd.DataFrame({"zone": zones, "period": "", "numerator": np.nan, "denominator": np.nan,
                         "value": np.nan, "statistic": "", "method": "", "note": reason})


_HANDLERS = {
    "count": lambda ind, ctx: _simple(ind, ctx, "count"),
    "proportion": lambda ind, ctx: _simple(ind, ctx, "proportion"),
    "crude_rate": lambda ind, ctx: _simple(ind, ctx, "crude_rate"),
    "ratio": lambda ind, ctx: _simple(ind, ctx, "ratio"),
    "density": lambda ind, ctx: _simple(ind, ctx, "density"),
    "read": _read,
    "weighted_mean": _read,
    "evolution": _evolution,
    "share_below": _share_below,
    "dsr": _standardised,
    "isr": _standardised,
    "life_expectancy": _standardised,
}


# ---------------------------------------------------------------------------- statuses
#: Result statuses, as codes in the working arrays.
_STATUS_LABELS = ("ok", "missing", "zero", "suppressed")
_OK, _MISSING, _ZERO, _SUPPRESSED = range(4)
_NUMBERS = ["numerator", "denominator", "value", "lower_ci", "upper_ci", "lower_ci_998", "upper_ci_998"]
_TEXTS = ["period", "statistic", "method", "note"]
_RULE_STATEMENT = re.compile("NA|not shown|suppress", re.IGNORECASE)
#: The notes, in French, of the rules under which :mod:`cls_analysis.stats` gives no value
#: (the statements it writes in ``statistic`` are PHEindicatormethods' own, in English).
_LIFE_TABLE_NOTES = {
    "bands": "espérance de vie non calculée : les 20 tranches d'âge de la table (0, 1-4, 5-9… 90+) "
             "ne sont pas toutes présentes",
    "pop": "espérance de vie non calculée : population nulle ou inconnue dans une tranche d'âge",
    "deaths": "espérance de vie non calculée : plus de décès que d'habitants dans une tranche d'âge",
    "small": "espérance de vie non calculée : population totale de {population} habitants ou moins",
    "last": "espérance de vie non calculée : aucun décès dans la tranche des 90 ans et plus",
    "wide": "espérance de vie non diffusée : intervalle de confiance à 95 % de plus de {width} ans",
}


def _rule_note(statement: str) -> str:
    """The French note for a statistic's statement that it gives no value.

    >>> _rule_note("dsr NA for total count < 10")
    'taux standardisé non calculé : moins de 10 événements au total'
    >>> _rule_note("life expectancy NA for total population <= 5000")
    'espérance de vie non calculée : population totale de 5\u202f000 habitants ou moins'
    """
    from babel.numbers import format_decimal

    from cls_analysis.stats.life_expectancy import MAX_CI_WIDTH, MIN_TOTAL_POPULATION, REASONS

    if found := re.fullmatch(r"dsr NA for total count < (\S+)", statement):
        return f"taux standardisé non calculé : moins de {found[1]} événements au total"
    for key, reason in REASONS.items():
        if statement == reason:
            return _LIFE_TABLE_NOTES[key].format(population=format_decimal(MIN_TOTAL_POPULATION, locale="fr_FR"),
                                                 width=MAX_CI_WIDTH)
    return f"valeur non calculée (règle de la méthode : {statement})"


def _statuses(out: pd.DataFrame, ind: dict) -> dict[str, np.ndarray | pd.Categorical]:
    """One indicator's rows as arrays, with their status (codes of ``_STATUS_LABELS``) and its
    text columns as categoricals.

    ok / zero / missing, then suppressed: a figure with a part withheld by the producer (a
    secret cell among those summed) would be wrong, whether or not the other parts gave a
    value; a count below the indicator's threshold is hidden (primary suppression).
    """
    n = len(out)

    def number(column: str) -> np.ndarray:
        if column not in out:
            return np.full(n, np.nan)
        return pd.to_numeric(out[column], errors="coerce").to_numpy(dtype=float, na_value=np.nan)

    part: dict = {"zone": out["zone"].to_numpy(dtype=np.int64)}
    part.update({c: number(c) for c in _NUMBERS})
    texts = {c: _TextCodes(out[c] if c in out else None, n) for c in _TEXTS}
    note, statistic = texts["note"], texts["statistic"]
    note.fill_missing("")
    secret = np.nan_to_num(number("x_secret")) > 0
    value, numerator = part["value"], part["numerator"]
    has_value = ~np.isnan(value)
    status = np.where(has_value, _OK, _MISSING).astype(np.int8)
    # a rule of the statistic left the value out (a DSR below 10 events): said in the note
    states = np.array([bool(_RULE_STATEMENT.search(str(u))) for u in statistic.labels] + [False])  # -1: none
    rule = ~has_value & ~secret & states[statistic.codes] & (note.codes == note.code(""))
    rule_notes = np.array([note.code(_rule_note(str(u))) if state else -1
                           for u, state in zip(statistic.labels, states, strict=False)] + [-1], dtype=np.int64)
    note.codes[rule] = rule_notes[statistic.codes[rule]]
    status[has_value & (numerator == 0)] = _ZERO
    status[secret] = _SUPPRESSED
    note.put(secret, "secret statistique du producteur")
    threshold = float(_opt(ind["min_count"], 10))
    small = (threshold > 0) & (numerator > 0) & (numerator < threshold) & ~secret
    status[small] = _SUPPRESSED
    note.put(small, f"effectif inférieur à {threshold:g} (secret)")
    part["status"] = status
    part.update({c: text.categorical() for c, text in texts.items()})
    return part


class _TextCodes:
    """A text column as integer codes into a list of labels (-1: missing), to which labels are
    added as they are written: no Python string per row (a pyarrow text column is coded by
    its own dictionary encoding)."""

    def __init__(self, values: pd.Series | pd.Categorical | None, n: int):
        if values is None:
            self.codes, self.labels = np.full(n, -1, dtype=np.int64), []
        elif isinstance(values, pd.Categorical):
            self.codes, self.labels = np.array(values.codes, dtype=np.int64), [str(u) for u in values.categories]
        else:
            codes, uniques = pd.factorize(values)
            self.codes, self.labels = np.array(codes, dtype=np.int64), [str(u) for u in uniques]

    @classmethod
    def constant(cls, label: str, n: int) -> _TextCodes:
        """``n`` rows of one label."""
        text = cls(None, n)
        text.codes[:] = text.code(label)
        return text

    def code(self, label: str) -> int:
        """The code of ``label``, added to the labels when new."""
        if label not in self.labels:
            self.labels.append(label)
        return self.labels.index(label)

    def put(self, rows: np.ndarray, label: str) -> None:
        """``label`` at ``rows`` (a mask or positions)."""
        rows = np.flatnonzero(rows) if rows.dtype == bool else rows
        if len(rows):
            self.codes[rows] = self.code(label)

    def fill_missing(self, label: str) -> None:
        self.put(self.codes < 0, label)

    def categorical(self) -> pd.Categorical:
        return pd.Categorical.from_codes(self.codes, categories=pd.Index(self.labels, dtype=object))


class _Results:
    """The results of every indicator as arrays: what suppression, comparison and sorting work on.

    ``zone`` (zone numbers), ``indicator`` (positions in the catalogue), the numbers, the text
    columns as categoricals and ``status`` codes.
    """

    def __init__(self, parts: list[tuple[int, dict]], catalogue: pd.DataFrame):
        sizes = [len(p["zone"]) for _, p in parts]
        self.catalogue = catalogue.reset_index(drop=True)
        self.indicator = np.repeat(np.array([i for i, _ in parts], dtype=np.int64), sizes)
        self.zone = np.concatenate([p["zone"] for _, p in parts])
        self.columns: dict[str, np.ndarray | pd.Categorical] = {
            c: np.concatenate([p[c] for _, p in parts]) for c in [*_NUMBERS, "status"]}
        for column in _TEXTS:
            self.columns[column] = _union_categorical([p[column] for _, p in parts])
        self.columns["confidence"] = np.where(np.isnan(self.columns["lower_ci"]), np.nan, LEVELS[0])
        self.size = len(self.zone)

    def sorted_rows(self, order: np.ndarray) -> dict:
        """The rows in ``order`` as compact arrays (codes, numbers, categoricals): what a
        forked process sends back, and what :func:`_results_table` turns into text once."""
        rows = {"indicator": self.indicator[order], "zone": self.zone[order]}
        for column, values in self.columns.items():
            if isinstance(values, tuple):  # comparison codes and their labels
                rows[column] = (values[0][order], values[1])
            else:
                rows[column] = values[order]
        return rows


def _results_table(parts: Sequence[dict], table: _ZoneTable, catalogue: pd.DataFrame) -> pd.DataFrame:
    """The results table (:data:`RESULT_COLUMNS`) from the indicators' sorted rows
    (:meth:`_Results.sorted_rows`), one after the other: text columns are made once, from codes.

    Every part has the same columns (the comparisons depend on the zones, not the indicator).
    """
    catalogue = catalogue.reset_index(drop=True)
    merged: dict = {}
    for column, first in parts[0].items():
        if isinstance(first, tuple):
            merged[column] = (np.concatenate([p[column][0] for p in parts]), first[1])
        elif isinstance(first, pd.Categorical):
            merged[column] = _union_categorical([p[column] for p in parts])
        else:
            merged[column] = np.concatenate([p[column] for p in parts])
    ind, zone = merged["indicator"], merged["zone"]
    ids = catalogue["id"].astype(str).tolist()
    # text columns: categoricals made from integer codes (no string per row)
    texts = {
        "indicator": (ind, ids, {}),
        "zone_type": (zone, table.type, {}),
        "zone_code": (zone, table.code, {}),
        "zone_name": (zone, table.name, {}),
        "sex": (ind, catalogue["sex"].tolist(), {}),
        "unit": (ind, catalogue["unit"].tolist(), {}),
        "status": (merged["status"], _STATUS_LABELS, {}),
    }
    columns = {}
    period = merged["period"]
    texts["period"] = (period.codes, list(period.categories), {})
    for column in RESULT_COLUMNS:
        if column in columns or column in texts:
            continue
        values = merged.get(column)
        if values is None:
            columns[column] = np.full(len(ind), np.nan)
        elif isinstance(values, pd.Categorical):
            texts[column] = (values.codes, values.categories, {})
        elif isinstance(values, tuple):  # comparison codes and their labels
            texts[column] = (values[0], values[1], {"missing_label": True})
        else:
            columns[column] = values
    # the zones' columns share their codes: the zones used, counted once
    zones_used = np.bincount(zone, minlength=table.size) > 0
    for name in ("zone_type", "zone_code", "zone_name"):
        texts[name][2]["used"] = zones_used
    columns.update({name: _strings(codes, labels, **options) for name, (codes, labels, options) in texts.items()})
    return pd.DataFrame({c: columns[c] for c in RESULT_COLUMNS}, copy=False)  # new arrays: not copied into blocks


def _union_categorical(arrays: Sequence[np.ndarray | pd.Categorical]) -> pd.Categorical:
    """One categorical from object arrays of text (NaN: missing) or categoricals, part by part."""
    if len(arrays) == 1 and isinstance(arrays[0], pd.Categorical):
        return arrays[0]
    coded = [(np.asarray(a.codes), np.asarray(a.categories, dtype=object)) if isinstance(a, pd.Categorical)
             else pd.factorize(a) for a in arrays]
    categories = pd.Index(np.concatenate([u for _, u in coded]) if coded else [], dtype=object).unique()
    # labels looked up as objects (a list of text would first become a pyarrow index)
    codes = np.concatenate([np.append(categories.get_indexer(pd.Index(u, dtype=object)), -1)[c] for c, u in coded])
    return pd.Categorical.from_codes(codes, categories=categories)


def _strings(codes: np.ndarray, labels: Sequence, *, missing_label: bool = False,
             used: np.ndarray | None = None) -> pd.Series:
    """A text column from integer codes into ``labels``: the labels used, as the sorted
    categorical of :func:`cls_analysis.observations.categorical` (the contract's text
    columns), made without millions of Python strings. Code -1 is missing, or the last label
    with ``missing_label``; missing labels (None, NA) stay missing and labels that repeat
    become one category. ``used``: which labels the codes use, when known.

    >>> _strings(np.array([1, -1, 0, 1]), ["b", "a", "c"]).tolist()
    ['a', nan, 'b', 'a']
    """
    from cls_analysis.observations import categorical

    codes = np.asarray(codes)
    if missing_label:
        codes = np.where(codes < 0, len(labels) - 1, codes)
    labels = np.asarray(labels, dtype=object)
    if pd.api.types.infer_dtype(labels, skipna=False) != "string":
        labels = np.array([None if pd.isna(lab) else str(lab) for lab in labels], dtype=object)
    if used is None:
        used = np.bincount(codes[codes >= 0], minlength=len(labels)) > 0
    kept = np.flatnonzero(used & np.array([lab is not None for lab in labels], dtype=bool))
    kept = kept[np.argsort(labels[kept], kind="stable")]  # sorted: the categories as they come
    renumbered = np.full(len(labels) + 1, -1, dtype=np.int8 if len(kept) < 127 else np.int32)  # last: code -1
    renumbered[kept] = np.arange(len(kept))
    return pd.Series(categorical((renumbered[codes], labels[kept])))


def _secondary_suppression(res: _Results, table: _ZoneTable, within: Sequence[np.ndarray]) -> None:
    """Hide more communes where hidden ones could be recovered from a published parent's total.

    Within each parent zone (the territory, or each EPCI), the communes already hidden (small
    count or producer's secret) are passed to :func:`cls_analysis.stats.suppress` as hidden
    by the source; the communes it hides in addition are marked ``secondary``. One call per
    threshold, every parent at once. ``within``: for each type of parent, the parent of each
    zone number (-1 for none, see :meth:`_ZoneTable.within`).
    """

    min_count = np.array([float(_opt(v, 10)) for v in res.catalogue["min_count"]])[res.indicator]
    candidates = (table.type_rank[res.zone] == _ZONE_ORDER["commune"]) & (min_count > 0)
    if not candidates.any() or not len(within):
        return
    blocks = []
    for position, parents in enumerate(within):
        parent = parents[res.zone]
        rows = np.flatnonzero(candidates & (parent >= 0))
        if len(rows):
            blocks.append((rows, np.full(len(rows), position), parent[rows]))
    if not blocks:
        return
    rows = np.concatenate([b[0] for b in blocks])
    parent_type, parent = np.concatenate([b[1] for b in blocks]), np.concatenate([b[2] for b in blocks])
    status = res.columns["status"]
    for threshold in pd.unique(min_count[rows]):
        block = min_count[rows] == threshold
        at = rows[block]
        hidden = status[at] == _SUPPRESSED
        # only the parents (of an indicator and period) with a hidden commune need protecting
        group = in_order_of_appearance(*_combined_codes([res.indicator[at], res.columns["period"].codes[at],
                                                         parent_type[block], parent[block]]))
        concerned = np.isin(group, group[hidden])
        if not concerned.any():
            continue
        at, hidden, group = at[concerned], hidden[concerned], group[concerned]
        group = in_order_of_appearance(group, int(group.max()) + 1)
        # a group whose only hidden commune has no other positive count to pair with needs
        # none: its parent's total is that commune's count, below the threshold (or secret),
        # hence hidden itself
        secondary, _ = stats.secondary_rows(np.nan_to_num(res.columns["numerator"][at], nan=0.0), hidden,
                                            np.zeros(len(at), dtype=bool), group, int(group.max()) + 1)
        newly = at[secondary]
        status[newly] = _SUPPRESSED
        note = _TextCodes(res.columns["note"], res.size)
        note.put(newly, "masqué pour qu'une commune en secret ne puisse être recalculée (secret secondaire)")
        res.columns["note"] = note.categorical()


def _combined_codes(columns: Sequence[np.ndarray]) -> tuple[np.ndarray, int]:
    """One integer per row for its values in ``columns`` (non-negative integers, -1 allowed),
    and their range: the columns' values in mixed radix."""
    combined, size = np.zeros(len(columns[0]), dtype=np.int64), 1
    for values in columns:
        values = np.asarray(values, dtype=np.int64) + 1
        radix = int(values.max(initial=0)) + 1
        combined = combined * radix + values
        size *= radix
    return combined, size


def _mask_suppressed(res: _Results) -> None:
    hidden = res.columns["status"] == _SUPPRESSED
    for column in ("numerator", "value", "lower_ci", "upper_ci", "lower_ci_998", "upper_ci_998"):
        res.columns[column] = np.where(hidden, np.nan, res.columns[column])


# ---------------------------------------------------------------------------- comparisons
_COMPARISON_LABELS = ("higher", "similar", "lower", "not compared")  # codes 0, 1, 2 and -1
_ASSESSMENT_LABELS = ("better", "similar", "worse", "not judged")


def _assess(comparison: np.ndarray, polarity: np.ndarray) -> np.ndarray:
    """Assessment codes (positions in ``_ASSESSMENT_LABELS``) from comparison codes (0 higher,
    1 similar, 2 lower, -1 none) and polarity codes (+1 higher is better, -1, 0 not judged)."""
    out = np.full(comparison.shape, 3, dtype=np.int8)
    judged = polarity != 0
    out[judged & (comparison == 1)] = 1
    out[judged & (comparison == np.where(polarity > 0, 0, 2))] = 0
    out[judged & (comparison == np.where(polarity > 0, 2, 0))] = 2
    return out


def _polarities(catalogue: pd.DataFrame) -> np.ndarray:
    """Each indicator's polarity: +1 higher is better, -1 lower is better, 0 not judged.

    >>> _polarities(pd.DataFrame({"polarity": ["+", "-", None]})).tolist()
    [1, -1, 0]
    """
    return np.array([{"+": 1, "-": -1}.get(str(p), 0) for p in catalogue["polarity"]], dtype=np.int8)


def _compare(res: _Results, table: _ZoneTable, parents_by_level: dict[str, np.ndarray]) -> None:
    """Each zone against France, its département and its région (95 %; 99.8 % for France).

    A row's comparator row is the same indicator and period in the parent zone (the one holding
    most of the zone's communes), found by an integer key; the assessment follows the
    indicator's polarity. ``parents_by_level``: the parent of each zone number, by level (see
    :meth:`_ZoneTable.parents`).
    """
    row_polarity = _polarities(res.catalogue)[res.indicator]
    period = res.columns["period"].codes.astype(np.int64)
    cell = (res.indicator * (len(res.columns["period"].categories) + 1) + period + 1) * table.size
    value = res.columns["value"]
    for level, suffix in (("france", ""), ("departement", "_departement"), ("region", "_region")):
        parents = parents_by_level[level]
        if not (parents >= 0).any():
            continue
        parent = parents[res.zone]
        own = table.type_rank[res.zone] == _ZONE_ORDER[level]
        ref_key = cell[own] + res.zone[own]
        first = np.sort(np.unique(ref_key, return_index=True)[1])  # a key given twice: its first row
        ref_key, ref_value = ref_key[first], value[own][first]
        found = np.where(parent >= 0, positions(cell + np.clip(parent, 0, None), ref_key), -1)
        reference = np.where(found >= 0, np.append(ref_value, np.nan)[found], np.nan)  # -1: no reference
        comparison = stats.significance_codes(res.columns["lower_ci"], res.columns["upper_ci"], reference)
        comparison[own] = -1
        res.columns[f"comparison{suffix}"] = (comparison, _COMPARISON_LABELS)
        res.columns[f"assessment{suffix}"] = (_assess(comparison, row_polarity), _ASSESSMENT_LABELS)
        if level == "france":
            france = table.of_type("france")
            position = np.full(table.size + 1, -1, dtype=np.int64)  # last: no parent
            position[france] = np.arange(len(france))
            labels = [*(str(n) for n in table.name[france]), "France"]
            res.columns["comparator"] = (position[np.where(parent >= 0, parent, table.size)], labels)
            comparison998 = stats.significance_codes(res.columns["lower_ci_998"], res.columns["upper_ci_998"], reference)
            comparison998[own] = -1
            res.columns["comparison_998"] = (comparison998, _COMPARISON_LABELS)


# ---------------------------------------------------------------------------- computing
#: Passes with this many zones or more share the indicators with a second process by default.
PARALLEL_MIN_ZONES = 20_000
#: Rough cost of computing an indicator for every zone of France, by statistic, in hundredths
#: of a second (measured in one process): to share the indicators between processes.
_COST = {"isr": 18, "dsr": 13, "life_expectancy": 26, "share_below": 35, "crude_rate": 10, "proportion": 5,
         "ratio": 4, "density": 4, "evolution": 6, "weighted_mean": 5, "read": 3, "count": 5}
_DEFAULT_COST = 6
#: How much slower the same indicators are in the forked process (its first writes to the
#: memory it shares with its parent copy pages): its half is made that much lighter.
_FORKED_SLOWDOWN = 1.15
#: What a forked process computing indicators needs of its parent (set only while it runs).
_FORKED: tuple[list[dict], _Context] | None = None


def _indicator_measures(ind: dict) -> set[str]:
    """The measures an indicator (a catalogue record) reads: numerator, denominator and the
    weights of weighted means.

    >>> sorted(_indicator_measures({"numerator": "apl_gp", "denominator": None}))
    ['apl_gp', 'apl_gp_standardised_population']
    """
    names = set(_measures(ind["numerator"])) | set(_measures(ind.get("denominator")))
    return names | {w for m in names if (w := _weight_of(m))}


_BY_BAND = ("dsr", "isr", "life_expectancy")


def implicit_zero_measures(catalogue: pd.DataFrame | None = None) -> list[str]:
    """The sparse measures whose zero age bands may be left out of zone observations.

    Those read by the catalogue's standardised indicators (DSR, ICM, life expectancy) as
    events and by no other indicator: they place a zone's events in its population's bands,
    and a band without row has no events when the zone has known events at other ages in the
    same period (see :meth:`~cls_analysis.indicators.grid.BandGrid.paired`). Another reading (a sum over an age range) would
    take a band left out for a missing one, so a measure read so is not among them.

    >>> "deaths" in implicit_zero_measures(), "population" in implicit_zero_measures()
    (True, False)
    """
    from cls_analysis.sources import measures

    catalogue = load_catalogue() if catalogue is None else catalogue
    as_events, otherwise = set(), set()
    for ind in catalogue.to_dict("records"):
        events = set(_measures(ind["numerator"])) if ind["statistic"] in _BY_BAND else set()
        as_events |= events
        otherwise |= _indicator_measures(ind) - events
    registry = measures.registry()
    sparse = set(registry.loc[registry["sparse"], "name"])
    return sorted((as_events - otherwise) & sparse)


def _split_in_two(records: Sequence[dict]) -> tuple[list[int], list[int]]:
    """Positions of the indicators (catalogue records) in two halves of similar cost
    (:data:`_COST`; the second, for the forked process, :data:`_FORKED_SLOWDOWN` lighter):
    costliest first, each goes to the half it leaves the least loaded. The indicators
    standardised in the same way stay together: they share their populations by band, made
    once in a process.

    >>> records = [{"statistic": s} for s in ("isr", "dsr", "proportion", "count", "isr", "dsr")]
    >>> _split_in_two(records)
    ([0, 4], [1, 2, 3, 5])
    """
    bundles: dict = {}
    for position, record in enumerate(records):
        statistic = record["statistic"]
        bundles.setdefault(statistic if statistic in _BY_BAND else position, []).append(position)
    cost = {key: sum(float(_COST.get(records[i]["statistic"], _DEFAULT_COST)) for i in members)
            for key, members in bundles.items()}
    halves: tuple[list[int], list[int]] = ([], [])
    load = [0.0, 0.0]
    for key in sorted(bundles, key=lambda k: -cost[k]):
        half = int(load[1] * _FORKED_SLOWDOWN < load[0])
        halves[half].extend(bundles[key])
        load[half] += cost[key]
    return sorted(halves[0]), sorted(halves[1])


def _indicator_part(position: int, ind: dict, ctx: _Context) -> dict | None:
    """One indicator's rows of the results table, every zone, sorted, as compact arrays
    (:meth:`_Results.sorted_rows`; None: nothing to show).

    The statistic, its statuses, the secondary suppression (within the indicator's own
    figures), the masking of hidden figures and the comparisons only involve this indicator.
    """
    try:
        out = _HANDLERS[ind["statistic"]](ind, ctx)
    except ClsAnalysisError as exc:
        # the data cannot give this indicator (e.g. deaths without the 0 / 1-4 split for a
        # life table): every zone gets a missing row that says why, the others go on
        out = _unavailable(ctx, f"calcul impossible : {exc}")
    if out is None or out.empty:
        return None
    results = _Results([(position, _statuses(out, ind))], ctx.catalogue)
    _secondary_suppression(results, ctx.table, ctx.within)
    _mask_suppressed(results)
    _compare(results, ctx.table, ctx.parents)
    period = results.columns["period"]
    period_rank = np.append(np.argsort(np.argsort(np.asarray(period.categories, dtype=str), kind="stable")), -1)
    return results.sorted_rows(np.lexsort((ctx.table.rank[results.zone], period_rank[period.codes])))


def _forked_part(position: int) -> dict | None:
    """:func:`_indicator_part` in a forked process, from what its parent left in ``_FORKED``."""
    records, ctx = _FORKED
    return _indicator_part(position, records[position], ctx)


def _indicator_parts(records: list[dict], ctx: _Context, workers: int) -> list[dict]:
    """Each indicator's rows (catalogue order), computed here or shared with a forked process.

    With two workers, the indicators are split in two halves of similar cost; the forked
    process computes one while this process computes the other. An indicator the other
    process could not give back is computed here.
    """
    global _FORKED
    done: dict[int, dict | None] = {}
    if workers > 1 and len(records) > 1:
        mine, theirs = _split_in_two(records)
        _FORKED = (records, ctx)
        try:
            given, computed = run_forked(_forked_part, theirs, workers - 1,
                                         here=lambda: {i: _indicator_part(i, records[i], ctx) for i in mine})
        finally:
            _FORKED = None
        done.update(computed)
        done.update({theirs[k]: part for k, part in given.items()})
    for position, ind in enumerate(records):
        if position not in done:
            done[position] = _indicator_part(position, ind, ctx)
    return [done[position] for position in range(len(records)) if done[position] is not None]


# ---------------------------------------------------------------------------- entry points
def _selected_catalogue(catalogue: pd.DataFrame | None = None, indicators: Iterable[str] | None = None) -> pd.DataFrame:
    """The catalogue entries of ``indicators`` (all by default), in catalogue order.

    >>> list(_selected_catalogue(indicators=["part_75p", "densite"])["id"])
    ['densite', 'part_75p']
    """
    catalogue = load_catalogue() if catalogue is None else catalogue
    if indicators is not None:
        wanted = list(indicators)
        unknown = sorted(set(wanted) - set(catalogue["id"]))
        if unknown:
            raise ClsAnalysisError(f"Indicateurs inconnus du catalogue : {', '.join(unknown)}.")
        catalogue = catalogue.loc[catalogue["id"].isin(wanted)]
    return catalogue.reset_index(drop=True)


def compute_zone_results(
    zobs: pd.DataFrame | Sequence[pd.DataFrame],
    zones: pd.DataFrame,
    *,
    catalogue: pd.DataFrame | None = None,
    indicators: Iterable[str] | None = None,
    secondary_within: Sequence[str] = ("territory",),
    commune_observations: pd.DataFrame | None = None,
    workers: int | None = None,
) -> pd.DataFrame:
    """Compute indicators from observations already aggregated to zones.

    Parameters
    ----------
    zobs : DataFrame or list of DataFrame
        Observations at zone level (every zone of ``zones`` plus its communes), or the parts
        of such a table (tables with the same columns, read as their concatenation).
    zones : DataFrame
        Membership ``zone_type, zone_code, zone_name, commune`` (``Territory.zones()``).
    catalogue : DataFrame, optional
        The catalogue (``load_catalogue()`` by default).
    indicators : list of str, optional
        Indicator ids to compute (all by default).
    secondary_within : sequence of str
        Zone types whose totals are published, within which communes get secondary
        suppression (``territory`` for a territory; ``epci`` for the national pass).
    commune_observations : DataFrame, optional
        Commune observations of all France, for the indicators that classify communes
        (``share_below``) in comparator zones.
    workers : int, optional
        Processes computing indicators at once: ``2`` shares the catalogue with a forked
        process (Linux), ``1`` computes everything here. By default 2 when a processor is free
        and there are at least :data:`PARALLEL_MIN_ZONES` zones (the national pass). The
        results are the same either way.

    Returns
    -------
    DataFrame
        The results table (:data:`RESULT_COLUMNS`).
    """
    catalogue = _selected_catalogue(catalogue, indicators)
    if commune_observations is not None:
        # pandas deep-copies ``attrs`` on every operation: the aggregation's report (tables of
        # incomplete zones…) would be copied thousands of times. The engine works without it.
        commune_observations = commune_observations.copy(deep=False)
        commune_observations.attrs = {}
    table = _ZoneTable(zones)
    present = [t for t in pd.unique(zones["zone_type"].astype(str)) if t in set(secondary_within)]
    ctx = _Context(zobs=_ByMeasure(zobs, table), zones=zones, table=table, catalogue=catalogue,
                   communes=commune_observations, within=[table.within(zones, t) for t in present],
                   parents=table.parents(zones, ("france", "departement", "region")))
    del zobs  # the measures' rows are taken from it once: the caller's table can be freed
    records = catalogue.to_dict("records")
    if workers is None:
        workers = free_processors() if can_fork() and table.size >= PARALLEL_MIN_ZONES else 1
    parts = _indicator_parts(records, ctx, min(int(workers), 2))
    del ctx  # the zone observations are no longer needed: free them
    if not parts:
        return pd.DataFrame(columns=RESULT_COLUMNS)
    return _results_table(parts, table, catalogue)


def compute(
    obs: pd.DataFrame,
    territory,
    *,
    catalogue: pd.DataFrame | None = None,
    indicators: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Compute the catalogue for a territory: itself, its EPCIs and communes, its comparators.

    Parameters
    ----------
    obs : DataFrame
        Observations (commune counts and values published for larger zones), e.g.
        ``sources.read_folder("data/raw")``.
    territory : Territory
    catalogue, indicators
        See :func:`compute_zone_results`.

    See Also
    --------
    cls_analysis.indicators.national.compute_national : every zone of France in one pass.
    """
    from cls_analysis import observations

    catalogue = load_catalogue() if catalogue is None else catalogue
    zones = territory.zones()
    zobs = observations.aggregate(obs, territory)
    communes = classified_communes(obs, territory.geography, catalogue)
    return compute_zone_results(zobs, zones, catalogue=catalogue, indicators=indicators,
                                secondary_within=("territory", "epci"), commune_observations=communes)


def classified_communes(obs: pd.DataFrame, geography, catalogue: pd.DataFrame | None = None) -> pd.DataFrame | None:
    """Commune observations of all France for the indicators that classify communes.

    ``share_below`` indicators (population in communes with an APL under 2.5) need the value
    of every commune of a comparator; only their measures (and weights) are aggregated, with
    the same rules (COG vintages, arrondissements) as everything else.
    """
    from cls_analysis import observations

    catalogue = load_catalogue() if catalogue is None else catalogue
    classify = catalogue.loc[catalogue["statistic"] == "share_below"]
    needed = set().union(*(_indicator_measures(ind) for ind in classify.to_dict("records")))
    subset = obs.loc[obs["measure"].isin(needed)] if needed else obs.iloc[:0]
    if subset.empty:
        return None
    communes = observations.aggregate(subset, _CommuneZones(geography))
    return communes.loc[communes["zone_type"] == "commune"]


def _weight_of(measure: str) -> str | None:
    """Weight measure of a weighted-mean measure (APL: the standardised population)."""
    from cls_analysis.sources import measures

    try:
        return measures.weight_of(measure)
    except ClsAnalysisError:
        return None


class _CommuneZones:
    """Every commune of France as its own zone (what ``share_below`` needs of comparators)."""

    def __init__(self, geography):
        self.geography, self.epcis, self.code = geography, [], "communes"

    def zones(self) -> pd.DataFrame:
        codes = self.geography.communes["code"]
        return pd.DataFrame({"zone_type": "commune", "zone_code": codes,
                             "zone_name": self.geography.communes["name"], "commune": codes}).astype("string")
