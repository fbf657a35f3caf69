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

import numpy as np
import pandas as pd

from cls_analysis._keys import category_codes, countable, factorize
from cls_analysis.stats._groups import group_rows
from cls_analysis.stats.ages import age_interval

__all__ = [
    "RowCells",
    "age_partition",
    "compatible_partition",
    "containing_band",
    "finest_partition",
    "grouped_sums",
    "match_denominator_period",
    "period_bounds",
    "scope_labels",
    "select_values",
    "selected_rows",
    "shared_codes",
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
    before the numerator's end, else the nearest later one (a surface area measured once).
    None when nothing fits.

    >>> match_denominator_period("2021", ["2015", "2021"])
    ('2021', 1.0)
    >>> match_denominator_period("2019-2023", ["2015", "2021"])
    ('2021', 5.0)
    >>> match_denominator_period("2023", ["2015", "2021"])
    ('2021', 1.0)
    >>> match_denominator_period("2021", ["2023"])
    ('2023', 1.0)
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
    if singles:  # only later periods (a surface, a stable stock): the nearest one
        return min(singles, key=lambda p: (singles[p] - last, singles[p])), 1.0
    return None


def select_values(
    zobs: pd.DataFrame,
    measures: str | Sequence[str],
    *,
    sex: str = "all",
    age: str = "all",
    by_sex: bool = False,
    by_age: bool = False,
    sparse: bool = False,
    bands: Sequence[str] | None = None,
    keys: Sequence[str] = ("zone_type", "zone_code", "period"),
    cells: RowCells | None = None,
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
    sparse : bool
        With ``by_age``: events listed only where they occur, so age bands may be absent.
    bands : list of str, optional
        Exactly these age bands (see :func:`compatible_partition`), instead of a partition
        chosen per measure.
    keys : sequence of str
        Columns identifying a zone and period (the engine numbers its zones: ``zone, period``).
    cells : RowCells, optional
        The :class:`RowCells` of ``zobs``, when made already (a table read many times).

    Returns
    -------
    DataFrame
        ``keys`` (+ ``sex``, ``age``), ``value``, ``n_ok`` (number of observations with a
        value) and ``n_secret`` (number withheld).

    Examples
    --------
    >>> obs = pd.DataFrame({"zone_type": "commune", "zone_code": "17008", "period": "2021",
    ...                     "measure": "population", "sex": ["M", "F", "M"],
    ...                     "age": ["0-14", "0-14", "15-29"], "value": [10.0, 12.0, 7.0], "status": "ok"})
    >>> select_values(obs, "population", age="0-14")[["zone_code", "value", "n_ok"]].values.tolist()
    [['17008', 22.0, 2]]
    """
    measures = [measures] if isinstance(measures, str) else list(measures)
    group = [*keys, *(["sex"] if by_sex else []), *(["age"] if by_age else [])]
    rows = selected_rows(zobs, measures, sex=sex, age=age, by_sex=by_sex, by_age=by_age, sparse=sparse, bands=bands,
                         cells=cells)
    if not len(rows):
        return pd.DataFrame(columns=[*group, "value", "n_ok", "n_secret"])
    chosen = pd.DataFrame({c: zobs[c].array.take(rows) for c in [*group, "value", "status"]})
    return grouped_sums(chosen, group)


class RowCells:
    """What :func:`selected_rows` reads of a table, computed once for a table read many times:
    each row's measure and its (sex, age) pair as codes, and per measure the pairs present.

    >>> cells = RowCells(pd.DataFrame({"measure": "population", "sex": ["M", "F"], "age": "all"}))
    >>> cells.present(0).tolist()  # sexes M, F × ages (missing), all
    [[False, True], [False, True]]
    """

    def __init__(self, zobs: pd.DataFrame):
        self.measure_codes, self.measure_labels = factorize(zobs["measure"])
        sex_codes, sex_labels = factorize(zobs["sex"])
        age_codes, age_labels = factorize(zobs["age"])
        self.sex_labels, self.age_labels = sex_labels.astype(str), age_labels.astype(str)
        # one code per (sex, age) pair, 0 for a missing one: what is present is counted once per
        # measure and the rows kept are looked up, rather than compared column by column
        self.width = len(self.age_labels) + 1
        self.cell = (sex_codes.astype(np.int32) + 1) * self.width + (age_codes + 1)
        # measures in the order of their first row (a measure's bands carry over to the next)
        codes = self.measure_codes
        runs = np.flatnonzero(np.diff(codes)) + 1 if len(codes) else np.zeros(0, dtype=np.int64)
        self.firsts = pd.unique(codes[np.r_[0, runs]] if len(codes) else codes)
        self._present: dict[int, np.ndarray] = {}

    def rows_of(self, code: int) -> np.ndarray | None:
        """The rows of a measure (None: every row, the table's only measure)."""
        return None if len(self.firsts) == 1 else self.measure_codes == code

    def present(self, code: int) -> np.ndarray:
        """Which (sex, age) pairs a measure's rows have: sexes × (missing age, then ages)."""
        if code not in self._present:
            rows = self.rows_of(code)
            cells = self.cell if rows is None else self.cell[rows]
            counts = np.bincount(cells, minlength=(len(self.sex_labels) + 1) * self.width)
            self._present[code] = counts.reshape(-1, self.width)[1:] > 0
        return self._present[code]


def selected_rows(
    zobs: pd.DataFrame,
    measures: str | Sequence[str],
    *,
    sex: str = "all",
    age: str = "all",
    by_sex: bool = False,
    by_age: bool = False,
    sparse: bool = False,
    bands: Sequence[str] | None = None,
    cells: RowCells | None = None,
) -> np.ndarray:
    """Positions (in order) of the rows :func:`select_values` sums, with the same parameters
    (``cells``: the :class:`RowCells` of ``zobs``, if made already).

    >>> obs = pd.DataFrame({"measure": "population", "sex": ["M", "F", "all"],
    ...                     "age": ["0-14", "0-14", "0-14"]})
    >>> selected_rows(obs, "population", age="0-14").tolist(), selected_rows(obs, "population", sex="F").tolist()
    ([2], [1])
    """
    measures = [measures] if isinstance(measures, str) else list(measures)
    cells = RowCells(zobs) if cells is None else cells
    sex_labels, age_labels, width = cells.sex_labels, cells.age_labels, cells.width
    keep = np.zeros(len(zobs), dtype=bool)
    for code in cells.firsts:
        if code < 0 or str(cells.measure_labels[code]) not in measures:
            continue
        in_measure = cells.rows_of(code)  # None: every row
        present = cells.present(code)
        if by_sex or sex != "all":
            sexes = ["M", "F"] if sex == "all" else [sex]
        else:
            sexes = ["all"] if "all" in sex_labels[present.any(axis=1)] else ["M", "F"]
        chosen_sexes = np.isin(sex_labels, sexes)
        labels = [str(lab) for lab in age_labels[present[chosen_sexes].any(axis=0)[1:]]]
        if bands is None:
            if by_age:
                # standardisation: the finest bands of the range, without overlaps; events may
                # lack bands (no suicide under 10), the population must cover the range
                bands = finest_partition([lab for lab in labels if lab != "all"], age, cover=not sparse)
            else:
                bands = age_partition(labels, age)
                if bands is None and age == "all":
                    bands = scope_labels(labels)
            if not bands:
                continue
        wanted = np.zeros((len(sex_labels) + 1, width), dtype=bool)
        wanted[1:, 1:] = np.outer(chosen_sexes, np.isin(age_labels, list(bands)))
        if in_measure is None:
            keep = wanted.ravel()[cells.cell]
        else:
            keep |= in_measure & wanted.ravel()[cells.cell]
    return np.flatnonzero(keep)


def shared_codes(frames: Sequence[pd.DataFrame], columns: Sequence[str]) -> list[np.ndarray]:
    """An integer key of ``columns`` for each row of each frame, equal where the values are.

    Text columns (categoricals or not) are coded on the union of their values in all the
    frames, so that rows of different frames can be matched on integers (a join on millions
    of rows without comparing strings).

    >>> a = pd.DataFrame({"z": pd.Categorical(["x", "y"]), "p": ["2021", "2021"]})
    >>> b = pd.DataFrame({"z": ["y", "w"], "p": ["2021", "2021"]})
    >>> ka, kb = shared_codes([a, b], ["z", "p"])
    >>> bool(ka[1] == kb[0]), bool(ka[0] == kb[1])
    (True, False)
    """
    keys = [np.zeros(len(f), dtype=np.int64) for f in frames]
    for column in columns:
        coded, size = _column_codes([frame[column] for frame in frames])
        # only the values used take room in the key (a categorical's other categories do not);
        # codes shifted by one, 0 for missing
        used = sum(np.bincount(codes + 1, minlength=size + 1) for codes in coded)[1:] > 0
        if not used.all():
            number = np.concatenate([[0], np.cumsum(used)])  # shifted code → shifted number
            coded = [number[codes + 1] for codes in coded]
            size = int(used.sum())
        else:
            coded = [codes + 1 for codes in coded]
        for key, codes in zip(keys, coded, strict=True):
            key *= size + 1
            key += codes
    return keys


def _column_codes(columns: Sequence[pd.Series]) -> tuple[list[np.ndarray], int]:
    """Codes of one column in several frames, equal where the values are, and their range.

    Small non-negative integers (zone numbers) are their own codes; categoricals with the same
    categories (slices of one table) give their codes; other columns are coded on the union
    of their values. Missing values get -1.
    """
    if all(c.dtype.kind in "iu" for c in columns):
        high = max((int(c.max()) for c in columns if len(c)), default=-1)
        low = min((int(c.min()) for c in columns if len(c)), default=0)
        if low >= 0 and countable(high + 1, sum(len(c) for c in columns)):
            return [c.to_numpy(dtype=np.int64) for c in columns], high + 1
    coded = []
    for values in columns:
        if isinstance(values.dtype, pd.CategoricalDtype):
            coded.append((category_codes(values).astype(np.int64), np.asarray(values.cat.categories, dtype=object)))
        else:
            codes, uniques = pd.factorize(values)
            coded.append((codes.astype(np.int64), np.asarray(uniques, dtype=object)))
    first = coded[0][1]
    if all(u is first or (len(u) == len(first) and np.array_equal(u, first)) for _, u in coded[1:]):
        return [codes for codes, _ in coded], len(first)
    union = pd.Index(np.concatenate([u for _, u in coded]), dtype=object).unique()
    return [np.append(union.get_indexer(u), -1).astype(np.int64)[codes] for codes, u in coded], len(union)


def grouped_sums(rows: pd.DataFrame, group: Sequence[str]) -> pd.DataFrame:
    """Sum ``value`` by ``group`` (NaN when a group has no value); count ``ok``/``zero`` and ``secret`` rows.

    Groups come in the order of their first row (as ``groupby(sort=False)``).

    Returns
    -------
    DataFrame
        ``group`` columns, ``value``, ``n_ok``, ``n_secret``.
    """
    groups = group_rows(rows, list(group))
    codes, size = groups.codes, groups.size
    value = rows["value"].to_numpy(dtype=float)
    known = ~np.isnan(value)
    total = np.bincount(codes, weights=np.where(known, value, 0.0), minlength=size)
    n_known = np.bincount(codes, weights=known, minlength=size)
    status = rows["status"]
    ok = np.asarray(status.isin(["ok", "zero"]), dtype=float)
    secret = np.asarray(status == "secret", dtype=float)
    out = groups.keys
    out["value"] = np.where(n_known > 0, total, np.nan)
    out["n_ok"] = np.bincount(codes, weights=ok, minlength=size).astype(np.int64)
    out["n_secret"] = np.bincount(codes, weights=secret, minlength=size).astype(np.int64)
    return out


def compatible_partition(population: Iterable[str], events: Iterable[str], wanted: str,
                         avoid: Iterable[str] = ()) -> list[str] | None:
    """Age bands for standardisation that suit both the population and the events.

    The finest bands of the population covering ``wanted``, leaving out those that overlap an
    event band without containing it (deaths given for ``0-4`` rule out a population split
    into ``0`` and ``1-4``; deaths for ``0`` and ``1-4`` are summed into a population band
    ``0-4``), and those in ``avoid`` when another cover exists (a direct standardisation on
    five-year standard bands avoids ``0`` and ``1-4``).

    >>> compatible_partition(["0", "1-4", "0-4", "5-9", "10+"], ["0-4", "5-9"], "all")
    ['0-4', '5-9', '10+']
    >>> compatible_partition(["0", "1-4", "0-4", "5-9", "10+"], ["0", "1-4", "10+"], "all")
    ['0', '1-4', '5-9', '10+']
    >>> compatible_partition(["0", "1-4", "0-4", "5-9", "10+"], ["0", "1-4"], "all", avoid=["0", "1-4"])
    ['0-4', '5-9', '10+']
    """
    events = {e for e in events if e != "all" and _interval(e) is not None}
    spans = {e: _interval(e) for e in events}

    def clashes(label: str) -> bool:
        span = _interval(label)
        return any(span[0] < s[1] and s[0] < span[1] and not (span[0] <= s[0] and s[1] <= span[1])
                   for s in spans.values())

    candidates = [p for p in set(population) if p != "all" and _interval(p) is not None and not clashes(p)]
    preferred = [p for p in candidates if p not in set(avoid)]
    return finest_partition(preferred, wanted) or finest_partition(candidates, wanted)


def containing_band(bands: Iterable[str], label: str) -> str | None:
    """The band of ``bands`` that contains the age band ``label`` (None if none does).

    >>> containing_band(["0-4", "5-9"], "1-4"), containing_band(["0-4"], "5-9")
    ('0-4', None)
    """
    inner = _interval(label)
    for band in bands:
        outer = _interval(band)
        if inner is not None and outer is not None and outer[0] <= inner[0] and inner[1] <= outer[1]:
            return band
    return None


def scope_labels(labels: Iterable[str]) -> list[str] | None:
    """The widest age labels of a measure published for one population only.

    Some measures are defined on an age group (the unemployed *15-64*, workers *15+*, AAH
    recipients *20-64*): asking such a measure for « all ages » means its whole scope, the
    labels contained in no other (they must not overlap).

    >>> scope_labels(["15-64"]), scope_labels(["15+", "15-29", "30-44"]), scope_labels(["0-19", "15-29"])
    (['15-64'], ['15+'], None)
    """
    spans = {label: _interval(label) for label in set(labels) if label != "all"}
    spans = {k: v for k, v in spans.items() if v is not None}
    top = [k for k, v in spans.items()
           if not any(o != k and o_v[0] <= v[0] and v[1] <= o_v[1] for o, o_v in spans.items())]
    top.sort(key=lambda k: spans[k])
    for first, second in zip(top, top[1:], strict=False):
        if spans[first][1] > spans[second][0]:
            return None
    return top or None


def finest_partition(labels: Iterable[str], wanted: str, *, cover: bool = True) -> list[str] | None:
    """The finest non-overlapping bands covering ``wanted`` (five-year bands for a DSR).

    With ``cover=False`` (events of a sparse measure: no suicide under 10), bands may be
    absent: the finest non-overlapping bands inside ``wanted`` are returned.

    >>> finest_partition(["0-14", "0-4", "5-9", "10-14", "15+"], "0-14")
    ['0-4', '5-9', '10-14']
    >>> finest_partition(["10-14", "15-19", "90+"], "all") is None
    True
    >>> finest_partition(["10-14", "15-19", "90+"], "all", cover=False)
    ['10-14', '15-19', '90+']
    """
    target = _interval(wanted)
    spans = {label: _interval(label) for label in set(labels)}
    spans = {k: v for k, v in spans.items() if v is not None and target[0] <= v[0] and v[1] <= target[1]}
    chosen, start = [], target[0]
    while start < target[1]:
        candidates = [(span[1], label) for label, span in spans.items() if span[0] == start]
        if not candidates:
            if cover:
                return None
            later = [span[0] for span in spans.values() if span[0] > start]
            if not later:
                break
            start = min(later)
            continue
        end, label = min(candidates)
        chosen.append(label)
        start = end
    return chosen
