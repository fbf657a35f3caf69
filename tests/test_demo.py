"""Demo data: fictitious, deterministic, written in the real formats, read back by the readers.

The tests generate the demo for three départements (Charente-Maritime with the demo territory,
Deux-Sèvres, Paris) once per session; the national demo is measured by
``benchmarks/bench_sources.py``.
"""

from __future__ import annotations

import zipfile

import numpy as np
import openpyxl
import pandas as pd
import pytest

from cls_analysis import demo, observations
from cls_analysis.sources import DEMO_NOTE
from cls_analysis.territory import Territory

DEPARTEMENTS = ["17", "75", "79"]


@pytest.fixture(scope="session")
def demo_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    demo.write_demo_data(folder, departements=DEPARTEMENTS)
    return folder


@pytest.fixture(scope="session")
def demo_obs(demo_folder):
    return demo.demo_observations(demo_folder, departements=DEPARTEMENTS, cache=False)


@pytest.fixture(scope="session")
def aunis(demo_obs):
    return observations.aggregate(demo_obs, Territory.from_epci("200041499"))


def test_files_in_the_real_formats(demo_folder):
    with zipfile.ZipFile(demo_folder / "base-cc-evol-struct-pop-2021_csv.zip") as archive:
        assert sorted(archive.namelist()) == ["base-cc-evol-struct-pop-2021.CSV", "meta_base-cc-evol-struct-pop-2021.CSV"]
        header = archive.read("base-cc-evol-struct-pop-2021.CSV").decode().split("\n", 1)[0]
        assert header.startswith("CODGEO;P21_POP;P21_POP0014;")
    sheet = openpyxl.load_workbook(demo_folder / "apl_generalistes.xlsx", read_only=True)["APL 2023"]
    rows = list(sheet.iter_rows(min_row=1, max_row=11, values_only=True))
    assert rows[2][0] == "Millésime : 2023"
    assert rows[8][0] == "Code commune INSEE" and rows[9][0] is None and rows[9][2].startswith("En nombre")
    filosofi = (demo_folder / "cc_filosofi_2021_COM.csv").read_text()
    assert filosofi.startswith("CODGEO;NBMENFISC21;NBPERSMENFISC21;MED21;PIMP21;TP6021")
    assert ";s;" in filosofi and "," in filosofi.split("\n")[1]
    assert (demo_folder / "etalab-cs1100507-stock-20240101-0000.csv").read_text().startswith("finess;etalab;")
    with zipfile.ZipFile(demo_folder / "deces_2019-2023_csv.zip") as archive:
        text = archive.read("deces_2019-2023.csv").decode()
    assert text.splitlines()[2] == "CODGEO;ANNEE;SEXE;CLASSE_AGE;CAUSE;DECES"
    geoclip = (demo_folder / "statistiques_locales_professionnels_2024.csv").read_bytes()
    assert geoclip.startswith("\ufeffInsee - Statistiques locales".encode())


def test_deterministic_and_not_regenerated(demo_folder, tmp_path):
    before = (demo_folder / "cc_filosofi_2021_COM.csv").stat().st_mtime_ns
    demo.write_demo_data(demo_folder, departements=DEPARTEMENTS)
    assert (demo_folder / "cc_filosofi_2021_COM.csv").stat().st_mtime_ns == before
    demo.write_demo_data(tmp_path, departements=DEPARTEMENTS)
    for name in ("cc_filosofi_2021_COM.csv", "caf_2023.csv", "effectifs.csv"):
        assert (tmp_path / name).read_bytes() == (demo_folder / name).read_bytes(), name


