"""Filosofi, POP1B, Ameli, FINESS, deaths and tidy readers, on files written in their formats."""

from __future__ import annotations

import numpy as np
import openpyxl
import pytest

from cls_analysis.errors import FileFormatError
from cls_analysis.sources import (
    read_ameli_demography,
    read_ameli_pathologies,
    read_deaths,
    read_filosofi,
    read_finess,
    read_population_age,
    read_tidy,
)
from tests.sources.conftest import write, zip_files


def values(obs, **keys):
    rows = obs
    for k, v in keys.items():
        rows = rows.loc[rows[k] == v]
    return rows["value"].tolist()


# ----------------------------------------------------------------------------- Filosofi
def test_filosofi_classic_file_with_secret_and_comma_decimals(tmp_path):
    path = write(
        tmp_path / "FILO2021_DISP_COM.csv",
        "CODGEO;LIBGEO;NBMEN21;NBPERS21;Q221;D121;D921;RD21;GI21\n"
        "17008;Andilly;1012;2301,5;23450;12000;41000;3,4;0,25\n"
        "17182;La Grève;s;s;s;s;s;s;s\n"
        "17009;Angliers;;nd;21000;;;;\n",
    )
    obs = read_filosofi(path)
    assert values(obs, zone_code="17008", measure="median_income") == [23450.0]
    assert values(obs, zone_code="17008", measure="income_d9_d1_ratio") == [3.4]
    assert set(obs.loc[obs["zone_code"] == "17182", "status"]) == {"secret"}
    assert obs.loc[(obs["zone_code"] == "17009") & (obs["measure"] == "income_d1"), "status"].tolist() == ["secret"]
    assert obs.attrs["report"].vintage == "Filosofi 2021" and obs.attrs["report"].cog == 2023


def test_filosofi_levels_and_melodi(tmp_path):
    epci = write(tmp_path / "FILO2021_DISP_EPCI.csv", "CODGEO;LIBGEO;Q221\n200041499;CC Aunis Atlantique;24010\n")
    assert read_filosofi(epci)[["zone_type", "zone_code"]].values.tolist() == [["epci", "200041499"]]
    melodi = write(
        tmp_path / "DS_FILOSOFI_CC_2023_data.csv",
        "GEO;GEO_OBJECT;FILOSOFI_MEASURE;UNIT_MEASURE;CONF_STATUS;OBS_VALUE;TIME_PERIOD\n"
        "17008;COM;MED_SL;EUR_YR;F;23880;2023\n17182;COM;MED_SL;EUR_YR;C;;2023\n"
        "17;DEP;PR_MD60;PT;F;13.1;2023\nFRM;FRANCE;MED_SL;EUR_YR;F;23160;2023\n"
        "17001;ZE2020;MED_SL;EUR_YR;F;1;2023\n1;XX;MED_SL;EUR_YR;F;1;2023\n",
    )
    obs = read_filosofi(melodi)
    assert values(obs, zone_code="17008") == [23880.0]
    assert obs.loc[obs["zone_code"] == "17182", "status"].tolist() == ["secret"]
    assert values(obs, zone_type="departement", measure="poverty_rate") == [13.1]
    assert values(obs, zone_type="france") == [23160.0]
    assert "zonages non lus : XX" in obs.attrs["report"].notes[0]


def test_filosofi_text_in_numbers(tmp_path):
    path = write(tmp_path / "cc_filosofi_2021_COM.csv", "CODGEO;MED21\n17008;vingt mille\n")
    with pytest.raises(FileFormatError, match="colonne MED21 ligne 2 : « vingt mille »"):
        read_filosofi(path)


# ----------------------------------------------------------------------------- POP1B
def _wide_values(rng):
    return rng.uniform(0, 10, (2, 101)).round(3)


def test_population_wide_csv_and_xlsx(tmp_path):
    rng = np.random.default_rng(0)
    counts = _wide_values(rng)
    header = ["CODGEO", "LIBGEO"] + [f"SEXE{s}_AGED100{a:03d}" for s in (1, 2) for a in range(101)]
    row = ["17008", "Andilly"] + [f"{v}" for v in counts.ravel()]
    path = write(tmp_path / "BTX_TD_POP1B_2021.csv", ";".join(header) + "\n" + ";".join(row) + "\n")
    obs = read_population_age(path)
    assert values(obs, sex="M", age="0-4") == [pytest.approx(counts[0, :5].sum())]
    assert values(obs, sex="F", age="90+") == [pytest.approx(counts[1, 90:].sum())]
    assert values(obs, sex="all", age="85-89") == [pytest.approx(counts[:, 85:90].sum())]
    assert values(obs, sex="F", age="0") == [pytest.approx(counts[1, 0])]  # life table bands too
    assert values(obs, sex="M", age="1-4") == [pytest.approx(counts[0, 1:5].sum())]
    assert len(obs) == 3 * (19 + 2)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "COM"
    for _ in range(10):
        sheet.append(["Recensement de la population 2021"])
    sheet.append(header)
    sheet.append(["17008", "Andilly", *counts.ravel().tolist()])
    book.save(tmp_path / "BTX_TD_POP1B_2021.xlsx")
    xlsx = read_population_age(tmp_path / "BTX_TD_POP1B_2021.xlsx")
    assert values(xlsx, sex="M", age="0-4") == values(obs, sex="M", age="0-4")


