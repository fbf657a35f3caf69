"""The indicator engine: observations + zones + catalogue → the results table.

Counts are aggregated to every zone first (territory, its EPCIs and communes, the
comparators — or every commune, EPCI, département and région of France in one national pass);
then each indicator's statistic is computed per zone with the methods of :mod:`cls_analysis.stats`;
then small counts are suppressed (primary, then secondary so that no hidden commune can be
recovered from the total) and every zone is compared with its département, its région and
France at 95 % and 99.8 %.

The results table follows ``docs/contracts.md``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cls_analysis import stats
from cls_analysis.errors import ClsAnalysisError
from cls_analysis.indicators.catalogue import load_catalogue
from cls_analysis.indicators.select import (
    compatible_partition,
    containing_band,
    finest_partition,
    match_denominator_period,
    period_bounds,
    select_values,
    shared_codes,
)

__all__ = ["RESULT_COLUMNS", "classified_communes", "compute", "compute_zone_results"]

KEYS = ["zone_type", "zone_code", "period"]
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


class _ByMeasure:
    """The rows of each measure of a zone observations table, taken when first asked for.

    The table is sorted once by measure; a measure's rows are one slice of that order.
    """

    def __init__(self, zobs: pd.DataFrame):
        measure = zobs["measure"].astype("category")
        codes = measure.cat.codes.to_numpy()
        self._zobs = zobs
        self._order = np.argsort(codes, kind="stable")
        bounds = np.searchsorted(codes[self._order], np.arange(len(measure.cat.categories) + 1))
        self._slices = {str(m): (bounds[i], bounds[i + 1]) for i, m in enumerate(measure.cat.categories)
                        if bounds[i + 1] > bounds[i]}
        self._frames: dict[str, pd.DataFrame] = {}

    def __contains__(self, name: str) -> bool:
        return name in self._slices

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in self._frames:
            start, stop = self._slices[name]
            self._frames[name] = self._zobs.take(self._order[start:stop]).reset_index(drop=True)
        return self._frames[name]


@dataclass
class _Context:
    zobs: _ByMeasure
    zones: pd.DataFrame  # zone_type, zone_code, zone_name, commune
    france: pd.DataFrame  # the France zone's (zone_type, zone_code)
    communes: pd.DataFrame | None = None  # commune observations of all France (share_below)
    selections: dict = field(default_factory=dict)

    def select(self, measures: str | Sequence[str], **options) -> pd.DataFrame:
        """:func:`select_values` of the zone observations, kept for the next indicator asking the
        same (the population by sex and age of every standardised indicator). Not to be modified."""
        names = [measures] if isinstance(measures, str) else list(measures)
        key = (tuple(names), tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in options.items())))
        if key not in self.selections:
            self.selections[key] = select_values(self.measure(names), names, **options)
        return self.selections[key]

    def measure(self, names: str | Sequence[str] | None) -> pd.DataFrame:
        names = [names] if isinstance(names, str) else list(names or [])
        frames = [self.zobs[n] for n in names if n in self.zobs]
        if not frames:
            return _EMPTY_OBS
        return frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)


_EMPTY_OBS = pd.DataFrame(columns=["zone_type", "zone_code", "period", "measure", "sex", "age", "value", "status"])


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


def _pair(num: pd.DataFrame, den: pd.DataFrame, extra: Sequence[str] = ()) -> pd.DataFrame:
    """Join numerator and denominator rows, matching the denominator's period to each numerator's."""
    if num.empty or den.empty:
        return pd.DataFrame(columns=[*KEYS, *extra, "x", "n", "x_ok", "x_secret", "n_factor"])
    available = sorted(den["period"].unique())
    mapping = {p: match_denominator_period(p, available) for p in num["period"].unique()}
    den_period = num["period"].map({p: m[0] if m else None for p, m in mapping.items()})
    factor = num["period"].map({p: m[1] if m else np.nan for p, m in mapping.items()}).to_numpy(dtype=float)
    wanted = num[["zone_type", "zone_code", *extra]].assign(period=den_period)
    num_key, den_key = shared_codes([wanted, den], ["zone_type", "zone_code", "period", *extra])
    position = pd.Index(den_key).get_indexer(num_key)
    n = np.where(position >= 0, den["value"].to_numpy(dtype=float)[np.clip(position, 0, None)], np.nan)
    out = num.rename(columns={"value": "x", "n_ok": "x_ok", "n_secret": "x_secret"})
    out["n_factor"] = factor
    out["n"] = n * factor
    if "n_secret" in den:  # a denominator with a withheld part makes the figure secret too
        den_secret = den["n_secret"].to_numpy(dtype=float)[np.clip(position, 0, None)]
        out["x_secret"] = out["x_secret"].to_numpy(dtype=float) + np.where(position >= 0, den_secret, 0.0)
    return out


def _widen(result: pd.DataFrame, by: Sequence[str]) -> pd.DataFrame:
    """One row per group: the 95 % limits in lower_ci/upper_ci, the 99.8 % ones beside them."""
    first = result.loc[np.isclose(result["confidence"], LEVELS[0])].set_index(list(by))
    second = result.loc[np.isclose(result["confidence"], LEVELS[1])].set_index(list(by))
    first["lower_ci_998"] = second["lower_ci"].reindex(first.index)
    first["upper_ci_998"] = second["upper_ci"].reindex(first.index)
    return first.reset_index()


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
    valid = pair["x"].notna() & pair["n"].notna() & (pair["n"] > 0)
    if kind == "proportion":
        valid &= pair["x"] <= pair["n"] * (1 + 1e-9)
    out = _statistic_output(pair, numerator=pair["x"], denominator=pair["n"], x_secret=pair["x_secret"])
    out["value"] = np.nan
    out["lower_ci"] = out["upper_ci"] = out["lower_ci_998"] = out["upper_ci_998"] = np.nan
    out["statistic"], out["method"] = kind, ""
    if kind in ("ratio", "density"):
        out.loc[valid, "value"] = pair.loc[valid, "x"] / pair.loc[valid, "n"] * multiplier
        out["method"] = "ratio (effectifs exhaustifs, sans intervalle)"
    elif valid.any():
        subset = pair.loc[valid, [*KEYS, "x", "n"]].copy()
        subset["x"] = subset["x"].clip(upper=subset["n"]) if kind == "proportion" else subset["x"]
        function = stats.proportion if kind == "proportion" else stats.crude_rate
        computed = _widen(function(subset, x="x", n="n", by=KEYS, confidence=LEVELS, multiplier=multiplier), KEYS)
        computed = computed.set_index(KEYS)
        index = pd.MultiIndex.from_frame(out.loc[valid, KEYS])
        for column in ("value", "lower_ci", "upper_ci", "lower_ci_998", "upper_ci_998", "statistic", "method"):
            out.loc[valid, column] = computed[column].reindex(index).to_numpy()
        if kind == "proportion" and bool(ind.get("complement")):
            out["numerator"] = out["denominator"] - out["numerator"]
            value = multiplier - out["value"]
            lower, upper = multiplier - out["upper_ci"], multiplier - out["lower_ci"]
            lower998, upper998 = multiplier - out["upper_ci_998"], multiplier - out["lower_ci_998"]
            out["value"], out["lower_ci"], out["upper_ci"] = value, lower, upper
            out["lower_ci_998"], out["upper_ci_998"] = lower998, upper998
    inconsistent = pair["x"].notna() & pair["n"].notna() & ~valid
    out["note"] = np.where(inconsistent, "dénominateur nul ou inférieur au numérateur", "")
    return out


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
    wide = num.pivot_table(index=["zone_type", "zone_code"], columns="period", values="value", aggfunc="sum")
    wide = wide.reindex(columns=[start, end])
    ratio = wide[end] / wide[start]
    value = (np.power(ratio.where(ratio > 0), 1 / years) - 1) * 100
    out = pd.DataFrame(
        {
            "zone_type": wide.index.get_level_values(0),
            "zone_code": wide.index.get_level_values(1),
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
    source = ctx.communes if ctx.communes is not None else _EMPTY_OBS
    names = [ind["numerator"], *_measures(ind["denominator"])]
    pool = pd.concat([source.loc[source["measure"].isin(names)], *[ctx.measure(n) for n in names]],
                     ignore_index=True)
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
    out = sums.assign(period=latest, numerator=sums["below"], denominator=sums["w"])
    out["value"] = out["below"] / out["w"] * float(ind["multiplier"])
    out["statistic"] = "share below threshold"
    out["method"] = f"population des communes sous le seuil de {ind['threshold']}"
    return out[[*KEYS, "numerator", "denominator", "value", "statistic", "method"]]


def _by_age_pair(ind: dict, ctx: _Context, by_sex: bool, avoid: Sequence[str] = ()) -> pd.DataFrame:
    num_m, den_m = _measures(ind["numerator"]), _measures(ind["denominator"])
    num_rows, den_rows = ctx.measure(num_m), ctx.measure(den_m)
    extra = ["sex", "age"] if by_sex else ["age"]
    if num_rows.empty or den_rows.empty:
        return pd.DataFrame(columns=[*KEYS, *extra, "x", "n"])
    event_bands = finest_partition([str(a) for a in num_rows["age"].unique() if str(a) != "all"],
                                   ind["age"], cover=False) or []
    bands = compatible_partition([str(a) for a in den_rows["age"].unique()], event_bands, ind["age"], avoid)
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
        num_rows = num_rows.assign(age=_relabel(num_rows["age"], relabel))
    num = select_values(num_rows, num_m, sex=ind["sex"], by_sex=by_sex, by_age=True, bands=bands)
    den = ctx.select(den_m, sex=ind["sex"], by_sex=by_sex, by_age=True, bands=list(bands))
    if num.empty or den.empty:
        return pd.DataFrame(columns=[*KEYS, *extra, "x", "n"])
    # every band of the denominator, with the zone's events (0 where the band has none)
    periods = {p: match_denominator_period(p, sorted(den["period"].unique())) for p in num["period"].unique()}
    blocks = []
    for period, match in periods.items():
        if match is None:
            continue
        den_period, factor = match
        block = den.loc[np.asarray(den["period"] == den_period, dtype=bool)]
        block = block.assign(period=pd.Categorical.from_codes(np.zeros(len(block), dtype=np.int8), categories=[period]),
                             value=block["value"] * factor)
        blocks.append(block)
    if not blocks:
        return pd.DataFrame(columns=[*KEYS, *extra, "x", "n"])
    grid = _stack(blocks).rename(columns={"value": "n"})
    grid_zone, event_zone = shared_codes([grid, num], KEYS)
    grid = grid.loc[pd.Index(np.unique(event_zone)).get_indexer(grid_zone) >= 0].reset_index(drop=True)
    grid_key, event_key = shared_codes([grid, num], [*KEYS, *extra])
    position = pd.Index(event_key).get_indexer(grid_key)
    found = position >= 0
    safe = np.clip(position, 0, None)
    events = num["value"].to_numpy(dtype=float)[safe]
    grid["x"] = np.where(found & ~np.isnan(events), events, 0.0)
    # cells withheld by the producer, among the events or the population of the band
    event_secret = num["n_secret"].to_numpy(dtype=float)[safe]
    grid["n_secret"] = np.where(found, event_secret, 0.0) + grid["n_secret"].to_numpy(dtype=float)
    return grid[[*KEYS, *extra, "n", "x", "n_secret"]]


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


def _consistent(pair: pd.DataFrame) -> pd.DataFrame:
    """Drop the zones with events in a band of zero or unknown population (inconsistent data).

    Bands with no population and no events are kept: every zone then has the same bands.
    """
    if pair.empty:
        return pair
    bad = (pair["n"].isna() | (pair["n"] <= 0)) & (pair["x"] > 0)
    if bad.any():
        key = shared_codes([pair], KEYS)[0]
        pair = pair.loc[~np.isin(key, key[bad.to_numpy()])]
    return pair.assign(n=pair["n"].fillna(0.0))


def _standardised(ind: dict, ctx: _Context) -> pd.DataFrame:
    kind = ind["statistic"]
    if kind == "dsr":
        pair = _consistent(_by_age_pair(ind, ctx, by_sex=False, avoid=("0", "1-4")))
        if pair.empty:
            return pd.DataFrame(columns=KEYS)
        standard = _opt(ind["standard"], "esp2013")
        if standard == "france":
            france = pair.loc[_in_zones(pair, ctx.france)]
            standard = france.groupby("age", observed=True)["n"].sum()
        result = stats.dsr(pair, x="x", n="n", standard=standard, age="age", by=KEYS,
                           confidence=LEVELS, multiplier=float(ind["multiplier"]))
    elif kind == "isr":
        pair = _consistent(_by_age_pair(ind, ctx, by_sex=True))
        reference = pair.loc[_in_zones(pair, ctx.france)]
        if pair.empty or reference.empty:
            return pd.DataFrame(columns=KEYS)
        reference = reference.groupby(["period", "sex", "age"], as_index=False)[["x", "n"]].sum()
        reference = reference.rename(columns={"x": "x_ref", "n": "n_ref"})
        parts = []
        for period, block in pair.groupby("period", sort=False):
            ref = reference.loc[reference["period"] == period]
            block = block.loc[block["age"].isin(ref["age"])]
            parts.append(
                stats.isr(block, x="x", n="n", x_ref="x_ref", n_ref="n_ref", age="age", by=KEYS,
                          reference=ref.drop(columns="period"), reference_on=["sex"],
                          confidence=LEVELS, reference_value=float(ind["multiplier"]))
            )
        result = pd.concat(parts, ignore_index=True)
    else:  # life expectancy: the life table's first bands are 0 and 1-4
        pair = _by_age_pair(ind, ctx, by_sex=False, avoid=("0-4",))
        pair = pair.loc[pair["n"] > 0]
        if pair.empty:
            return pd.DataFrame(columns=KEYS)
        result = stats.life_expectancy(pair, deaths="x", n="n", age="age", by=KEYS, confidence=LEVELS)
        result = result.drop(columns=[c for c in result.columns if c == "age"])
    wide = _widen(result, KEYS)
    secret = pair.groupby(KEYS)["n_secret"].sum().rename("x_secret") if "n_secret" in pair else None
    if secret is not None:
        wide = wide.merge(secret.reset_index(), on=KEYS, how="left")
    return wide


def _in_zones(frame: pd.DataFrame, zones: pd.DataFrame) -> np.ndarray:
    """Rows of ``frame`` whose (zone_type, zone_code) is one of ``zones``."""
    mine, wanted = shared_codes([frame, zones], ["zone_type", "zone_code"])
    return np.isin(mine, wanted)


def _unavailable(zones: pd.DataFrame, reason: str) -> pd.DataFrame:
    """A missing row for every zone (except communes), with the reason in ``note``."""
    keys = zones.loc[zones["zone_type"] != "commune", ["zone_type", "zone_code"]].drop_duplicates()
    out = keys.assign(period="", numerator=np.nan, denominator=np.nan, value=np.nan,
                      statistic="", method="", note=reason)
    return out.reset_index(drop=True)


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
def _statuses(out: pd.DataFrame, ind: dict) -> pd.DataFrame:
    """ok / zero / missing / suppressed (producer's secret, then small counts)."""
    out = out.copy()
    if "note" not in out:
        out["note"] = ""
    out["note"] = out["note"].fillna("")
    secret = out.get("x_secret", pd.Series(0, index=out.index)).fillna(0) > 0
    value = pd.to_numeric(out["value"], errors="coerce")
    numerator = pd.to_numeric(out["numerator"], errors="coerce")
    status = np.where(value.notna(), "ok", "missing")
    rule = value.isna() & ~secret & out["statistic"].astype(str).str.contains("NA|not shown|suppress", case=False)
    out.loc[rule & (out["note"] == ""), "note"] = out.loc[rule & (out["note"] == ""), "statistic"].astype(str)
    status = np.where(value.notna() & (numerator == 0), "zero", status)
    # a figure with a part withheld by the producer (a secret cell among those summed) would be
    # wrong: it is suppressed, whether or not the other parts gave a value
    status = np.where(secret, "suppressed", status)
    out.loc[secret, "note"] = "secret statistique du producteur"
    threshold = float(_opt(ind["min_count"], 10))
    small = (threshold > 0) & numerator.notna() & (numerator > 0) & (numerator < threshold) & ~secret
    status = np.where(small, "suppressed", status)
    out.loc[small, "note"] = f"effectif inférieur à {threshold:g} (secret)"
    out["status"] = status
    out["suppression_reason"] = np.where(small, "primary", None)
    return out


def _secondary_suppression(results: pd.DataFrame, zones: pd.DataFrame, parent_types: Sequence[str]) -> pd.DataFrame:
    """Hide more communes where hidden ones could be recovered from a published parent's total.

    Within each parent zone (the territory, or each EPCI), the communes already hidden (small
    count or producer's secret) are passed to :func:`cls_analysis.stats.suppress` as hidden
    by the source; the communes it hides in addition are marked ``secondary``. One call per
    threshold, every parent at once.
    """
    import warnings

    membership = zones.loc[zones["zone_type"].isin(parent_types), ["zone_type", "zone_code", "commune"]]
    candidates = np.asarray(results["zone_type"] == "commune", dtype=bool) & (results["_min_count"].to_numpy() > 0)
    if not candidates.any() or membership.empty:
        return results
    rows = results.loc[candidates, ["zone_code", "numerator", "status", "indicator", "period", "_min_count"]]
    blocks = []
    for parent_type, members in membership.groupby("zone_type", sort=False, observed=True):
        members = members.drop_duplicates("commune")
        mine, theirs = shared_codes([rows[["zone_code"]], members[["commune"]].rename(columns={"commune": "zone_code"})],
                                    ["zone_code"])
        at = pd.Index(theirs).get_indexer(mine)
        hit = at >= 0
        if hit.any():
            block = rows.loc[hit]
            blocks.append(block.assign(index=block.index, parent_type=str(parent_type),
                                       parent=members["zone_code"].to_numpy(dtype=object)[at[hit]]))
    if not blocks:
        return results
    rows = pd.concat(blocks, ignore_index=True)
    results = results.copy(deep=False)  # copy on write: only the columns set below are copied
    for threshold, block in rows.groupby("_min_count", sort=False):
        hidden = block["status"].eq("suppressed").to_numpy()
        table = pd.DataFrame({
            "numerator": pd.to_numeric(block["numerator"], errors="coerce").fillna(0.0).to_numpy(),
            "status": np.where(hidden, "suppressed", "ok"),
            "indicator": block["indicator"].to_numpy(), "period": block["period"].to_numpy(),
            "parent_type": block["parent_type"].to_numpy(), "parent": block["parent"].to_numpy(),
        })
        with warnings.catch_warnings():  # a lone hidden commune with no other count: said in its note
            warnings.simplefilter("ignore")
            protected = stats.suppress(table, count="numerator", group=["indicator", "period", "parent_type", "parent"],
                                       threshold=float(threshold), mask=False)
        newly = block["index"].to_numpy()[(protected["status"].to_numpy() == "suppressed") & ~hidden]
        newly = np.unique(newly)
        results.loc[newly, "status"] = "suppressed"
        results.loc[newly, "suppression_reason"] = "secondary"
        results.loc[newly, "note"] = "masqué pour qu'une commune en secret ne puisse être recalculée (secret secondaire)"
    return results


def _mask_suppressed(results: pd.DataFrame) -> pd.DataFrame:
    hidden = results["status"] == "suppressed"
    for column in ("numerator", "value", "lower_ci", "upper_ci", "lower_ci_998", "upper_ci_998"):
        results.loc[hidden, column] = np.nan
    return results


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


def _text(codes: np.ndarray, labels: Sequence[str]) -> pd.Series:
    """A text column from integer codes into ``labels`` (-1: the last label), without
    building millions of Python strings."""
    import pyarrow as pa

    codes = np.where(codes < 0, len(labels) - 1, codes).astype(np.int32)
    array = pa.DictionaryArray.from_arrays(pa.array(codes), pa.array(list(labels), type=pa.large_string()))
    return pd.Series(array.cast(pa.large_string()), dtype=pd.StringDtype("pyarrow", na_value=np.nan))


def _parents(zones: pd.DataFrame, level: str) -> pd.DataFrame:
    """For each zone finer than ``level``, the zone of ``level`` holding most of its communes."""
    level_rows = zones.loc[zones["zone_type"] == level, ["zone_code", "commune"]].rename(columns={"zone_code": "parent"})
    if level_rows.empty:
        return pd.DataFrame(columns=["zone_type", "zone_code", "parent"])
    finer = [t for t, rank in _ZONE_ORDER.items() if rank < _ZONE_ORDER[level]]
    joined = zones.loc[zones["zone_type"].isin(finer), ["zone_type", "zone_code", "commune"]].merge(level_rows, on="commune")
    counts = joined.groupby(["zone_type", "zone_code", "parent"], sort=False).size().rename("n").reset_index()
    counts = counts.sort_values("n", ascending=False).drop_duplicates(["zone_type", "zone_code"])
    return counts[["zone_type", "zone_code", "parent"]]


def _compare(results: pd.DataFrame, zones: pd.DataFrame, catalogue: pd.DataFrame) -> pd.DataFrame:
    """Each zone against France, its département and its région (95 %; 99.8 % for France).

    Rows are matched to their comparator's row by integer keys (millions of rows in a national
    pass); the assessment follows the indicator's polarity.
    """
    polarity = catalogue.set_index("id")["polarity"].astype(str).map({"+": 1, "-": -1})
    row_polarity = results["indicator"].map(polarity).astype(float).fillna(0).to_numpy(dtype=np.int8)
    out = results.copy(deep=False)  # copy on write: only the columns set below are new
    keys = out[["indicator", "period", "sex", "zone_type", "zone_code"]].astype("category")
    zone_keys = keys[["zone_type", "zone_code"]]
    index = out.index
    for level, suffix in (("france", ""), ("departement", "_departement"), ("region", "_region")):
        parents = _parents(zones, level)
        if parents.empty:
            continue
        mine, theirs = shared_codes([zone_keys, parents], ["zone_type", "zone_code"])
        at = pd.Index(theirs).get_indexer(mine)
        parent = np.where(at >= 0, parents["parent"].to_numpy(dtype=object)[np.clip(at, 0, None)], None)
        own = np.asarray(out["zone_type"] == level, dtype=bool)
        ref = keys.loc[own, ["indicator", "period", "sex", "zone_code"]].assign(value=out.loc[own, "value"])
        wanted = keys[["indicator", "period", "sex"]].assign(zone_code=parent)
        want_key, ref_key = shared_codes([wanted, ref], ["indicator", "period", "sex", "zone_code"])
        ref_index = pd.Index(ref_key)
        if not ref_index.is_unique:
            first = ~ref_index.duplicated(keep="first")
            ref, ref_index = ref.loc[first], ref_index[first]
        found = ref_index.get_indexer(want_key)
        found = np.where(at >= 0, found, -1)
        reference = np.where(found >= 0, ref["value"].to_numpy(dtype=float)[np.clip(found, 0, None)], np.nan)
        comparison = stats.significance_codes(out["lower_ci"], out["upper_ci"], reference)
        comparison[own] = -1
        out[f"comparison{suffix}"] = _text(comparison, _COMPARISON_LABELS).set_axis(index)
        out[f"assessment{suffix}"] = _text(_assess(comparison, row_polarity), _ASSESSMENT_LABELS).set_axis(index)
        if level == "france":
            france_names = zones.loc[zones["zone_type"] == "france"].drop_duplicates("zone_code")
            labels = [*france_names["zone_name"].astype(str), "France"]
            position = pd.Index(france_names["zone_code"].astype(str).to_numpy(dtype=object)).get_indexer(parent)
            out["comparator"] = _text(position, labels).set_axis(index)
            comparison998 = stats.significance_codes(out["lower_ci_998"], out["upper_ci_998"], reference)
            comparison998[own] = -1
            out["comparison_998"] = _text(comparison998, _COMPARISON_LABELS).set_axis(index)
    return out


# ---------------------------------------------------------------------------- entry points
def compute_zone_results(
    zobs: pd.DataFrame,
    zones: pd.DataFrame,
    *,
    catalogue: pd.DataFrame | None = None,
    indicators: Iterable[str] | None = None,
    secondary_within: Sequence[str] = ("territory",),
    commune_observations: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Compute indicators from observations already aggregated to zones.

    Parameters
    ----------
    zobs : DataFrame
        Observations at zone level (every zone of ``zones`` plus its communes).
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

    Returns
    -------
    DataFrame
        The results table (:data:`RESULT_COLUMNS`).
    """
    catalogue = load_catalogue() if catalogue is None else catalogue
    # pandas deep-copies ``attrs`` on every operation: the aggregation's report (tables of
    # incomplete zones…) would be copied thousands of times. The engine works without it.
    zobs = zobs.copy(deep=False)
    zobs.attrs = {}
    if commune_observations is not None:
        commune_observations = commune_observations.copy(deep=False)
        commune_observations.attrs = {}
    if indicators is not None:
        wanted = list(indicators)
        unknown = sorted(set(wanted) - set(catalogue["id"]))
        if unknown:
            raise ClsAnalysisError(f"Indicateurs inconnus du catalogue : {', '.join(unknown)}.")
        catalogue = catalogue.loc[catalogue["id"].isin(wanted)]
    measures = _ByMeasure(zobs)
    france = zones.loc[zones["zone_type"] == "france", ["zone_type", "zone_code"]].drop_duplicates()
    ctx = _Context(zobs=measures, zones=zones, france=france, communes=commune_observations)
    parts = []
    for ind in catalogue.to_dict("records"):
        handler = _HANDLERS[ind["statistic"]]
        try:
            out = handler(ind, ctx)
        except ClsAnalysisError as exc:
            # the data cannot give this indicator (e.g. deaths without the 0 / 1-4 split for a
            # life table): every zone gets a missing row that says why, the others go on
            out = _unavailable(zones, f"calcul impossible : {exc}")
        if out is None or out.empty:
            continue
        out = _statuses(out, ind)
        out["indicator"] = ind["id"]
        out["sex"] = ind["sex"]
        out["unit"] = ind["unit"]
        out["_min_count"] = float(_opt(ind["min_count"], 10))
        parts.append(out)
    del ctx, measures, zobs  # the zone observations are no longer needed: free them
    if not parts:
        return pd.DataFrame(columns=RESULT_COLUMNS)
    results = pd.concat(parts, ignore_index=True)
    del parts
    for column in RESULT_COLUMNS:
        if column not in results:
            results[column] = np.nan
    results["confidence"] = np.where(results["lower_ci"].notna(), LEVELS[0], np.nan)
    results = _secondary_suppression(results, zones, secondary_within)
    results = _mask_suppressed(results)
    names = zones.drop_duplicates(["zone_type", "zone_code"])[["zone_type", "zone_code", "zone_name"]]
    results = results.drop(columns="zone_name").merge(names, on=["zone_type", "zone_code"], how="inner")
    results = _compare(results, zones, catalogue)
    order = {ident: i for i, ident in enumerate(catalogue["id"])}
    key = np.zeros(len(results), dtype=np.int64)
    for codes in (results["indicator"].map(order).to_numpy(dtype=np.int64),
                  pd.factorize(results["period"], sort=True)[0],
                  results["zone_type"].map(_ZONE_ORDER).to_numpy(dtype=np.int64),
                  pd.factorize(results["zone_code"], sort=True)[0]):
        key = key * (int(codes.max(initial=0)) + 2) + codes + 1
    return results[RESULT_COLUMNS].take(np.argsort(key, kind="stable")).reset_index(drop=True)


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
    needed = {m for value in (*classify["numerator"], *classify["denominator"]) for m in _measures(value)}
    needed |= {w for m in needed if (w := _weight_of(m))}
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
