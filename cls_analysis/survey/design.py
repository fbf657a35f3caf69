"""The survey design: weights, strata, clusters, raking, and the estimates it gives.

A :class:`Design` holds one row per respondent (the tidy answers), a weight for each
(1 when none is given), optional strata and clusters (primary sampling units; each respondent
is its own PSU unless a cluster column is given), and what a raking did to the weights.
Variances are by Taylor linearisation with PSUs drawn with replacement within strata, as
R's ``survey::svydesign(ids = ~cluster, strata = ~strata, weights = ~w, nest = TRUE)``; after
:meth:`Design.rake`, they take the calibration into account exactly as a ``survey::rake()``
design does (or treat the raked weights as fixed, on request).

Examples
--------
>>> import pandas as pd
>>> data = pd.DataFrame({"sexe": ["F", "F", "M", "M", "F", "M"] * 5,
...                      "fume": ["oui", "non", "oui", "non", "non", "non"] * 5})
>>> d = Design(data, min_count=0)
>>> d.n
30
>>> margins = pd.DataFrame({"variable": ["sexe", "sexe"], "level": ["F", "M"],
...                         "population": [520.0, 480.0]})
>>> d = d.rake(margins)
>>> round(float(d.weights.sum()), 6)
1000.0
>>> d.proportions("fume")[["level", "estimate"]].round(4)
  level  estimate
0   non    0.6667
1   oui    0.3333
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cls_analysis.errors import describe_rows
from cls_analysis.survey.errors import DesignError
from cls_analysis.survey.raking import RakingResult, rake_weights
from cls_analysis.survey.variance import VarianceEngine

__all__ = ["Design", "Diagnostics"]

VARIANCE_MODES = ("calibrated", "fixed")


@dataclass(frozen=True)
class Diagnostics:
    """Weights and raking diagnostics of a design (read them with ``print``)."""

    n: int
    weight_sum: float
    weight_min: float
    weight_max: float
    ratio_min: float
    ratio_max: float
    kish_deff: float
    n_eff: float
    raked: bool
    converged: bool | None
    iterations: int | None
    max_margin_error: float | None
    variance: str
    margins: pd.DataFrame | None = field(default=None, repr=False)

    def to_frame(self) -> pd.DataFrame:
        """The diagnostics as a two-column table with French labels."""
        rows = [
            ("Répondants", self.n),
            ("Somme des poids", self.weight_sum),
            ("Poids minimal", self.weight_min),
            ("Poids maximal", self.weight_max),
            ("Rapport poids / poids de base, minimum", self.ratio_min),
            ("Rapport poids / poids de base, maximum", self.ratio_max),
            ("Effet de plan de Kish (pondération)", self.kish_deff),
            ("Taille d'échantillon effective (Kish)", self.n_eff),
            ("Calage effectué", "oui" if self.raked else "non"),
        ]
        if self.raked:
            rows += [
                ("Calage convergé", "oui" if self.converged else "non"),
                ("Itérations du calage", self.iterations),
                ("Écart relatif maximal aux marges", self.max_margin_error),
            ]
        rows.append(
            (
                "Variance",
                "calage pris en compte" if self.variance == "calibrated" else "poids considérés fixes",
            )
        )
        return pd.DataFrame(rows, columns=["indicateur", "valeur"])

    def __str__(self) -> str:
        def fmt(v: object) -> str:
            if isinstance(v, float):
                return f"{v:.3g}" if abs(v) < 1e-3 or abs(v) >= 1e6 else f"{v:,.3f}".replace(",", " ").replace(".", ",")
            return str(v)

        return "\n".join(f"{k} : {fmt(v)}" for k, v in self.to_frame().itertuples(index=False))


def _codes(values: pd.Series, what: str) -> tuple[np.ndarray, list[str]]:
    if values.isna().any():
        rows = values.index[values.isna().to_numpy()]
        raise DesignError(
            f"{what} « {values.name} » manquante pour {len(rows)} répondant(s) "
            f"(lignes {describe_rows(rows)}). Complétez-la ou retirez ces répondants."
        )
    codes, uniques = pd.factorize(values, sort=True)
    return codes.astype(np.int64), [str(u) for u in uniques]


class Design:
    """A survey design for design-based estimation.

    Parameters
    ----------
    data : DataFrame or SurveyResponses
        One row per respondent. A :class:`~cls_analysis.survey.SurveyResponses` brings its
        codebook (needed for multiple-response questions).
    weights : str or array-like, optional
        Column of base (sampling) weights, or the weights themselves; 1 each when omitted.
        Weights must be finite and strictly positive.
    strata : str, optional
        Column of strata (e.g. ``"commune"`` when the sample was drawn per commune).
    cluster : str, optional
        Column of primary sampling units (e.g. households); each respondent otherwise.
        Clusters are nested in strata.
    codebook : DataFrame, optional
        Codebook (see :mod:`cls_analysis.survey.codebook`); taken from ``data`` when it is
        a ``SurveyResponses``.
    min_count : int, default 10
        Cells with fewer respondents are suppressed (estimates NaN, status ``suppressed``).
    confidence : float, default 0.95
    lonely_psu : {"fail", "remove", "certainty", "adjust"}, default "fail"
        Strata with one PSU, as R's ``options(survey.lonely.psu)``.
    weighting : str, optional
        How the weights were made, in French, for charts and tables (set by :meth:`rake`).
    """

    def __init__(
        self,
        data,
        weights=None,
        strata: str | None = None,
        cluster: str | None = None,
        *,
        codebook: pd.DataFrame | None = None,
        min_count: int = 10,
        confidence: float = 0.95,
        lonely_psu: str = "fail",
        weighting: str | None = None,
    ):
        if hasattr(data, "data") and hasattr(data, "codebook") and not isinstance(data, pd.DataFrame):
            codebook = data.codebook if codebook is None else codebook
            data = data.data
        if not isinstance(data, pd.DataFrame):
            raise DesignError(
                f"« data » doit être un DataFrame ou un SurveyResponses, pas {type(data).__name__}."
            )
        if len(data) == 0:
            raise DesignError("aucun répondant : le tableau des réponses est vide.")
        self._data = data
        self.codebook = codebook
        n = len(data)
        if weights is None:
            w = np.ones(n)
            self._weights_name = None
        else:
            if isinstance(weights, str):
                if weights not in data.columns:
                    raise DesignError(
                        f"colonne de poids « {weights} » absente des réponses. Colonnes : "
                        f"{describe_rows(data.columns, limit=15)}."
                    )
                raw = data[weights]
                self._weights_name = weights
            else:
                raw = pd.Series(np.asarray(weights), index=data.index)
                self._weights_name = None
                if len(raw) != n:
                    raise DesignError(f"{len(raw)} poids pour {n} répondants : il faut un poids par répondant.")
            w = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float)
            bad = ~np.isfinite(w) | (w <= 0)
            if bad.any():
                rows = [f"{data.index[i]} ({raw.iloc[i]})" for i in np.flatnonzero(bad)]
                name = f"« {weights} » " if isinstance(weights, str) else ""
                raise DesignError(
                    f"poids {name}nul, négatif ou manquant pour {int(bad.sum())} répondant(s) : "
                    f"lignes {describe_rows(rows)}. Chaque répondant doit avoir un poids strictement "
                    "positif : corrigez ces poids, ou retirez ces répondants de l'analyse."
                )
        self._base_weights = w
        self._weights = w.copy()
        for name, what in ((strata, "strate"), (cluster, "grappe (PSU)")):
            if name is not None and name not in data.columns:
                raise DesignError(
                    f"colonne de {what} « {name} » absente des réponses. Colonnes : "
                    f"{describe_rows(data.columns, limit=15)}."
                )
        if strata is None:
            self._strata, self._strata_labels = np.zeros(n, dtype=np.int64), ["(toutes)"]
        else:
            self._strata, self._strata_labels = _codes(data[strata], "strate")
        if cluster is None:
            self._clusters = np.arange(n, dtype=np.int64)
        else:
            self._clusters, _ = _codes(data[cluster], "grappe (PSU)")
        self.strata_name, self.cluster_name = strata, cluster
        if not 0 < confidence < 1:
            raise DesignError(f"niveau de confiance {confidence} invalide : attendu entre 0 et 1, par ex. 0.95.")
        self.min_count = int(min_count)
        self.confidence = float(confidence)
        self.lonely_psu = lonely_psu
        self._history: list[RakingResult] = []
        self._blocks: list = []
        self.variance_mode = "calibrated"
        if weighting is None:
            weighting = "résultats non pondérés" if weights is None else "résultats pondérés (poids de sondage)"
        self.weighting = weighting
        self._build_engine()

    # ------------------------------------------------------------------ structure
    def _build_engine(self) -> None:
        self._engine = VarianceEngine(
            self._strata, self._clusters, tuple(self._blocks), self.lonely_psu, self._strata_labels
        )

    @property
    def data(self) -> pd.DataFrame:
        """The respondents' answers (one row per respondent)."""
        return self._data

    @property
    def n(self) -> int:
        """Number of respondents."""
        return len(self._data)

    @property
    def weights(self) -> pd.Series:
        """Current weights (after raking if any), indexed like the answers."""
        return pd.Series(self._weights, index=self._data.index, name="poids")

    @property
    def base_weights(self) -> pd.Series:
        """Weights before any raking."""
        return pd.Series(self._base_weights, index=self._data.index, name="poids_base")

    @property
    def calibrated(self) -> bool:
        """Whether the variance accounts for a raking (as an R design that went through ``rake``)."""
        return bool(self._blocks)

    @property
    def degrees_of_freedom(self) -> int:
        """Design degrees of freedom (PSUs minus strata)."""
        return self._engine.degrees_of_freedom

    def __repr__(self) -> str:
        return (
            f"<Design : {self.n} répondants, {len(self._strata_labels)} strate(s), "
            f"{self._engine.n_psu} PSU ; {self.weighting}>"
        )

    # ------------------------------------------------------------------ weighting
    def rake(
        self,
        margins: pd.DataFrame,
        *,
        variance: str = "calibrated",
        tol: float = 1e-10,
        max_iter: int = 1000,
        bounds: tuple[float, float] | None = None,
        source: str | None = None,
    ) -> Design:
        """Rake the weights to population margins; return a new design.

        Parameters
        ----------
        margins : DataFrame
            ``variable, level, population`` (see :func:`~cls_analysis.survey.margins_from_observations`).
        variance : {"calibrated", "fixed"}, default "calibrated"
            ``"calibrated"``: variances account for the raking exactly as R's ``survey::rake``
            design (residuals on the margins' levels); ``"fixed"``: the raked weights are
            taken as given, as ``svydesign(weights = ~raked_weight)`` would.
        tol, max_iter, bounds
            See :func:`~cls_analysis.survey.raking.rake_weights`.
        source : str, optional
            Source of the margins for the weighting note, e.g. ``"Insee RP 2021"``.

        Returns
        -------
        Design
        """
        if variance not in VARIANCE_MODES:
            raise DesignError(f"variance = « {variance} » inconnue : choisissez « calibrated » ou « fixed ».")
        result = rake_weights(self._data, self._weights, margins, tol=tol, max_iter=max_iter, bounds=bounds)
        new = copy.copy(self)
        new._weights = result.weights
        new._history = [*self._history, result]
        new._blocks = [*self._blocks, result.block] if variance == "calibrated" else []
        new.variance_mode = variance
        variables = ", ".join(result.margins["variable"].unique())
        new.weighting = (
            f"résultats pondérés (calage sur marges {source})"
            if source
            else f"résultats pondérés (calage sur marges : {variables})"
        )
        new._build_engine()
        return new

    def diagnostics(self) -> Diagnostics:
        """Convergence, margin error, Kish design effect and effective n, weight range."""
        w, w0 = self._weights, self._base_weights
        last = self._history[-1] if self._history else None
        ratio = w / w0
        return Diagnostics(
            n=self.n,
            weight_sum=float(w.sum()),
            weight_min=float(w.min()),
            weight_max=float(w.max()),
            ratio_min=float(ratio.min()),
            ratio_max=float(ratio.max()),
            kish_deff=float(self.n * (w**2).sum() / w.sum() ** 2),
            n_eff=float(w.sum() ** 2 / (w**2).sum()),
            raked=last is not None,
            converged=None if last is None else last.converged,
            iterations=None if last is None else last.iterations,
            max_margin_error=None if last is None else last.max_margin_error,
            variance=self.variance_mode,
            margins=None if last is None else last.margins,
        )

    # ------------------------------------------------------------------ estimates
    def proportions(self, variable, by=None, *, confidence=None, method="logit", deff="wor", min_count=None):
        """Proportions of each level (or of each option of a multiple-response question).

        See :func:`cls_analysis.survey.estimates.proportions`.
        """
        from cls_analysis.survey.estimates import proportions

        return proportions(self, variable, by, confidence=confidence, method=method, deff=deff, min_count=min_count)

    def means(self, variable, by=None, *, confidence=None, deff="wor", min_count=None):
        """Means of numeric variables. See :func:`cls_analysis.survey.estimates.means`."""
        from cls_analysis.survey.estimates import means

        return means(self, variable, by, confidence=confidence, deff=deff, min_count=min_count)

    def totals(self, variable, by=None, *, confidence=None, deff="wor", min_count=None):
        """Population totals (numbers of people per level, or sums). See
        :func:`cls_analysis.survey.estimates.totals`."""
        from cls_analysis.survey.estimates import totals

        return totals(self, variable, by, confidence=confidence, deff=deff, min_count=min_count)

    def crosstab(self, row, col, *, confidence=None, method="logit", min_count=None):
        """Weighted cross-table with intervals and Rao-Scott test. See
        :func:`cls_analysis.survey.crosstab.crosstab`."""
        from cls_analysis.survey.crosstab import crosstab

        return crosstab(self, row, col, confidence=confidence, method=method, min_count=min_count)