def test_population_long_in_zip_and_errors(tmp_path):
    lines = ["NIVGEO;CODGEO;LIBGEO;SEXE;AGED100;NB"]
    lines += [f"COM;17008;Andilly;{s};{a:03d};1.5" for s in (1, 2) for a in range(101)]
    archive = zip_files(tmp_path / "BTT_TD_POP1B_2019.zip", {"BTT_TD_POP1B_2019.txt": "\n".join(lines) + "\n"})
    obs = read_population_age(archive)
    assert obs.attrs["report"].cog == 2022 and set(obs["period"]) == {"2019"}
    assert values(obs, sex="M", age="90+") == [1.5 * 11]
    bad = write(tmp_path / "BTT_TD_POP1B_2021.txt", "NIVGEO;CODGEO;LIBGEO;SEXE;AGED100;NB\nCOM;17008;A;3;000;1\n")
    with pytest.raises(FileFormatError, match="colonne SEXE : valeurs attendues 1 ou 2 ; trouvé « 3 » ligne 2"):
        read_population_age(bad)
    nameless = write(tmp_path / "population.txt", "NIVGEO;CODGEO;LIBGEO;SEXE;AGED100;NB\nCOM;17008;A;1;000;1\n")
    with pytest.raises(FileFormatError, match="indiquez-le avec year=2021"):
        read_population_age(nameless)


# ----------------------------------------------------------------------------- Ameli
AMELI_HEAD = ("annee;profession_sante;classe_age;libelle_classe_age;libelle_sexe;region;libelle_region;"
              "departement;libelle_departement;effectif;densite\n")


def test_ameli_demography_drops_aggregates(tmp_path):
    rows = [
        "2023;Médecins généralistes;tout_age;Tout âge;tout sexe;75;NA;17;CM;700;10",
        "2023;Médecins généralistes;60_64;60 à 64 ans;hommes;75;NA;17;CM;70;1",
        "2023;Médecins généralistes;60_64;60 à 64 ans;femmes;75;NA;17;CM;50;1",
        "2023;Médecins généralistes;70_plus;70 ans et plus;femmes;75;NA;17;CM;20;1",
        "2023;Médecins généralistes;60_64;60 à 64 ans;hommes;75;NA;999;Région;7000;1",
        "2023;Infirmiers;60_64;60 à 64 ans;femmes;75;NA;17;CM;;1",
        "2023;Orthoptistes;60_64;60 à 64 ans;femmes;75;NA;17;CM;3;1",
    ]
    obs = read_ameli_demography(write(tmp_path / "demographie.csv", AMELI_HEAD + "\n".join(rows) + "\n"))
    assert values(obs, measure="gp_count", sex="all", age="all") == [140.0]  # never the published 700 + details
    assert values(obs, measure="gp_count", sex="F", age="all") == [70.0]
    assert values(obs, measure="gp_count", sex="all", age="70+") == [20.0]
    assert obs.loc[obs["measure"] == "nurse_count", "status"].unique().tolist() == ["secret"]
    notes = " ".join(obs.attrs["report"].notes)
    assert "2 ligne(s) d'agrégat" in notes and "Orthoptistes" in notes


PATHO_HEAD = ("annee;patho_niv1;patho_niv2;patho_niv3;top;cla_age_5;sexe;region;dept;Ntop;Npop;prev;"
              "Niveau prioritaire;libelle_classe_age;libelle_sexe;tri\n")


