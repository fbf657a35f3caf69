"""Observations: the long table every source is read into, its validation and its aggregation.

An observations table has one row per zone × period × measure × sex × age (see
``docs/contracts.md``)::

    zone_type  zone_code  period     measure        sex  age    value   status  source                                   cog
    commune    17008      2021       population     all  75+    112.4   ok      Insee, RP 2021 (base-cc-…, COG 2024)    2024
    commune    17182      2021       median_income  all  all    NaN     secret  Insee, Filosofi 2021 (…)                2024
    departement 17        2021       median_income  all  all    23150   ok      Insee, Filosofi 2021 (…)                <NA>

- :data:`SCHEMA` (pandera, checked with ``lazy=True`` at every reader's exit by :func:`validate`)
  reports every problem of a table at once, in French.
- :func:`aggregate` turns commune observations into observations of every zone of a
  :class:`~cls_analysis.territory.Territory` (the territory, its EPCIs and communes, its
  département(s), région(s) and France).
- :func:`to_cog` converts commune codes of an older COG vintage; :func:`resolve_arrondissements`
  handles Paris, Lyon and Marseille.

Aggregation rules
-----------------
The measure registry (:mod:`cls_analysis.sources.measures`) says how each measure aggregates.

1. **Paris, Lyon, Marseille** — arrondissement rows are kept with ``zone_type`` ``arrondissement``
   and never summed with their commune; when a file gives only arrondissements, the commune row
   is computed from all of them (sum or weighted mean). So a national sum never counts
   ``75056`` and ``75101``–``75120`` twice.
2. **COG vintages** — commune codes of an older vintage (``cog`` column) are converted to the
   territory's vintage through the geography's links between former and current codes, or an
   INSEE *table de passage* (``passage``); merged communes are summed (weighted means are
   re-weighted; a median of merged communes becomes ``missing``). Unknown codes are dropped
   and listed in ``attrs["unknown_codes"]``.
3. **Counts (``sum``)** are summed from communes to each zone; **weighted means** are
   Σ value × weight / Σ weight over the zone's communes; **``none``** measures (medians,
   published rates) are never computed from communes.
4. **Published values win**: a value published for the zone itself (Filosofi median of the
   département, Ameli counts of the département, an EPCI value for a one-EPCI territory) is
   kept as published and replaces any sum of communes.
5. **Départements to régions and France**: a ``sum`` measure published only by département
   (Ameli) is summed over the départements of the région or of France (all of them needed).
6. **Status**:

   - any member ``secret`` → the zone is ``secret`` (value NaN: a total that silently leaves
     out a withheld part would be a wrong number). The sum of the known members is kept in
     ``attrs["secret_partial"]`` for analysts who want a lower bound;
   - a member without value (absent or ``missing``) makes the territory, an EPCI or a commune
     ``missing``; for comparators (département, région, France) the zone is computed when the
     members without value weigh less than ``tolerance`` (1 %) of its population (populations
     of the territory's geography; sources often lack a few new communes), and listed in
     ``attrs["incomplete"]``. Communes without population there (Mayotte in the embedded
     geography) never block a comparator: « France entière » from a census-based source is
     then France hors Mayotte, as the producer publishes it, and says so in ``incomplete``;
   - ``sparse`` measures (deaths, establishments, places: files list only non-zero cells): an
     absent member counts as zero, provided the source covers its département; otherwise the
     zone is ``missing``;
   - a sum of zeros is ``zero``; anything else ``ok``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandas.core.dtypes.cast import coerce_indexer_dtype

from cls_analysis._keys import among, category_codes, factorize, factorize_keys, repeated_rows
from cls_analysis.errors import ClsAnalysisError, FileFormatError, describe_rows
from cls_analysis.geo.codes import PLM_COMMUNES, departement_of_commune
from cls_analysis.sources import measures as _measures

if TYPE_CHECKING:  # pragma: no cover
    from cls_analysis.geo.geography import Geography
    from cls_analysis.territory import Territory

__all__ = [
    "AGES_5Y",
    "COLUMNS",
    "SCHEMA",
    "SEXES",
    "STATUSES",
    "ZONE_TYPES",
    "age_bounds",
    "aggregate",
    "concat",
    "empty",
    "normalize_age",
    "normalize_ages",
    "normalize_sex",
    "normalize_sexes",
    "repeated_keys",
    "resolve_arrondissements",
    "to_cog",
    "validate",
]

#: Columns of an observations table, in order.
COLUMNS = ["zone_type", "zone_code", "period", "measure", "sex", "age", "value", "status", "source", "cog"]
#: Zone types: those of the contract, plus ``arrondissement`` (Paris, Lyon, Marseille) and the
#: study zonings of Géoclip exports (never aggregated).
ZONE_TYPES = (
    "commune",
    "arrondissement",
    "epci",
    "departement",
    "region",
    "france",
    "territory",
    "bassin_vie",
    "canton_ville",
    "zone_emploi",
)
STATUSES = ("ok", "secret", "missing", "zero")
SEXES = ("M", "F", "all")
#: Text columns (sorted categoricals of str in every table built here).
TEXT_COLUMNS = ["zone_type", "zone_code", "period", "measure", "sex", "age", "status", "source"]
#: Five-year age bands of mortality and population by age.
AGES_5Y = tuple(f"{a}-{a + 4}" for a in range(0, 90, 5)) + ("90+",)

_COMMUNE_TYPES = ("commune", "arrondissement")
_CODE_PATTERNS = {
    "commune": r"(?:\d{5}|2[AB]\d{3})",
    "arrondissement": r"(?:\d{5})",
    "epci": r"\d{9}",
    "departement": r"(?:0[1-9]|[1-8]\d|9[0-5]|2[AB]|97[1-8])",
    "region": r"\d{2}",
    "france": r"FRM?",
    "territory": r".+",
    "bassin_vie": r"[0-9A-Z]{2,9}",
    "canton_ville": r"[0-9A-Z]{2,9}",
    "zone_emploi": r"[0-9A-Z]{2,9}",
}
_PERIOD_RE = re.compile(r"^\d{4}(?:-\d{4})?$")
_MEASURE_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_AGE_RE = re.compile(r"^(?:all|\d{1,3}|\d{1,3}-\d{1,3}|\d{1,3}\+)$")


# ---------------------------------------------------------------------------- dtypes
def categorical(values) -> pd.Categorical:
    """A categorical of str with lexically sorted categories, from values or ``(codes, uniques)``.

    Text columns of observations are categoricals: the national table has millions of rows but
    few distinct labels. They compare, filter, group and merge like strings; use
    :func:`as_text` for plain ``str`` columns.

    >>> c = categorical(["b", "a", "b"])
    >>> list(c), list(c.categories)
    (['b', 'a', 'b'], ['a', 'b'])
    """
    if isinstance(values, tuple):
        codes, uniques = values
    elif isinstance(values, pd.Categorical) or isinstance(getattr(values, "dtype", None), pd.CategoricalDtype):
        cat = pd.Categorical(values)
        codes, uniques = cat.codes, np.asarray(cat.categories, dtype=object)
    else:
        codes, uniques = pd.factorize(np.asarray(values, dtype=object))
    uniques = np.asarray(uniques, dtype=object)
    if pd.api.types.infer_dtype(uniques, skipna=False) != "string":
        uniques = np.array([str(u) for u in uniques], dtype=object)
    codes = np.asarray(codes)
    if len(uniques) == 0:
        return pd.Categorical.from_codes(codes.astype(np.int64), categories=pd.Index([], dtype=object))
    if codes.dtype.kind not in "iu" or (len(codes) and (codes.min() < -1 or codes.max() >= len(uniques))):
        codes = np.asarray(codes, dtype=np.int64)
        if len(codes) and codes.max() >= len(uniques):
            raise IndexError(f"code {codes.max()} hors des {len(uniques)} valeurs distinctes")
        codes = np.where(codes >= 0, codes, -1)
    if len(uniques) == 1 or bool((uniques[1:] > uniques[:-1]).all()):
        # already sorted and distinct (the categories of a table built here): codes kept
        categories = uniques
        dtype = coerce_indexer_dtype(np.zeros(0, dtype=np.int64), categories).dtype
        mapped = np.array(codes, dtype=dtype)  # a copy: never shared with another table
    else:
        order = np.argsort(uniques, kind="stable")
        sorted_uniques = uniques[order]
        keep = np.r_[True, sorted_uniques[1:] != sorted_uniques[:-1]]
        categories = sorted_uniques[keep]
        dtype = coerce_indexer_dtype(np.zeros(0, dtype=np.int64), categories).dtype
        rank = np.empty(len(uniques) + 1, dtype=dtype)  # last: code -1 (missing) stays -1
        rank[order] = np.cumsum(keep) - 1
        rank[-1] = -1
        mapped = rank[codes]
    return pd.Categorical.from_codes(mapped, categories=pd.Index(categories, dtype=object), validate=False)


def set_text(frame: pd.DataFrame, mask, column: str, value: str) -> pd.DataFrame:
    """``frame`` with ``column`` set to ``value`` where ``mask`` (categories extended).

    >>> frame = pd.DataFrame({"status": categorical(["ok", "ok"])})
    >>> out = set_text(frame, [False, True], "status", "zero")
    >>> out["status"].tolist(), list(out["status"].cat.categories)
    (['ok', 'zero'], ['ok', 'zero'])
    """
    mask = np.asarray(mask, dtype=bool)
    if not mask.any():
        return frame
    frame = frame.copy(deep=False)
    series = frame[column]
    if isinstance(series.dtype, pd.CategoricalDtype):
        categories = series.cat.categories
        labels = np.asarray(categories, dtype=object)
        if value in categories:
            code = categories.get_loc(value)
        else:
            code, labels = len(labels), np.append(labels, np.array([value], dtype=object))
        codes = category_codes(series).astype(np.int64)
        codes[mask] = code
        frame[column] = categorical((codes, labels))
    else:
        frame.loc[mask, column] = value
    return frame


def as_text(obs: pd.DataFrame) -> pd.DataFrame:
    """Observations with plain ``str`` text columns (instead of categoricals).

    >>> as_text(empty())["measure"].dtype
    <StringDtype(na_value=nan)>
    """
    return obs.astype({c: str for c in TEXT_COLUMNS if c in obs.columns})


def _take(frame: pd.DataFrame, rows: np.ndarray) -> pd.DataFrame:
    """The rows of ``frame`` at ``rows`` (a boolean mask or positions), numbered from 0.

    As ``frame.loc[mask]`` (but for the index), several times faster on the national tables:
    each column is taken from its array (a categorical by its codes), not through pandas'
    general indexing.
    """
    columns = {}
    for name in frame.columns:
        series = frame[name]
        array = series.array if isinstance(series.dtype, pd.api.extensions.ExtensionDtype) else series.to_numpy()
        columns[name] = array[rows]
    return pd.DataFrame(columns, copy=False)


# ---------------------------------------------------------------------------- vocabularies
def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", str(text))
    ascii_text = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    ascii_text = ascii_text.replace("–", "-").replace("_", " ").replace("\u00a0", " ")
    return re.sub(r"\s+", " ", ascii_text).strip()


_AGE_ALL = {
    "all", "ensemble", "total", "tout age", "tous ages", "tout ages", "tsage", "ts age", "tous",
    "ens", "tout", "tous les ages", "age inconnu ou total", "tout_age",
}
_AGE_PATTERNS = [
    (re.compile(r"(?:de )?(\d{1,3}) ?(?:ans? )?(?:-|a|au) ?(\d{1,3})(?: ?ans?)?(?: revolus)?"), "range"),
    (re.compile(r"(\d{1,3}) ?(?:\+|p|ans? ?\+|(?:ans? )?(?:et|ou) ?(?:\+|plus)|ans? (?:et|ou) plus)"), "plus"),
    (re.compile(r"(?:moins de|<) ?(\d{1,3})(?: ?ans?)?"), "under"),
    (re.compile(r"(\d{1,3})(?: ?ans?)?"), "single"),
]


def normalize_age(value: object) -> str | None:
    """Age band label of the contract (``0-4``, ``90+``, ``all``), or None if not an age.

    Examples
    --------
    >>> [normalize_age(v) for v in ["00-04", "90 ans et plus", "de 5 à 9 ans", "95et+", "tsage"]]
    ['0-4', '90+', '5-9', '95+', 'all']
    >>> normalize_age("moins de 30 ans"), normalize_age("75P"), normalize_age("Tout âge")
    ('0-29', '75+', 'all')
    >>> normalize_age("vieux") is None
    True
    """
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    text = _fold(value)
    if text in _AGE_ALL:
        return "all"
    for pattern, kind in _AGE_PATTERNS:
        match = pattern.fullmatch(text)
        if match:
            a = int(match.group(1))
            if kind == "range":
                b = int(match.group(2))
                return f"{a}-{b}" if b > a else None
            if kind == "plus":
                return f"{a}+"
            if kind == "under":
                return f"0-{a - 1}" if a > 0 else None
            return str(a)
    return None


_SEXES = {
    "m": "M", "h": "M", "1": "M", "homme": "M", "hommes": "M", "masculin": "M", "male": "M",
    "f": "F", "2": "F", "femme": "F", "femmes": "F", "feminin": "F", "female": "F",
    "all": "all", "t": "all", "9": "all", "ensemble": "all", "tout sexe": "all",
    "tous sexes": "all", "tous": "all", "total": "all", "ens": "all", "les deux sexes": "all",
    "deux sexes": "all", "hommes et femmes": "all", "_t": "all",
}


def normalize_sex(value: object) -> str | None:
    """``M``, ``F`` or ``all`` from the many ways files write sex; None if unknown.

    >>> [normalize_sex(v) for v in ["1", "Femmes", "tout sexe", "H", 9]]
    ['M', 'F', 'all', 'M', 'all']
    """
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    text = _fold(value)
    if text.endswith(".0"):
        text = text[:-2]
    return _SEXES.get(text)


def _map_unique(series: pd.Series, func) -> tuple[pd.Series, list[object]]:
    """Apply ``func`` to the distinct values; a categorical result and the unmapped values."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        codes, uniques = category_codes(series), np.asarray(series.cat.categories, dtype=object)
    else:
        codes, uniques = pd.factorize(series.to_numpy(dtype=object), use_na_sentinel=True)
    mapped = np.array([func(u) for u in uniques], dtype=object)
    used = np.zeros(len(uniques), dtype=bool)
    used[codes[codes >= 0]] = True
    bad = [u for u, m, k in zip(uniques, mapped, used, strict=True) if m is None and k]
    if (codes == -1).any():
        bad.append(None)
    if bad:
        return pd.Series(dtype=object), bad
    return pd.Series(categorical((codes, mapped)), index=series.index), bad


