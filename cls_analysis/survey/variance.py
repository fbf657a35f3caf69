"""Taylor-linearisation variance for stratified, with-replacement designs.

The engine takes the *weighted influence values* of a set of estimators (one column per
estimator: ``w_i * z_i`` where ``z_i`` is the linearised variable of unit ``i``), removes the
part explained by the raking margins when the weights were raked (calibration-aware variance),
sums them by primary sampling unit (PSU) and takes the with-replacement variance of the PSU
totals within each stratum:

.. math::  \\hat V = \\sum_h \\frac{n_h}{n_h - 1} \\sum_{i \\in h} (t_{hi} - \\bar t_h)^2

This is exactly what R's ``survey::svyrecvar`` does for a ``survey.design2`` object without
finite population correction, including its treatment of raked designs: for each raking
(a ``rake()`` call), ten sweeps over the margins of
``x <- x - psw * ave(x / psw, margin)``, with ``psw`` the raked weights (R keeps the weights
of the last raking pass, equal to them within the raking tolerance).

Domains need no special treatment: an estimator for a domain has zero influence values
outside it, and the PSUs of the whole design keep counting in each stratum (R pads them
with zeros).

Examples
--------
>>> import numpy as np
>>> v = VarianceEngine(strata=np.array([0, 0, 1, 1]), clusters=np.arange(4))
>>> float(v.variance(np.array([[1.0], [3.0], [2.0], [2.0]]))[0])
4.0
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from cls_analysis.errors import describe_rows
from cls_analysis.survey.errors import DesignError

__all__ = ["LONELY_PSU", "RakingBlock", "VarianceEngine", "group_matrix"]

#: Handling of strata with a single PSU, as R's ``options(survey.lonely.psu = ...)``.
LONELY_PSU = ("fail", "remove", "certainty", "adjust")

#: Sweeps over the margins when residualising on a raking, as R's ``svyrecvar`` (fixed at 10).
RAKING_SWEEPS = 10


def group_matrix(codes: np.ndarray, n_groups: int | None = None) -> sp.csr_matrix:
    """Sparse one-hot matrix (groups × units) of integer group codes.

    >>> group_matrix(np.array([0, 1, 0])).toarray()
    array([[1., 0., 1.],
           [0., 1., 0.]])
    """
    codes = np.asarray(codes, dtype=np.int64)
    n = codes.size
    g = int(codes.max()) + 1 if n_groups is None else int(n_groups)
    return sp.csr_matrix((np.ones(n), (codes, np.arange(n))), shape=(g, n))


@dataclass(frozen=True)
class RakingBlock:
    """The margins of one raking, as stored by R's ``rake()`` for the variance.

    Attributes
    ----------
    codes : tuple of ndarray
        For each margin, the level index (0…L-1) of every unit.
    weights : ndarray
        The raked weights (R stores, for each margin, the weights right after that margin's
        adjustment in the last pass; once the raking has converged they are these weights
        to the raking tolerance).
    """

    codes: tuple[np.ndarray, ...]
    weights: np.ndarray

    def residualise(self, x: np.ndarray, sweeps: int = RAKING_SWEEPS) -> np.ndarray:
        """Remove from ``x`` (units × estimators) what the margins explain, as R does.

        R applies ``sweeps`` times, margin after margin, ``x <- x - w * ave(x / w, margin)``.
        With ``z = x / w`` each step subtracts the level means of ``z``, so ``z`` only ever
        changes by a combination of the margins' indicator columns: the sweeps are carried
        out on those small coefficient matrices (levels × estimators), using the cross-counts
        of the margins, and applied to the units once at the end. Same result, a few
        operations on the units instead of ``3 × sweeps × margins``.
        """
        w = self.weights[:, None]
        z = np.asarray(x, dtype=float) / w
        mats = [group_matrix(c) for c in self.codes]
        counts = [np.maximum(np.asarray(m.sum(axis=1)).ravel(), 1.0)[:, None] for m in mats]
        sums = [m @ z for m in mats]
        cross = [[(mk @ mj.T).toarray() for mj in mats] for mk in mats]
        coef = [np.zeros_like(s) for s in sums]
        for _ in range(sweeps):
            for k in range(len(mats)):
                current = sums[k] - sum(cross[k][j] @ coef[j] for j in range(len(mats)))
                coef[k] += current / counts[k]
        for k, codes in enumerate(self.codes):
            z -= coef[k][codes]
        return z * w


class VarianceEngine:
    """Linearisation variance for a stratified design with replacement of PSUs.

    Parameters
    ----------
    strata : ndarray of int
        Stratum code of each unit (0…H-1).
    clusters : ndarray of int
        PSU code of each unit, unique within strata (PSUs are always nested in strata).
    rakings : sequence of RakingBlock, optional
        Raking margins to residualise on (calibration-aware variance).
    lonely_psu : {"fail", "remove", "certainty", "adjust"}
        What to do with a stratum that has a single PSU, as R's ``survey.lonely.psu``.
    """

    def __init__(
        self,
        strata: np.ndarray,
        clusters: np.ndarray,
        rakings: tuple[RakingBlock, ...] = (),
        lonely_psu: str = "fail",
        stratum_labels: list[str] | None = None,
    ):
        if lonely_psu not in LONELY_PSU:
            raise DesignError(
                f"lonely_psu = « {lonely_psu} » inconnu : choisissez parmi {', '.join(LONELY_PSU)}."
            )
        strata = np.asarray(strata, dtype=np.int64)
        clusters = np.asarray(clusters, dtype=np.int64)
        # PSUs nested in strata: one code per (stratum, cluster) pair
        pairs = strata * (int(clusters.max()) + 1 if clusters.size else 1) + clusters
        _, psu = np.unique(pairs, return_inverse=True)
        self.n = strata.size
        # each unit its own PSU: PSU totals are the units' values (the order is irrelevant)
        self._identity = int(psu.max()) + 1 == strata.size if strata.size else False
        if self._identity:
            psu = np.arange(strata.size)
        self.psu = psu.astype(np.int64)
        self.n_psu = int(psu.max()) + 1 if psu.size else 0
        self.psu_stratum = np.zeros(self.n_psu, dtype=np.int64)
        self.psu_stratum[self.psu] = strata
        self.n_strata = int(strata.max()) + 1 if strata.size else 0
        self.strata = strata
        self.psu_per_stratum = np.bincount(self.psu_stratum, minlength=self.n_strata)
        self.rakings = tuple(rakings)
        self.lonely_psu = lonely_psu
        self._psu_matrix = group_matrix(self.psu, self.n_psu)
        self._stratum_matrix = group_matrix(self.psu_stratum, self.n_strata)
        lonely = self.psu_per_stratum == 1
        if lonely.any() and lonely_psu == "fail":
            labels = stratum_labels or [str(i) for i in range(self.n_strata)]
            raise DesignError(
                "strate(s) avec une seule unité primaire (PSU) : "
                f"{describe_rows(labels[i] for i in np.flatnonzero(lonely))}. "
                "La variance ne peut pas y être estimée : regroupez ces strates avec une voisine, "
                "ou choisissez lonely_psu='remove' (contribution nulle) ou 'adjust' "
                "(centrage sur la moyenne générale), comme options(survey.lonely.psu) dans R."
            )
        n_h = self.psu_per_stratum[self.psu_stratum].astype(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            scale = np.where(n_h > 1, n_h / (n_h - 1), 1.0)
        centre = n_h > 1
        if lonely_psu in ("remove", "certainty"):
            scale = np.where(n_h > 1, scale, 0.0)
        self._scale = scale
        self._centre = centre

    @property
    def degrees_of_freedom(self) -> int:
        """Design degrees of freedom: number of PSUs minus number of strata."""
        return self.n_psu - self.n_strata

    def domain_df(self, masks: np.ndarray) -> np.ndarray:
        """Degrees of freedom of domains (units × domains boolean), as R's ``degf`` of a subset."""
        masks = np.asarray(masks, dtype=float)
        psu_in = (self._psu_matrix @ masks) > 0
        strata_in = (self._stratum_matrix @ psu_in.astype(float)) > 0
        return psu_in.sum(axis=0) - strata_in.sum(axis=0)

    def residualise(self, x: np.ndarray) -> np.ndarray:
        """Apply every raking residualisation in order (identity without raking)."""
        for block in self.rakings:
            x = block.residualise(x)
        return x

    def _centred_totals(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        if x.ndim == 1:
            x = x[:, None]
        x = self.residualise(x)
        totals = np.array(x, dtype=float, copy=True) if self._identity else self._psu_matrix @ x
        means = (self._stratum_matrix @ totals) / np.maximum(self.psu_per_stratum, 1)[:, None]
        if not self._centre.all():
            means[self.psu_per_stratum <= 1] = 0.0
        totals -= means[self.psu_stratum]
        return totals

    def variance(self, x: np.ndarray) -> np.ndarray:
        """Variances of the estimators whose weighted influence values are the columns of ``x``."""
        c = self._centred_totals(x)
        return np.einsum("ij,ij,i->j", c, c, self._scale)

    def covariance(self, x: np.ndarray) -> np.ndarray:
        """Full covariance matrix of the estimators (columns of ``x``)."""
        c = self._centred_totals(x)
        return c.T @ (self._scale[:, None] * c)
