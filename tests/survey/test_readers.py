"""Readers: the real LimeSurvey example, and small files of each format written by the tests."""

import numpy as np
import pandas as pd
import pytest
from _shared import shared_file

from cls_analysis import survey
from cls_analysis.errors import FileFormatError

LS_EXAMPLE = "data/limesurvey_export_example/results-survey4914.xlsx"
LS_TSV = "data/limesurvey_export_example/results-survey4914.tsv"


# ---------------------------------------------------------------- real LimeSurvey full-text export
def test_real_full_text_export_drafted_codebook():
    path = shared_file(LS_EXAMPLE)
    r = survey.read_limesurvey(path, drop_duplicates=False)
    assert r.kind == "limesurvey_text"
    assert len(r.data) == 348
    cb = r.codebook.set_index("variable")
    assert cb.loc["q01", "type"] == "single"
    assert (cb.loc[["q02_1", "q02_2", "q02_3", "q02_4"], "type"] == "multiple").all()
    assert cb.loc["q02_4", "label"] == "Par des collègues et/ou amis"
    assert cb.loc["q05_autre", "type"] == "free_text"
    assert cb.loc["q08", "type"] == "numeric"
    assert cb.loc["q11", "type"] == "age"
    assert "q05_autre" not in r.data.columns  # free text kept apart
    assert set(r.free_text["variable"]) == {"q05_autre"}
    # « N/A » (not shown) is missing, not « Non »: respondent 3 did not take part
    row3 = r.data.set_index("respondent_id").loc[3]
    assert row3["q01"] == "Non" and pd.isna(row3["q02_1"])
    assert r.data["q11"].dtype == float and r.data["q11"].max() < 100


def test_real_full_text_export_agrees_with_authors_recoding():
    """The author's TSV recodes the same answers: counts must agree with our reading."""
    r = survey.read_limesurvey(shared_file(LS_EXAMPLE), drop_duplicates=False)
    tsv = pd.read_csv(shared_file(LS_TSV), sep="\t", dtype=str, keep_default_na=False)
    d = r.data.set_index("respondent_id").sort_index()
    t = tsv.set_index(tsv["id_reponse"].astype(int)).sort_index()
    assert ((d["q01"] == "Oui").to_numpy() == (t["participation_journees"] == "Y").to_numpy()).all()
    assert int(d["q02_3"].eq(True).sum()) == int((t["source_internet"] == "Y").sum())
    assert ((d["q12"] == "Une femme").to_numpy() == (t["sexe"] == "F").to_numpy()).all()
    age = pd.to_numeric(t["age"], errors="coerce")
    assert np.allclose(d["q11"].to_numpy(), age.to_numpy(), equal_nan=True)


def test_real_export_duplicates_reported():
    r = survey.read_limesurvey(shared_file(LS_EXAMPLE))
    dup = r.report[r.report["step"] == "doublons"]
    assert len(dup) == 1 and dup["count"].iloc[0] == 348 - len(r.data)


# ---------------------------------------------------------------- LimeSurvey CSV with codes
LS_HEADER = ["id", "submitdate", "lastpage", "startlanguage", "seed", "startdate", "datestamp",
             "COMMUNE", "SEXE", "AGE", "Q1", "M3[SQ001]", "M3[SQ002]", "M3[other]", "COMMENT"]


def _ls_rows():
    return [
        ["1", "2026-07-01 10:00:00", "3", "fr", "1", "2026-07-01 09:50:00", "2026-07-01 10:00:00",
         "St Jean de Liversay", "F", "34", "A1", "Y", "", "", "Rien à ajouter"],
        ["2", "", "1", "fr", "2", "2026-07-01 11:00:00", "2026-07-01 11:01:00",
         "Marans", "M", "", "", "", "", "", ""],
        ["3", "2026-07-02 08:00:00", "3", "fr", "3", "2026-07-02 07:50:00", "2026-07-02 08:00:00",
         "marrans", "M", "71", "A3", "", "Y", "Trop loin", ""],
        ["4", "2026-07-02 09:00:00", "3", "fr", "4", "2026-07-02 08:50:00", "2026-07-02 09:00:00",
         "Saint Jean", "F", "45", "A2", "", "", "", ""],
        ["5", "2026-07-02 09:01:00", "3", "fr", "5", "2026-07-02 08:51:00", "2026-07-02 09:01:00",
         "Saint Jean", "F", "45", "A2", "", "", "", ""],
        ["6", "2026-07-03 09:00:00", "3", "fr", "6", "2026-07-03 08:50:00", "2026-07-03 09:00:00",
         "Paris", "M", "130", "A2", "Y", "Y", "", ""],
    ]