def normalize_ages(series: pd.Series, *, where: str = "", path=None) -> pd.Series:
    """Vectorised :func:`normalize_age`; every unreadable label is reported at once.

    >>> normalize_ages(pd.Series(["00-04", "90 ans ou plus"])).tolist()
    ['0-4', '90+']
    """
    result, bad = _map_unique(series, normalize_age)
    if bad:
        raise FileFormatError(
            f"classe(s) d'âge illisible(s){' (' + where + ')' if where else ''} : "
            f"{describe_rows(repr(b) for b in bad)}. Attendu par exemple « 00-04 », « 0 à 4 ans », "
            "« 90 ans et plus », « 90+ » ou « Tout âge ».",
            path,
        )
    return result


def normalize_sexes(series: pd.Series, *, where: str = "", path=None) -> pd.Series:
    """Vectorised :func:`normalize_sex`; every unreadable value is reported at once.

    >>> normalize_sexes(pd.Series([1, 2, 9])).tolist()
    ['M', 'F', 'all']
    """
    result, bad = _map_unique(series, lambda v: normalize_sex(str(v) if isinstance(v, (int, np.integer)) else v))
    if bad:
        raise FileFormatError(
            f"valeur(s) de sexe illisible(s){' (' + where + ')' if where else ''} : "
            f"{describe_rows(repr(b) for b in bad)}. Attendu 1/2/9, H/F, « hommes », « femmes », "
            "« tout sexe »…",
            path,
        )
    return result


def age_bounds(label: str) -> tuple[int, float]:
    """Inclusive bounds of an age band (``inf`` for open bands, ``all`` = 0–inf).

    >>> age_bounds("0-4"), age_bounds("90+"), age_bounds("all"), age_bounds("1")
    ((0, 4), (90, inf), (0, inf), (1, 1))
    """
    if label == "all":
        return 0, float("inf")
    if label.endswith("+"):
        return int(label[:-1]), float("inf")
    if "-" in label:
        a, b = label.split("-")
        return int(a), int(b)
    return int(label), int(label)


# ---------------------------------------------------------------------------- schema
def _unique_check(series: pd.Series, predicate) -> pd.Series:
    """Element-wise check computed on distinct values only (fast on millions of rows).

    On a categorical, ``predicate`` is evaluated once per category and the result taken by
    code (a missing value fails); otherwise once per distinct value.

    >>> _unique_check(pd.Series(categorical(["a", "b", "a"])), lambda v: v == "a").tolist()
    [True, False, True]
    """
    if isinstance(series.dtype, pd.CategoricalDtype):
        categories = series.cat.categories
        ok = np.zeros(len(categories) + 1, dtype=bool)  # last: code -1 (missing)
        ok[:-1] = [bool(predicate(c)) for c in categories]
        return pd.Series(ok[category_codes(series)], index=series.index)
    uniques = series.dropna().unique()
    bad = [u for u in uniques if not predicate(u)]
    if not bad and not series.hasnans:
        return pd.Series(True, index=series.index)
    return ~series.isin(bad) & series.notna()


def _in(values: Sequence[str]):
    """Check function: the cell is one of ``values`` (computed per category, see :func:`_unique_check`)."""
    allowed = frozenset(values)

    def check(series: pd.Series) -> pd.Series:
        return _unique_check(series, lambda v: isinstance(v, str) and v in allowed)

    return check


def _is_in(series: pd.Series, values: Sequence[str]) -> np.ndarray:
    """Boolean array: cells of a text column among ``values`` (by category for categoricals)."""
    # looked up among the values as plain objects: ``isin`` with tens of thousands of labels
    # (commune codes) is many times slower
    if isinstance(values, pd.api.extensions.ExtensionArray):
        values = values.to_numpy(dtype=object)
    elif not isinstance(values, np.ndarray):
        values = list(values)
    values = pd.Index(np.asarray(values, dtype=object), dtype=object).unique()
    if isinstance(series.dtype, pd.CategoricalDtype):
        wanted = np.zeros(len(series.cat.categories) + 1, dtype=bool)
        wanted[:-1] = values.get_indexer(np.asarray(series.cat.categories, dtype=object)) >= 0
        return wanted[category_codes(series)]
    return values.get_indexer(series.to_numpy(dtype=object)) >= 0


def _zone_codes_ok(frame: pd.DataFrame) -> pd.Series:
    result = np.ones(len(frame), dtype=bool)
    zone_type, zone_code = frame["zone_type"], frame["zone_code"]
    if isinstance(zone_type.dtype, pd.CategoricalDtype) and isinstance(zone_code.dtype, pd.CategoricalDtype):
        # each code checked once per zone type: the categories used by the rows of that type
        type_codes = category_codes(zone_type)
        code_codes = category_codes(zone_code)
        categories = np.asarray(zone_code.cat.categories, dtype=object)
        for k, kind in enumerate(zone_type.cat.categories):
            pattern = _CODE_PATTERNS.get(kind)
            if pattern is None:
                continue
            mask = type_codes == k
            if not mask.any():
                continue
            codes = code_codes[mask]
            used = np.flatnonzero(np.bincount(codes[codes >= 0], minlength=len(categories)))
            ok = np.zeros(len(categories) + 1, dtype=bool)  # last: code -1 (missing)
            ok[used] = _full_matches(categories[used], re.compile(rf"^{pattern}$"))
            result[mask] = ok[codes]
        return pd.Series(result, index=frame.index)
    for kind in zone_type.unique():
        pattern = _CODE_PATTERNS.get(kind)
        if pattern is None:
            continue
        mask = np.asarray(zone_type == kind, dtype=bool)
        codes = zone_code[mask]
        regex = re.compile(rf"^{pattern}$")
        uniques = pd.unique(codes.dropna())
        bad = [c for c in uniques if not (isinstance(c, str) and regex.match(c))]
        ok = ~np.asarray(codes.isin(bad), dtype=bool) & np.asarray(codes.notna(), dtype=bool)
        result[mask] = ok
    return pd.Series(result, index=frame.index)


def _full_matches(labels: np.ndarray, regex: re.Pattern) -> np.ndarray:
    """``isinstance(label, str) and regex.match(label)`` for each label, fast on many labels.

    pyarrow's regular expressions (RE2) settle the labels they match (ASCII digits and letters
    match in Python too); the others are checked by Python's ``re``, the reference.
    """
    ok = np.zeros(len(labels), dtype=bool)
    if len(labels) > 1000:
        try:
            import pyarrow as pa
            import pyarrow.compute as pc

            matched = pc.match_substring_regex(pa.array(labels, type=pa.string()), regex.pattern)
            ok = np.asarray(matched.fill_null(False).to_numpy(zero_copy_only=False), dtype=bool)
        except Exception:  # labels that are not all text, or a pattern RE2 does not take
            ok = np.zeros(len(labels), dtype=bool)
    rest = np.flatnonzero(~ok)
    ok[rest] = [isinstance(c, str) and regex.match(c) is not None for c in labels[rest]]
    return ok


def _values_match_status(frame: pd.DataFrame) -> pd.Series:
    status = frame["status"]
    value = frame["value"].to_numpy(dtype=float)
    isnan = np.isnan(value)
    is_ok = _is_in(status, ["ok"])
    is_zero = _is_in(status, ["zero"])
    ok = np.where(is_ok, ~isnan, np.where(is_zero, value == 0, isnan))
    return pd.Series(ok, index=frame.index)


def _cog_present(frame: pd.DataFrame) -> pd.Series:
    is_commune = _is_in(frame["zone_type"], _COMMUNE_TYPES)
    return pd.Series(~is_commune | frame["cog"].notna().to_numpy(), index=frame.index)


