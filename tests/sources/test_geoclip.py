"""Géoclip exports (CartoSanté, INSEE Statistiques locales): the five real files and small ones."""

from __future__ import annotations

import pytest

from cls_analysis.errors import FileFormatError
from cls_analysis.sources import read_geoclip
from tests.sources.conftest import write

EXPECTED = {
    # file: (tool, zone types, n rows, measures that must be present)
    "apl_medecins_generalistes_2023.csv": ("CartoSanté", {"bassin_vie", "canton_ville"}, 2931, {"apl_gp"}),
    "health.csv": ("CartoSanté", {"bassin_vie"}, 1709 * 8, {"apl_gp", "gp_density", "ald_share"}),
    "social_determinants.csv": ("Insee - Statistiques locales", {"bassin_vie"}, 1707 * 16, {"deaths", "poverty_rate", "median_income"}),
    "taux_pauvrete_2021.csv": ("Insee - Statistiques locales", {"bassin_vie"}, 1707, {"poverty_rate"}),
    "health_anova_regression.csv": ("Insee - Statistiques locales", {"departement"}, 101 * 22, {"gp_count", "poverty_rate", "nurse_count"}),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_real_exports(shared_dir, name):
    tool, zone_types, n_rows, measures = EXPECTED[name]
    obs = read_geoclip(shared_dir / "data" / "cartosante_insee_statlocales_exports" / name)
    report = obs.attrs["report"]
    assert report.kind == f"Export Géoclip — {tool}"
    assert set(obs["zone_type"]) == zone_types
    assert len(obs) == n_rows
    assert measures <= set(obs["measure"])
    assert not report.problems


def test_real_markers_and_values(shared_dir):
    folder = shared_dir / "data" / "cartosante_insee_statlocales_exports"
    apl = read_geoclip(folder / "apl_medecins_generalistes_2023.csv").set_index("zone_code")
    assert apl.loc["01004", "value"] == 3 and apl.loc["01004", "period"] == "2023"
    assert apl.loc["0102", "zone_type"] == "canton_ville"
    assert apl.loc["976ZZ", "status"] == "missing"  # N/A - résultat non disponible
    health = read_geoclip(folder / "health.csv")
    ald = health.loc[(health["zone_code"] == "01004") & (health["measure"] == "ald_share")]
    assert ald["status"].tolist() == ["secret"]  # N/A - secret statistique
    deps = read_geoclip(folder / "health_anova_regression.csv")
    ain = deps.loc[(deps["zone_code"] == "01") & (deps["measure"] == "gp_count")]
    assert ain[["period", "value"]].values.tolist() == [["2024", 439.0]]
    assert "976" in set(deps["zone_code"])


def test_commune_level_and_unknown_indicator(tmp_path):
    path = write(
        tmp_path / "export.csv",
        "\ufeffInsee - Statistiques locales; ; \nRéférentiel géographique : France par commune; ; \n"
        "Code;Libellé;Infirmier (en nombre) 2024;Part des jeunes 2021\n1001;L'Abergement;3;12.5\n",
    )
    obs = read_geoclip(path)
    assert obs["zone_code"].unique().tolist() == ["01001"]
    assert set(obs["measure"]) == {"nurse_count", "geoclip_part_des_jeunes"}
    assert obs.attrs["report"].cog == 2025


def test_missing_year_and_wrong_file(tmp_path):
    path = write(tmp_path / "export.csv", "CartoSanté; ; \nRéférentiel géographique : France par département; ; \nCode;Libellé;Taux\n17;Charente-Maritime;3\n")
    with pytest.raises(FileFormatError, match="année absente du libellé"):
        read_geoclip(path)
    other = write(tmp_path / "autre.csv", "a;b\n1;2\n")
    with pytest.raises(FileFormatError, match=r"aucune ligne d'en-tête avec les colonnes Code, Libellé"):
        read_geoclip(other)
