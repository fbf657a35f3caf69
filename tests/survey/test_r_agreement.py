"""Estimates, SEs, design effects, intervals and Rao-Scott tests against R's survey package.

Fixtures: ``fixtures/make_fixtures.R`` (R 4.2, survey 4.1.1) run on ``fixtures/design_input.csv``
(600 synthetic respondents, 3 strata, 90 clusters, unequal base weights, item non-response)
and ``fixtures/margins.csv`` (3 raking margins). Four designs: base weights only, raked
(calibration-aware variance), raked weights taken as fixed, clustered and raked.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cls_analysis import survey

FIX = Path(__file__).parent / "fixtures"
RTOL = 1e-6

LEVELS = {
    "sex": ["F", "M"],
    "agegrp": ["15-29", "30-44", "45-59", "60-74", "75+"],
    "commune": ["Andilly", "Ferrieres", "Marans"],
    "q_sante": ["Tres bonne", "Bonne", "Moyenne", "Mauvaise"],
    "q_tabac": ["Non", "Oui"],
    "q_medtt": ["Non", "Oui"],
    "renonce": ["0", "1"],
}


@pytest.fixture(scope="module")
def data():
    d = pd.read_csv(FIX / "design_input.csv", dtype={"renonce": str})
    for col, levels in LEVELS.items():
        d[col] = pd.Categorical(d[col], categories=levels)
    return d


@pytest.fixture(scope="module")
def designs(data):
    margins = pd.read_csv(FIX / "margins.csv", dtype={"level": str})
    base = survey.Design(data, weights="w_base", strata="commune", min_count=0)
    raked = base.rake(margins)
    fixed = base.rake(margins, variance="fixed")
    clustered = survey.Design(data, weights="w_base", strata="commune", cluster="cluster", min_count=0)
    return {"base": base, "raked": raked, "fixed": fixed, "raked_cluster": clustered.rake(margins)}


@pytest.fixture(scope="module")
def r_est():
    r = pd.read_csv(FIX / "r_estimates.csv", keep_default_na=False, na_values=["NA"], dtype={"level": str, "by_level": str})
    return r


def close(a, b, rtol=RTOL):
    a, b = np.asarray(a, float), np.asarray(b, float)
    return np.allclose(a, b, rtol=rtol, atol=0)


def max_rel(a, b):
    a, b = np.asarray(a, float), np.asarray(b, float)
    return float(np.max(np.abs(a - b) / np.abs(b)))


def test_raked_weights_match_r(designs):
    rw = pd.read_csv(FIX / "r_weights.csv")
    assert close(designs["raked"].weights.to_numpy(), rw["w_raked"], 1e-9)
    assert close(designs["raked_cluster"].weights.to_numpy(), rw["w_raked_cluster"], 1e-9)


def _ours(design, kind, variable, by, method="logit", deff="wor"):
    by = by or None
    if kind == "proportion":
        return design.proportions(variable, by=by, method=method, deff=deff)
    if kind == "mean":
        return design.means(variable, by=by, deff=deff)
    return design.totals(variable, by=by, deff=deff)


def _merge(ours, ref, by):
    ours = ours.copy()
    ours["level"] = ours["level"].astype(str)
    ours["by_level"] = ours[by].astype(str) if by else ""
    ref = ref.copy()
    ref["level"] = ref["level"].fillna("")
    ref["by_level"] = ref["by_level"].fillna("")
    m = ref.merge(ours, on=["level", "by_level"], suffixes=("_r", ""), validate="one_to_one")
    assert len(m) == len(ref)
    return m


GROUPS = [
    (d, k, v, b)
    for d in ("base", "raked", "fixed", "raked_cluster")
    for k, v, b in [
        ("proportion", "q_sante", ""),
        ("proportion", "q_sante", "agegrp"),
        ("proportion", "q_sante", "sex"),
        ("proportion", "q_tabac", ""),
        ("proportion", "q_tabac", "sex"),
        ("proportion", "renonce", "commune"),
        ("mean", "nb_consult", ""),
        ("mean", "nb_consult", "sex"),
        ("mean", "nb_consult", "agegrp"),
        ("total", "nb_consult", ""),
        ("total", "nb_consult", "sex"),
        ("total", "q_medtt", ""),
        ("total", "q_medtt", "commune"),
    ]
]


@pytest.mark.parametrize(("dname", "kind", "variable", "by"), GROUPS)
def test_estimates_match_r(designs, r_est, dname, kind, variable, by):
    ref = r_est[(r_est.design == dname) & (r_est.kind == kind) & (r_est.variable == variable) & (r_est.by.fillna("") == by)]
    assert len(ref) > 0
    d = designs[dname]
    m = _merge(_ours(d, kind, variable, by), ref, by)
    assert close(m["estimate"], m["estimate_r"])
    assert close(m["se"], m["se_r"])
    assert close(m["df"], m["df_r"], 0)
    ok = m["estimate_r"] > 0  # R gives NA deffs and no interval for empty cells
    assert close(m.loc[ok, "deff"], m.loc[ok, "deff_r"])
    mr = _merge(_ours(d, kind, variable, by, deff="replace"), ref, by)
    assert close(mr.loc[ok, "deff"], mr.loc[ok, "deff_replace"])
    if kind == "proportion":
        assert close(m.loc[ok, "lower_ci"], m.loc[ok, "lower_logit"])
        assert close(m.loc[ok, "upper_ci"], m.loc[ok, "upper_logit"])
        mb = _merge(_ours(d, kind, variable, by, method="beta"), ref, by)
        assert close(mb.loc[ok, "lower_ci"], mb.loc[ok, "lower_beta"])
        assert close(mb.loc[ok, "upper_ci"], mb.loc[ok, "upper_beta"])
    else:
        assert close(m["lower_ci"], m["lower_t"])
        assert close(m["upper_ci"], m["upper_t"])


@pytest.mark.parametrize("dname", ["base", "raked", "fixed", "raked_cluster"])
def test_rao_scott_matches_r(designs, dname):
    ref = pd.read_csv(FIX / "r_chisq.csv")
    ref = ref[ref.design == dname]
    for rec in ref.itertuples(index=False):
        t = designs[dname].crosstab(rec.row, rec.col).test
        assert close(t.statistic, rec.statistic)
        assert close(t.ndf, rec.ndf)
        assert close(t.ddf, rec.ddf)
        assert close(t.p_value, rec.p_value)


def test_calibration_changes_variance(designs):
    """The calibration-aware and fixed-weight variances differ (both checked against R above)."""
    a = designs["raked"].proportions("q_sante")["se"].to_numpy()
    b = designs["fixed"].proportions("q_sante")["se"].to_numpy()
    assert not np.allclose(a, b, rtol=1e-3)
