"""Design-based estimates: proportions, means and totals, overall and by domains.

Every function returns a :class:`SurveyEstimates` table, one row per (domain, variable,
level), with the columns

``<by columns>, variable, level, estimate, se, lower_ci, upper_ci, deff, n, n_eff, n_base,
weighted_count, weighted_base, df, statistic, method, confidence, status``

- ``estimate``: a proportion in [0, 1], a mean or a total;
- ``se``: Taylor-linearisation standard error (calibration-aware after a raking);
- ``lower_ci``, ``upper_ci``: interval at level ``confidence``; proportions by the logit
  method (R's ``svyciprop(method = "logit")``) or Korn-Graubard (``method = "beta"``),
  means and totals by Student's t with the domain's design degrees of freedom ``df``;
- ``deff``: design effect as R's ``svymean(…, deff = TRUE)`` (against simple random sampling
  without replacement of the same size from a population of the estimated size;
  ``deff="replace"`` compares with sampling with replacement);
- ``n``: respondents in the cell (having the level, for a proportion), ``n_base``:
  respondents in the base (domain, item answered); ``n_eff``: effective sample size
  ``n_base / deff_with_replacement``;
- ``weighted_count``, ``weighted_base``: weighted numbers (population estimates);
- ``status``: ``ok``; ``suppressed`` when ``n`` or ``n_base`` is below the design's
  ``min_count`` (estimates then NaN); ``missing`` for an empty domain.

Item non-response is a domain: respondents who did not answer stay in the design (their
influence is zero, their PSU still counts), exactly as R's ``subset()`` of a design.

Examples
--------
>>> import pandas as pd
>>> from cls_analysis.survey import Design
>>> data = pd.DataFrame({"age": ["jeune"] * 6 + ["vieux"] * 6,
...                      "consult": [1, 2, 3, 2, 2, 2, 4, 5, 6, 5, 5, 5]})
>>> d = Design(data, min_count=3)
>>> d.means("consult", by="age")[["age", "estimate", "n"]]
     age  estimate  n
0  jeune       2.0  6
1  vieux       5.0  6
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from cls_analysis.errors import describe_rows
from cls_analysis.survey.errors import DesignError

__all__ = ["PROPORTION_METHODS", "SurveyEstimates", "level_mask", "means", "proportions", "proportion_ci", "totals"]

PROPORTION_METHODS = ("logit", "beta", "wald")
_METHOD_LABEL = {
    "logit": "IC logit",
    "beta": "IC Korn-Graubard (bêta)",
    "wald": "IC de Wald (t)",
    "t": "IC de Student (t)",
}
_STATISTIC = {"proportion": "proportion", "mean": "moyenne", "total": "total"}
RESULT_COLUMNS = [
    "indicator",
    "zone_type",
    "zone_code",
    "zone_name",
    "period",
    "numerator",
    "denominator",
    "value",
    "lower_ci",
    "upper_ci",
    "confidence",
    "statistic",
    "method",
    "unit",
    "status",
]


class SurveyEstimates(pd.DataFrame):
    """A table of survey estimates (a DataFrame) that can become project results."""

    _metadata = ["by"]

    @property
    def _constructor(self):
        return SurveyEstimates

    def to_results(
        self,
        *,
        zone_type: str = "territory",
        zone_code: str = "",
        zone_name: str = "",
        period: str = "",
        prefix: str = "enquete",
    ) -> pd.DataFrame:
        """The estimates in the project's results shape.

        Columns ``indicator, zone_type, zone_code, zone_name, period, numerator,
        denominator, value, lower_ci, upper_ci, confidence, statistic, method, unit, status``.
        Proportions are in percent (unit ``%``); numerator and denominator are weighted counts.
        The indicator name is ``<prefix>_<variable>=<level>`` followed by ``|<by>=<value>`` for
        each domain variable.

        Examples
        --------
        >>> import pandas as pd
        >>> from cls_analysis.survey import Design
        >>> d = Design(pd.DataFrame({"q": ["oui"] * 30 + ["non"] * 70}))
        >>> r = d.proportions("q").to_results(zone_code="200041499", period="2026")
        >>> r[["indicator", "value", "unit", "status"]]
              indicator  value unit status
        0  enquete_q=non   70.0    %     ok
        1  enquete_q=oui   30.0    %     ok
        """
        by = list(getattr(self, "by", None) or [])
        rows = []
        for rec in self.to_dict("records"):
            name = f"{prefix}_{rec['variable']}"
            if rec["level"] != "":
                name += f"={rec['level']}"
            for b in by:
                name += f"|{b}={rec[b]}"
            kind = rec["kind"]
            scale = 100.0 if kind == "proportion" else 1.0
            if kind == "proportion":
                num, den, unit = rec["weighted_count"], rec["weighted_base"], "%"
            elif kind == "mean":
                num, den, unit = rec["estimate"] * rec["weighted_base"], rec["weighted_base"], ""
            else:
                num, den, unit = rec["estimate"], np.nan, ("personnes" if rec["level"] != "" else "")
            rows.append(
                {
                    "indicator": name,
                    "zone_type": zone_type,
                    "zone_code": zone_code,
                    "zone_name": zone_name,
                    "period": period,
                    "numerator": num,
                    "denominator": den,
                    "value": rec["estimate"] * scale,
                    "lower_ci": rec["lower_ci"] * scale,
                    "upper_ci": rec["upper_ci"] * scale,
                    "confidence": rec["confidence"],
                    "statistic": rec["statistic"],
                    "method": rec["method"],
                    "unit": unit,
                    "status": rec["status"],
                }
            )
        return pd.DataFrame(rows, columns=RESULT_COLUMNS)


# ---------------------------------------------------------------------- resolution
def _as_list(x) -> list:
    if x is None:
        return []
    if isinstance(x, str):
        return [x]
    return list(x)


def _missing_column(design, name: str) -> DesignError:
    groups = _groups(design)
    extra = f" ; questions à choix multiples : {describe_rows(groups)}" if groups else ""
    return DesignError(
        f"« {name} » n'est ni une colonne des réponses ni une question du codebook. "
        f"Colonnes : {describe_rows(design.data.columns, limit=15)}{extra}."
    )


def _groups(design) -> dict[str, list[tuple[str, str]]]:
    from cls_analysis.survey.codebook import multiple_groups

    if design.codebook is None:
        return {}
    return multiple_groups(design.codebook)


def level_mask(series: pd.Series, value) -> np.ndarray:
    """Boolean array: rows equal to ``value`` (missing values are never equal).

    >>> level_mask(pd.Series([True, pd.NA, False], dtype="boolean"), True).tolist()
    [True, False, False]
    """
    out = series.eq(value)
    if out.dtype != bool:
        out = out.fillna(False)
    return out.to_numpy(dtype=bool)


def _levels_of(series: pd.Series) -> list:
    if isinstance(series.dtype, pd.CategoricalDtype):
        return list(series.cat.categories)
    values = series.dropna().unique().tolist()
    try:
        return sorted(values)
    except TypeError:
        return sorted(values, key=str)


def _categorical_items(design, variable: str):
    """(labels, indicator matrix n×L, valid mask n) of a variable or a multiple-response group."""
    data = design.data
    groups = _groups(design)
    if variable in groups and variable not in data.columns:
        options = groups[variable]
        cols = [v for v, _ in options]
        absent = [c for c in cols if c not in data.columns]
        if absent:
            raise DesignError(
                f"options de « {variable} » absentes des réponses : {describe_rows(absent)}. "
                "Le codebook ne correspond pas à ces données."
            )
        block = data[cols]
        valid = block.notna().any(axis=1).to_numpy()
        y = np.column_stack([level_mask(block[c], True) for c in cols])
        return [lab for _, lab in options], y.astype(float), valid
    if variable not in data.columns:
        raise _missing_column(design, variable)
    s = data[variable]
    valid = s.notna().to_numpy()
    levels = _levels_of(s)
    y = np.column_stack([level_mask(s, lv) for lv in levels]) if levels else np.zeros((len(s), 0))
    return levels, np.where(valid[:, None], y, False).astype(float), valid


def _numeric(design, variable: str):
    data = design.data
    if variable not in data.columns:
        raise _missing_column(design, variable)
    s = data[variable]
    if s.dtype == bool or pd.api.types.is_bool_dtype(s.dtype):
        s = s.astype(float)
    x = pd.to_numeric(s, errors="coerce")
    bad = x.isna() & s.notna()
    if bad.any():
        rows = data.index[bad.to_numpy()]
        raise DesignError(
            f"« {variable} » n'est pas numérique (lignes {describe_rows(rows)} : "
            f"« {s[bad].iloc[0]} »). Une moyenne ou un total demande des nombres ; pour une "
            "variable qualitative, utilisez proportions()."
        )
    x = x.to_numpy(dtype=float)
    return x, ~np.isnan(x)


def _domains(design, by) -> tuple[pd.DataFrame, np.ndarray]:
    by = _as_list(by)
    n = design.n
    if not by:
        return pd.DataFrame(index=[0]), np.ones((n, 1), dtype=bool)
    data = design.data
    for b in by:
        if b not in data.columns:
            raise _missing_column(design, b)
    if len(by) == 1:
        s = data[by[0]]
        levels = _levels_of(s)
        masks = np.column_stack([level_mask(s, lv) for lv in levels]) if levels else np.zeros((n, 0), bool)
        return pd.DataFrame({by[0]: levels}), masks
    keys = data[by]
    ok = keys.notna().all(axis=1).to_numpy()
    combos = keys[ok].drop_duplicates()
    combos = combos.sort_values(by).reset_index(drop=True)
    masks = np.column_stack(
        [ok & np.logical_and.reduce([level_mask(keys[b], v) for b, v in zip(by, c, strict=True)]) for c in combos.to_numpy(dtype=object)]
    )
    return combos, masks


# ---------------------------------------------------------------------- core
_CHUNK = 256


def _linear(design, y: np.ndarray, masks: np.ndarray, kind) -> dict[str, np.ndarray]:
    """Estimates, variances, design effects of means or totals of columns of ``y`` over
    ``masks``; ``kind`` is "mean", "total" or a boolean array (True = total) per column.
    Columns are processed in chunks to bound memory."""
    k = y.shape[1]
    kinds = np.full(k, kind == "total") if isinstance(kind, str) else np.asarray(kind, dtype=bool)
    parts = [
        _linear_chunk(design, y[:, i : i + _CHUNK], masks[:, i : i + _CHUNK], kinds[i : i + _CHUNK])
        for i in range(0, max(k, 1), _CHUNK)
    ]
    return {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}


def _linear_chunk(design, y: np.ndarray, masks: np.ndarray, is_total: np.ndarray) -> dict[str, np.ndarray]:
    w = design._weights
    mf = np.asarray(masks, dtype=float)
    nd = mf.sum(axis=0)
    wd = mf * w[:, None]
    big_n = wd.sum(axis=0)
    yz = np.asarray(y, dtype=float) * mf
    tot = np.einsum("ij,ij->j", wd, yz)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = tot / big_n
        c = yz - np.nan_to_num(mean)
        c *= mf  # centred values, zero outside the domain
        dev2 = np.einsum("ij,ij,ij->j", wd, c, c)
        if is_total.all():
            u = wd * yz
        else:
            c *= wd
            c /= np.where(big_n > 0, big_n, 1.0)
            u = c
            if is_total.any():
                u[:, is_total] = (wd * yz)[:, is_total]
        est = np.where(is_total, tot, mean)
        var = design._engine.variance(u)
        s2 = dev2 / big_n * nd / (nd - 1)
        factor = np.where(is_total, big_n**2, 1.0)
        vsrs_rep = s2 * factor / nd
        vsrs_wor = np.where(big_n > nd, s2 * factor * (big_n - nd) / (big_n * nd), np.nan)
        deff_wor = var / vsrs_wor
        deff_rep = var / vsrs_rep
    est = np.where(nd > 0, est, np.nan)
    df = design._engine.domain_df(masks)
    return {
        "estimate": est,
        "var": var,
        "se": np.sqrt(var),
        "deff_wor": deff_wor,
        "deff_replace": deff_rep,
        "n_eff": nd / deff_rep,
        "n_base": nd.astype(int),
        "weighted_base": big_n,
        "weighted_total": tot,
        "df": df,
    }


def _t_quantile(alpha: float, df: np.ndarray) -> np.ndarray:
    df = np.asarray(df, dtype=float)
    with np.errstate(invalid="ignore"):
        return np.where(df > 0, stats.t.ppf(1 - alpha / 2, np.where(df > 0, df, 1)), np.nan)


def proportion_ci(
    p: np.ndarray,
    var: np.ndarray,
    df: np.ndarray,
    n_base: np.ndarray,
    n_rows: np.ndarray,
    *,
    confidence: float = 0.95,
    method: str = "logit",
) -> tuple[np.ndarray, np.ndarray]:
    """Confidence interval of proportions, as R's ``svyciprop``.

    Parameters
    ----------
    p, var : ndarray
        Estimated proportions and their variances.
    df : ndarray
        Design degrees of freedom of each domain.
    n_base : ndarray
        Respondents in each domain (Korn-Graubard fallback when the variance is 0).
    n_rows : ndarray
        Rows of the design R sees for the domain (``nrow(design)`` in ``svyciprop``: the
        whole sample for a calibrated design, the domain otherwise).
    method : {"logit", "beta", "wald"}

    Examples
    --------
    >>> lo, hi = proportion_ci(np.array([0.3]), np.array([0.0021]), np.array([99]),
    ...                        np.array([100]), np.array([100]))
    >>> round(float(lo[0]), 4), round(float(hi[0]), 4)
    (0.2175, 0.3979)
    """
    alpha = 1 - confidence
    p = np.asarray(p, dtype=float)
    var = np.asarray(var, dtype=float)
    se = np.sqrt(var)
    with np.errstate(divide="ignore", invalid="ignore"):
        if method == "logit":
            q = _t_quantile(alpha, df)
            interior = (p > 0) & (p < 1) & (se > 0)
            lp = np.log(np.where(interior, p / (1 - p), 1.0))
            half = q * se / np.where(interior, p * (1 - p), 1.0)
            lo = np.where(interior, 1 / (1 + np.exp(-(lp - half))), np.nan)
            hi = np.where(interior, 1 / (1 + np.exp(-(lp + half))), np.nan)
            # degenerate cells (0 %, 100 %, no variance): Korn-Graubard with n_eff = n
            edge = ~interior & np.isfinite(p)
            if edge.any():
                blo, bhi = proportion_ci(p, var, df, n_base, n_rows, confidence=confidence, method="beta")
                lo, hi = np.where(edge, blo, lo), np.where(edge, bhi, hi)
            return lo, hi
        if method == "wald":
            q = _t_quantile(alpha, df)
            return p - q * se, p + q * se
        if method == "beta":
            n_eff = np.where(var > 0, p * (1 - p) / var, np.asarray(n_base, dtype=float))
            df = np.asarray(df, dtype=float)
            n_rows = np.asarray(n_rows, dtype=float)
            ok = (df > 0) & (n_rows > 1)
            ratio = np.where(
                ok,
                stats.t.ppf(alpha / 2, np.where(ok, n_rows - 1, 1)) / stats.t.ppf(alpha / 2, np.where(ok, df, 1)),
                np.nan,
            )
            n_eff = n_eff * ratio**2
            x = n_eff * p
            lo = np.where(x > 0, stats.beta.ppf(alpha / 2, np.where(x > 0, x, 1), n_eff * (1 - p) + 1), 0.0)
            y = n_eff * (1 - p)
            hi = np.where(y > 0, stats.beta.ppf(1 - alpha / 2, x + 1, np.where(y > 0, y, 1)), 1.0)
            bad = ~np.isfinite(n_eff) | ~np.isfinite(p)
            return np.where(bad, np.nan, lo), np.where(bad, np.nan, hi)
    raise DesignError(
        f"méthode d'intervalle « {method} » inconnue : choisissez parmi {', '.join(PROPORTION_METHODS)}."
    )


def _check_deff(deff: str) -> str:
    if deff not in ("wor", "replace"):
        raise DesignError("deff doit valoir « wor » (sans remise, comme R deff=TRUE) ou « replace » (avec remise).")
    return deff


def _method_text(design, ci: str) -> str:
    var = "Taylor, calage pris en compte" if design.calibrated else "Taylor"
    if design._history and not design.calibrated:
        var = "Taylor, poids calés considérés fixes"
    return f"{var} ; {_METHOD_LABEL[ci]}"


def _finish(design, frame: pd.DataFrame, by: list[str], min_count) -> SurveyEstimates:
    min_count = design.min_count if min_count is None else int(min_count)
    status = np.where(
        frame["n_base"].to_numpy() == 0,
        "missing",
        np.where(
            (frame["n"].to_numpy() < min_count) | (frame["n_base"].to_numpy() < min_count),
            "suppressed",
            "ok",
        ),
    )
    frame["status"] = status
    hide = status != "ok"
    for c in ("estimate", "se", "lower_ci", "upper_ci", "deff", "n_eff", "weighted_count"):
        frame.loc[hide, c] = np.nan
    cols = [
        *by,
        "variable",
        "level",
        "estimate",
        "se",
        "lower_ci",
        "upper_ci",
        "deff",
        "n",
        "n_eff",
        "n_base",
        "weighted_count",
        "weighted_base",
        "df",
        "kind",
        "statistic",
        "method",
        "confidence",
        "status",
    ]
    out = SurveyEstimates(frame[cols].reset_index(drop=True))
    out.by = by
    return out


# ---------------------------------------------------------------------- public
def proportions(
    design,
    variable: str | Sequence[str],
    by: str | Sequence[str] | None = None,
    *,
    confidence: float | None = None,
    method: str = "logit",
    deff: str = "wor",
    min_count: int | None = None,
) -> SurveyEstimates:
    """Proportion of respondents in each level of categorical variables.

    Parameters
    ----------
    design : Design
    variable : str or list of str
        Columns of the answers, or multiple-response questions of the codebook (one row per
        option: share of the question's respondents who ticked it).
    by : str or list of str, optional
        Domain variables (one set of rows per level, or per combination).
    confidence : float, optional
        Defaults to the design's.
    method : {"logit", "beta", "wald"}, default "logit"
        Interval as R's ``svyciprop(method = "logit")`` or ``"beta"`` (Korn-Graubard).
    deff : {"wor", "replace"}, default "wor"
    min_count : int, optional
        Defaults to the design's (10).

    Returns
    -------
    SurveyEstimates
    """
    if method == "korn-graubard":
        method = "beta"
    if method not in PROPORTION_METHODS:
        raise DesignError(
            f"méthode d'intervalle « {method} » inconnue : choisissez parmi {', '.join(PROPORTION_METHODS)}."
        )
    deff = _check_deff(deff)
    confidence = design.confidence if confidence is None else confidence
    by_list = _as_list(by)
    domains, dmasks = _domains(design, by_list)
    blocks = [_categorical_block(design, var, dmasks) for var in _as_list(variable)]
    blocks = [b for b in blocks if b is not None]
    if not blocks:
        return _finish(design, _concat([], by_list), by_list, min_count)
    ys = np.hstack([b["y"] for b in blocks])
    masks = np.hstack([b["masks"] for b in blocks])
    r = _linear(design, ys, masks, "mean")
    n_rows = np.full(r["n_base"].shape, design.n) if design.calibrated else r["n_base"]
    lo, hi = proportion_ci(
        r["estimate"], r["var"], r["df"], r["n_base"], n_rows, confidence=confidence, method=method
    )
    frame = pd.DataFrame(
        {
            "variable": np.concatenate([b["variable"] for b in blocks]),
            "level": np.concatenate([b["level"] for b in blocks]),
            "estimate": r["estimate"],
            "se": r["se"],
            "lower_ci": lo,
            "upper_ci": hi,
            "deff": r["deff_wor"] if deff == "wor" else r["deff_replace"],
            "n": ((ys > 0) & masks).sum(axis=0),
            "n_eff": r["n_eff"],
            "n_base": r["n_base"],
            "weighted_count": r["weighted_total"],
            "weighted_base": r["weighted_base"],
            "df": r["df"],
            "kind": "proportion",
            "statistic": _STATISTIC["proportion"],
            "method": _method_text(design, method),
            "confidence": confidence,
        }
    )
    dom_index = np.concatenate([b["domain"] for b in blocks])
    for j, b in enumerate(by_list):
        frame.insert(j, b, domains[b].to_numpy(dtype=object)[dom_index])
    return _finish(design, frame, by_list, min_count)


def _categorical_block(design, var: str, dmasks: np.ndarray) -> dict | None:
    """Columns (domain-major, then level) for the levels of a categorical variable."""
    labels, y, valid = _categorical_items(design, var)
    if not labels:
        return None
    n_lv, n_dom = len(labels), dmasks.shape[1]
    return {
        "variable": np.full(n_lv * n_dom, var, dtype=object),
        "level": np.tile(np.asarray(labels, dtype=object), n_dom),
        "domain": np.repeat(np.arange(n_dom), n_lv),
        "y": np.tile(y, (1, n_dom)),
        "masks": np.repeat(dmasks & valid[:, None], n_lv, axis=1),
    }


def _numeric_block(design, var: str, dmasks: np.ndarray) -> dict:
    x, valid = _numeric(design, var)
    n_dom = dmasks.shape[1]
    return {
        "variable": np.full(n_dom, var, dtype=object),
        "level": np.full(n_dom, "", dtype=object),
        "domain": np.arange(n_dom),
        "y": np.repeat(np.nan_to_num(x)[:, None], n_dom, axis=1),
        "masks": dmasks & valid[:, None],
    }


def _concat(frames: list[pd.DataFrame], by: list[str]) -> pd.DataFrame:
    if frames:
        return pd.concat(frames, ignore_index=True)
    cols = [*by, "variable", "level", "estimate", "se", "lower_ci", "upper_ci", "deff", "n", "n_eff",
            "n_base", "weighted_count", "weighted_base", "df", "kind", "statistic", "method", "confidence"]
    return pd.DataFrame(columns=cols)


def _estimate_blocks(design, blocks, kinds, by_list, domains, confidence, deff, min_count) -> SurveyEstimates:
    if not blocks:
        return _finish(design, _concat([], by_list), by_list, min_count)
    ys = np.hstack([b["y"] for b in blocks])
    masks = np.hstack([b["masks"] for b in blocks])
    is_total = np.concatenate([np.full(b["y"].shape[1], k == "total") for b, k in zip(blocks, kinds, strict=True)])
    r = _linear(design, ys, masks, is_total)
    q = _t_quantile(1 - confidence, r["df"])
    categorical = np.concatenate([np.full(b["y"].shape[1], b["level"][0] != "" if len(b["level"]) else False)
                                  for b in blocks])
    kind_col = np.concatenate([np.full(b["y"].shape[1], k, dtype=object) for b, k in zip(blocks, kinds, strict=True)])
    n_cell = np.where(categorical, ((ys > 0) & masks).sum(axis=0), r["n_base"])
    frame = pd.DataFrame(
        {
            "variable": np.concatenate([b["variable"] for b in blocks]),
            "level": np.concatenate([b["level"] for b in blocks]),
            "estimate": r["estimate"],
            "se": r["se"],
            "lower_ci": r["estimate"] - q * r["se"],
            "upper_ci": r["estimate"] + q * r["se"],
            "deff": r["deff_wor"] if deff == "wor" else r["deff_replace"],
            "n": n_cell,
            "n_eff": r["n_eff"],
            "n_base": r["n_base"],
            "weighted_count": np.where(categorical, r["estimate"], r["weighted_base"]),
            "weighted_base": r["weighted_base"],
            "df": r["df"],
            "kind": kind_col,
            "statistic": [_STATISTIC[k] for k in kind_col],
            "method": _method_text(design, "t"),
            "confidence": confidence,
        }
    )
    dom_index = np.concatenate([b["domain"] for b in blocks])
    for j, b in enumerate(by_list):
        frame.insert(j, b, domains[b].to_numpy(dtype=object)[dom_index])
    return _finish(design, frame, by_list, min_count)


def means(
    design,
    variable: str | Sequence[str],
    by: str | Sequence[str] | None = None,
    *,
    confidence: float | None = None,
    deff: str = "wor",
    min_count: int | None = None,
) -> SurveyEstimates:
    """Means of numeric variables over the respondents who answered, overall or by domain.

    Intervals: estimate ± t(df) × se, with ``df`` the design degrees of freedom of the domain
    (R: ``confint(svymean(~x, subset(design, …)), df = degf(subset(design, …)))``).
    """
    deff = _check_deff(deff)
    confidence = design.confidence if confidence is None else confidence
    by_list = _as_list(by)
    domains, dmasks = _domains(design, by_list)
    blocks = [_numeric_block(design, var, dmasks) for var in _as_list(variable)]
    return _estimate_blocks(design, blocks, ["mean"] * len(blocks), by_list, domains, confidence, deff, min_count)


def totals(
    design,
    variable: str | Sequence[str],
    by: str | Sequence[str] | None = None,
    *,
    confidence: float | None = None,
    deff: str = "wor",
    min_count: int | None = None,
) -> SurveyEstimates:
    """Population totals: number of people per level of a categorical variable (or ticking each
    option of a multiple-response question), or the sum of a numeric variable.

    Intervals: estimate ± t(df) × se (R: ``svytotal`` and ``confint(…, df = degf(…))``).
    """
    deff = _check_deff(deff)
    confidence = design.confidence if confidence is None else confidence
    by_list = _as_list(by)
    domains, dmasks = _domains(design, by_list)
    blocks = []
    for var in _as_list(variable):
        col = design.data[var] if var in design.data.columns else None
        numeric = col is not None and pd.api.types.is_numeric_dtype(col.dtype) and not pd.api.types.is_bool_dtype(col.dtype)
        block = _numeric_block(design, var, dmasks) if numeric else _categorical_block(design, var, dmasks)
        if block is not None:
            blocks.append(block)
    return _estimate_blocks(design, blocks, ["total"] * len(blocks), by_list, domains, confidence, deff, min_count)
