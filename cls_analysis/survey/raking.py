"""Raking (iterative proportional fitting) of survey weights to population margins.

Margins are a long DataFrame with columns ``variable``, ``level``, ``population``: one row
per level of each raking variable, the population of that level (e.g. from the census).
All the margins must describe the same population (same total).

The weights are adjusted margin after margin until every weighted margin matches its
population to a relative tolerance (``1e-10`` by default). Optional *bounds* keep the
weight ratios ``w / w_base`` (base weights scaled to the population total) inside
``[lower, upper]`` (trimming): the ratios are clipped at
each step and the raking goes on until the margins are met again with the clipped weights.

Examples
--------
>>> import pandas as pd
>>> data = pd.DataFrame({"sexe": ["F", "F", "M", "M"], "age": ["jeune", "vieux", "jeune", "vieux"]})
>>> margins = pd.DataFrame({"variable": ["sexe", "sexe", "age", "age"],
...                         "level": ["F", "M", "jeune", "vieux"],
...                         "population": [60.0, 40.0, 30.0, 70.0]})
>>> res = rake_weights(data, [1.0, 1.0, 1.0, 1.0], margins)
>>> res.converged, res.weights.round(6).tolist()
(True, [18.0, 42.0, 12.0, 28.0])
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cls_analysis.errors import describe_rows
from cls_analysis.survey.errors import MarginsError, RakingError
from cls_analysis.survey.variance import RakingBlock

__all__ = ["RakingResult", "level_text", "prepare_margins", "rake_weights"]


def level_text(values: pd.Series) -> pd.Series:
    """Levels as text for matching margins: ``1.0`` → ``"1"``, ``True`` → ``"True"``, NaN kept.

    Vectorised over the distinct values (fast on large samples).

    >>> level_text(pd.Series([1.0, 2, None, "15-29"])).tolist()
    ['1', '2', nan, '15-29']
    """

    def one(v: object) -> object:
        if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
            return np.nan
        if isinstance(v, (float, np.floating)) and float(v).is_integer():
            return str(int(v))
        return str(v).strip()

    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    texts = np.array([one(u) for u in uniques] + [np.nan], dtype=object)
    return pd.Series(texts[codes], index=values.index, dtype=object)


@dataclass
class _Margin:
    variable: str
    levels: list[str]
    codes: np.ndarray
    targets: np.ndarray


@dataclass
class RakingResult:
    """Outcome of a raking.

    Attributes
    ----------
    weights : ndarray
        Raked weights.
    converged : bool
    iterations : int
        Passes over all margins.
    max_margin_error : float
        Largest relative gap between a weighted margin and its population.
    block : RakingBlock
        What the calibration-aware variance needs (levels of the margins, raked weights).
    margins : DataFrame
        ``variable, level, population, sample_n, weighted_before, weighted_after``.
    """

    weights: np.ndarray
    converged: bool
    iterations: int
    max_margin_error: float
    block: RakingBlock
    margins: pd.DataFrame = field(repr=False)
    bounds: tuple[float, float] | None = None


def prepare_margins(data: pd.DataFrame, margins: pd.DataFrame, *, rel_tol: float = 1e-6) -> list[_Margin]:
    """Check margins against each other and against the sample; index levels per unit.

    Raises
    ------
    MarginsError
        Missing columns, unknown variable, non-positive population, different totals,
        a margin level without respondent, a respondent level without margin, or missing
        values of a raking variable.
    """
    if not isinstance(margins, pd.DataFrame):
        raise MarginsError(
            "les marges doivent être un DataFrame à trois colonnes : variable, level, population "
            "(une ligne par modalité de chaque variable de calage)."
        )
    missing = [c for c in ("variable", "level", "population") if c not in margins.columns]
    if missing:
        raise MarginsError(
            f"colonne(s) absente(s) des marges : {', '.join(missing)} ; colonnes trouvées : "
            f"{', '.join(map(str, margins.columns))}. Attendu : variable, level, population."
        )
    m = margins.loc[:, ["variable", "level", "population"]].copy()
    m["variable"] = m["variable"].astype(str)
    m["level"] = level_text(m["level"])
    pop = pd.to_numeric(m["population"], errors="coerce")
    bad = pop.isna() | ~np.isfinite(pop) | (pop <= 0)
    if bad.any():
        rows = [f"{v} = {lv} ({p})" for v, lv, p in m.loc[bad, ["variable", "level", "population"]].itertuples(index=False)]
        raise MarginsError(
            f"population nulle, négative ou manquante dans les marges : {describe_rows(rows)}. "
            "Une modalité sans population ne peut pas servir au calage : regroupez-la avec une "
            "modalité voisine (dans les données et dans les marges)."
        )
    m["population"] = pop.astype(float)
    dup = m.duplicated(["variable", "level"])
    if dup.any():
        rows = [f"{v} = {lv}" for v, lv in m.loc[dup, ["variable", "level"]].itertuples(index=False)]
        raise MarginsError(f"modalité(s) en double dans les marges : {describe_rows(rows)}. Gardez une ligne par modalité.")
    totals = m.groupby("variable", sort=False)["population"].sum()
    ref = totals.iloc[0]
    if (abs(totals - ref) > rel_tol * ref).any():
        listing = " ; ".join(f"{v} : {_fr(t)}" for v, t in totals.items())
        raise MarginsError(
            f"les marges n'ont pas le même total ({listing}). Toutes les marges doivent décrire "
            "la même population (même source, même année, même champ d'âge) : recalculez-les, "
            "par exemple avec margins_from_observations(…, age_bands=…)."
        )
    out = []
    for variable, part in m.groupby("variable", sort=False):
        if variable not in data.columns:
            raise MarginsError(
                f"la variable de calage « {variable} » n'est pas une colonne des réponses. "
                f"Colonnes disponibles : {describe_rows(data.columns, limit=15)}."
            )
        values = level_text(data[variable])
        if values.isna().any():
            rows = data.index[values.isna().to_numpy()]
            raise MarginsError(
                f"« {variable} » manque pour {len(rows)} répondant(s) (lignes {describe_rows(rows)}). "
                "Le calage exige une valeur pour chaque répondant : complétez ou imputez la variable, "
                "ou retirez ces répondants avant de construire le plan."
            )
        levels = part["level"].tolist()
        lookup = {lv: i for i, lv in enumerate(levels)}
        codes = values.map(lookup)
        unknown = codes.isna()
        if unknown.any():
            found = sorted(set(values[unknown]))
            raise MarginsError(
                f"modalité(s) de « {variable} » présente(s) dans l'échantillon mais absente(s) des "
                f"marges : {describe_rows(found)} ({int(unknown.sum())} répondant(s)). Marges attendues : "
                f"{describe_rows(levels)}. Ajoutez ces modalités aux marges ou recodez la variable."
            )
        codes = codes.to_numpy(dtype=np.int64)
        counts = np.bincount(codes, minlength=len(levels))
        empty = [levels[i] for i in np.flatnonzero(counts == 0)]
        if empty:
            raise MarginsError(
                f"modalité(s) de « {variable} » sans aucun répondant : {describe_rows(empty)}. "
                "Le calage ne peut pas donner un poids à une modalité absente de l'échantillon : "
                "regroupez-la avec une modalité voisine, dans les données et dans les marges."
            )
        out.append(_Margin(variable, levels, codes, part["population"].to_numpy(dtype=float)))
    return out


def _fr(x: float) -> str:
    """A number written the French way for messages: ``12 345,6``."""
    return f"{x:,.1f}".replace(",", " ").replace(".", ",")


def _margin_error(weights: np.ndarray, margins: list[_Margin]) -> float:
    err = 0.0
    for mg in margins:
        tot = np.bincount(mg.codes, weights=weights, minlength=len(mg.levels))
        err = max(err, float(np.max(np.abs(tot - mg.targets) / mg.targets)))
    return err


def rake_weights(
    data: pd.DataFrame,
    base_weights: np.ndarray | list[float],
    margins: pd.DataFrame,
    *,
    tol: float = 1e-10,
    max_iter: int = 1000,
    bounds: tuple[float, float] | None = None,
) -> RakingResult:
    """Rake base weights to population margins (iterative proportional fitting).

    Parameters
    ----------
    data : DataFrame
        One row per respondent, with a column for each raking variable.
    base_weights : array-like
        Positive starting weights (1 for an unweighted sample).
    margins : DataFrame
        ``variable, level, population``.
    tol : float, default 1e-10
        Convergence when every weighted margin is within ``tol`` (relative) of its population.
    max_iter : int, default 1000
        Maximum passes over the margins.
    bounds : (float, float), optional
        Bounds on the weight ratio ``g = w / (c × w_base)`` (trimming), e.g. ``(0.3, 3.0)``,
        where ``c`` = population total / sum of base weights scales the base weights to the
        population (so that ``g`` is 1 for a respondent whose weight is not changed by the
        raking beyond that scaling).

    Returns
    -------
    RakingResult

    Raises
    ------
    MarginsError
        See :func:`prepare_margins`.
    RakingError
        When the margins are not met after ``max_iter`` passes.
    """
    w0 = np.asarray(base_weights, dtype=float)
    mgs = prepare_margins(data, margins)
    if bounds is not None:
        lo, hi = float(bounds[0]), float(bounds[1])
        if not (0 <= lo < 1 < hi):
            raise MarginsError(
                f"bornes de rognage {bounds} invalides : il faut 0 ≤ borne basse < 1 < borne haute, "
                "par exemple (0.3, 3.0)."
            )
    w = w0.copy()
    scaled = w0 * (mgs[0].targets.sum() / w0.sum())
    converged = False
    it = 0
    err = _margin_error(w, mgs)
    while it < max_iter:
        it += 1
        for mg in mgs:
            tot = np.bincount(mg.codes, weights=w, minlength=len(mg.levels))
            w = w * (mg.targets / tot)[mg.codes]
            if bounds is not None:
                w = np.clip(w, lo * scaled, hi * scaled)
        err = _margin_error(w, mgs)
        if err < tol:
            converged = True
            break
    table = []
    for mg in mgs:
        before = np.bincount(mg.codes, weights=w0, minlength=len(mg.levels))
        after = np.bincount(mg.codes, weights=w, minlength=len(mg.levels))
        n = np.bincount(mg.codes, minlength=len(mg.levels))
        for i, lv in enumerate(mg.levels):
            table.append((mg.variable, lv, mg.targets[i], int(n[i]), before[i], after[i]))
    margins_table = pd.DataFrame(
        table,
        columns=["variable", "level", "population", "sample_n", "weighted_before", "weighted_after"],
    )
    if not converged:
        worst = margins_table.assign(
            gap=(margins_table.weighted_after - margins_table.population).abs() / margins_table.population
        ).sort_values("gap", ascending=False).iloc[0]
        advice = (
            "élargissez les bornes de rognage (bounds) ou retirez-les, "
            if bounds is not None
            else ""
        )
        raise RakingError(
            f"le calage n'a pas convergé après {it} itérations : écart relatif maximal "
            f"{err:.2e} sur une marge (pire : {worst.variable} = {worst.level}, population "
            f"{_fr(worst.population)}, obtenu {_fr(worst.weighted_after)}). Que faire : {advice}"
            "regroupez les modalités peu représentées, vérifiez que les marges sont compatibles "
            "entre elles (même champ), ou augmentez max_iter."
        )
    block = RakingBlock(codes=tuple(mg.codes for mg in mgs), weights=w)
    return RakingResult(
        weights=w,
        converged=converged,
        iterations=it,
        max_margin_error=err,
        block=block,
        margins=margins_table,
        bounds=None if bounds is None else (lo, hi),
    )
