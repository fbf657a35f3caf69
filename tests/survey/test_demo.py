"""The fictitious demo survey goes through the real LimeSurvey reader and the whole chain."""

import pandas as pd
import pytest

from cls_analysis import survey

COMMUNES = pd.DataFrame(
    {
        "code": ["17008", "17222", "17349", "17158", "17303"],
        "name": ["Andilly", "Marans", "Saint-Jean-de-Liversay", "Ferrières", "La Ronde"],
        "population": [2350, 4700, 3300, 1570, 1000],
    }
)


def test_demo_files_are_deterministic(tmp_path):
    a = survey.write_demo_survey(tmp_path / "a", COMMUNES, n=300, seed=5)
    b = survey.write_demo_survey(tmp_path / "b", COMMUNES, n=300, seed=5)
    c = survey.write_demo_survey(tmp_path / "c", COMMUNES, n=300, seed=6)
    assert a[0].read_bytes() == b[0].read_bytes() and a[1].read_bytes() == b[1].read_bytes()
    assert a[0].read_bytes() != c[0].read_bytes()
    head = a[0].read_bytes()[:80]
    assert head.startswith(b'\xef\xbb\xbfid,submitdate,lastpage,startlanguage,seed,startdate,datestamp,')


def test_demo_through_reader_raking_and_estimates(tmp_path):
    r = survey.demo_responses(COMMUNES, n=800, seed=2026, directory=tmp_path)
    assert len(r.data) == 800  # incomplete and duplicated responses removed
    assert "fictives" in r.report["message"].iloc[0]
    assert {"réponses incomplètes", "doublons", "communes"} <= set(r.report["step"])
    assert r.data["commune_code"].notna().mean() > 0.9
    assert set(r.free_text["variable"]) <= {"motifs_autre", "suggestions"}
    obs = survey.demo_observations(COMMUNES)
    margins = survey.margins_from_observations(
        obs, COMMUNES["code"].tolist(), age_bands=survey.DEMO_AGE_BANDS,
        names={"sex": "sexe", "age": "age_band"}, sex_labels={"F": "Femme", "M": "Homme"})
    d = survey.Design(r).rake(margins, source="recensement fictif")
    diag = d.diagnostics()
    assert diag.converged and diag.kish_deff > 1.02  # women and older people over-represented
    women = d.proportions("sexe").set_index("level")["estimate"]
    assert women["Femme"] == pytest.approx(margins.set_index("level").loc["Femme", "population"]
                                           / margins[margins.variable == "sexe"]["population"].sum())
    motifs = d.proportions("motifs_renoncement")
    assert len(motifs) == 6 and (motifs["n_base"] == r.data["renonce"].eq("Oui").sum()).all()
    likert = d.proportions(["psy_nerveux", "psy_deprime"])
    assert list(likert["level"].unique()) == ["Jamais", "Rarement", "Parfois", "Souvent", "En permanence"]
    dep = d.proportions("depistage")
    assert set(dep["level"]) == {"Oui", "Non"}  # « Ne sait pas » declared missing