def _counts_not_negative(frame: pd.DataFrame) -> pd.Series:
    negative = frame["value"].to_numpy(dtype=float) < 0
    if not negative.any():
        return pd.Series(True, index=frame.index)
    counts = np.asarray(frame["measure"].map(lambda m: _measures.get(m).kind == "count"), dtype=bool)
    return pd.Series(~(counts & negative), index=frame.index)


def _is_text(series: pd.Series) -> bool:
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return len(dtype.categories) == 0 or pd.api.types.infer_dtype(dtype.categories, skipna=False) == "string"
    return pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype)


_TEXT = pa.Check(_is_text, error="texte attendu (str ou catégoriel de str)")

#: The pandera schema of observations (validated with ``lazy=True``: every problem at once).
SCHEMA = pa.DataFrameSchema(
    {
        "zone_type": pa.Column(None, [_TEXT, pa.Check(_in(ZONE_TYPES), error="type de zone inconnu")]),
        "zone_code": pa.Column(None, [_TEXT]),
        "period": pa.Column(
            None,
            pa.Check(
                lambda s: _unique_check(s, lambda p: isinstance(p, str) and _PERIOD_RE.match(p)),
                error="période attendue sous la forme 2021 ou 2019-2023",
            ),
        ),
        "measure": pa.Column(
            None,
            pa.Check(
                lambda s: _unique_check(s, lambda m: isinstance(m, str) and _MEASURE_RE.match(m)),
                error="nom de mesure attendu en minuscules (ex. population, deaths_cancer)",
            ),
        ),
        "sex": pa.Column(None, [_TEXT, pa.Check(_in(SEXES), error="sexe attendu : M, F ou all")]),
        "age": pa.Column(
            None,
            pa.Check(
                lambda s: _unique_check(s, lambda a: isinstance(a, str) and _AGE_RE.match(a)),
                error="classe d'âge attendue : 0-4, 90+, all…",
            ),
        ),
        "value": pa.Column(float, nullable=True),
        "status": pa.Column(None, [_TEXT, pa.Check(_in(STATUSES), error="statut attendu : ok, secret, missing ou zero")]),
        "source": pa.Column(None, [_TEXT, pa.Check(lambda s: _unique_check(s, lambda c: isinstance(c, str) and len(c) > 0), error="source vide")]),
        "cog": pa.Column("Int64", nullable=True),
    },
    checks=[
        pa.Check(_zone_codes_ok, error="code de zone invalide pour son type de zone"),
        pa.Check(
            _values_match_status,
            error="valeur incohérente avec le statut (ok : valeur présente ; zero : 0 ; secret/missing : vide)",
        ),
        pa.Check(_cog_present, error="millésime du COG (cog) manquant pour une commune"),
        pa.Check(_counts_not_negative, error="effectif négatif"),
    ],
    strict=True,
    ordered=True,
)

_COLUMN_FR = {
    "zone_type": "niveau", "zone_code": "code", "period": "période", "measure": "mesure",
    "sex": "sexe", "age": "âge", "value": "valeur", "status": "statut", "source": "source",
    "cog": "cog",
}


def validate(obs: pd.DataFrame, *, path=None, what: str = "observations") -> pd.DataFrame:
    """Check an observations table against :data:`SCHEMA`; every problem reported at once.

    Parameters
    ----------
    obs : DataFrame
        The table to check.
    path : path, optional
        File the table was read from, named in the message.
    what : str
        What the table is, for the message.

    Returns
    -------
    DataFrame
        ``obs`` itself.

    Raises
    ------
    FileFormatError
        Listing, per column and check, the failing values and their rows.

    Examples
    --------
    >>> bad = empty().astype(object)
    >>> bad.loc[0] = ["commune", "1700", "2021", "population", "X", "all", -1.0, "ok", "s", 2024]
    >>> validate(bad.astype({"value": float, "cog": "Int64"}).astype({c: str for c in COLUMNS if c not in ("value", "cog")}))
    Traceback (most recent call last):
    ...
    cls_analysis.errors.FileFormatError: observations invalides (3 problème(s)) :
    - colonne « sexe » : sexe attendu : M, F ou all — ligne(s) 0 : 'X'
    - code de zone invalide pour son type de zone — ligne(s) 0 : commune 1700
    - effectif négatif — ligne(s) 0 : population = -1.0
    """
    try:
        return SCHEMA.validate(obs, lazy=True)
    except pa.errors.SchemaErrors as exc:
        raise FileFormatError(_describe_failures(exc.failure_cases, obs, what), path) from None


def _describe_failures(cases: pd.DataFrame, obs: pd.DataFrame, what: str) -> str:
    lines = []
    structural = {"column_in_dataframe", "column_in_schema", "column_ordered"}
    has_structure_problem = cases["check"].isin(structural).any()
    for check in cases.loc[cases["check"].isin(structural), "check"].unique():
        found = [str(c) for c in cases.loc[cases["check"] == check, "failure_case"]]
        if check == "column_in_dataframe":
            lines.append(
                f"colonne(s) absente(s) : {', '.join(found)} ; colonnes attendues : {', '.join(COLUMNS)}"
            )
        elif check == "column_in_schema":
            lines.append(f"colonne(s) en trop : {', '.join(found)}")
        else:
            lines.append(f"colonnes dans le désordre ; ordre attendu : {', '.join(COLUMNS)}")
    columns = cases.loc[cases["schema_context"] == "Column"]
    for (column, check), group in columns.groupby(["column", "check"], sort=False):
        name = _COLUMN_FR.get(column, column)
        if str(check).startswith(("dtype", "coerce")):
            found = describe_rows(group["failure_case"].astype(str).unique(), 3)
            lines.append(f"colonne « {name} » : type attendu {check}, trouvé {found}")
            continue
        values = [f"{r} : {v!r}" for r, v in zip(group["index"], group["failure_case"], strict=False)]
        lines.append(f"colonne « {name} » : {check} — ligne(s) {describe_rows(values, 5)}")
    frame_checks = cases.loc[(cases["schema_context"] == "DataFrameSchema") & ~cases["check"].isin(structural)]
    if not has_structure_problem:
        for check, group in frame_checks.groupby("check", sort=False):
            rows = list(dict.fromkeys(group["index"].dropna().tolist()))
            examples = []
            for r in rows[:5]:
                row = obs.loc[r]
                if isinstance(row, pd.DataFrame):
                    row = row.iloc[0]
                if check.startswith("code de zone"):
                    examples.append(f"{r} : {row['zone_type']} {row['zone_code']}")
                elif check.startswith("valeur"):
                    examples.append(f"{r} : {row['measure']} = {row['value']} ({row['status']})")
                elif check.startswith("effectif"):
                    examples.append(f"{r} : {row['measure']} = {row['value']}")
                else:
                    examples.append(f"{r} : {row['zone_type']} {row['zone_code']}")
            more = f"… ({len(rows)} au total)" if len(rows) > 5 else ""
            lines.append(f"{check} — ligne(s) {', '.join(examples)}{more}")
    return f"{what} invalides ({len(lines)} problème(s)) :\n- " + "\n- ".join(lines)


def empty() -> pd.DataFrame:
    """An empty observations table with the right columns and dtypes.

    >>> list(empty().columns) == COLUMNS
    True
    """
    frame = pd.DataFrame({c: categorical([]) if c in TEXT_COLUMNS else [] for c in COLUMNS})
    return frame.astype({"value": float, "cog": "Int64"})


