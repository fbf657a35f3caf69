"""Raking: convergence, margins reproduced, trimming, diagnostics, and the French errors."""

import numpy as np
import pandas as pd
import pytest

from cls_analysis import survey
from cls_analysis.survey.errors import DesignError, MarginsError, RakingError


@pytest.fixture
def sample():
    rng = np.random.default_rng(7)
    n = 500
    return pd.DataFrame(
        {
            "sexe": rng.choice(["Femme", "Homme"], n, p=[0.62, 0.38]),
            "age": rng.choice(["15-29", "30-44", "45-59", "60-74", "75+"], n, p=[0.1, 0.15, 0.25, 0.3, 0.2]),
            "commune": rng.choice(["17008", "17222", "17349"], n),
            "w0": rng.uniform(0.5, 2.0, n),
        }
    )


MARGINS = pd.DataFrame(
    {
        "variable": ["sexe"] * 2 + ["age"] * 5 + ["commune"] * 3,
        "level": ["Femme", "Homme", "15-29", "30-44", "45-59", "60-74", "75+", "17008", "17222", "17349"],
        "population": [5200, 4800, 1800, 2000, 2200, 2300, 1700, 2400, 4700, 2900],
    }
)


def test_raking_reproduces_every_margin(sample):
    d = survey.Design(sample, weights="w0").rake(MARGINS)
    diag = d.diagnostics()
    assert diag.converged and diag.max_margin_error < 1e-10
    for var, part in MARGINS.groupby("variable"):
        got = d.weights.groupby(sample[var]).sum()
        assert np.allclose(got[part["level"]].to_numpy(), part["population"].to_numpy(), rtol=1e-10, atol=0)
    assert diag.margins["weighted_after"].to_numpy() == pytest.approx(diag.margins["population"].to_numpy(), rel=1e-10)
    assert diag.n_eff == pytest.approx(d.weights.sum() ** 2 / (d.weights**2).sum())
    assert diag.kish_deff == pytest.approx(500 / diag.n_eff)
    assert "Calage convergé : oui" in str(diag)


def test_raking_does_not_touch_weights_already_on_margins():
    data = pd.DataFrame({"s": ["a", "b"] * 10})
    m = pd.DataFrame({"variable": ["s", "s"], "level": ["a", "b"], "population": [10.0, 10.0]})
    d = survey.Design(data).rake(m)
    assert np.allclose(d.weights, 1.0) and d.diagnostics().iterations == 1


def test_trimming_bounds_respected(sample):
    scale = 10000 / sample["w0"].sum()
    free = survey.Design(sample, weights="w0").rake(MARGINS)
    g_free = free.weights / (scale * sample["w0"])
    lo, hi = 1.05 * g_free.min(), 0.95 * g_free.max()  # both bounds bind
    d = survey.Design(sample, weights="w0").rake(MARGINS, bounds=(lo, hi))
    g = d.weights / (scale * sample["w0"])
    assert d.diagnostics().converged and d.diagnostics().max_margin_error < 1e-10
    assert g.min() >= lo - 1e-9 and g.max() <= hi + 1e-9
    assert np.isclose(g.min(), lo) and np.isclose(g.max(), hi)


def test_non_convergence_message(sample):
    with pytest.raises(RakingError) as info:
        survey.Design(sample, weights="w0").rake(MARGINS, bounds=(0.9, 1.1), max_iter=50)
    msg = str(info.value)
    assert msg.startswith("le calage n'a pas convergé après 50 itérations")
    assert "élargissez les bornes de rognage" in msg and "pire :" in msg


def test_incompatible_margins_do_not_converge():
    # a and b are the same variable coded twice, with margins that cannot both hold
    data = pd.DataFrame({"a": ["x", "y"] * 10, "b": ["u", "v"] * 10})
    m = pd.DataFrame({"variable": ["a", "a", "b", "b"], "level": ["x", "y", "u", "v"], "population": [30.0, 70.0, 60.0, 40.0]})
    with pytest.raises(RakingError, match="n'a pas convergé"):
        survey.Design(data).rake(m, max_iter=200)


def test_margin_level_absent_from_sample(sample):
    m = pd.concat([MARGINS, pd.DataFrame({"variable": ["commune"], "level": ["17999"], "population": [100.0]})])
    m.loc[m.level == "17008", "population"] -= 100
    with pytest.raises(MarginsError) as info:
        survey.Design(sample).rake(m)
    assert "modalité(s) de « commune » sans aucun répondant : 17999" in str(info.value)
    assert "regroupez-la" in str(info.value)


