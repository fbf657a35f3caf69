from pathlib import Path

import pytest

from cls_analysis import Territory
from cls_analysis.errors import ConfigError

TERRITOIRES = Path(__file__).resolve().parents[1] / "territoires"


@pytest.mark.parametrize(
    ("name", "count"),
    [
        ("aunis_atlantique.toml", 20),
        ("grand_lieu.toml", 9),
        ("nord_ouest_vendee.toml", 16),
        ("loue_lison.toml", 71),
        ("royan_atlantique.toml", 33),
    ],
)
def test_reference_configurations(name, count):
    territory = Territory.from_config(TERRITOIRES / name)
    assert len(territory.communes) == count
    assert territory.data_dir == (TERRITOIRES.parent / "data" / "raw").resolve()


def write(tmp_path, text, name="t.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_typo_key_is_named_with_a_suggestion(tmp_path):
    path = write(tmp_path, 'nom = "x"\nepci = ["200041499"]\ncomparateur = ["france"]\n')
    with pytest.raises(ConfigError, match="clé inconnue « comparateur ».*Vouliez-vous dire « comparateurs »"):
        Territory.from_config(path)
    path = write(tmp_path, 'nom = "x"\nepci = ["200041499"]\n[geographie]\nadminexpress = "a.shp"\n')
    with pytest.raises(ConfigError, match="clé inconnue « adminexpress » dans \\[geographie\\]"):
        Territory.from_config(path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('epci = ["200041499"]\n', "« nom »"),
        ('nom = "x"\n', "soit « epci »"),
        ('nom = "x"\nepci = ["200041499"]\ncommunes = ["17008"]\n', "pas les deux"),
        ('nom = "x"\nepci = []\n', "liste non vide"),
        ('nom = "x"\nepci = ["200041499"]\ncog = "2025"\n', "« cog » doit être une année"),
        ('nom = "x"\nepci = ["200041499"]\ncog = 2019\n', "cog = 2019"),
        ('nom = "x\nepci = ["200041499"]\n', "TOML invalide"),
        ('nom = "x"\nepci = ["200041499"]\ncomparateurs = ["canton"]\n', "Niveau de comparaison inconnu"),
    ],
)
def test_invalid_configurations(tmp_path, text, message):
    with pytest.raises(Exception, match=message) as info:
        Territory.from_config(write(tmp_path, text))
    assert info.type.__module__.startswith("cls_analysis")


def test_missing_file():
    with pytest.raises(ConfigError, match="introuvable"):
        Territory.from_config("territoires/absent.toml")


def test_commune_list_and_options(tmp_path):
    path = write(tmp_path, 'nom = "Deux communes"\ncommunes = ["17008", "17009"]\ncomparateurs = ["france"]\nfrance = "entiere"\ncode = "T1"\n')
    territory = Territory.from_config(path)
    assert territory.code == "T1"
    assert territory.comparators["zone_code"].tolist() == ["FR"]


def test_insee_workbook_converted_to_cog_2025(tmp_path, shared_dir):
    workbook = shared_dir / "data/insee_cog_epci/EPCI_au_01-01-2024.xlsx"
    path = write(tmp_path, f'nom = "Loue-Lison"\nepci = ["200068070"]\ncog = 2025\n[geographie]\nepci = "{workbook}"\n')
    territory = Territory.from_config(path)
    assert len(territory.communes) == 71
    assert territory.cog_year == 2025
    path = write(tmp_path, f'nom = "Loue-Lison"\nepci = ["200068070"]\n[geographie]\nepci = "{workbook}"\n', "b.toml")
    assert len(Territory.from_config(path).communes) == 72