@pytest.fixture
def ls_csv(tmp_path):
    path = tmp_path / "results-survey123.csv"
    frame = pd.DataFrame(_ls_rows(), columns=LS_HEADER)
    frame.to_csv(path, index=False, encoding="utf-8-sig")  # LimeSurvey writes a BOM
    return path


LS_CODEBOOK = pd.DataFrame(
    {
        "variable": ["commune", "sexe", "age", "sante", "motif_delai", "motif_cout", "motif_autre", "commentaire"],
        "column": ["COMMUNE", "SEXE", "AGE", "Q1", "M3[SQ001]", "M3[SQ002]", "M3[other]", "COMMENT"],
        "question": ["commune", "sexe", "age", "sante", "motifs", "motifs", "motifs", "commentaire"],
        "type": ["commune", "single", "age", "likert", "multiple", "multiple", "free_text", "free_text"],
        "text": ["Commune ?", "Sexe ?", "Âge ?", "Santé ?", "Motifs ?", "Motifs ?", "Motifs ?", "Commentaire ?"],
        "label": ["", "", "", "", "Délai", "Coût", "Autre", ""],
        "levels": ["", "F=Femme | M=Homme", "", "A1=Bonne | A2=Moyenne | A3=Mauvaise", "", "", "", ""],
        "missing": [""] * 8,
    }
)
COMMUNES = pd.DataFrame({"code": ["17337", "17222", "17008"], "name": ["Saint-Jean-de-Liversay", "Marans", "Andilly"]})


def test_limesurvey_csv_with_codebook(ls_csv, tmp_path):
    cb_path = survey.write_codebook(LS_CODEBOOK, tmp_path / "codebook.xlsx")
    r = survey.read_limesurvey(ls_csv, cb_path, communes=COMMUNES, age_bands=["15-29", "30-44", "45-59", "60-74", "75+"])
    d = r.data.set_index("respondent_id")
    assert 2 not in d.index  # incomplete (no submitdate)
    assert 5 not in d.index  # same answers as respondent 4
    assert list(d.index) == [1, 3, 4, 6]
    assert list(d["sante"].cat.categories) == ["Bonne", "Moyenne", "Mauvaise"] and d["sante"].cat.ordered
    assert d.loc[1, "sexe"] == "Femme"
    assert d.loc[1, "motif_delai"] and not d.loc[1, "motif_cout"]
    assert d.loc[3, "motif_cout"] and not d.loc[3, "motif_delai"]
    assert pd.isna(d.loc[4, "motif_delai"])  # no option ticked: question not answered
    assert d["commune_code"].tolist()[:3] == ["17337", "17222", "17337"] and pd.isna(d.loc[6, "commune_code"])
    assert pd.isna(d.loc[6, "age"])  # 130 years: implausible
    assert d.loc[3, "age_band"] == "60-74"
    assert d.loc[1, "submitted_at"] == pd.Timestamp("2026-07-01 10:00:00")
    assert sorted(r.free_text["text"]) == ["Rien à ajouter", "Trop loin"]
    assert "commentaire" not in r.data.columns
    steps = set(r.report["step"])
    assert {"réponses incomplètes", "doublons", "communes", "âges"} <= steps
    assert "« Paris »" in r.report.set_index("step").loc["communes", "message"]


def test_limesurvey_min_lastpage_keeps_advanced_incomplete(ls_csv):
    r = survey.read_limesurvey(ls_csv, LS_CODEBOOK, min_lastpage=1)
    assert 2 in set(r.data["respondent_id"])


def test_limesurvey_drafted_codebook(ls_csv):
    cb = survey.draft_codebook(ls_csv).set_index("variable")
    assert cb.loc["M3_SQ001", "type"] == "multiple" and cb.loc["M3_SQ001", "question"] == "M3"
    assert cb.loc["M3_other", "type"] == "free_text"
    assert cb.loc["COMMUNE", "type"] == "commune"
    assert cb.loc["AGE", "type"] == "age"
    assert cb.loc["Q1", "levels"] == "A1 | A2 | A3"


def test_not_a_limesurvey_export(tmp_path):
    path = tmp_path / "x.csv"
    pd.DataFrame({"a": [1], "b": [2]}).to_csv(path, index=False)
    with pytest.raises(FileFormatError, match="n'est pas un export LimeSurvey.*read_responses"):
        survey.read_limesurvey(path)