def test_ameli_pathologies_filters_before_summing(tmp_path):
    rows = [
        "2022;Diabète;;;DIA;70-74;2;75;17;900;20000;4.5;1;de 70 à 74 ans;femmes;1",
        "2022;Diabète;;;DIA;75-79;2;75;17;;15000;;1;de 75 à 79 ans;femmes;1",
        "2022;Diabète;;;DIA;tsage;9;75;17;40000;650000;6;1;tous âges;tous sexes;1",
        "2022;Diabète;;;DIA;70-74;9;75;17;1700;38000;4.5;1;de 70 à 74 ans;tous sexes;1",
        "2022;Diabète;;;DIA;70-74;2;75;999;9000;200000;4.5;1;de 70 à 74 ans;femmes;1",
        "2022;Diabète;;;DIA;70-74;2;99;999;90000;2000000;4.5;1;de 70 à 74 ans;femmes;1",
        "2022;Diabète;Diabète de type 2;;DIA2;70-74;2;75;17;800;20000;4;1;de 70 à 74 ans;femmes;1",
        "2022;Maladies rares;;;RAR;70-74;2;75;17;5;20000;0;1;de 70 à 74 ans;femmes;1",
    ]
    obs = read_ameli_pathologies(write(tmp_path / "effectifs.csv", PATHO_HEAD + "\n".join(rows) + "\n"))
    assert values(obs, measure="patients_diabetes", sex="F", age="70-74") == [900.0]
    assert obs.loc[(obs["measure"] == "patients_diabetes") & (obs["age"] == "75-79"), "status"].tolist() == ["secret"] * 2
    assert obs.loc[(obs["measure"] == "patients_diabetes") & (obs["sex"] == "all") & (obs["age"] == "all"), "status"].tolist() == ["secret"]
    assert values(obs, measure="snds_population", sex="F", age="all") == [35000.0]
    assert "patients_maladies_rares" in set(obs["measure"])
    assert set(obs["zone_code"]) == {"17"}


# ----------------------------------------------------------------------------- FINESS
def _structure(number, dep, com, category, city="17000 LA ROCHELLE"):
    fields = [number, "", "ETAB", "", "", "", "", "", "", "", "", com, dep, "", city, "", "", category]
    return ";".join(["structureet", *fields, *[""] * 13]) + ";"


@pytest.mark.parametrize("encoding", ["utf-8", "cp1252"])
def test_finess(tmp_path, encoding):
    lines = [
        "finess;etalab;6;2024-01-01",
        _structure("170000001", "17", "300", "620"),
        _structure("170000002", "17", "300", "620"),
        _structure("170000003", "17", "008", "500"),
        _structure("970000001", "9D", "411", "620", "97400 SAINT-DENIS"),
        _structure("970000002", "9A", "123", "620", "97133 SAINT-BARTHÉLEMY"),
        _structure("2A0000001", "2A", "004", "183", "20000 AJACCIO"),
        "geolocalisation;170000001;380000.1;6570000.2;1,ATLASANTE,100,IGN,BD_ADRESSE,V2.2,LAMBERT_93;2024-01-01",
    ]
    obs = read_finess(write(tmp_path / "etalab-cs1100507-stock-20240101-0000.csv", "\n".join(lines) + "\n", encoding))
    counts = {(c, m): v for c, m, v in obs[["zone_code", "measure", "value"]].values.tolist()}
    assert counts == {("17300", "pharmacy_count"): 2.0, ("17008", "ehpad_count"): 1.0,
                      ("97411", "pharmacy_count"): 1.0, ("2A004", "child_disability_count"): 1.0}
    report = obs.attrs["report"]
    assert report.vintage == "extraction du 2024-01-01" and report.cog == 2024
    assert ("Windows-1252" in " ".join(report.notes)) == (encoding == "cp1252")
    assert "Saint-Barthélemy" in " ".join(report.notes)


def test_finess_without_manifest(tmp_path):
    path = write(tmp_path / "finess.csv", _structure("170000001", "17", "300", "620") + "\n")
    with pytest.raises(FileFormatError, match="première ligne attendue « finess;etalab;<nombre>;<date> »"):
        read_finess(path)


# ----------------------------------------------------------------------------- deaths
DEATHS_HEAD = "CODGEO;ANNEE;SEXE;CLASSE_AGE;CAUSE;DECES\n"


