from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from cls_analysis import Territory
from cls_analysis.errors import FileFormatError
from cls_analysis.geo.geography import Geography
from cls_analysis.geo.insee import read_commune_list, read_epci_workbook, read_table_passage

TITLES = [
    ["Intercommunalité et Métropole"],
    ["France - Liste des intercommunalités"],
    ["Mise en ligne le 18/03/2024       Géographie au 01/01/2024"],
    ["Source(s) : Insee, Code officiel géographique"],
]


def write_epci_workbook(path: Path, communes: list[list], *, titles=TITLES, long_labels=True) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "EPCI"
    for row in titles:
        sheet.append(row)
    if long_labels:
        sheet.append(["Code", "Libellé", "Nature", "Nombre de communes"])
    sheet.append(["EPCI", "LIBEPCI", "NATURE_EPCI", "NB_COM"])
    sheet.append(["200041499", "CC Aunis Atlantique", "CC", 2])
    sheet.append(["ZZZZZZZZZ", "Sans objet", "ZZ", 1])
    comp = workbook.create_sheet("Composition_communale")
    for row in titles:
        comp.append(row)
    if long_labels:
        comp.append(["Code géographique", "Libellé", "EPCI", "Libellé EPCI", "Département", "Région"])
    comp.append(["CODGEO", "LIBGEO", "EPCI", "LIBEPCI", "DEP", "REG"])
    for row in communes:
        comp.append(row)
    workbook.save(path)
    return path


def test_reads_workbook_with_title_rows(tmp_path):
    path = write_epci_workbook(
        tmp_path / "EPCI_au_01-01-2024.xlsx",
        [
            ["17008", "Andilly", "200041499", "CC Aunis Atlantique", "17", "75"],
            [17009, "Angliers", "200041499", "CC Aunis Atlantique", "17", "75"],
            ["22016", "Île-de-Bréhat", "ZZZZZZZZZ", "Sans objet", "22", "53"],
        ],
    )
    workbook = read_epci_workbook(path)
    assert workbook.cog_year == 2024
    assert workbook.communes["code"].tolist() == ["17008", "17009", "22016"]
    assert pd.isna(workbook.communes["epci"].iloc[2])
    assert workbook.epcis["code"].tolist() == ["200041499"]


def test_header_found_wherever_it_is(tmp_path):
    # no long-label row, only two title rows: the header is found by its content
    path = write_epci_workbook(
        tmp_path / "epci.xlsx",
        [["1001", "L'Abergement-Clémenciat", "200069193", "CC x", "1", "84"]],
        titles=[["Titre"], ["Géographie au 01/01/2023"]],
        long_labels=False,
    )
    workbook = read_epci_workbook(path)
    assert workbook.cog_year == 2023
    assert workbook.communes["code"].tolist() == ["01001"]
    assert workbook.communes["departement"].tolist() == ["01"]


def test_not_the_expected_file(tmp_path):
    path = tmp_path / "autre.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "Données"
    book.active.append(["a", "b"])
    book.save(path)
    with pytest.raises(FileFormatError, match="feuille « Composition_communale » absente.*Données"):
        read_epci_workbook(path)
    text = tmp_path / "faux.xlsx"
    text.write_text("CODGEO;EPCI\n", encoding="utf-8")
    with pytest.raises(FileFormatError, match="n'est pas un classeur Excel"):
        read_epci_workbook(text)
    with pytest.raises(FileFormatError, match="introuvable"):
        read_epci_workbook(tmp_path / "absent.xlsx")


def test_missing_vintage_and_bad_codes(tmp_path):
    path = write_epci_workbook(tmp_path / "sans_date.xlsx", [["17008", "A", "200041499", "x", "17", "75"]],
                               titles=[["Titre"]])
    with pytest.raises(FileFormatError, match="millésime du COG introuvable"):
        read_epci_workbook(path)
    assert read_epci_workbook(path, cog_year=2024).cog_year == 2024
    bad = write_epci_workbook(tmp_path / "EPCI_au_01-01-2024.xlsx",
                              [["17008", "A", "200041499", "x", "17", "75"], ["170", "B", "200041499", "x", "17", "75"]])
    with pytest.raises(Exception, match="ligne 8 : « 170 »"):
        read_epci_workbook(bad)


