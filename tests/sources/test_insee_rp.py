"""INSEE base-cc and comparateur reader."""

from __future__ import annotations

import numpy as np
import openpyxl
import pandas as pd
import pytest

from cls_analysis.errors import FileFormatError
from cls_analysis.sources import read_insee_rp
from tests.sources.conftest import write, zip_files

HEADER = "CODGEO;P21_POP;P21_POP0014;P21_POP75P;P21_POPH;P21_H75P;P15_POP;C21_POP15P;C21_POP15P_CS6"
ROWS = [
    "17008;2301.5;420.1;190.2;1120.4;80.0;2200;1900.2;310.5",
    "75056;2133111;300000;200000;1000000;80000;2206488;1800000;90000",
    "75101;16000;1500;1600;7800;600;17000;14000;500",
]


def test_zip_with_upper_case_csv_and_meta(tmp_path):
    archive = zip_files(
        tmp_path / "base-cc-evol-struct-pop-2021_csv.zip",
        {
            "base-cc-evol-struct-pop-2021.CSV": "\n".join([HEADER, *ROWS]) + "\n",
            "meta_base-cc-evol-struct-pop-2021.CSV": "COD_VAR;LIB_VAR\nP21_POP;Population\n",
        },
    )
    obs = read_insee_rp(archive)
    report = obs.attrs["report"]
    assert report.cog == 2024 and report.vintage == "RP 2021 (et 2015)"
    andilly = obs.loc[obs["zone_code"] == "17008"].set_index(["period", "measure", "sex", "age"])["value"]
    assert andilly[("2021", "population", "all", "all")] == 2301.5
    assert andilly[("2021", "population", "all", "0-14")] == 420.1
    assert andilly[("2021", "population", "M", "75+")] == 80.0
    assert andilly[("2015", "population", "all", "all")] == 2200
    assert andilly[("2021", "cs_workers", "all", "all")] == 310.5
    assert andilly[("2021", "cs_population_15p", "all", "all")] == 1900.2
    # Paris commune and arrondissement both present: the arrondissement is labelled, not summed
    assert set(obs.loc[obs["zone_code"] == "75101", "zone_type"]) == {"arrondissement"}
    assert set(obs.loc[obs["zone_code"] == "75056", "zone_type"]) == {"commune"}
    assert obs["source"].iloc[0] == "Insee, RP 2021 (base-cc-evol-struct-pop-2021, COG 2024)"


def test_housing_variables_summed(tmp_path):
    path = write(
        tmp_path / "base-cc-logement-2021.CSV",
        "CODGEO;P21_LOG;P21_RP;P21_LOGVAC;P21_RP_ACHTOT;P21_RP_ACH19;P21_RP_ACH45;P21_RP_VOIT1P;P21_NBPI_RP\n"
        "17008;1000;900;50;880;100;40;850;4000\n",
    )
    obs = read_insee_rp(path)
    values = obs.set_index("measure")["value"]
    assert values["main_residences_before_1946"] == 140
    assert values["main_residences_with_car"] == 850
    assert "variable(s) non utilisée(s)" in obs.attrs["report"].notes[-1]


def test_old_xlsx_with_title_rows_and_two_sheets(tmp_path):
    book = openpyxl.Workbook()
    com = book.active
    com.title = "COM_2018"
    arm = book.create_sheet("ARM_2018")
    for sheet, rows in ((com, [["17008", "75", "17", "Andilly", 2100]]), (arm, [["75101", "11", "75", "Paris 1er", 16000]])):
        for title in ["Recensement de la population 2018", "Évolution et structure", "", "Source : Insee", "Libellés"]:
            sheet.append([title])
        sheet.append(["CODGEO", "REG", "DEP", "LIBGEO", "P18_POP"])
        for row in rows:
            sheet.append(row)
    path = tmp_path / "base-cc-evol-struct-pop-2018.xlsx"
    book.save(path)
    obs = read_insee_rp(path)
    assert obs[["zone_type", "zone_code", "value"]].values.tolist() == [
        ["commune", "17008", 2100.0],
        ["arrondissement", "75101", 16000.0],
    ]
    assert obs.attrs["report"].cog == 2021


def test_comparateur_with_comma_decimals_and_secret(tmp_path):
    path = write(
        tmp_path / "base_cc_comparateur.csv",
        "CODGEO;P22_POP;SUPERF;NAIS1621;DECESD24;MED21;TP6021;NBMENFISC21\n"
        "17008;2350;22,5;130;21;23450;8,5;990\n"
        "17009;180;9,1;10;2;s;s;s\n",
    )
    obs = read_insee_rp(path).set_index(["zone_code", "measure", "period"])
    assert obs.loc[("17008", "area_km2", "2022"), "value"] == 22.5
    assert obs.loc[("17008", "births", "2016-2021"), "value"] == 130
    assert obs.loc[("17008", "poverty_rate", "2021"), "value"] == 8.5
    assert obs.loc[("17009", "median_income", "2021"), "status"] == "secret"
    assert obs.loc[("17008", "deaths", "2024"), "value"] == 21


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_encodings(tmp_path, encoding):
    path = write(tmp_path / "base-cc-evol-struct-pop-2021.CSV", "CODGEO;LIBGEO;P21_POP\n17008;Andilly-lès-Marais;100\n", encoding)
    obs = read_insee_rp(path)
    assert obs["value"].tolist() == [100.0]
    notes = " ".join(obs.attrs["report"].notes)
    assert ("Windows-1252" in notes) == (encoding == "cp1252")