def test_sample_level_absent_from_margins(sample):
    m = MARGINS[MARGINS.level != "75+"].copy()
    m.loc[m.level == "60-74", "population"] += 1700
    with pytest.raises(MarginsError, match=r"présente\(s\) dans l'échantillon mais absente\(s\) des marges : 75\+"):
        survey.Design(sample).rake(m)


def test_margins_with_different_totals(sample):
    m = MARGINS.copy()
    m.loc[m.level == "75+", "population"] += 500
    with pytest.raises(MarginsError) as info:
        survey.Design(sample).rake(m)
    msg = str(info.value)
    assert "les marges n'ont pas le même total" in msg
    assert "sexe : 10 000,0" in msg and "age : 10 500,0" in msg


def test_missing_raking_variable_and_bad_columns(sample):
    s = sample.copy()
    s.loc[[3, 8], "sexe"] = None
    with pytest.raises(MarginsError, match=r"« sexe » manque pour 2 répondant\(s\) \(lignes 3, 8\)"):
        survey.Design(s).rake(MARGINS)
    with pytest.raises(MarginsError, match="colonne\\(s\\) absente\\(s\\) des marges : population"):
        survey.Design(sample).rake(MARGINS.rename(columns={"population": "pop"}))
    with pytest.raises(MarginsError, match="« quartier » n'est pas une colonne"):
        survey.Design(sample).rake(pd.DataFrame({"variable": ["quartier"], "level": ["a"], "population": [1.0]}))
    bad = MARGINS.copy()
    bad.loc[0, "population"] = 0
    with pytest.raises(MarginsError, match="population nulle, négative ou manquante"):
        survey.Design(sample).rake(bad)


@pytest.mark.parametrize("bad", [0.0, -1.5, np.nan])
def test_zero_negative_or_missing_weight(sample, bad):
    s = sample.copy()
    s.loc[4, "w0"] = bad
    with pytest.raises(DesignError) as info:
        survey.Design(s, weights="w0")
    msg = str(info.value)
    assert "poids « w0 » nul, négatif ou manquant pour 1 répondant(s) : lignes 4" in msg
    assert "strictement positif" in msg


def test_design_errors(sample):
    with pytest.raises(DesignError, match="colonne de poids « poids » absente"):
        survey.Design(sample, weights="poids")
    with pytest.raises(DesignError, match="une seule unité primaire"):
        survey.Design(sample.assign(st=["a"] + ["b"] * 499), strata="st")
    d = survey.Design(sample.assign(st=["a"] + ["b"] * 499), strata="st", lonely_psu="remove")
    assert d.degrees_of_freedom == 498


def test_margins_from_observations_and_rake():
    communes = pd.DataFrame({"code": ["17008", "17222", "17349"], "name": ["Andilly", "Marans", "Saint-Jean-de-Liversay"],
                             "population": [2400, 4700, 3300]})
    obs = survey.demo_observations(communes)
    m = survey.margins_from_observations(
        obs, communes["code"].tolist(), by=("sex", "age", "commune"), age_bands=survey.DEMO_AGE_BANDS,
        names={"sex": "sexe", "age": "age_band", "commune": "commune_code"}, sex_labels={"F": "Femme", "M": "Homme"},
    )
    tot = m.groupby("variable")["population"].sum()
    assert np.allclose(tot, tot.iloc[0])  # same field (15+) in every margin
    under15 = obs[obs.age == "0-14"]["value"].sum()
    assert tot.iloc[0] == pytest.approx(obs["value"].sum() - under15)
    assert m[m.variable == "age_band"]["level"].tolist() == list(survey.DEMO_AGE_BANDS)
    with pytest.raises(MarginsError, match="chevauche"):
        survey.margins_from_observations(obs, "17008", age_bands=["18-29", "30-44"])
    with pytest.raises(MarginsError, match="plusieurs périodes"):
        survey.margins_from_observations(pd.concat([obs, obs.assign(period="2020")]), "17008")
    with pytest.raises(MarginsError, match="aucune observation"):
        survey.margins_from_observations(obs, "99999")


def test_commune_margins():
    communes = pd.DataFrame({"code": ["17008", "17222"], "name": ["A", "M"], "population": [2400, 4700]})
    m = survey.commune_margins(communes, variable="commune_code")
    assert m.to_dict("list") == {"variable": ["commune_code"] * 2, "level": ["17008", "17222"], "population": [2400.0, 4700.0]}
