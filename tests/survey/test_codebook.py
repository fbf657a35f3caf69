"""Codebook: drafting, writing/reading, and the French errors when it does not match."""

import pandas as pd
import pytest
from _shared import shared_file

from cls_analysis import survey
from cls_analysis.survey.errors import CodebookError


def test_write_read_roundtrip_csv_and_xlsx(tmp_path):
    cb = survey.demo_codebook()
    for name in ("cb.csv", "cb.xlsx"):
        path = survey.write_codebook(cb, tmp_path / name)
        back = survey.read_codebook(path)
        pd.testing.assert_frame_equal(back, survey.normalize_codebook(cb))
    raw = (tmp_path / "cb.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b";" in raw.splitlines()[0]


def test_draft_from_real_export_then_edit_and_reuse(tmp_path):
    path = shared_file("data/limesurvey_export_example/results-survey4914.xlsx")
    cb = survey.draft_codebook(path)
    assert cb["variable"].is_unique
    assert set(cb["type"]) <= set(survey.QUESTION_TYPES)
    assert cb.loc[cb.variable == "q12", "levels"].item() == "Un homme | Une femme"
    # a person renames a variable and orders a scale, then reads with the edited codebook
    cb.loc[cb.variable == "q12", "variable"] = "sexe"
    cb.loc[cb.variable == "q04", "type"] = "likert"
    cb.loc[cb.variable == "q04", "levels"] = "Excellent | Bien | Moyen | Accueil laisse à désirer"
    edited = survey.write_codebook(cb, tmp_path / "codebook.xlsx")
    r = survey.read_limesurvey(path, edited)
    assert "sexe" in r.data.columns
    assert list(r.data["q04"].cat.categories) == ["Excellent", "Bien", "Moyen", "Accueil laisse à désirer"]
    assert r.data["q04"].cat.ordered


def test_codebook_not_matching_export(tmp_path):
    export = tmp_path / "results.csv"
    pd.DataFrame({"id": [1, 2], "submitdate": ["2026-01-01", "2026-01-02"], "Q1": ["A1", "A2"],
                  "AGE": [30, 40]}).to_csv(export, index=False)
    cb = pd.DataFrame({"variable": ["sante", "age"], "column": ["Q01", "AGE"], "type": ["single", "numeric"]})
    with pytest.raises(CodebookError) as info:
        survey.read_limesurvey(export, cb)
    msg = str(info.value)
    assert msg.startswith("results.csv : le codebook ne correspond pas à l'export")
    assert "« Q01 » (ligne 2 du codebook) (proche : « Q1 »)" in msg
    assert "Que faire" in msg


def test_answer_outside_levels_names_column_rows_and_values(tmp_path):
    export = tmp_path / "results.csv"
    pd.DataFrame({"id": [1, 2, 3], "submitdate": ["2026-01-01"] * 3, "Q1": ["A1", "A9", "A9"],
                  "AGE": ["30", "quarante", ""]}).to_csv(export, index=False)
    cb = pd.DataFrame({"variable": ["sante", "age"], "column": ["Q1", "AGE"], "type": ["single", "numeric"],
                       "levels": ["A1=Bonne | A2=Mauvaise", ""]})
    with pytest.raises(CodebookError) as info:
        survey.read_limesurvey(export, cb)
    msg = str(info.value)
    assert "2 problème(s)" in msg
    assert "colonne « Q1 » (sante) : valeur(s) hors des modalités du codebook « A9 » (lignes 3, 4)" in msg
    assert "colonne « AGE » (age) : nombre(s) illisible(s) « quarante » (lignes 3)" in msg


def test_invalid_codebook_lists_every_problem(tmp_path):
    path = tmp_path / "cb.csv"
    pd.DataFrame({"variable": ["a", "a", "b"], "type": ["single", "numeric", "texte libre"]}).to_csv(path, sep=";", index=False)
    with pytest.raises(CodebookError) as info:
        survey.read_codebook(path)
    msg = str(info.value)
    assert msg.startswith("cb.csv : codebook invalide")
    assert "ligne 4 (b) : type « texte libre » inconnu" in msg
    assert "variable « a » en double (lignes 2, 3)" in msg


def test_codebook_without_required_columns():
    with pytest.raises(CodebookError, match="colonne\\(s\\) obligatoire\\(s\\) absente\\(s\\) du codebook : type"):
        survey.normalize_codebook(pd.DataFrame({"variable": ["a"]}))


def test_multiple_option_neither_ticked_nor_unticked(tmp_path):
    export = tmp_path / "results.csv"
    pd.DataFrame({"id": [1, 2], "submitdate": ["2026-01-01"] * 2, "M[SQ001]": ["Y", "peut-être"],
                  "M[SQ002]": ["", "Y"]}).to_csv(export, index=False)
    cb = pd.DataFrame({"variable": ["m_a", "m_b"], "column": ["M[SQ001]", "M[SQ002]"], "question": "m",
                       "type": "multiple"})
    with pytest.raises(CodebookError, match="option ni cochée ni décochée « peut-être » \\(lignes 3\\)"):
        survey.read_limesurvey(export, cb)
