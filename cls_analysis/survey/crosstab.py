"""Weighted cross-tables with the Rao-Scott second-order test of independence.

:func:`crosstab` gives the distribution of a column variable within each level of a row
variable (row percentages with intervals, weighted counts) and the Rao-Scott test with
the second-order correction as an F statistic, exactly as R's
``svychisq(~row + col, design, statistic = "F")``:

- Pearson's X² on the weighted table of the respondents who answered both questions;
- ``Delta`` = generalised design effect matrix of the interaction contrasts,
  ``F = X² / tr(Delta)``, ``ndf = tr(Delta)² / tr(Delta²)``, ``ddf = ndf × (PSUs − strata)``.

Examples
--------
>>> import pandas as pd
>>> from cls_analysis.survey import Design
>>> data = pd.DataFrame({"sexe": ["F"] * 50 + ["M"] * 50,
...                      "fume": (["oui"] * 15 + ["non"] * 35) + (["oui"] * 30 + ["non"] * 20)})
>>> ct = Design(data).crosstab("sexe", "fume")
>>> round(ct.test.statistic, 3), ct.test.ndf, ct.test.ddf
(9.0, 1.0, 99.0)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from cls_analysis.survey.errors import DesignError
from cls_analysis.survey.estimates import SurveyEstimates, level_mask, proportions

__all__ = ["Crosstab", "RaoScottTest", "crosstab", "rao_scott"]


@dataclass(frozen=True)
class RaoScottTest:
    """Rao-Scott second-order test of independence (F form)."""

    statistic: float
    ndf: float
    ddf: float
    p_value: float
    chisq: float
    n: int
    method: str = "Khi² de Pearson avec correction de Rao-Scott d'ordre 2 (statistique F)"

    def __str__(self) -> str:
        p = "< 0,001" if self.p_value < 0.001 else f"= {self.p_value:.3f}".replace(".", ",")
        return (
            f"{self.method} : F = {self.statistic:.2f} ; ddl = {self.ndf:.2f} et {self.ddf:.1f} ; "
            f"p {p} (n = {self.n})"
        ).replace(".", ",")


@dataclass(frozen=True)
class Crosstab:
    """A weighted cross-table.

    Attributes
    ----------
    table : SurveyEstimates
        For each level of the row variable, the proportion of each level of the column
        variable (row percentages), with intervals, weighted counts and statuses.
    test : RaoScottTest
    row, col : str
    """

    table: SurveyEstimates
    test: RaoScottTest
    row: str
    col: str


def _labels(series: pd.Series) -> list:
    values = set(series.dropna().tolist())
    if isinstance(series.dtype, pd.CategoricalDtype):
        return [c for c in series.cat.categories if c in values]
    try:
        return sorted(values)
    except TypeError:
        return sorted(values, key=str)


def rao_scott(design, row: str, col: str) -> RaoScottTest:
    """Rao-Scott second-order F test of independence of two categorical variables.

    Respondents with a missing answer to either variable form an excluded domain (they stay
    in the design for the variance). Levels absent among the respondents who answered both
    are dropped.
    """
    data = design.data
    for v in (row, col):
        if v not in data.columns:
            raise DesignError(f"« {v} » n'est pas une colonne des réponses.")
    a, b = data[row], data[col]
    both = (a.notna() & b.notna()).to_numpy()
    la, lb = _labels(a[both]), _labels(b[both])
    nr, nc = len(la), len(lb)
    if nr < 2 or nc < 2:
        raise DesignError(
            f"test impossible : « {row} » a {nr} modalité(s) et « {col} » {nc} parmi les répondants "
            "aux deux questions ; il en faut au moins deux de chaque."
        )
    ma = [level_mask(a, x) for x in la]
    mb = [level_mask(b, x) for x in lb]
    # cells with the row index varying fastest, as R's interaction(row, col)
    cells = np.column_stack([ma[i] & mb[j] & both for j in range(nc) for i in range(nr)])
    w = design._weights
    wd = w * both
    big_n = wd.sum()
    p = (cells * wd[:, None]).sum(axis=0) / big_n
    u = (np.where(both[:, None], cells - p, 0.0)) * wd[:, None] / big_n
    v = design._engine.covariance(u)
    n = int(both.sum())
    # Pearson's X2 on the weighted table scaled to n
    pt = p.reshape(nc, nr).T  # rows × cols
    pr, pc = pt.sum(axis=1), pt.sum(axis=0)
    expected = np.outer(pr, pc)
    chisq = float(n * (((pt - expected) ** 2) / expected).sum())
    # contrasts: interaction columns residualised on main effects (R's Cmat)
    ri = np.tile(np.arange(nr), nc)
    ci = np.repeat(np.arange(nc), nr)
    x1 = np.column_stack(
        [np.ones(nr * nc)] + [(ri == i).astype(float) for i in range(1, nr)] + [(ci == j).astype(float) for j in range(1, nc)]
    )
    inter = np.column_stack([((ri == i) & (ci == j)).astype(float) for j in range(1, nc) for i in range(1, nr)])
    coef, *_ = np.linalg.lstsq(x1, inter, rcond=None)
    cmat = inter - x1 @ coef
    with np.errstate(divide="ignore"):
        idiag = np.where(p == 0, 0.0, 1.0 / p)
    denom = cmat.T @ (idiag[:, None] / n * cmat)
    numr = cmat.T @ (idiag[:, None] * v * idiag[None, :]) @ cmat
    delta = np.linalg.solve(denom, numr)
    tr = float(np.trace(delta))
    d0 = tr**2 / float(np.trace(delta @ delta))
    f = chisq / tr
    ddf = d0 * design.degrees_of_freedom
    return RaoScottTest(
        statistic=f, ndf=d0, ddf=ddf, p_value=float(stats.f.sf(f, d0, ddf)), chisq=chisq, n=n
    )


def crosstab(design, row: str, col: str, *, confidence=None, method="logit", min_count=None) -> Crosstab:
    """Weighted cross-table of ``row`` × ``col`` with row percentages and the Rao-Scott test.

    Parameters
    ----------
    design : Design
    row, col : str
        Categorical columns of the answers.
    confidence, method, min_count
        As :func:`~cls_analysis.survey.estimates.proportions`.

    Returns
    -------
    Crosstab
    """
    table = proportions(design, col, by=row, confidence=confidence, method=method, min_count=min_count)
    return Crosstab(table=table, test=rao_scott(design, row, col), row=row, col=col)
