import pandas as pd
import pytest

from cls_analysis.cli import main


def test_territoires_search_ignores_accents_and_case(capsys):
    assert main(["territoires", "OCEAN marais"]) == 0
    out = capsys.readouterr().out
    assert "248500258" in out and "Océan Marais de Monts" in out
    assert main(["territoires", "aunis"]) == 0
    out = capsys.readouterr().out
    line = next(line for line in out.splitlines() if line.startswith("200041499"))
    assert line.split()[-2:] == ["20", "17"]


def test_territoires_nothing_found(capsys):
    assert main(["territoires", "zzzz introuvable"]) == 1
    assert "Aucun EPCI" in capsys.readouterr().out


def test_build_errors_are_french_messages(capsys):
    assert main(["build", "--epci", "123456789"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Erreur : EPCI inconnu")
    assert main(["build"]) == 2
    assert "Indiquez le territoire" in capsys.readouterr().err


def test_build_demo_writes_outputs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["build", "--demo", "--sortie", str(tmp_path / "demo")]) == 0
    table = pd.read_csv(tmp_path / "demo/donnees/territoire_communes.csv", sep=";", decimal=",",
                        encoding="utf-8-sig", dtype={"Code": str})
    assert table["Niveau"].tolist().count("Commune") == 20
    assert table.loc[table["Niveau"] == "Territoire", "Nom"].item() == "CC Aunis Atlantique"
    assert set(table["Niveau"]) == {"Territoire", "Commune", "Département", "Région", "France"}
    population = table.columns[-1]
    assert "2017" in population
    communes = table.loc[table["Niveau"] == "Commune", population].sum()
    assert table.loc[table["Niveau"] == "Territoire", population].item() == pytest.approx(communes)
    png = tmp_path / "demo/figures/carte_communes.png"
    assert png.stat().st_size > 20_000
    assert (tmp_path / "demo/figures/carte_communes.svg").read_text(encoding="utf-8").count("Andilly") >= 1
    # nothing written outside the output folder (data/raw is never written)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo"]