def test_missing_file_message(tmp_path):
    with pytest.raises(FileFormatError, match="introuvable"):
        survey.read_responses(tmp_path / "absent.csv")


# ---------------------------------------------------------------- LimeSurvey full text, small
def test_limesurvey_full_text_small_xlsx(tmp_path):
    path = tmp_path / "results-survey-texte.xlsx"
    pd.DataFrame(
        {
            "ID réponse": [1, 2, 3],
            "Date de soumission": ["2026-07-01 10:00:00", "2026-07-01 11:00:00", None],
            "Langue": ["fr", "fr", "fr"],
            "Avez-vous renoncé à des soins ?": ["Oui", "Non", "Oui"],
            "Pourquoi ? [Délai trop long]": ["Oui", "N/A", "Non"],
            "Pourquoi ? [Coût]": ["Non", "N/A", "Oui"],
            "Quel est votre âge ?": [34, 71, 50],
        }
    ).to_excel(path, index=False)
    r = survey.read_limesurvey(path)
    assert len(r.data) == 2  # respondent 3 never submitted
    cb = r.codebook.set_index("variable")
    assert list(cb["type"]) == ["single", "multiple", "multiple", "age"]
    assert r.data.loc[1, "q02_1"] is pd.NA  # not shown
    d = survey.Design(r, min_count=0)
    p = d.proportions("q02")
    assert p["n_base"].tolist() == [1, 1] and p["estimate"].tolist() == [1.0, 0.0]


# ---------------------------------------------------------------- Google Forms
def _forms_frame(stamps):
    return pd.DataFrame(
        {
            "Horodateur": stamps,
            "Adresse e-mail": ["a@b.fr", "c@d.fr", "e@f.fr", "g@h.fr"],
            "Dans quelle commune habitez-vous ?": ["Andilly", "St Jean de Liversay", "st-jean-de-liversay", "Marans"],
            "Quel est votre âge ?": ["34", "71", "52", "19"],
            "Comment vous déplacez-vous ? (plusieurs réponses possibles)": [
                "Voiture, Transports publics (train, bus, etc.)",
                "Transports publics (train, bus, etc.)",
                "Vélo, Voiture, Covoiturage entre voisins",
                "",
            ],
            "Pourquoi avez-vous renoncé ?": ["Délai; Coût", "Coût", "", "Délai"],
        }
    )


GF_CODEBOOK = pd.DataFrame(
    {
        "variable": ["commune", "age", "transport_voiture", "transport_tc", "transport_velo", "renonce_delai", "renonce_cout"],
        "column": ["Dans quelle commune habitez-vous ?", "Quel est votre âge ?"]
        + ["Comment vous déplacez-vous ? (plusieurs réponses possibles)"] * 3
        + ["Pourquoi avez-vous renoncé ?"] * 2,
        "question": ["commune", "age", "transport", "transport", "transport", "renonce", "renonce"],
        "type": ["commune", "age", "multiple", "multiple", "multiple", "multiple", "multiple"],
        "label": ["", "", "Voiture", "Transports publics (train, bus, etc.)", "Vélo", "Délai", "Coût"],
    }
)


@pytest.mark.parametrize(
    "stamps",
    [
        ["2026/07/29 9:00:00 AM UTC+3", "2026/07/29 1:15:00 PM UTC+3", "2026/07/30 12:05:00 AM UTC+3", "2026/07/30 10:00:00 AM UTC+3"],
        ["29/07/2026 09:00:00", "29/07/2026 13:15:00", "30/07/2026 00:05:00", "30/07/2026 10:00:00"],
    ],
)
def test_google_forms_csv(tmp_path, stamps):
    path = tmp_path / "reponses.csv"
    _forms_frame(stamps).to_csv(path, index=False, encoding="utf-8")
    r = survey.read_google_forms(path, GF_CODEBOOK, communes=COMMUNES)
    d = r.data
    assert d["submitted_at"].tolist()[:3] == [pd.Timestamp("2026-07-29 09:00"), pd.Timestamp("2026-07-29 13:15"),
                                            pd.Timestamp("2026-07-30 00:05")]
    assert "Adresse e-mail" not in d.columns and "données personnelles" in set(r.report["step"])
    assert d["transport_voiture"].tolist()[:3] == [True, False, True]
    assert d["transport_tc"].tolist()[:3] == [True, True, False]  # option with commas inside
    assert pd.isna(d.loc[3, "transport_voiture"])
    assert d["renonce_delai"].tolist() == [True, False, pd.NA, True]
    assert r.free_text["text"].tolist() == ["Covoiturage entre voisins"]
    assert d["commune_code"].tolist() == ["17008", "17337", "17337", "17222"]


