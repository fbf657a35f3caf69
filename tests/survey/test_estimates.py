"""Estimates: confidentiality, multiple responses, item non-response as a domain, results shape."""

import numpy as np
import pandas as pd
import pytest

from cls_analysis import survey
from cls_analysis.survey.errors import DesignError

RESULT_COLUMNS = ["indicator", "zone_type", "zone_code", "zone_name", "period", "numerator", "denominator", "value",
                  "lower_ci", "upper_ci", "confidence", "statistic", "method", "unit", "status"]


@pytest.fixture
def data():
    rng = np.random.default_rng(3)
    n = 300
    d = pd.DataFrame(
        {
            "strate": rng.choice(["A", "B", "C"], n),
            "w": rng.uniform(10, 40, n),
            "sexe": rng.choice(["Femme", "Homme"], n),
            "sante": pd.Categorical(rng.choice(["Bonne", "Moyenne", "Mauvaise"], n, p=[0.6, 0.35, 0.05]),
                                    categories=["Bonne", "Moyenne", "Mauvaise", "Très mauvaise"], ordered=True),
            "nb": rng.poisson(3, n).astype(float),
            "m_delai": rng.random(n) < 0.4,
            "m_cout": rng.random(n) < 0.2,
        }
    )
    d.loc[rng.random(n) < 0.1, "nb"] = np.nan
    d["m_delai"] = d["m_delai"].astype("boolean")
    d["m_cout"] = d["m_cout"].astype("boolean")
    d.loc[:49, ["m_delai", "m_cout"]] = pd.NA  # 50 respondents not asked
    return d


CB = pd.DataFrame({"variable": ["m_delai", "m_cout"], "question": ["motifs", "motifs"], "type": "multiple",
                   "label": ["Délai", "Coût"]})


def test_columns_and_small_cells_suppressed(data):
    d = survey.Design(data, weights="w", strata="strate")
    p = d.proportions("sante", by="sexe")
    assert list(p.columns[:12]) == ["sexe", "variable", "level", "estimate", "se", "lower_ci", "upper_ci", "deff",
                                    "n", "n_eff", "n_base", "weighted_count"]
    small = p[p["n"] < 10]
    assert len(small) >= 2  # « Mauvaise » and the empty « Très mauvaise » in each sex
    assert (small["status"] == "suppressed").all()
    assert small[["estimate", "se", "lower_ci", "upper_ci", "deff", "n_eff", "weighted_count"]].isna().all().all()
    big = p[p["n"] >= 10]
    assert (big["status"] == "ok").all() and big["estimate"].notna().all()
    assert (big["lower_ci"] < big["estimate"]).all() and (big["estimate"] < big["upper_ci"]).all()
    # the threshold is configurable, per design or per call
    assert (d.proportions("sante", by="sexe", min_count=0)["status"] == "ok").all()
    assert (survey.Design(data, min_count=300).means("nb")["status"] == "suppressed").all()


def test_empty_domain_is_missing(data):
    d = survey.Design(data.assign(g=pd.Categorical(["x"] * 300, categories=["x", "y"])), min_count=0)
    m = d.means("nb", by="g")
    assert m["status"].tolist() == ["ok", "missing"] and np.isnan(m["estimate"].iloc[1])


def test_multiple_response_question(data):
    d = survey.Design(data, weights="w", codebook=CB, min_count=0)
    p = d.proportions("motifs")
    assert p["level"].tolist() == ["Délai", "Coût"]
    assert (p["n_base"] == 250).all()  # base = respondents asked the question
    w = data["w"].iloc[50:]
    expected = (w * data["m_delai"].iloc[50:].astype(float)).sum() / w.sum()
    assert p["estimate"].iloc[0] == pytest.approx(expected)
    t = d.totals("motifs")
    assert t["estimate"].iloc[1] == pytest.approx((w * data["m_cout"].iloc[50:].astype(float)).sum())