def test_read_back_through_the_real_readers(demo_obs):
    report = demo_obs.attrs["report"]
    assert report.ok, report.problems
    assert {f.report.kind.split(",")[0] for f in report.files if f.read} >= {"Insee", "DREES", "FINESS", "Ameli"}
    assert all(DEMO_NOTE in s for s in demo_obs["source"].cat.categories)
    expected = {"population", "births", "deaths", "deaths_cancer", "deaths_suicide", "households",
                "main_residences_before_1946", "persons_living_alone", "single_parent_families",
                "unemployed_15_64", "out_of_school_15p_low_education", "cs_workers", "median_income",
                "poverty_rate", "apl_gp", "gp_count", "nurse_count", "pharmacy_count", "ehpad_places",
                "insured", "ald_diabetes", "psychotropic_patients", "c2s_beneficiaries", "no_gp_17p",
                "breast_screening_participants", "flu_vaccinated_65p", "hpv_target", "dental_checkup_children",
                "aah_recipients", "rsa_recipients", "ftth_premises", "area_km2", "patients_diabetes"}
    assert expected <= set(demo_obs["measure"].cat.categories)


def test_consistency(demo_obs):
    com = demo_obs.loc[demo_obs["zone_type"] == "commune"]

    def wide(measure, period, sex="all", age="all"):
        rows = com.loc[(com["measure"] == measure) & (com["period"] == period) & (com["sex"] == sex) & (com["age"] == age)]
        return rows.set_index(rows["zone_code"].astype(str))["value"]

    # POP1B five-year bands add up to the census population
    bands = com.loc[(com["measure"] == "population") & (com["period"] == "2021") & (com["sex"] == "all")
                    & com["age"].isin(observations.AGES_5Y)]
    total = bands.groupby(bands["zone_code"].astype(str))["value"].sum()
    census = wide("population", "2021")
    assert np.allclose(total.reindex(census.index), census, rtol=1e-4)
    # deaths by cause never exceed deaths; plausible crude death rate
    deaths, cancer = wide("deaths", "2019-2023"), wide("deaths_cancer", "2019-2023").reindex(wide("deaths", "2019-2023").index).fillna(0)
    assert (cancer <= deaths).all()
    rate = deaths.sum() / 5 / census.sum() * 1000
    assert 7 < rate < 14
    # chronic disease below the insured population, participants below targets
    assert (wide("breast_screening_participants", "2022-2023") <= wide("breast_screening_target", "2022-2023")).all()
    insured = com.loc[(com["measure"] == "insured")].groupby(com["zone_code"].astype(str))["value"].sum()
    ald = com.loc[(com["measure"] == "ald_persons")].groupby(com["zone_code"].astype(str))["value"].sum()
    assert (ald <= insured.reindex(ald.index)).all()


def test_demo_territory_is_plausible(aunis):
    def zone(zone_type, measure, period, sex="all", age="all"):
        rows = aunis.loc[(aunis["zone_type"] == zone_type) & (aunis["measure"] == measure)
                         & (aunis["period"] == period) & (aunis["sex"] == sex) & (aunis["age"] == age)]
        return rows

    population = zone("territory", "population", "2021")
    assert population["status"].tolist() == ["ok"] and 25_000 < population["value"].iloc[0] < 40_000
    poverty = zone("commune", "poverty_rate", "2021")
    assert (poverty["status"] == "secret").sum() >= 5 and (poverty["status"] == "ok").any()
    apl = zone("commune", "apl_gp", "2023")
    assert (apl["value"] < 2.5).any() and len(apl) == 20
    for measure, period in [("apl_gp", "2023"), ("deaths", "2019-2023"), ("gp_count", "2024"), ("births", "2023"),
                            ("median_income", "2021"), ("insured_17p", "2023")]:
        rows = zone("departement", measure, period)
        assert rows["status"].tolist() == ["ok"], measure
    assert zone("territory", "deaths_suicide", "2019-2023")["status"].iloc[0] in ("ok", "zero")


def test_cache(demo_folder):
    fresh = demo.demo_observations(demo_folder, departements=DEPARTEMENTS)
    cached = demo.demo_observations(demo_folder, departements=DEPARTEMENTS)
    assert (demo_folder / ".observations_cache.parquet").is_file()
    pd.testing.assert_frame_equal(
        observations.as_text(fresh).reset_index(drop=True), observations.as_text(cached).reset_index(drop=True)
    )