def test_real_insee_2024_workbook(shared_dir, embedded):
    path = shared_dir / "data/insee_cog_epci/EPCI_au_01-01-2024.xlsx"
    workbook = read_epci_workbook(path)
    assert workbook.cog_year == 2024
    assert len(workbook.communes) == 34935
    counts = workbook.communes.groupby("epci").size()
    assert counts["244400438"] == 9
    assert counts["200071629"] + counts["248500258"] == 16
    assert counts["200068070"] == 72
    assert counts["241700640"] == 33
    assert counts["200041499"] == 20
    geography = Geography.from_insee(path)
    loue_lison_2024 = Territory.from_epci("200068070", geography=geography)
    assert len(loue_lison_2024.communes) == 72 and loue_lison_2024.cog_year == 2024
    loue_lison_2025 = loue_lison_2024.convert_to(embedded)
    assert len(loue_lison_2025.communes) == 71
    assert loue_lison_2025.code_changes.to_dict("records") == [{"old_code": "25533", "code": "25223"}]
    assert loue_lison_2025.communes.crs.to_epsg() == 2154
    assert loue_lison_2025.commune_codes == Territory.from_epci("200068070").commune_codes
    for siren, count in {"244400438": 9, "241700640": 33, "200041499": 20}.items():
        territory = Territory.from_epci(siren, geography=geography)
        assert len(territory.communes) == count
        assert territory.communes.crs.to_epsg() == 2154
        assert not territory.communes.geometry.is_empty.any()


def test_table_de_passage(tmp_path, embedded):
    passage = tmp_path / "table_passage_annuelle_2025.csv"
    pd.DataFrame(
        {
            "NIVGEO": ["COM"] * 3,
            "CODGEO_2023": ["25533", "25223", "17008"],
            "CODGEO_2024": ["25533", "25223", "17008"],
            "CODGEO_2025": ["25223", "25223", "17008"],
            "LIBGEO_2025": ["Éternoz-Vallée-du-Lison", "Éternoz-Vallée-du-Lison", "Andilly"],
        }
    ).to_csv(passage, sep=";", index=False)
    links = read_table_passage(passage)
    assert links[["old_code", "code", "kind"]].to_dict("records") == [
        {"old_code": "25533", "code": "25223", "kind": "fusion"}
    ]
    territory = Territory.from_communes(["25223", "17008"], name="x")
    converted = embedded.convert_codes(["25533", "17008"], passage=links)
    assert converted["code"].tolist() == ["25223", "17008"]
    assert territory.commune_codes == sorted(converted["code"])
    with pytest.raises(FileFormatError, match="pas de colonne CODGEO_2026"):
        read_table_passage(passage, to_year=2026)


def test_commune_list(tmp_path):
    path = tmp_path / "v_commune_2025.csv"
    path.write_text(
        "TYPECOM,COM,REG,DEP,CTCD,ARR,TNCC,NCC,NCCENR,LIBELLE,CAN,COMPARENT\n"
        "COM,01001,84,01,01D,012,5,ABERGEMENT CLEMENCIAT,Abergement-Clémenciat,L'Abergement-Clémenciat,0108,\n"
        "COMD,25533,27,25,25D,252,0,SARAZ,Saraz,Saraz,,25223\n",
        encoding="utf-8",
    )
    communes = read_commune_list(path)
    assert communes["code"].tolist() == ["01001", "25533"]
    assert communes["parent"].tolist()[1] == "25223"
    assert communes.attrs["cog_year"] == 2025
    wrong = tmp_path / "autre.csv"
    wrong.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(FileFormatError, match="colonnes manquantes TYPECOM"):
        read_commune_list(wrong)