def test_item_nonresponse_is_a_domain_not_a_deletion(data):
    """Respondents who skipped the item stay in the design: with strata the SE differs from a
    naive analysis of the answered rows only, and matches the zero-padded linearisation."""
    d = survey.Design(data, weights="w", strata="strate", min_count=0)
    full = d.means("nb")
    answered = data[data["nb"].notna()]
    naive = survey.Design(answered, weights="w", strata="strate", min_count=0).means("nb")
    assert full["estimate"].iloc[0] == pytest.approx(naive["estimate"].iloc[0])
    assert full["n_base"].iloc[0] == len(answered)
    # hand computation: influence values zero outside the domain, PSU = respondent
    y = data["nb"].to_numpy()
    ok = ~np.isnan(y)
    w = data["w"].to_numpy() * ok
    mean = np.nansum(w * y) / w.sum()
    z = np.where(ok, w * (np.nan_to_num(y) - mean) / w.sum(), 0.0)
    var = 0.0
    for s in "ABC":
        zs = z[data["strate"] == s]
        var += len(zs) / (len(zs) - 1) * ((zs - zs.mean()) ** 2).sum()
    assert full["se"].iloc[0] == pytest.approx(np.sqrt(var), rel=1e-12)
    assert full["se"].iloc[0] != pytest.approx(naive["se"].iloc[0], rel=1e-6)


def test_to_results_shape(data):
    d = survey.Design(data, weights="w").rake(
        pd.DataFrame({"variable": ["sexe", "sexe"], "level": ["Femme", "Homme"], "population": [5200.0, 4800.0]}),
        source="Insee RP 2021")
    res = d.proportions("sante", by="sexe").to_results(zone_code="200041499", zone_name="CC Aunis Atlantique",
                                                       period="2026")
    assert list(res.columns) == RESULT_COLUMNS
    first = res.iloc[0]
    assert first["indicator"] == "enquete_sante=Bonne|sexe=Femme"
    assert first["unit"] == "%" and 0 < first["value"] < 100
    assert first["denominator"] == pytest.approx(5200.0)
    assert first["numerator"] == pytest.approx(first["value"] / 100 * 5200.0)
    assert "calage pris en compte" in first["method"] and first["statistic"] == "proportion"
    assert set(res["status"]) <= {"ok", "suppressed"}
    assert d.weighting == "résultats pondérés (calage sur marges Insee RP 2021)"
    m = d.means("nb").to_results()
    assert m["indicator"].item() == "enquete_nb" and m["statistic"].item() == "moyenne"


def test_crosstab_table_and_test(data):
    d = survey.Design(data, weights="w", strata="strate", min_count=0)
    ct = d.crosstab("sexe", "sante")
    assert set(ct.table["sexe"]) == {"Femme", "Homme"}
    sums = ct.table.groupby("sexe")["estimate"].sum()
    assert np.allclose(sums, 1.0)
    assert 0 <= ct.test.p_value <= 1 and ct.test.ndf > 0 and ct.test.ddf == pytest.approx(ct.test.ndf * 297)
    assert "Rao-Scott" in str(ct.test)


def test_bad_requests(data):
    d = survey.Design(data)
    with pytest.raises(DesignError, match="« inconnue » n'est ni une colonne des réponses ni une question du codebook"):
        d.proportions("inconnue")
    with pytest.raises(DesignError, match="n'est pas numérique"):
        d.means("sexe")
    with pytest.raises(DesignError, match="méthode d'intervalle « wilson » inconnue"):
        d.proportions("sexe", method="wilson")
    with pytest.raises(DesignError, match="deff doit valoir"):
        d.means("nb", deff="srs")


def test_confidence_level_and_methods(data):
    d = survey.Design(data, weights="w", min_count=0)
    p95 = d.proportions("sexe")
    p90 = d.proportions("sexe", confidence=0.90)
    assert (p90["upper_ci"] - p90["lower_ci"] < p95["upper_ci"] - p95["lower_ci"]).all()
    beta = d.proportions("sexe", method="beta")
    assert (beta["lower_ci"] < beta["estimate"]).all() and "Korn-Graubard" in beta["method"].iloc[0]
    zero = d.proportions("sante", min_count=0)
    row = zero[zero.level == "Très mauvaise"].iloc[0]
    assert row["estimate"] == 0 and row["lower_ci"] == 0 and 0 < row["upper_ci"] < 0.05