def test_google_forms_drafted_codebook_splits_checkboxes(tmp_path):
    path = tmp_path / "reponses.csv"
    _forms_frame(["29/07/2026 09:00:00"] * 4).to_csv(path, index=False)
    cb = survey.draft_codebook(path)
    renonce = cb[cb["column"] == "Pourquoi avez-vous renoncé ?"]
    assert set(renonce["type"]) == {"multiple"} and set(renonce["label"]) == {"Délai", "Coût"}
    assert cb.loc[cb["column"].str.startswith("Dans quelle commune"), "type"].item() == "commune"


def test_google_forms_bad_timestamp(tmp_path):
    path = tmp_path / "reponses.csv"
    _forms_frame(["29/07/2026 09:00:00", "demain", "29/07/2026 09:00:00", "29/07/2026 09:00:00"]).to_csv(path, index=False)
    with pytest.raises(FileFormatError, match=r"reponses\.csv : date\(s\) illisible\(s\).*Horodateur.*ligne 3 : « demain »"):
        survey.read_google_forms(path, GF_CODEBOOK)


# ---------------------------------------------------------------- generic CSV / XLSX and SPSS
GENERIC_CB = pd.DataFrame(
    {
        "variable": ["num", "sexe", "sante", "nb"],
        "column": ["numero", "sexe", "etat_sante", "nb_consult"],
        "type": ["id", "single", "likert", "numeric"],
        "levels": ["", "1=Homme | 2=Femme", "1=Bon | 2=Moyen | 3=Mauvais | 9=NSP", ""],
        "missing": ["", "", "9", ""],
    }
)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_generic_file_with_codebook(tmp_path, suffix):
    frame = pd.DataFrame({"numero": ["A1", "A2", "A3"], "sexe": [1, 2, 2], "etat_sante": [1, 9, 3],
                          "nb_consult": ["2", "3,5", ""]})
    path = tmp_path / f"enquete{suffix}"
    if suffix == ".csv":
        frame.to_csv(path, sep=";", index=False)
    else:
        frame.to_excel(path, index=False)
    r = survey.read_responses(path, GENERIC_CB)
    assert r.kind == "generic"
    assert r.data["respondent_id"].tolist() == ["A1", "A2", "A3"]
    assert r.data["sexe"].tolist() == ["Homme", "Femme", "Femme"]
    assert r.data["sante"].tolist()[0] == "Bon" and pd.isna(r.data["sante"].iloc[1])  # 9 = NSP → missing
    assert np.allclose(r.data["nb"].to_numpy(), [2.0, 3.5, np.nan], equal_nan=True)


def test_spss_value_labels_become_levels(tmp_path):
    pyreadstat = pytest.importorskip("pyreadstat")
    frame = pd.DataFrame({"sexe": [1.0, 2.0, 2.0, 1.0], "sante": [1.0, 2.0, 3.0, np.nan], "age": [34.0, 71.0, 52.0, 19.0]})
    path = tmp_path / "enquete.sav"
    pyreadstat.write_sav(
        frame, str(path), column_labels=["Sexe", "État de santé", "Âge"],
        variable_value_labels={"sexe": {1.0: "Homme", 2.0: "Femme"}, "sante": {1.0: "Bon", 2.0: "Moyen", 3.0: "Mauvais"}},
    )
    r = survey.read_responses(path)
    assert r.kind == "spss"
    assert list(r.data["sante"].cat.categories) == ["Bon", "Moyen", "Mauvais"]
    assert r.data["sexe"].tolist() == ["Homme", "Femme", "Femme", "Homme"]
    assert r.codebook.set_index("variable").loc["sante", "text"] == "État de santé"
    assert r.data["age"].tolist() == [34.0, 71.0, 52.0, 19.0]


def test_export_free_text(ls_csv, tmp_path):
    r = survey.read_limesurvey(ls_csv, LS_CODEBOOK)
    out = survey.export_free_text(r, tmp_path / "textes.csv")
    back = pd.read_csv(out, sep=";", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(back.columns) == ["respondent_id", "variable", "question", "text", "code"]
    assert set(back["text"]) == {"Rien à ajouter", "Trop loin"}
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    assert survey.export_free_text(r, tmp_path / "textes.xlsx").exists()
