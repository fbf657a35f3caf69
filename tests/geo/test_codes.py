import pandas as pd
import pytest

from cls_analysis.errors import CodeError
from cls_analysis.geo import codes


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("01001", "01001"),
        (1001, "01001"),
        (1001.0, "01001"),
        ("1001", "01001"),
        (" 2a004 ", "2A004"),
        ("2B033", "2B033"),
        (97101, "97101"),
        ("97411", "97411"),
        ("75101", "75101"),
    ],
)
def test_normalize_commune_code(raw, expected):
    assert codes.normalize_commune_code(raw) == expected


@pytest.mark.parametrize("raw", ["", None, "123", "1234567", "2C004", "ABCDE", 12.5])
def test_normalize_commune_code_rejects(raw):
    with pytest.raises(CodeError, match="code commune INSEE"):
        codes.normalize_commune_code(raw)


def test_vectorised_normalisation_names_every_bad_row():
    series = pd.Series(["01001", 1002, "xx", None, "2A004"], index=[2, 3, 4, 5, 6])
    with pytest.raises(CodeError) as info:
        codes.normalize_commune_codes(series, where="f.csv, colonne CODGEO")
    message = str(info.value)
    assert "2 code(s) commune invalide(s)" in message
    assert "ligne 4 : « xx »" in message and "ligne 5" in message
    assert "f.csv, colonne CODGEO" in message
    kept = codes.normalize_commune_codes(series.drop(4), allow_missing=True)
    assert kept.tolist()[:2] == ["01001", "01002"]
    assert kept.isna().sum() == 1


def test_departement_and_siren():
    assert codes.normalize_departement_code("2b") == "2B"
    assert codes.normalize_departement_code(5) == "05"
    assert codes.normalize_departement_code("976") == "976"
    with pytest.raises(CodeError):
        codes.normalize_departement_code("96")
    assert codes.normalize_siren(" 200041499 ") == "200041499"
    with pytest.raises(CodeError, match="cls-analysis territoires"):
        codes.normalize_siren("20004149")
    assert codes.departement_of_commune("97101") == "971"
    assert codes.departement_of_commune("2A004") == "2A"


def test_plm_arrondissements():
    assert len(codes.PLM_COMMUNES["75056"]) == 20
    assert len(codes.PLM_COMMUNES["69123"]) == 9
    assert len(codes.PLM_COMMUNES["13055"]) == 16
    mapped = codes.arrondissement_to_commune(["75120", "69389", "13216", "13055", "17008"]).tolist()
    assert mapped == ["75056", "69123", "13055", "13055", "17008"]


def test_fold_text():
    assert codes.fold_text("Océan-Marais de Monts") == codes.fold_text("ocean marais DE MONTS")
    assert codes.fold_text("Ste-Soulle") == "sainte soulle"
