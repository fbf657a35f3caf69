"""Selecting the observations an indicator needs: measures, sex, age bands and periods.

Observations may hold the same measure at several age breakdowns (the census's broad bands
``0-14`` … ``75+`` and five-year bands by sex). An indicator asks for an age range (``0-64``,
``75+``, ``all``); :func:`age_partition` picks bands that cover it exactly, once each, so that
nothing is counted twice.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence

import pandas as pd

from cls_analysis.stats.ages import age_interval

__all__ = [
    "age_partition",
    "match_denominator_period",
    "period_bounds",
    "select_values",
]

_ALL = (0.0, math.inf)


def _interval(label: str) -> tuple[float, float] | None:
    return _ALL if label == "all" else age_interval(label)


def age_partition(available: Iterable[str], wanted: str) -> list[str] | None:
    """Bands among ``available`` that cover the age range ``wanted`` exactly, without overlap.

    The label itself is preferred; otherwise the coarsest bands are taken first.
    Returns None when no exact cover exists.

    >>> age_partition(["all", "0-14", "15-29", "75+"], "all")
    ['all']
    >>> age_partition(["0-4", "5-9", "10-14", "15-19", "90+"], "0-14")
    ['0-4', '5-9', '10-14']
    >>> age_partition(["0-4", "5-9", "60-74", "75+"], "60+")
    ['60-74', '75+']
    >>> age_partition(["0-4", "5-9"], "0-14") is None
    True
    """
    labels = sorted(set(available))
    if wanted in labels:
        return [wanted]
    target = _interval(wanted)
    if target is None:
        return None
    spans = {label: _interval(label) for label in labels}
    spans = {k: v for k, v in spans.items() if v is not None and k != "all"}
    chosen, start = [], target[0]
    while start < target[1]:
        candidates = [
            (span[1], label)
            for label, span in spans.items()
            if span[0] == start and span[1] <= target[1]
        ]
        if not candidates:
            return None
        end, label = max(candidates)
        chosen.append(label)
        start = end
    return chosen


def period_bounds(period: str) -> tuple[int, int]:
    """First and last year of a period (``2021`` or ``2019-2023``).

    >>> period_bounds("2019-2023"), period_bounds("2021")
    ((2019, 2023), (2021, 2021))
    """
    match = re.fullmatch(r"(\d{4})(?:-(\d{4}))?", str(period))
    if not match:
        raise ValueError(f"période illisible : {period!r}")
    first = int(match.group(1))
    return first, int(match.group(2) or first)


def match_denominator_period(period: str, available: Sequence[str]) -> tuple[str, float] | None:
    """The denominator period for a numerator period, and the factor to apply.

    Same period when available (factor 1). For a pooled span (deaths 2019-2023) without a
    pooled denominator, the population of the year nearest the middle of the span, times the
    number of years (person-years; factor = number of years). Otherwise the latest period
    before the numerator's end. None when nothing fits.

    >>> match_denominator_period("2021", ["2015", "2021"])
    ('2021', 1.0)
    >>> match_denominator_period("2019-2023", ["2015", "2021"])
    ('2021', 5.0)
    >>> match_denominator_period("2023", ["2015", "2021"])
    ('2021', 1.0)
    """
    if period in available:
        return period, 1.0
    first, last = period_bounds(period)
    years = {p: period_bounds(p) for p in available}
    singles = {p: b[0] for p, b in years.items() if b[0] == b[1]}
    if last > first:
        middle = (first + last) / 2
        inside = [p for p, y in singles.items() if first <= y <= last]
        if inside:
            best = min(inside, key=lambda p: (abs(singles[p] - middle), -singles[p]))
            return best, float(last - first + 1)
    before = [p for p, y in singles.items() if y <= last]
    if before:
        return max(before, key=lambda p: singles[p]), 1.0
    return None


def select_values(
    zobs: pd.DataFrame,
    measures: str | Sequence[str],
    *,
    sex: str = "all",
    age: str = "all",
    by_sex: bool = False,
    by_age: bool = False,
) -> pd.DataFrame:
    """Sum the requested measures over the bands of an age range and the sexes asked for.

    Parameters
    ----------
    zobs : DataFrame
        Zone-level observations (``zone_type, zone_code, period, measure, sex, age, value,
        status``).
    measures : str or list of str
        Measures summed together.
    sex : {'all', 'M', 'F'}
        ``all`` takes the ``all`` rows when they exist, else sums ``M`` and ``F``.
    age : str
        Age range (``all``, ``75+``, ``0-64``…).
    by_sex, by_age : bool
        Keep the sex and/or age band (for standardisation) instead of summing over them.

    Returns
    -------
    DataFrame
        ``zone_type, zone_code, period`` (+ ``sex``, ``age``), ``value``, ``n_ok`` (number of
        observations with a value) and ``n_secret`` (number withheld).
    """
    measures = [measures] if isinstance(measures, str) else list(measures)
    rows = zobs.loc[zobs["measure"].isin(measures)]
    keys = ["zone_type", "zone_code", "period"]
    if rows.empty:
        columns = keys + (["sex"] if by_sex else []) + (["age"] if by_age else [])
        return pd.DataFrame(columns=[*columns, "value", "n_ok", "n_secret"])
    parts = []
    for _measure, block in rows.groupby("measure", sort=False, observed=True):
        if by_sex or sex != "all":
            sexes = ["M", "F"] if sex == "all" else [sex]
        else:
            sexes = ["all"] if (block["sex"] == "all").any() else ["M", "F"]
        block = block.loc[block["sex"].isin(sexes)]
        if by_age:
            # standardisation: the finest bands covering the range, without overlaps
            fine = [lab for lab in block["age"].unique() if lab != "all"]
            bands = _finest_partition(fine, age)
        else:
            bands = age_partition(block["age"].unique(), age)
        if not bands:
            continue
        parts.append(block.loc[block["age"].isin(bands)])
    if not parts:
        columns = keys + (["sex"] if by_sex else []) + (["age"] if by_age else [])
        return pd.DataFrame(columns=[*columns, "value", "n_ok", "n_secret"])
    chosen = pd.concat(parts, ignore_index=True)
    group = keys + (["sex"] if by_sex else []) + (["age"] if by_age else [])
    chosen = chosen.assign(
        _ok=chosen["status"].isin(["ok", "zero"]).astype(int),
        _secret=(chosen["status"] == "secret").astype(int),
    )
    out = chosen.groupby(group, observed=True, sort=False)[["value", "_ok", "_secret"]].sum(min_count=1)
    return out.rename(columns={"_ok": "n_ok", "_secret": "n_secret"}).reset_index()


def _finest_partition(labels: Iterable[str], wanted: str) -> list[str] | None:
    """The finest non-overlapping bands covering ``wanted`` (five-year bands for a DSR)."""
    target = _interval(wanted)
    spans = {label: _interval(label) for label in set(labels)}
    spans = {k: v for k, v in spans.items() if v is not None}
    chosen, start = [], target[0]
    while start < target[1]:
        candidates = [(span[1], label) for label, span in spans.items() if span[0] == start and span[1] <= target[1]]
        if not candidates:
            return None
        end, label = min(candidates)
        chosen.append(label)
        start = end
    return chosen