def test_deaths_pooling_and_margins(tmp_path):
    rows = [f"17008;{y};1;85-89;TOUTES;2" for y in range(2019, 2024)]
    rows += ["17008;2021;2;90 ans et plus;CANCER;1", "17008;2023;H;00-04;TOUTES;1", "17008;2018;1;85-89;TOUTES;9"]
    path = write(tmp_path / "deces.csv", "# source : Inserm-CépiDc, extraction ORS\n# cog : 2025\n" + DEATHS_HEAD + "\n".join(rows) + "\n")
    obs = read_deaths(path, pool="2019-2023")
    assert set(obs["period"]) == {"2019-2023"}
    assert values(obs, measure="deaths", sex="M", age="85-89") == [10.0]
    assert values(obs, measure="deaths", sex="all", age="all") == [11.0]
    assert values(obs, measure="deaths_cancer", sex="F", age="90+") == [1.0]
    assert obs["source"].iloc[0].startswith("Inserm-CépiDc, extraction ORS, décès 2019-2023")
    assert obs.attrs["report"].cog == 2025
    with pytest.raises(FileFormatError, match=r"année\(s\) absente\(s\) du fichier : 2017"):
        read_deaths(path, pool="2017-2021")


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("17008;2020;1;85-89;GRIPPE;1", "colonne CAUSE : code(s) inconnu(s) GRIPPE"),
        ("17008;2020;1;85-89;TOUTES;-1", "nombre de décès négatif"),
        ("17008;20;1;85-89;TOUTES;1", "colonne ANNEE : année attendue"),
        ("17008;2020;1;très vieux;TOUTES;1", "classe(s) d'âge illisible(s)"),
        ("17008;2020;1;85-89;TOUTES;deux", "colonne DECES ligne 2 : « deux »"),
        ("17008;2020;1;85-89;TOUTES;1\n17008;2020;1;85-89;TOUTES;2", "ligne(s) en double"),
    ],
)
def test_deaths_errors(tmp_path, row, message):
    with pytest.raises(FileFormatError) as error:
        read_deaths(write(tmp_path / "deces.csv", DEATHS_HEAD + row + "\n"))
    assert message in str(error.value)


def test_deaths_missing_column(tmp_path):
    with pytest.raises(FileFormatError, match=r"colonne\(s\) absente\(s\) : CAUSE.*colonnes trouvées : CODGEO, ANNEE, SEXE, CLASSE_AGE, DECES"):
        read_deaths(write(tmp_path / "deces.csv", "CODGEO;ANNEE;SEXE;CLASSE_AGE;DECES\n17008;2020;1;85-89;1\n"))


# ----------------------------------------------------------------------------- tidy
def test_tidy_french_aliases_status_and_margins(tmp_path):
    text = (
        "# source : SNDS (DCIR), extraction ORS\n# cog : 2025\n"
        "niveau;code;période;mesure;sexe;âge;valeur;statut\n"
        "commune;17008;2023;ald_diabetes;Femmes;60 à 74 ans;41;\n"
        "commune;1001;2023;ald_diabetes;2;60-74;3;secret\n"
        "Département;17;2023;insured;all;all;650 000,5;\n"
        "France;FRM;2023;insured;all;all;6,5E7;\n"
        "commune;17009;2023;ald_diabetes;F;60-74;0;zero\n"
        "commune;17300;2023;no_gp_17p;all;17+;;manquant\n"
    )
    obs = read_tidy(write(tmp_path / "snds.csv", text))
    assert obs["zone_code"].tolist() == ["17008", "01001", "17", "FRM", "17009", "17300"]
    assert obs["status"].tolist() == ["ok", "secret", "ok", "ok", "zero", "missing"]
    assert values(obs, zone_code="17") == [650000.5]
    assert obs["source"].unique().tolist() == ["SNDS (DCIR), extraction ORS"]
    assert obs["age"].tolist()[0] == "60-74"


def test_tidy_xlsx(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Places installées (extraction ARS)"])
    sheet.append(["niveau", "code", "periode", "mesure", "valeur"])
    sheet.append(["commune", 17008, 2024, "ehpad_places", 80])
    book.save(tmp_path / "places.xlsx")
    obs = read_tidy(tmp_path / "places.xlsx", source="ARS Nouvelle-Aquitaine")
    assert obs[["zone_code", "period", "measure", "value", "source"]].values.tolist() == [
        ["17008", "2024", "ehpad_places", 80.0, "ARS Nouvelle-Aquitaine"]
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("niveau;code;mesure;valeur\ncommune;17008;births;1\n", "colonne(s) absente(s) : period"),
        ("niveau;code;periode;mesure;valeur\nquartier;17008;2023;births;1\n", "colonne niveau : valeur(s) inconnue(s) quartier"),
        ("niveau;code;periode;mesure;valeur\ncommune;17008;2023;births;-4\n", "effectif(s) négatif(s) : ligne 2 : births = -4"),
        ("niveau;code;periode;mesure;valeur\ncommune;17008;2023;births;1\ncommune;17008;2023;births;2\n", "ligne(s) en double"),
        ("niveau;code;periode;mesure;valeur\ncommune;ABCDE;2023;births;1\n", "code(s) commune invalide(s)"),
        ("niveau;code;periode;mesure;valeur\ndépartement;123;2023;births;1\n", "code(s) de département invalide(s) : ligne 2 : « 123 »"),
    ],
)
def test_tidy_errors(tmp_path, text, message):
    with pytest.raises(FileFormatError) as error:
        read_tidy(write(tmp_path / "data.csv", text))
    assert message in str(error.value)