def concat(frames: Iterable[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate observations tables: text columns as sorted categoricals, attrs dropped.

    A text column gets the sorted union of the parts' categories (as
    ``union_categoricals(sort_categories=True)`` would give); the codes of each part are
    mapped to it through its categories, never through its rows.

    >>> len(concat([empty(), empty()]))
    0
    """
    return _concat_rows([(frame, None) for frame in frames])


def _concat_rows(parts: Sequence[tuple[pd.DataFrame, np.ndarray | None]], columns: Sequence[str] = COLUMNS
                 ) -> pd.DataFrame:
    """:func:`concat` of some rows of each frame: ``(frame, rows)``, ``rows`` a boolean mask or
    positions (None: all rows), and of some of the columns: the frames concatenated, then the
    rows taken (the categories are those of every frame). Each column is written once into
    the result, with no table of the selected rows in between (the national tables have
    millions of rows)."""
    # as the frames concatenated, then their rows taken; rows as positions (faster to take than a mask)
    parts = [(f, np.flatnonzero(r) if r is not None and r.dtype == bool else r) for f, r in parts if len(f)]
    if not parts:
        return empty()[list(columns)]
    names, columns = columns, {}
    for column in names:
        series = [(f[column], r) for f, r in parts]
        if column in TEXT_COLUMNS:
            columns[column] = _union_text(series)
        elif column == "cog":
            cog = [(s.astype("Int64").array, r) for s, r in series]
            columns[column] = pd.arrays.IntegerArray(
                _gather([(a.to_numpy(dtype=np.int64, na_value=0), r, None) for a, r in cog], np.int64),
                _gather([(np.asarray(a.isna(), dtype=bool), r, None) for a, r in cog], bool),
            )
        else:
            columns[column] = _gather([(s.to_numpy(dtype=float), r, None) for s, r in series], float)
    out = pd.DataFrame(columns, copy=False)  # new arrays: no copy into a consolidated block
    out.attrs = {}
    return out


def _gather(parts: Sequence[tuple], dtype) -> np.ndarray:
    """The values of each part ``(values, rows, lookup)`` at its rows (positions; None for all),
    looked up in ``lookup`` if not None (codes: -1, missing, is its last entry), one part after
    the other, written into one new array."""
    out = np.empty(sum(len(v) if r is None else len(r) for v, r, _ in parts), dtype=dtype)
    start = 0
    for values, rows, lookup in parts:
        part = out[start : start + (len(values) if rows is None else len(rows))]
        if lookup is not None:
            np.take(lookup, values if rows is None else values[rows], out=part, mode="wrap")
        elif rows is None:
            part[:] = values
        else:  # unbuffered (positions are valid)
            np.take(np.asarray(values, dtype=dtype), rows, out=part, mode="clip")
        start += len(part)
    return out


def _union_text(parts: list[tuple[pd.Series, np.ndarray | None]]) -> pd.Categorical:
    """One text column from the parts (a column and its rows, None for all): sorted union of
    their categories, codes remapped."""
    codes, labels = [], []
    for p, rows in parts:
        if isinstance(p.dtype, pd.CategoricalDtype):
            codes.append((category_codes(p), rows))
            labels.append(np.asarray(p.cat.categories, dtype=object))
        else:  # labels of every row (as the frames concatenated), codes of the rows taken
            cat = categorical(p.to_numpy(dtype=object))
            codes.append((cat.codes, rows))
            labels.append(np.asarray(cat.categories, dtype=object))
    first = labels[0]
    first_sorted = len(first) < 2 or bool((first[1:] > first[:-1]).all())
    if all(_same_labels(lab, first) for lab in labels[1:]):
        # as union_categoricals: the same categories stay as they are (object), sorted
        categories = first if first_sorted else np.sort(first)
        index = pd.Index(categories, dtype=object)
    else:
        # as union_categoricals: the union is an inferred index (str in pandas 3), sorted
        try:
            categories = np.sort(pd.unique(np.concatenate(labels)))  # hashed, then few sorted
        except TypeError:  # categories that do not compare (not text): pandas decides
            return pd.api.types.union_categoricals(
                [pd.Categorical.from_codes(c if r is None else c[r], categories=lab)
                 for (c, r), lab in zip(codes, labels, strict=True)],
                sort_categories=True, ignore_order=True,
            )
        index = pd.Index(categories)
    dtype = coerce_indexer_dtype(np.zeros(0, dtype=np.int64), categories).dtype
    lookup = pd.Index(categories, dtype=object)
    remapped = []
    for (c, rows), lab in zip(codes, labels, strict=True):
        position = None
        if not (lab is categories or (len(lab) == len(categories) and bool((lab == categories).all()))):
            position = np.append(lookup.get_indexer(lab), -1).astype(dtype)  # last: code -1 (missing)
        remapped.append((c, rows, position))
    return pd.Categorical.from_codes(_gather(remapped, dtype), categories=index, validate=False)


def _same_labels(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether two arrays of distinct labels hold the same labels (in any order)."""
    if len(a) != len(b):
        return False
    if bool((a == b).all()):
        return True
    try:
        return bool((np.sort(a) == np.sort(b)).all())
    except TypeError:
        return set(a) == set(b)


# ---------------------------------------------------------------------------- combination engine
_KEY = ["period", "measure", "sex", "age"]


def _measure_rules(names: Iterable[str]) -> dict[str, tuple[str, str | None, bool]]:
    rules = {}
    for name in names:
        m = _measures.get(name)
        weight = _measures.weight_of(name)
        kind = "weighted" if weight else m.aggregation
        rules[name] = (kind, weight, m.sparse)
    return rules


#: Largest number of zone × key cells combined at once: levels with many zones (every commune
#: of France) are combined key block by key block, so memory stays bounded.
_BLOCK_CELLS = 4_000_000
#: Blocks of keys at most whose rows are found by scanning the rows' block numbers (rather
#: than sorting them once).
_SCANNED_BLOCKS = 16
#: Status labels of combined rows (sorted: they are the categories of the status column).
_STATUS_LABELS = ("missing", "ok", "secret", "zero")
_MISSING, _OK, _SECRET, _ZERO = range(4)
#: What a member row brings to its cell (:attr:`_Prepared.kind`): no value (``missing``, or a
#: weighted mean without its weight), a withheld value (``secret``), a usable value.
_NO_VALUE, _WITHHELD, _USABLE = range(3)


class _Prepared:
    """What every zone level of a combination needs of the member rows, computed once.

    Keys (period × measure × sex × age) and members as integer codes; per row what it brings
    (:data:`_NO_VALUE`, :data:`_WITHHELD`, :data:`_USABLE`), and, 0 unless usable, the value to
    sum (already weighted), the weight and the member's population; per key its aggregation,
    sparseness, source label and the départements its sources cover.
    """

    def __init__(self, rows: pd.DataFrame, rules: dict, population: pd.Series | None,
                 implicit_zeros: Iterable[str] = ()):
        key_codes, self.key_frame = _factorize_keys(rows)
        self.n_keys = len(self.key_frame)
        self.key_codes = key_codes.astype(np.int32) if self.n_keys < 2**31 else key_codes
        del key_codes
        key_measures = self.key_frame["measure"].astype(str).to_numpy()
        self.key_weighted = np.array([rules[m][0] == "weighted" for m in key_measures], dtype=bool)
        self.key_sparse = np.array([rules[m][2] for m in key_measures], dtype=bool)
        self.member_codes, self.members = factorize(rows["zone_code"])
        status_codes, status_uniques = factorize(rows["status"])
        usable = among(status_codes, status_uniques, ["ok", "zero"])
        weighted_rows, weight, unusable = _weights(rows, rules)
        usable[weighted_rows] &= ~unusable
        self.kind = among(status_codes, status_uniques, ["secret"]).astype(np.int8)  # secret: never usable
        self.kind[usable] = _USABLE
        value = rows["value"].to_numpy(dtype=float)
        self.total = np.nan_to_num(value)  # a new array: value × weight where usable, else 0
        self.total[weighted_rows] *= weight
        self.total[~usable] = 0.0
        self.wsum = usable.astype(float)
        self.wsum[weighted_rows] = np.where(usable[weighted_rows], weight, 0.0)
        self.population = None if population is None else pd.Series(population)
        if population is not None:
            member_pop = self.population.reindex(self.members).fillna(0).to_numpy(dtype=float)
            self.pop_usable = member_pop[self.member_codes]
            self.pop_usable[~usable] = 0.0
        else:
            self.pop_usable = usable.astype(float)
        del usable

        # source labels per key: the sorted distinct sources of its rows, joined
        source_codes, source_uniques = factorize(rows["source"])
        n_sources = len(source_uniques) + 1
        presence = np.zeros(self.n_keys * n_sources, dtype=bool)
        cell = self.key_codes.astype(np.int64)  # key × source, in place (millions of rows)
        cell *= n_sources
        cell += source_codes
        cell += 1
        presence[cell] = True
        del cell
        presence = presence.reshape(self.n_keys, n_sources)
        labels = np.array([str(s) for s in source_uniques], dtype=object)  # column 0: no source
        self.key_source = np.array([" ; ".join(sorted(labels[row[1:]])) for row in presence], dtype=object)

        # départements where each key's sources have rows (coverage of sparse measures)
        member_deps = np.array([departement_of_commune(str(c)) for c in self.members], dtype=object)
        self.dep_names, dep_of_member = np.unique(member_deps.astype(str), return_inverse=True)
        self.dep_position = {d: i for i, d in enumerate(self.dep_names)}
        self.member_dep = dep_of_member
        self.key_dep_covered = None
        if self.key_sparse.any():
            source_member = np.zeros((n_sources, len(self.members)), dtype=bool)
            source_member[source_codes + 1, self.member_codes] = True
            with_rows, member = np.nonzero(source_member)
            source_dep = np.zeros((n_sources, len(self.dep_names)), dtype=np.float32)
            source_dep[with_rows, dep_of_member[member]] = 1.0
            covered = (presence.astype(np.float32) @ source_dep) > 0
            # one more column, never covered: départements without any row
            self.key_dep_covered = np.hstack([covered, np.zeros((self.n_keys, 1), dtype=bool)])
        self._blocks: tuple | None = None  # block size, the rows' block numbers or their order by block
        self.key_implicit, self.key_anchor = _implicit_keys(self.key_frame, self.key_sparse, implicit_zeros)

    def block_rows(self, block_keys: int, block: int) -> np.ndarray:
        """Positions (in order) of the rows whose key is in a block of ``block_keys`` keys.

        The rows' blocks are numbered once; a block's rows are then found by scanning them
        when blocks are few (every commune of France: a few blocks), or all at once by a
        stable sort.
        """
        if self._blocks is None or self._blocks[0] != block_keys:
            n_blocks = -(-self.n_keys // block_keys)
            numbers = np.floor_divide(self.key_codes, block_keys, dtype=np.int16 if n_blocks < 2**15 else np.int64)
            if n_blocks <= _SCANNED_BLOCKS:
                self._blocks = (block_keys, numbers, None, None)
            else:  # a radix sort when the block numbers fit in 16 bits
                bounds = np.zeros(n_blocks + 1, dtype=np.int64)
                bounds[1:] = np.cumsum(np.bincount(numbers, minlength=n_blocks))
                self._blocks = (block_keys, None, np.argsort(numbers, kind="stable"), bounds)
        _, numbers, order, bounds = self._blocks
        if order is None:
            return np.flatnonzero(numbers == block)
        return order[bounds[block]:bounds[block + 1]]

    def departements(self, codes: np.ndarray) -> np.ndarray:
        """Position in ``dep_names`` of the département of each commune code (``len(dep_names)``
        for one without rows here)."""
        found = pd.Index(self.members, dtype=object).get_indexer(codes)
        out = np.where(found >= 0, self.member_dep[np.clip(found, 0, None)], len(self.dep_names))
        for i in np.flatnonzero(found < 0):  # communes without rows: few
            out[i] = self.dep_position.get(departement_of_commune(str(codes[i])), len(self.dep_names))
        return out


def _implicit_keys(key_frame: pd.DataFrame, sparse: np.ndarray, measures: Iterable[str]) -> tuple[np.ndarray, np.ndarray]:
    """The age-band keys of the sparse ``measures`` whose zero cells need not be written, and
    for each key its anchor: the key of the same period, measure and sex at all ages (-1: none).

    A zone's cell of such a key is left out when it would be zero and its anchor is written:
    the anchor's row (zero, or the events at other ages) says that the band has none.

    >>> keys = pd.DataFrame({"period": "2021", "measure": "deaths", "sex": "all", "age": ["0-4", "5-9", "all"]})
    >>> implicit, anchor = _implicit_keys(keys, np.ones(3, dtype=bool), ["deaths"])
    >>> implicit.tolist(), anchor.tolist()
    ([True, True, False], [2, 2, -1])
    """
    wanted = set(measures)
    implicit = np.zeros(len(key_frame), dtype=bool)
    anchor = np.full(len(key_frame), -1, dtype=np.int64)
    if not wanted or not len(key_frame):
        return implicit, anchor
    keys = key_frame[["period", "measure", "sex", "age"]].astype(str).reset_index(drop=True)
    is_all = (keys["age"] == "all").to_numpy()
    group = list(zip(keys["period"], keys["measure"], keys["sex"], strict=True))
    anchor_of = {g: i for i, g in enumerate(group) if is_all[i]}
    anchor[:] = [anchor_of.get(g, -1) if not is_all[i] else -1 for i, g in enumerate(group)]
    implicit = sparse & ~is_all & (anchor >= 0) & keys["measure"].isin(wanted).to_numpy()
    anchor[~implicit] = -1
    return implicit, anchor


def _weights(rows: pd.DataFrame, rules: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The rows of weighted means, their weights and whether the weight is unusable.

    The weight of a weighted-mean row is the row of its weight measure with the same member,
    period, sex and age; absent, secret or missing, the row is unusable (weight 0). Every other
    row weighs 1. Only the rows of weighted means and of their weights are looked at.
    """
    weighted = [m for m, r in rules.items() if r[0] == "weighted"]
    if not weighted:
        return np.zeros(0, dtype=np.int64), np.zeros(0), np.zeros(0, dtype=bool)
    measure_codes, measure_uniques = factorize(rows["measure"])
    position = {str(m): i for i, m in enumerate(measure_uniques)}
    target = np.full(len(measure_uniques) + 1, -1, dtype=np.int64)  # last: missing measure
    for m in weighted:
        target[position[m]] = position.get(rules[m][1], -1)
    is_mean = np.zeros(len(measure_uniques) + 1, dtype=bool)
    is_mean[[position[m] for m in weighted]] = True
    is_weight = np.zeros(len(measure_uniques) + 1, dtype=bool)
    is_weight[[t for t in target if t >= 0]] = True
    involved = np.flatnonzero((is_mean | is_weight)[measure_codes])
    codes = measure_codes[involved].astype(np.int64)
    means, weights = is_mean[codes], is_weight[codes]
    base = np.zeros(len(involved), dtype=np.int64)
    for column in ("zone_code", "period", "sex", "age"):
        column_codes, uniques = factorize(rows[column])
        base = base * (len(uniques) + 1) + column_codes[involved] + 1
    n_measures = len(measure_uniques) + 1
    have = pd.Index(base[weights] * n_measures + codes[weights] + 1)
    first = ~have.duplicated(keep="first")
    have = have[first]
    mean_rows = involved[means]
    if not len(have):
        return mean_rows, np.zeros(len(mean_rows)), np.ones(len(mean_rows), dtype=bool)
    row_target = target[codes[means]]
    found = have.get_indexer(np.where(row_target >= 0, base[means] * n_measures + row_target + 1, -1))
    weight_rows = involved[weights][first][np.clip(found, 0, None)]
    status_codes, status_uniques = factorize(rows["status"])
    w_value = rows["value"].to_numpy(dtype=float)[weight_rows]
    w_ok = among(status_codes[weight_rows], status_uniques, ["ok", "zero"])
    unusable = (found < 0) | ~w_ok | np.isnan(w_value)
    return mean_rows, np.where(unusable, 0.0, w_value), unusable


def _combine(
    rows: pd.DataFrame,
    membership: pd.DataFrame,
    *,
    policy: dict[str, str],
    population: pd.Series | None = None,
    tolerance: float = 0.01,
    report: dict | None = None,
    implicit_zeros: Iterable[str] = (),
    apart: str | None = None,
    workers: int = 1,
    finish: Callable[[pd.DataFrame], pd.DataFrame] | None = None,
) -> pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame]:
    """Combine member rows into zone rows.

    ``rows``: observations of members (``zone_code`` = member code), of ``sum`` and
    ``weighted_mean`` measures only. ``membership``: ``zone_type, zone_code, member``.
    ``policy``: zone_type → ``strict`` (every member needed), ``tolerant`` (members without
    value weighing less than ``tolerance`` of the population allowed) or ``present`` (any
    member present is enough). ``population``: member → population, for ``tolerant``.
    ``implicit_zeros``: sparse measures whose zero age bands are not written for commune zones
    when the same period and sex at all ages is (see :func:`_implicit_keys`).

    Each zone type is combined with integer codes and ``bincount`` over the rows: a zone type
    whose members belong to one zone each (a partition: every commune of France, every EPCI…)
    costs one pass over the rows, in blocks of keys when it has many zones; when each zone has
    one member (every commune of France), a cell's sums are taken from its row instead (see
    :func:`_cell_sums`). Text columns of the result are categoricals.

    With ``apart`` (a zone type), the zones of that type and the others come as two tables;
    with ``workers`` 2 the others are combined meanwhile in a forked process (the national
    pass: every commune here, the EPCIs, départements, régions and France there), which also
    runs ``finish`` on them (the other work on those zones), else it runs here.
    """
    report = report if report is not None else {}
    finish = finish or (lambda others: others)
    if apart is not None and (rows.empty or membership.empty or membership.duplicated(["zone_type", "member"]).any()):
        # nothing to combine, or members in several zones of a type (one zone at a time): as a whole
        whole = _combine(rows, membership, policy=policy, population=population, tolerance=tolerance,
                         report=report, implicit_zeros=implicit_zeros)
        fine, others = _split(whole, _is_in(whole["zone_type"], [apart]))
        return fine, finish(others)
    rules = _measure_rules(rows["measure"].unique())
    combinable = [m for m, r in rules.items() if r[0] in ("sum", "weighted")]
    if len(combinable) < len(rules):
        rows = rows.loc[np.asarray(rows["measure"].isin(combinable), dtype=bool)]
        rules = {m: rules[m] for m in combinable}
    if rows.empty or membership.empty:
        nothing = empty().drop(columns="cog")
        return nothing if apart is None else (nothing, finish(nothing.copy()))
    prepared = _Prepared(rows, rules, population, implicit_zeros)
    if apart is not None:
        return _combine_apart(prepared, membership, apart, policy, tolerance, report, workers, finish)

    levels, frames = [], []
    for zone_type, zones in membership.groupby("zone_type", sort=False):
        zone_type = str(zone_type)
        if zones["member"].duplicated().any():
            # a member in several zones of the same type: one zone at a time
            frames.extend(
                _combine(rows, z.assign(zone_type=zone_type), policy=policy, population=population,
                         tolerance=tolerance, report=report, implicit_zeros=implicit_zeros)
                for _, z in zones.groupby("zone_code", sort=False)
            )
            continue
        level = _combine_level(prepared, zone_type, zones, policy.get(zone_type, "strict"), tolerance, report)
        if level is not None:
            levels.append(level)
    key_frame, key_source = prepared.key_frame, prepared.key_source
    del prepared  # its arrays per row (millions) before the result is built
    out = _assemble(key_frame, key_source, levels)
    if frames:
        parts = [_with_cog(f) for f in [out, *frames] if len(f)]
        out = concat(parts).drop(columns="cog") if parts else out
    return out


#: What a forked process combining zone levels needs (see :func:`_combine_apart`).
_FORKED_COMBINE: tuple | None = None


def _combine_apart(prepared: _Prepared, membership: pd.DataFrame, apart: str, policy: dict, tolerance: float,
                   report: dict, workers: int, finish: Callable[[pd.DataFrame], pd.DataFrame]
                   ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The zones of type ``apart`` and the others, combined from ``prepared`` rows, as two
    tables (each zone type a partition of members), ``finish`` run on the others; those in a
    forked process when ``workers`` > 1, their reports added after those of ``apart`` (the
    order of one pass)."""
    global _FORKED_COMBINE
    groups = [(str(t), z) for t, z in membership.groupby("zone_type", sort=False)]
    mine = [(t, z) for t, z in groups if t == apart]
    theirs = [(t, z) for t, z in groups if t != apart]
    given: dict = {}
    if workers > 1 and mine and theirs:
        from cls_analysis._parallel import run_forked

        _FORKED_COMBINE = (prepared, theirs, policy, tolerance, finish)
        try:
            given, fine = run_forked(_combine_forked, [0], 1,
                                     here=lambda: _combined(prepared, mine, policy, tolerance, report))
        finally:
            _FORKED_COMBINE = None
    else:
        fine = _combined(prepared, mine, policy, tolerance, report)
    if 0 in given:
        others, their_report = given[0]
        for name, parts in their_report.items():
            report.setdefault(name, []).extend(parts)
    else:
        others = finish(_combined(prepared, theirs, policy, tolerance, report))
    return fine, others


def _combined(p: _Prepared, groups: list, policy: dict, tolerance: float, report: dict) -> pd.DataFrame:
    """The rows of the zones of ``groups`` (zone type, membership), combined from ``p``."""
    levels = [level for zone_type, zones in groups
              if (level := _combine_level(p, zone_type, zones, policy.get(zone_type, "strict"), tolerance, report))]
    return _assemble(p.key_frame, p.key_source, levels)


def _combine_forked(_: int) -> tuple[pd.DataFrame, dict]:
    """:func:`_combined` of the groups its parent left in :data:`_FORKED_COMBINE`, finished,
    and its report."""
    prepared, groups, policy, tolerance, finish = _FORKED_COMBINE
    report: dict = {}
    return finish(_combined(prepared, groups, policy, tolerance, report)), report


def _combine_level(p: _Prepared, zone_type: str, zones: pd.DataFrame, rule: str, tolerance: float,
                   report: dict) -> dict | None:
    """Zone rows of one zone type whose members each belong to one zone: ``zones`` (codes) and
    for each block of keys from ``k0``, the cells emitted (a zones × keys mask), their values
    and statuses (see :func:`_assemble`).

    The cells (zone × key) of a block of keys are numbered zone by zone. A cell with rows gets
    its value and status from their sums (:func:`_cell_sums`, :func:`_complete`,
    :func:`_cell_values`); a cell of a sparse measure without rows is emitted too
    (:func:`_emitted`).
    """
    zone_codes, zone_index = pd.factorize(zones["zone_code"].to_numpy(dtype=object))
    n_zones = len(zone_index)
    member_list = zones["member"].to_numpy(dtype=object)
    where = pd.Index(member_list).get_indexer(p.members)
    # the zone of each member of the rows; members of no zone go past the last zone (dropped)
    member_zone = np.where(where >= 0, zone_codes[np.clip(where, 0, None)], n_zones).astype(np.int32)
    n_members = np.bincount(zone_codes, minlength=n_zones).astype(np.int32)
    if p.population is not None:
        member_pop = p.population.reindex(member_list).fillna(0).to_numpy(dtype=float)
        zone_pop = np.bincount(zone_codes, weights=member_pop, minlength=n_zones)
    else:
        zone_pop = n_members.astype(float)

    # départements of each zone's members, for sparse measures
    incidence = None
    if p.key_dep_covered is not None:
        incidence = np.zeros((n_zones, len(p.dep_names) + 1), dtype=np.float32)
        incidence[zone_codes, p.departements(member_list)] = 1.0

    singletons = bool((n_members == 1).all())
    row_zone = member_zone[p.member_codes]
    inside = row_zone < n_zones
    n_inside = np.count_nonzero(inside)
    block_keys = max(1, _BLOCK_CELLS // max(n_zones, 1))
    whole = block_keys >= p.n_keys
    blocks = []
    for block, k0 in enumerate(range(0, p.n_keys, block_keys)):
        k1 = min(k0 + block_keys, p.n_keys)
        width = k1 - k0
        sparse = p.key_sparse[k0:k1]
        # the cell (zone × width + key - k0) of each row of the block
        if whole and n_inside > len(row_zone) / 2 and not singletons:
            # most rows count: no gathering, rows of no zone land past the last zone (dropped)
            sel = None
            g = row_zone.astype(np.intp)
            g *= width
            g += p.key_codes
        else:
            sel = np.flatnonzero(inside) if whole else p.block_rows(block_keys, block)
            if not whole and n_inside < len(row_zone):
                sel = sel[inside[sel]]
            if not len(sel) and not sparse.any():
                continue
            g = row_zone[sel]  # int32: a block has fewer than 2**31 cells
            g *= width
            g += p.key_codes[sel]
            g -= k0
        cells, (n_secret, n_usable, total, wsum, pop_usable) = _cell_sums(
            p, sel, g, n_zones * width, singletons=singletons, need_pop=rule == "tolerant"
        )
        del g, sel
        zi, ki = np.divmod(cells, width)
        weighted = p.key_weighted[k0:k1]
        members = n_members[zi]
        without = members - n_usable - n_secret  # members with no usable value
        complete = _complete(rule, tolerance, without, n_usable, members,
                             zone_pop[zi] if rule == "tolerant" else None, pop_usable)
        covered = implicit = None
        if sparse.any():
            # a sparse measure is complete where its source covers every département of the zone
            covered = (incidence @ (~p.key_dep_covered[k0:k1]).T.astype(np.float32)) == 0
            complete = np.where(sparse[ki], covered.ravel()[cells], complete)
            if zone_type == "commune" and p.key_implicit[k0:k1].any():
                # zero bands left out where the zone's anchor (all ages) is written: covered
                implicit = np.zeros((n_zones, width), dtype=bool)
                columns = np.flatnonzero(p.key_implicit[k0:k1])
                anchors = p.key_dep_covered[p.key_anchor[k0 + columns]]
                implicit[:, columns] = covered[:, columns] & ((incidence @ (~anchors).T.astype(np.float32)) == 0)
        value, status = _cell_values(n_secret, total, wsum, complete, weighted[ki])

        # reports: partial secrets and incomplete comparators
        where_cells = (zone_type, zone_index, zi, k0, ki, cells)
        _report_cells(report, "secret_partial", p, where_cells, (n_secret > 0) & (n_usable > 0),
                      n_secret=n_secret, known_sum=total)
        if rule == "tolerant":
            _report_cells(report, "incomplete", p, where_cells, complete & ~sparse[ki] & (without > 0),
                          n_members=members, n_without_value=without)
        del zi, ki, where_cells, members, without, complete, n_secret, n_usable, total, wsum, pop_usable
        emit, value, status = _emitted(cells, value, status, (n_zones, width), sparse, weighted, covered, implicit)
        del implicit
        if len(value):
            blocks.append((k0, emit, value, status))
    if not blocks:
        return None
    return {"zone_type": zone_type, "zones": np.asarray(zone_index, dtype=object), "blocks": blocks}


def _report_cells(report: dict, name: str, p: _Prepared, where_cells: tuple, selected: np.ndarray,
                  **values: np.ndarray) -> None:
    """Append the ``selected`` cells of a block to ``report[name]``, in the order of cells (zone
    by zone): their key, zone and ``values`` (counts as integers). ``where_cells``: the zone
    type, its zones' codes, and per cell its zone, its key (from ``k0``) and its position in the
    block: ``(zone_type, zone_index, zi, k0, ki, cells)``."""
    selected = np.flatnonzero(selected)
    if not len(selected):
        return
    zone_type, zone_index, zi, k0, ki, cells = where_cells
    selected = selected[np.argsort(cells[selected], kind="stable")]
    columns = {column: v[selected].astype(int) if v.dtype.kind in "iub" else v[selected] for column, v in values.items()}
    report.setdefault(name, []).append(
        p.key_frame.iloc[ki[selected] + k0].reset_index(drop=True).assign(
            zone_type=zone_type, zone_code=zone_index[zi[selected]], **columns
        )
    )


def _cell_sums(p: _Prepared, sel: np.ndarray | None, g: np.ndarray, size: int, *, singletons: bool,
               need_pop: bool) -> tuple[np.ndarray, tuple]:
    """The cells with rows in a block of keys, and the sums of their rows.

    ``g``: the cell of each row of the block (the rows ``sel``, all rows if None; cells from
    ``size`` on, past the last zone, are dropped). Sums per cell: numbers of withheld and of
    usable rows, Σ value (weighted), Σ weight, and Σ population of the usable rows (if
    ``need_pop``). Rows of the same cell are summed in their order, as :func:`numpy.bincount` does.

    When every zone has one member (every commune of France) and no cell has two rows, a cell's
    sums are its row's values, taken as they are (in the rows' order): a sum of one number is
    that number (``0.0 + x``, as ``bincount`` adds it).
    """
    def of_rows(values: np.ndarray) -> np.ndarray:
        return values if sel is None else values[sel]

    kind = of_rows(p.kind)
    if singletons and sel is not None:
        has_rows = np.zeros(size, dtype=bool)
        has_rows[g] = True
        if np.count_nonzero(has_rows) == len(g):  # one row per cell at most
            sums = [_plus_zero(values[sel]) if values is not None else None
                    for values in (p.total, p.wsum, p.pop_usable if need_pop else None)]
            return g, ((kind == _WITHHELD).astype(np.int8), (kind == _USABLE).astype(np.int8), *sums)

    def summed(cells: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        return np.bincount(cells, weights=weights, minlength=size)[:size]  # cells past the last zone dropped

    g = g.astype(np.intp, copy=False)
    n_rows = summed(g)
    cells = np.flatnonzero(n_rows)
    n_secret = summed(g[kind == _WITHHELD])[cells]
    n_usable = n_rows[cells] - n_secret - summed(g[kind == _NO_VALUE])[cells]
    sums = [summed(g, of_rows(values))[cells] if values is not None else None
            for values in (p.total, p.wsum, p.pop_usable if need_pop else None)]
    return cells, (n_secret, n_usable, *sums)


def _plus_zero(values: np.ndarray) -> np.ndarray:
    """``0.0 + values``, in place (-0.0 becomes 0.0, as in a sum)."""
    values += 0.0
    return values


def _complete(rule: str, tolerance: float, without: np.ndarray, n_usable: np.ndarray, n_members: np.ndarray,
              zone_pop: np.ndarray | None, pop_usable: np.ndarray | None) -> np.ndarray:
    """Whether each cell has enough members with a value, by ``rule`` (see :func:`_combine`).

    ``without``: members with no usable value; ``zone_pop``: the zone's population,
    ``pop_usable``: that of its members with a usable value (``tolerant`` only).
    """
    if rule == "strict":
        return without <= 0
    if rule == "tolerant":
        share = np.where(zone_pop > 0, 1 - pop_usable / np.where(zone_pop > 0, zone_pop, 1), without / n_members)
        return share <= tolerance + 1e-12
    return n_usable > 0  # present


def _cell_values(n_secret: np.ndarray, total: np.ndarray, wsum: np.ndarray, complete: np.ndarray,
                 weighted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Value and status code of combined cells from their sums (see the module's status rules)."""
    value = total.copy()  # a sum, or a weighted mean
    with np.errstate(invalid="ignore", divide="ignore"):
        np.divide(total, wsum, out=value, where=weighted)
    status = np.full(len(value), _OK, dtype=np.int8)
    status[~weighted & (total == 0)] = _ZERO
    status[~complete] = _MISSING
    status[n_secret > 0] = _SECRET
    status[(status == _OK) & weighted & ~(wsum > 0)] = _MISSING
    value[(status != _OK) & (status != _ZERO)] = np.nan
    value[status == _ZERO] = 0.0
    return value, status


#: The cells of a sparse measure without rows, by weighted × covered (index ``2 w + c``):
#: nothing summed, complete where the source covers the zone (see :func:`_emitted`).
_EMPTY_SPARSE = _cell_values(np.zeros(4), np.zeros(4), np.zeros(4), np.array([False, True, False, True]),
                             np.array([False, False, True, True]))


def _emitted(cells: np.ndarray, value: np.ndarray, status: np.ndarray, shape: tuple[int, int], sparse: np.ndarray,
             weighted: np.ndarray, covered: np.ndarray | None,
             implicit: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The emitted cells of a block (a zones × keys mask) and their values and statuses, zone by
    zone: the cells with rows (``cells``, in any order, with their value and status), and every
    cell of a sparse key, which without rows is zero where its source covers the zone
    (``covered``) and missing elsewhere, except the zero cells left implicit (``implicit``)."""
    emit = np.zeros(shape, dtype=bool)
    emit |= sparse[None, :]
    if implicit is not None:
        emit &= ~implicit
    emit.ravel()[cells] = True
    if sparse.any():
        index = covered.astype(np.int8)
        index += 2 * weighted.astype(np.int8)
        all_value, all_status = _EMPTY_SPARSE[0][index.ravel()], _EMPTY_SPARSE[1][index.ravel()]
        del index
    else:
        all_value, all_status = np.empty(emit.size), np.empty(emit.size, dtype=np.int8)
    all_value[cells] = value
    all_status[cells] = status
    return emit, all_value[emit.ravel()], all_status[emit.ravel()]


def _assemble(key_frame: pd.DataFrame, key_source: np.ndarray, levels: list[dict]) -> pd.DataFrame:
    """One observations frame (without ``cog``) from the arrays of :func:`_combine_level`, whose
    keys are the rows of ``key_frame`` (their source labels: ``key_source``).

    Text columns are built from codes: the zone's (its code among all zones) and the key's
    (period, measure, sex, age and source: the codes of its labels), never from labels per row:
    a block's cells are zone by zone, key by key, those of its mask. The levels' blocks are
    released as they are copied.
    """
    if not levels:
        return empty().drop(columns="cog")
    type_labels = sorted({lv["zone_type"] for lv in levels})
    zone_labels = pd.Index(np.unique(np.concatenate([lv["zones"].astype(str) for lv in levels])), dtype=object)
    key_labels = {column: categorical(key_frame[column].array) for column in ("period", "measure", "sex", "age")}
    key_labels["source"] = categorical(key_source)
    n = sum(len(value) for lv in levels for _, _, value, _ in lv["blocks"])
    zone_dtype = coerce_indexer_dtype(np.zeros(0, dtype=np.int64), zone_labels).dtype
    type_codes, zone_codes = np.empty(n, dtype=np.int8), np.empty(n, dtype=zone_dtype)
    key_codes = {column: np.empty(n, dtype=cat.codes.dtype) for column, cat in key_labels.items()}
    value, status = np.empty(n), np.empty(n, dtype=np.int8)
    start = 0
    for lv in levels:
        position = zone_labels.get_indexer(lv["zones"].astype(str)).astype(zone_dtype)
        while lv["blocks"]:
            k0, emit, block_value, block_status = lv["blocks"].pop(0)
            n_zones, width = emit.shape
            emitted, rows = emit.ravel(), slice(start, start + len(block_value))
            type_codes[rows] = type_labels.index(lv["zone_type"])
            np.compress(emitted, np.repeat(position, width), out=zone_codes[rows])
            for column, cat in key_labels.items():
                np.compress(emitted, np.tile(cat.codes[k0:k0 + width], n_zones), out=key_codes[column][rows])
            value[rows], status[rows] = block_value, block_status
            start += len(block_value)
    columns = {
        "zone_type": pd.Categorical.from_codes(type_codes, categories=pd.Index(type_labels, dtype=object)),
        "zone_code": pd.Categorical.from_codes(zone_codes, categories=zone_labels, validate=False),
    }
    for column in ("period", "measure", "sex", "age"):
        columns[column] = pd.Categorical.from_codes(key_codes[column], categories=key_labels[column].categories,
                                                    validate=False)
    columns["value"] = value
    columns["status"] = pd.Categorical.from_codes(status, categories=pd.Index(_STATUS_LABELS, dtype=object))
    columns["source"] = pd.Categorical.from_codes(key_codes["source"], categories=key_labels["source"].categories,
                                                  validate=False)
    return pd.DataFrame(columns, copy=False)


def repeated_keys(frame: pd.DataFrame, columns: Sequence[str]) -> np.ndarray:
    """Rows whose values in ``columns`` appear more than once (all of them), fast.

    >>> repeated_keys(pd.DataFrame({"a": ["x", "x", "y"], "b": [1, 1, 1]}), ["a", "b"]).tolist()
    [True, True, False]
    """
    return repeated_rows(frame, columns)


def _factorize_keys(rows: pd.DataFrame, columns: Sequence[str] = _KEY) -> tuple[np.ndarray, pd.DataFrame]:
    """Integer code of each row's key (``columns``, by default period × measure × sex × age)
    and the table of distinct keys (:func:`cls_analysis._keys.factorize_keys`)."""
    return factorize_keys(rows, columns)


def _report_frame(report: dict, name: str) -> pd.DataFrame:
    parts = report.get(name, [])
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


# ---------------------------------------------------------------------------- PLM
_ARM_PARENT = {arm: com for com, arms in PLM_COMMUNES.items() for arm in arms}


def resolve_arrondissements(obs: pd.DataFrame) -> pd.DataFrame:
    """Label arrondissement rows and derive the PLM commune rows a file does not give.

    Rows of ``75101``–``75120``, ``69381``–``69389``, ``13201``–``13216`` get ``zone_type``
    ``arrondissement``. Where a file has arrondissements but not their commune
    (``75056``, ``69123``, ``13055``), the commune row is computed from all of them (sum, or
    weighted mean); medians are not (they cannot be combined). Arrondissement rows are never
    used when summing communes, so nothing is counted twice.

    Examples
    --------
    >>> arm = empty().astype(object)
    >>> for i, code in enumerate(PLM_COMMUNES["69123"]):
    ...     arm.loc[i] = ["commune", code, "2021", "population", "all", "all", 1000.0, "ok", "x", 2024]
    >>> out = resolve_arrondissements(arm.astype({"value": float, "cog": "Int64"}))
    >>> out.groupby("zone_type").size().to_dict()
    {'arrondissement': 9, 'commune': 1}
    >>> float(out.loc[out["zone_type"] == "commune", "value"].iloc[0])
    9000.0
    """
    is_commune = _is_in(obs["zone_type"], ["commune"])
    is_arm = is_commune & _is_in(obs["zone_code"], list(_ARM_PARENT))
    if not is_arm.any():
        return obs
    obs = set_text(obs, is_arm, "zone_type", "arrondissement")
    # the few arrondissement rows, with only the labels they use (same codes order)
    arm = obs.loc[is_arm]
    arm = arm.assign(
        **{c: arm[c].cat.remove_unused_categories() for c in TEXT_COLUMNS if isinstance(arm[c].dtype, pd.CategoricalDtype)}
    )
    membership = pd.DataFrame(
        {
            "zone_type": "commune",
            "zone_code": [_ARM_PARENT[a] for a in _ARM_PARENT],
            "member": list(_ARM_PARENT),
        }
    )
    membership = membership.loc[membership["zone_code"].isin(set(arm["zone_code"].map(_ARM_PARENT)))]
    parts = []
    for source, group in arm.groupby("source", sort=False, observed=True):
        derived = _combine(group, membership, policy={"commune": "strict"})
        if derived.empty:
            continue
        derived["source"] = source
        derived["cog"] = group["cog"].iloc[0]
        parts.append(derived)
    if not parts:
        return obs
    derived = pd.concat(parts, ignore_index=True)
    existing = obs.loc[is_commune & _is_in(obs["zone_code"], list(PLM_COMMUNES))]
    key = ["zone_code", "period", "measure", "sex", "age", "source"]
    derived = derived.merge(existing[key].drop_duplicates(), on=key, how="left", indicator=True)
    derived = derived.loc[derived["_merge"] == "left_only"].drop(columns="_merge")
    derived = derived.loc[derived["status"] != "missing"]
    if derived.empty:
        return obs
    return concat([obs, derived[COLUMNS]])


# ---------------------------------------------------------------------------- COG conversion
def _code_links(geography: Geography, passage: pd.DataFrame | None) -> pd.Series:
    links = geography.former_codes[["old_code", "code"]]
    if passage is not None:
        links = pd.concat([passage[["old_code", "code"]], links], ignore_index=True)
    links = links.loc[links["old_code"] != links["code"]]
    return links.drop_duplicates("old_code").set_index("old_code")["code"]


def to_cog(
    obs: pd.DataFrame,
    geography: Geography | None = None,
    passage: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Convert the commune codes of ``obs`` to the COG vintage of ``geography``.

    Commune rows whose ``cog`` differs from ``geography.cog_year`` have their codes mapped
    through ``passage`` (``old_code, code``: an INSEE table de passage, see
    :func:`cls_analysis.geo.insee.read_table_passage`) or the geography's own links from
    former codes (communes déléguées and associées). Communes that merged are summed (counts),
    re-weighted (weighted means) or set ``missing`` (medians and rates cannot be combined).
    Unknown codes are dropped and listed in ``attrs["unknown_codes"]``; conversions are listed
    in ``attrs["converted_codes"]`` (lists of codes and of ``{"old_code", "code"}``).

    Examples
    --------
    Saraz (25533) merged into Éternoz-Vallée-du-Lison (25223) on 1 January 2025:

    >>> rows = empty().astype(object)
    >>> rows.loc[0] = ["commune", "25533", "2021", "population", "all", "all", 40.0, "ok", "x", 2024]
    >>> rows.loc[1] = ["commune", "25223", "2021", "population", "all", "all", 400.0, "ok", "x", 2024]
    >>> out = to_cog(rows.astype({"value": float, "cog": "Int64"}))
    >>> out[["zone_code", "value", "cog"]].values.tolist()
    [['25223', 440.0, 2025]]
    """
    from cls_analysis.geo.geography import Geography

    geography = geography or Geography.embedded()
    conversion = _Conversion(obs, geography, passage)
    if not conversion.todo.any():
        return obs
    # the rows that stay, of the target vintage
    cog, stays = obs["cog"].array, conversion.todo & ~conversion.moves
    kept = obs.assign(cog=pd.arrays.IntegerArray(
        np.where(stays, geography.cog_year, cog.to_numpy(dtype=np.int64, na_value=0)),
        np.asarray(cog.isna(), dtype=bool) & ~stays,
    ))
    if conversion.added:
        out = _concat_rows(conversion.parts(kept))
    else:
        out = kept if not conversion.moves.any() else _take(kept, ~conversion.moves)
    out.attrs = conversion.attrs
    return out


class _Conversion:
    """How :func:`to_cog` converts the commune codes of ``obs`` to the vintage of ``geography``.

    ``todo``: commune rows of another vintage; ``moves``: those replaced (unknown code, code
    changed, or merged commune), by the frames ``added`` (renamed communes, merged communes
    combined, medians of merged communes missing; ``cog`` the target vintage); ``attrs``: the
    unknown and converted codes.
    """

    def __init__(self, obs: pd.DataFrame, geography: Geography, passage: pd.DataFrame | None):
        target = geography.cog_year
        is_com = _is_in(obs["zone_type"], ["commune"])
        self.todo = is_com & np.asarray(obs["cog"].ne(target).fillna(True), dtype=bool)
        self.moves = np.zeros(len(obs), dtype=bool)
        self.added: list[pd.DataFrame] = []
        self.attrs: dict = {"unknown_codes": [], "converted_codes": []}
        if not self.todo.any():
            return
        links = _code_links(geography, passage)
        code_codes, code_uniques = factorize(obs["zone_code"])
        used = np.zeros(len(code_uniques), dtype=bool)
        used[code_codes[self.todo]] = True
        old_codes = pd.Series(code_uniques[used].astype(str))
        current = pd.Series(_is_in(old_codes, geography.communes["code"].array))  # geography.has_commune of each
        new = old_codes.where(current, old_codes.map(links))
        mapping = pd.Series(new.to_numpy(), index=old_codes.to_numpy())
        unknown = sorted(mapping.index[mapping.isna()])
        known = mapping.dropna()
        changed = known[known.index != known.to_numpy()]
        counts = known.value_counts()
        merged_codes = set(counts.index[counts > 1])
        self.attrs = {
            "unknown_codes": unknown,
            "converted_codes": [{"old_code": o, "code": c} for o, c in changed.items()],
        }
        # rows that only need their vintage updated: same code, not a merge target
        moving = set(unknown) | set(changed.index) | set(known.index[known.isin(list(merged_codes))])
        if moving:
            self.moves = self.todo & _is_in(obs["zone_code"], list(moving))
        rows = _take(obs, self.moves & _is_in(obs["zone_code"], list(known.index)))
        if rows.empty:
            return
        rows = rows.assign(new_code=rows["zone_code"].astype(str).map(known))
        simple = rows.loc[~rows["new_code"].isin(merged_codes)]
        self.added.append(simple.assign(zone_code=simple["new_code"], cog=target).drop(columns="new_code"))
        merged = rows.loc[rows["new_code"].isin(merged_codes)]
        if merged.empty:
            return
        membership = (
            merged[["new_code", "zone_code"]]
            .astype(str)
            .drop_duplicates()
            .rename(columns={"new_code": "zone_code", "zone_code": "member"})
            .assign(zone_type="commune")
        )
        combined = _combine(merged.drop(columns="new_code"), membership, policy={"commune": "present"})
        combined["cog"] = target
        self.added.append(combined)
        is_none = merged["measure"].astype(str).map(lambda m: _measures.get(m).aggregation == "none")
        none_rows = merged.loc[is_none.to_numpy(dtype=bool)]
        if not none_rows.empty:
            key = ["new_code", "period", "measure", "sex", "age", "source"]
            lost = none_rows[key].astype(str).drop_duplicates().rename(columns={"new_code": "zone_code"})
            self.added.append(lost.assign(zone_type="commune", value=np.nan, status="missing", cog=target))

    def parts(self, obs: pd.DataFrame, among: np.ndarray | None = None, select=None) -> list[tuple]:
        """The converted table of the rows ``among`` (a mask; None: all), as
        ``to_cog(obs[among])`` gives it, in parts for :func:`_concat_rows`: the rows of ``obs``
        that stay and the added frames; only their rows where ``select(frame)`` if given."""
        keep = _both(~self.moves, among)
        parts = []
        if keep.any():
            frame, rows = _as_taken(obs, keep)
            parts.append((frame, _both(rows, None if select is None else select(frame))))
        return parts + [(frame, None if select is None else select(frame)) for frame in self.added if len(frame)]

    def rows(self, obs: pd.DataFrame, select, columns: Sequence[str] = COLUMNS,
             among: np.ndarray | None = None) -> pd.DataFrame:
        """The rows where ``select(frame)`` of the converted table of the rows ``among``, as
        ``to_cog(obs[among])`` gives it (but for their vintage, ``cog``), without that table."""
        if not self.added:
            return _take(obs[list(columns)], _both(_both(~self.moves, among), select(obs)))
        return _concat_rows(self.parts(obs, among, select), columns)


def _both(mask: np.ndarray | None, other: np.ndarray | None) -> np.ndarray | None:
    """``mask & other``, None meaning every row."""
    return other if mask is None else mask if other is None else mask & other


def _as_taken(frame: pd.DataFrame, rows: np.ndarray) -> tuple[pd.DataFrame, np.ndarray | None]:
    """``(frame, rows)`` for :func:`_concat_rows` standing for those rows alone: as they are
    when the text columns are categoricals (their labels are the categories, whatever the
    rows), else the rows taken first (the labels are those of the rows)."""
    if all(isinstance(frame[c].dtype, pd.CategoricalDtype) for c in TEXT_COLUMNS if c in frame.columns):
        return frame, rows
    return _take(frame, rows), None


# ---------------------------------------------------------------------------- aggregation
def _departement_members(geography: Geography, zones: pd.DataFrame) -> pd.DataFrame:
    dep_of = geography.communes.set_index("code")["departement"]
    rows = zones.loc[zones["zone_type"].isin(["region", "france"])]
    deps = rows.assign(member=rows["commune"].map(dep_of)).dropna(subset=["member"])
    return deps[["zone_type", "zone_code", "member"]].drop_duplicates()


def aggregate(
    obs: pd.DataFrame,
    territory: Territory,
    *,
    passage: pd.DataFrame | None = None,
    tolerance: float = 0.01,
    sort: bool = True,
) -> pd.DataFrame:
    """Observations of every zone of ``territory``, from commune and published observations.

    Zones are those of :meth:`Territory.zones` (territory, EPCIs when several, communes,
    département(s), région(s), France). See the module documentation for the rules (sums,
    weighted means, published values, Paris/Lyon/Marseille, COG vintages, secret and missing).

    Parameters
    ----------
    obs : DataFrame
        Observations (any mix of sources and zone levels).
    territory : Territory
    passage : DataFrame, optional
        INSEE table de passage (``old_code, code``) for codes of older vintages.
    tolerance : float, default 0.01
        Largest population share of a comparator's communes that may lack a value.
    sort : bool, default True
        Sort the rows by measure, period, sex, age, zone type and code (the national pass,
        with tens of millions of rows, does without).

    Returns
    -------
    DataFrame
        Observations with ``zone_type`` in territory, epci, commune, departement, region,
        france. ``attrs`` holds plain lists (``pd.DataFrame(out.attrs["incomplete"])`` to
        look at them): ``incomplete`` (comparators computed with members lacking a value),
        ``secret_partial`` (secret zones with the sum of their known members),
        ``unknown_codes`` and ``converted_codes`` (COG conversion).

    Examples
    --------
    >>> from cls_analysis.territory import Territory
    >>> t = Territory.from_communes(["17008", "17009"], name="Deux communes")
    >>> rows = empty().astype(object)
    >>> rows.loc[0] = ["commune", "17008", "2021", "births", "all", "all", 20.0, "ok", "x", 2025]
    >>> rows.loc[1] = ["commune", "17009", "2021", "births", "all", "all", 10.0, "ok", "x", 2025]
    >>> rows.loc[2] = ["commune", "17008", "2021", "median_income", "all", "all", 22000.0, "ok", "x", 2025]
    >>> out = aggregate(rows.astype({"value": float, "cog": "Int64"}), t, )
    >>> out.loc[out["zone_type"] == "territory", ["measure", "value", "status"]].values.tolist()
    [['births', 30.0, 'ok']]
    >>> out.loc[out["zone_type"] == "departement", "status"].tolist()  # the rest of the département is absent
    ['missing']
    """
    parts, attrs = _aggregate_parts(obs, territory, passage=passage, tolerance=tolerance)
    others, fine = parts
    result = _concat_rows([(others, None), (fine, None)], columns=COLUMNS[:-1])
    # the territory's vintage for communes, none for other zones
    of_communes = np.concatenate([_is_in(others["zone_type"], ["commune"]), np.ones(len(fine), dtype=bool)])
    del fine, others, parts
    result["cog"] = pd.arrays.IntegerArray(np.full(len(result), territory.geography.cog_year, dtype=np.int64),
                                           ~of_communes)
    result = _sorted(result) if sort else result
    result.attrs = attrs
    return result


def _aggregate_parts(obs: pd.DataFrame, territory: Territory, *, passage: pd.DataFrame | None = None,
                           tolerance: float = 0.01, implicit_zeros: Iterable[str] = (),
                           workers: int = 1) -> tuple[list[pd.DataFrame], dict]:
    """:func:`aggregate` in two parts, not concatenated nor sorted, without ``cog``: the rows of
    the zones other than communes, then those of the commune zones (``others, fine``), and
    the report that :func:`aggregate` puts in ``attrs``. ``implicit_zeros``: sparse measures
    whose zero age bands are not written for communes (see :func:`_implicit_keys`).
    ``workers``: 2 combines the zones other than communes in a forked process meanwhile.

    The national pass hands the parts to the engine as they are
    (:func:`cls_analysis.indicators.engine.compute_zone_results` takes a list of tables): the
    commune rows of every commune of France (tens of millions) are not copied once more.
    """
    geography = territory.geography
    zones = territory.zones()
    report: dict = {}
    obs = resolve_arrondissements(obs[COLUMNS])
    # commune codes of the territory's vintage: the commune rows needed are taken from the
    # converted communes (as to_cog gives them), never a copy of the whole table
    is_commune = _is_in(obs["zone_type"], ["commune"])
    conversion = _Conversion(obs, geography, passage)

    def communes(select, columns: Sequence[str] = COLUMNS) -> pd.DataFrame:
        """The converted commune rows where ``select(frame)``."""
        return conversion.rows(obs, select, columns, among=is_commune)

    membership = zones.rename(columns={"commune": "member"})[["zone_type", "zone_code", "member"]]
    rules = _measure_rules(obs["measure"].unique())
    combinable = [m for m, r in rules.items() if r[0] in ("sum", "weighted")]
    members = membership["member"].unique()

    # commune rows used: only members of some zone (speed), without their vintage
    rows = communes(lambda frame: _is_in(frame["measure"], combinable) & _is_in(frame["zone_code"], members),
                    COLUMNS[:-1])
    population = geography.communes.set_index("code")["population"]
    policy = {
        "territory": "strict",
        "epci": "strict",
        "commune": "strict",
        "departement": "tolerant",
        "region": "tolerant",
        "france": "tolerant",
    }

    commune_zone_codes = zones.loc[zones["zone_type"] == "commune", "zone_code"].unique()

    def completed(others: pd.DataFrame) -> pd.DataFrame:
        """The sums of communes for the other zones, with what they do not sum: done where
        those sums are made (the second process, while this one sums the communes)."""
        # medians and published rates of communes: copied for commune zones
        own = communes(lambda frame: ~_is_in(frame["measure"], combinable)
                       & _is_in(frame["zone_code"], commune_zone_codes), COLUMNS[:-1])
        # published values of the zones themselves
        published = _published(obs, zones, territory)
        # départements → régions and France for sums published by département only
        from_deps = _from_departements(obs, zones, geography, rules, communes)
        # Published values win over sums of communes, which win over what départements give.
        # Sums for commune zones cannot collide with anything: published values are for larger
        # zones, ``own`` holds the other measures and ``from_deps`` régions and France only.
        # Only the (few) other rows are checked for duplicates.
        return _prioritise([published, others, own, from_deps])

    fine, others = _combine(rows, membership, policy=policy, population=population, tolerance=tolerance,
                            report=report, implicit_zeros=implicit_zeros, apart="commune", workers=workers,
                            finish=completed)
    del rows
    attrs = {
        "incomplete": _report_frame(report, "incomplete").astype(object).to_dict("records"),
        "secret_partial": _report_frame(report, "secret_partial").astype(object).to_dict("records"),
        **conversion.attrs,
    }
    return [others, fine], attrs


def _published(obs: pd.DataFrame, zones: pd.DataFrame, territory: Territory) -> pd.DataFrame:
    levels = zones[["zone_type", "zone_code"]].drop_duplicates()
    levels = levels.loc[levels["zone_type"] != "commune"]
    candidates = _take(obs, ~_is_in(obs["zone_type"], _COMMUNE_TYPES))
    found = candidates.merge(levels, on=["zone_type", "zone_code"], how="inner")
    parts = [found]
    if len(territory.epcis) == 1:
        same = candidates.loc[candidates["zone_type"].eq("epci") & candidates["zone_code"].eq(territory.epcis[0])]
        parts.append(same.assign(zone_type="territory", zone_code=territory.code))
    out = pd.concat(parts, ignore_index=True)
    return out.drop(columns="cog")


def _from_departements(obs, zones, geography, rules, communes) -> pd.DataFrame:
    """Régions and France from the départements, for sums published by département and for
    none of whose (period, measure) communes have rows (``communes(select, columns)``: the
    commune rows where ``select(frame)``)."""
    summable = [m for m, r in rules.items() if r[0] == "sum"]
    deps = _take(obs, _is_in(obs["zone_type"], ["departement"]) & _is_in(obs["measure"], summable))
    if deps.empty:
        return empty().drop(columns="cog")
    periods, measures = deps["period"].unique(), deps["measure"].unique()
    with_communes = communes(lambda frame: _is_in(frame["period"], periods) & _is_in(frame["measure"], measures),
                             ["period", "measure"])
    _, with_communes = _factorize_keys(with_communes, ["period", "measure"])
    with_communes = with_communes.astype(str)
    deps = deps.astype({"period": str, "measure": str}).merge(with_communes, on=["period", "measure"], how="left", indicator=True)
    deps = deps.loc[deps["_merge"] == "left_only"].drop(columns="_merge")
    if deps.empty:
        return empty().drop(columns="cog")
    membership = _departement_members(geography, zones)
    return _combine(deps, membership, policy={"region": "strict", "france": "strict"})


def _prioritise(parts: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """The rows of ``parts`` (in order of priority), each key kept once: from the first part having it."""
    out = _concat_rows([(p, None) for p in parts], columns=COLUMNS[:-1])
    if out.empty:
        return out
    codes, _ = _factorize_keys(out, ["zone_type", "zone_code", "period", "measure", "sex", "age"])
    first = np.zeros(len(out), dtype=bool)
    first[np.unique(codes, return_index=True)[1]] = True
    return _take(out, first)


def _split(frame: pd.DataFrame, mask: np.ndarray) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The rows of ``frame`` where ``mask``, and the others (both in order). Selected rows that
    are one block (a zone level of :func:`_combine`) are a slice of ``frame``, not a copy."""
    if not mask.any():
        return frame.iloc[:0], frame
    first, stop = int(mask.argmax()), len(mask) - int(mask[::-1].argmax())
    if mask[first:stop].all():
        return frame.iloc[first:stop], _take(frame, ~mask)
    return _take(frame, mask), _take(frame, ~mask)


def _with_cog(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with the columns of observations (an empty ``cog`` added where absent)."""
    if "cog" not in frame:
        frame = frame.assign(cog=pd.arrays.IntegerArray(np.zeros(len(frame), dtype=np.int64), np.ones(len(frame), dtype=bool)))
    return frame[COLUMNS]


_ZONE_TYPE_ORDER = ("territory", "epci", "commune", "departement", "region", "france")


def _sorted(obs: pd.DataFrame) -> pd.DataFrame:
    """Rows sorted by measure, period, sex, age, zone type (territory first) and zone code."""
    key = np.zeros(len(obs), dtype=np.int64)
    for column in ("measure", "period", "sex", "age", "zone_type", "zone_code"):
        cat = categorical(obs[column].array)
        codes = cat.codes.astype(np.int64)
        if column == "zone_type":
            rank = np.array([_ZONE_TYPE_ORDER.index(t) if t in _ZONE_TYPE_ORDER else len(_ZONE_TYPE_ORDER)
                             for t in cat.categories], dtype=np.int64)
            codes, size = rank[codes], len(_ZONE_TYPE_ORDER) + 1
        else:
            size = len(cat.categories)
        key = key * (size + 1) + codes + 1
    return obs.take(np.argsort(key, kind="stable")).reset_index(drop=True)


def _check_columns(obs: pd.DataFrame) -> None:
    missing = [c for c in COLUMNS if c not in obs.columns]
    if missing:
        raise ClsAnalysisError(
            f"Table d'observations incomplète : colonne(s) absente(s) {', '.join(missing)} "
            f"(colonnes attendues : {', '.join(COLUMNS)})."
        )
