"""Standard populations for direct standardisation, always joined on the age band label.

Built-in standards:

``"esp2013"``
    The 2013 European Standard Population, 19 bands ``0-4`` … ``85-89``, ``90+`` totalling
    100 000 (file ``esp2013.csv`` beside this module; source: Eurostat 2013, *Revision of the
    European Standard Population*, doi:10.2785/11470).
``"france"``
    The France population by age of the observations at hand: the sum of ``n`` per age band
    over the rows whose ``zone_type`` column equals ``"france"`` when such a column and such
    rows exist, else over **all** rows passed. Both sexes and every period present in those
    rows are summed: call per period, or pass an explicit standard column, when that is not
    what you want.

A standard may also be a column of the data (its value for each age band read from the row;
it must be the same for a band in every group), or a mapping / Series ``{age band: weight}``.

A data band that is not a label of the standard is accepted when it is the exact union of
standard bands (``"0-14"`` = ``0-4`` + ``5-9`` + ``10-14``, ``"85+"`` = ``85-89`` + ``90+``);
otherwise it is an error that names the band. A standard is never matched by position.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd

from cls_analysis.errors import describe_rows
from cls_analysis.stats._validate import StatsInputError, numeric_column
from cls_analysis.stats.ages import age_interval, normalize_age_band

__all__ = ["BUILTIN_STANDARDS", "esp2013", "standard_weights"]

#: Names accepted by ``standard=`` besides a column or a mapping.
BUILTIN_STANDARDS = ("esp2013", "france")


@lru_cache(maxsize=1)
def _esp2013() -> pd.Series:
    with resources.files("cls_analysis.stats").joinpath("esp2013.csv").open("r") as fh:
        table = pd.read_csv(fh, comment="#", dtype={"age_band": str, "population": float})
    return pd.Series(table["population"].to_numpy(), index=table["age_band"].tolist(), name="esp2013")


def esp2013() -> pd.Series:
    """The 2013 European Standard Population, indexed by age band label.

    >>> s = esp2013()
    >>> len(s), int(s.sum()), s["0-4"], s["90+"]
    (19, 100000, np.float64(5000.0), np.float64(1000.0))
    """
    return _esp2013().copy()


def _check_no_overlap(labels: np.ndarray) -> None:
    spans = sorted(
        (iv, lab) for lab in labels if (iv := age_interval(str(lab))) is not None
    )
    for (a, la), (b, lb) in zip(spans, spans[1:], strict=False):
        if b[0] < a[1]:
            raise StatsInputError(
                f"Les tranches d'âge '{la}' et '{lb}' se chevauchent dans les données : les "
                "mêmes personnes seraient comptées deux fois. Gardez un seul découpage par âge."
            )


def _map_to_bands(standard: pd.Series, labels: np.ndarray, name: str) -> np.ndarray:
    """Weight of each data band, by label or as the exact union of standard bands."""
    weights = np.empty(len(labels), dtype=float)
    spans = [(age_interval(str(k)), float(v)) for k, v in standard.items()]
    for i, lab in enumerate(labels):
        if lab in standard.index:
            weights[i] = standard[lab]
            continue
        span = age_interval(str(lab))
        inside = []
        ok = span is not None
        if ok:
            for iv, w in spans:
                if iv is None:
                    continue
                if span[0] <= iv[0] and iv[1] <= span[1]:
                    inside.append((iv, w))
                elif iv[0] < span[1] and span[0] < iv[1]:
                    ok = False  # a standard band straddles the data band
            inside.sort()
            edges = [iv for iv, _ in inside]
            ok = ok and bool(edges) and edges[0][0] == span[0] and edges[-1][1] == span[1]
            ok = ok and all(p[1] == q[0] for p, q in zip(edges, edges[1:], strict=False))
        if not ok:
            available = describe_rows(standard.index, limit=25)
            raise StatsInputError(
                f"Tranche d'âge '{lab}' absente de la population standard {name} (tranches "
                f"disponibles : {available}). Regroupez les données dans ces tranches, "
                "corrigez le libellé, ou passez une colonne de population standard "
                "(standard='nom_de_colonne')."
            )
        weights[i] = sum(w for _, w in inside)
    return weights


def standard_weights(
    df: pd.DataFrame,
    standard: str | Mapping[str, float] | pd.Series,
    age_codes: np.ndarray,
    age_labels: np.ndarray,
    n_values: np.ndarray,
) -> tuple[np.ndarray, str]:
    """Standard population of each data age band (aligned with ``age_labels``) and its name.

    ``age_codes`` gives the band of each row of ``df`` (index into ``age_labels``, the
    normalised labels); ``n_values`` the population of each row (for ``"france"``).
    """
    _check_no_overlap(age_labels)
    n_bands = len(age_labels)
    if isinstance(standard, str) and standard in df.columns:
        values = numeric_column(df, standard, "standard", allow_missing=False)
        first = np.full(n_bands, np.nan)
        first[age_codes] = values  # one of the band's values; all must then equal it
        differs = values != first[age_codes]
        if differs.any():
            bands = sorted({str(age_labels[c]) for c in age_codes[differs]})
            raise StatsInputError(
                f"La population standard '{standard}' n'est pas la même pour une tranche d'âge "
                f"dans tous les groupes (tranches : {describe_rows(bands)}) : une population "
                "standard ne dépend que de l'âge. Corrigez la colonne ou passez un nom de "
                "standard intégré (standard='esp2013')."
            )
        return first, standard
    if isinstance(standard, str) and standard == "esp2013":
        return _map_to_bands(_esp2013(), age_labels, "esp2013"), "esp2013"
    if isinstance(standard, str) and standard == "france":
        mask = None
        if "zone_type" in df.columns:
            is_france = (df["zone_type"].astype("string").str.lower() == "france").to_numpy(
                dtype=bool, na_value=False
            )
            if is_france.any():
                mask = is_france
        codes, n = (age_codes, n_values) if mask is None else (age_codes[mask], n_values[mask])
        weights = np.bincount(codes, weights=np.nan_to_num(n), minlength=n_bands)
        empty = weights <= 0
        if empty.any():
            where = "des lignes zone_type == 'france'" if mask is not None else "des données"
            raise StatsInputError(
                "Population standard 'france' nulle pour les tranches d'âge "
                f"{describe_rows(age_labels[empty])} : elle est la somme de la population "
                f"{where} par âge. Ajoutez ces tranches aux lignes France ou passez une "
                "colonne de population standard."
            )
        return weights, "france"
    if isinstance(standard, (Mapping, pd.Series)):
        series = pd.Series(standard, dtype=float)
        series.index = [normalize_age_band(k) for k in series.index]
        if series.index.duplicated().any() or series.isna().any() or (series < 0).any():
            raise StatsInputError(
                "La population standard passée en dictionnaire/Series doit avoir une valeur "
                "positive ou nulle par tranche d'âge, sans doublon ni valeur manquante : "
                f"reçu {dict(series)!r}."
            )
        return _map_to_bands(series, age_labels, "fournie"), "custom"
    raise StatsInputError(
        f"Population standard {standard!r} inconnue : indiquez une colonne du tableau, "
        f"'esp2013', 'france', ou un dictionnaire {{tranche d'âge: effectif}}. Colonnes "
        f"disponibles : {describe_rows(map(str, df.columns), limit=15)}."
    )
