import geopandas as gpd
import pytest
from shapely.geometry import box

from cls_analysis import Territory
from cls_analysis.errors import FileFormatError
from cls_analysis.geo.admin_express import read_admin_express


def _frame(columns, crs="EPSG:2154"):
    return gpd.GeoDataFrame(columns, geometry=[box(0, 0, 1000, 1000), box(1000, 0, 2000, 1000)], crs=crs)


def test_shapefile_upper_case(tmp_path):
    frame = _frame(
        {
            "NOM": ["Andilly", "Angliers"],
            "NOM_M": ["ANDILLY", "ANGLIERS"],
            "INSEE_COM": ["17008", "17009"],
            "STATUT": ["Commune simple"] * 2,
            "POPULATION": [2350, 1447],
            "INSEE_DEP": ["17", "17"],
            "INSEE_REG": ["75", "75"],
            "SIREN_EPCI": ["200041499", "200041499"],
        }
    )
    folder = tmp_path / "ADMIN-EXPRESS-COG_3-2__SHP_LAMB93_FXX_2024"
    folder.mkdir()
    frame.to_file(folder / "COMMUNE.shp", encoding="ISO-8859-1")
    result = read_admin_express(folder)
    assert result["code"].tolist() == ["17008", "17009"]
    assert result["population"].tolist() == [2350, 1447]
    assert result.crs.to_epsg() == 2154


def test_geopackage_lower_case(tmp_path):
    frame = _frame(
        {
            "code_insee": ["75101", "69123"],
            "nom_officiel": ["Paris 1er", "Lyon"],
            "code_insee_du_departement": ["75", "69"],
            "code_insee_de_la_region": ["11", "84"],
            "codes_siren_des_epci": ["200054781/200054781", "NR"],
            "population": [15917, 522250],
        }
    )
    path = tmp_path / "ADE_4-0_GPKG_LAMB93_FXX-ED2025.gpkg"
    frame.to_file(path, layer="commune", driver="GPKG")
    result = read_admin_express(path)
    assert result["epci"].tolist()[0] == "200054781"
    assert result["epci"].isna().tolist() == [False, True]


def test_admin_express_errors(tmp_path):
    wrong = _frame({"code": ["17008", "17009"]})
    path = tmp_path / "autre.gpkg"
    wrong.to_file(path, layer="autre", driver="GPKG")
    with pytest.raises(FileFormatError, match="couche « commune » absente"):
        read_admin_express(path)
    wrong.to_file(tmp_path / "COMMUNE.shp")
    with pytest.raises(FileFormatError, match="colonnes manquantes INSEE_COM"):
        read_admin_express(tmp_path / "COMMUNE.shp")
    other = tmp_path / "carte.txt"
    other.write_text("x", encoding="utf-8")
    with pytest.raises(FileFormatError, match="format non reconnu"):
        read_admin_express(other)
    with pytest.raises(FileFormatError, match="introuvable"):
        read_admin_express(tmp_path / "absent.gpkg")


def test_territory_with_admin_express_boundaries(tmp_path, shared_dir):
    """INSEE 2024 workbook + an ADMIN EXPRESS layer: boundaries and population from IGN."""
    from cls_analysis.geo.geography import Geography

    embedded = Geography.embedded()
    codes = Territory.from_epci("200041499").commune_codes
    geoms = embedded.geometry(codes, crs="EPSG:2154")
    frame = gpd.GeoDataFrame(
        {
            "INSEE_COM": codes,
            "NOM": codes,
            "INSEE_DEP": "17",
            "INSEE_REG": "75",
            "SIREN_EPCI": "200041499",
            "POPULATION": range(100, 100 + len(codes)),
        },
        geometry=geoms.to_numpy(),
        crs="EPSG:2154",
    )
    frame.to_file(tmp_path / "COMMUNE.shp")
    geography = Geography.from_insee(
        shared_dir / "data/insee_cog_epci/EPCI_au_01-01-2024.xlsx", boundaries=tmp_path / "COMMUNE.shp"
    )
    territory = Territory.from_epci("200041499", geography=geography)
    assert territory.communes["population"].tolist() == list(range(100, 120))
    assert territory.communes.crs.to_epsg() == 2154
    assert territory.boundary.iloc[0].area == pytest.approx(geoms.area.sum(), rel=1e-6)