def test_wrong_separator_is_detected(tmp_path):
    path = write(tmp_path / "base-cc-evol-struct-pop-2021.CSV", "CODGEO,P21_POP\n17008,100\n")
    obs = read_insee_rp(path)
    assert obs["value"].tolist() == [100.0]
    assert "séparateur « , » détecté" in " ".join(obs.attrs["report"].notes)


def test_lost_leading_zero_and_header_moved(tmp_path):
    path = write(tmp_path / "base-cc-evol-struct-pop-2021.CSV", "Titre ajouté\n\nCODGEO;P21_POP\n1001;776\n")
    obs = read_insee_rp(path)
    assert obs["zone_code"].tolist() == ["01001"]
    notes = " ".join(obs.attrs["report"].notes)
    assert "zéro initial" in notes and "en-tête trouvé à la ligne 3" in notes


def test_missing_code_column_lists_columns(tmp_path):
    path = write(tmp_path / "base-cc-evol-struct-pop-2021.CSV", "COMMUNE;P21_POP\n17008;100\n")
    with pytest.raises(FileFormatError, match=r"colonnes CODGEO.*première ligne : \['COMMUNE', 'P21_POP'\]"):
        read_insee_rp(path)


def test_text_in_numeric_column_names_cells(tmp_path):
    path = write(tmp_path / "base-cc-evol-struct-pop-2021.CSV", "CODGEO;P21_POP;P21_POP75P\n17008;100;dix\n17009;abc;3\n")
    with pytest.raises(FileFormatError) as error:
        read_insee_rp(path)
    message = str(error.value)
    assert "colonne P21_POP ligne 3 : « abc »" in message and "colonne P21_POP75P ligne 2 : « dix »" in message


def test_duplicate_codes(tmp_path):
    same = write(tmp_path / "base-cc-evol-struct-pop-2021.CSV", "CODGEO;P21_POP\n17008;100\n17008;100\n")
    assert "répétée(s) à l'identique" in " ".join(read_insee_rp(same).attrs["report"].notes)
    different = write(tmp_path / "base-cc-logement-2021.CSV", "CODGEO;P21_LOG\n17008;100\n17008;120\n")
    with pytest.raises(FileFormatError, match=r"en double avec des valeurs différentes : 17008 \(lignes 2, 3\)"):
        read_insee_rp(different)


def test_negative_count(tmp_path):
    path = write(tmp_path / "base-cc-evol-struct-pop-2021.CSV", "CODGEO;P21_POP\n17008;-5\n")
    with pytest.raises(FileFormatError, match=r"effectif\(s\) négatif\(s\) : P21_POP ligne 2"):
        read_insee_rp(path)


def test_empty_file_and_truncated_zip(tmp_path):
    empty = write(tmp_path / "base-cc-evol-struct-pop-2021.CSV", "")
    with pytest.raises(FileFormatError, match="fichier vide"):
        read_insee_rp(empty)
    archive = zip_files(tmp_path / "base-cc-logement-2021_csv.zip", {"base-cc-logement-2021.CSV": "CODGEO;P21_LOG\n" + "17008;1\n" * 5000})
    data = archive.read_bytes()
    archive.write_bytes(data[: len(data) // 2])
    with pytest.raises(FileFormatError, match="archive zip illisible ou tronquée"):
        read_insee_rp(archive)


def test_real_metadata_geography(shared_dir, tmp_path):
    """A national file built on the real dictionary of base-cc-logement-2021 (COG 2024, PLM + ARM)."""
    meta = pd.read_csv(
        shared_dir / "data" / "insee_base_cc_metadata" / "meta_base-cc-logement-2021.CSV",
        sep=";",
        dtype=str,
    )
    variables = meta.loc[meta["COD_MOD"].isna(), "COD_VAR"].tolist()
    wanted = {"P21_LOG", "P21_RP", "P21_LOGVAC", "P21_RP_VOIT1P", "P21_RP_ACH19", "P21_RP_ACH45", "P15_LOG", "P10_LOG", "P21_NBPI_RP"}
    assert wanted <= set(variables)
    variables = [v for v in variables if v in wanted]
    codes = meta.loc[meta["COD_VAR"] == "CODGEO", "COD_MOD"].tolist()
    rng = np.random.default_rng(1)
    frame = pd.DataFrame(rng.uniform(0, 1000, (len(codes), len(variables))).round(3), columns=variables)
    frame.insert(0, "CODGEO", codes)
    path = tmp_path / "base-cc-logement-2021.CSV"
    frame.to_csv(path, sep=";", index=False)
    obs = read_insee_rp(path)
    report = obs.attrs["report"]
    assert report.cog == 2024
    assert report.zones == len(codes) == 34_918 + 45  # communes (PLM included) and 45 arrondissements
    counts = obs.drop_duplicates("zone_code")["zone_type"].value_counts()
    assert counts["arrondissement"] == 45
    assert set(obs["period"]) == {"2021", "2015", "2010"}
    assert {"dwellings", "main_residences", "vacant_dwellings", "main_residences_with_car"} <= set(obs["measure"])
    # codes of COG 2024 that merged in 2025 are recognised as former codes
    assert "millésime antérieur" in " ".join(report.notes)
