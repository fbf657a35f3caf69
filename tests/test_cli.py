
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


def test_build_demo_command(tmp_path, monkeypatch, capsys):
    """The command calls the build and prints what it wrote and what is missing (build mocked:
    the real build is tested in test_pipeline.py)."""
    from cls_analysis import pipeline
    from cls_analysis.territory import Territory

    def fake_build_demo(output, progress=True):
        (output / "figures").mkdir(parents=True)
        (output / "diagnostic.html").write_text("x", encoding="utf-8")
        return pipeline.BuildResult(territory=Territory.from_epci("200041499"), output_dir=output,
                                    files=[output / "diagnostic.html"], missing=["Enquête habitants : absente"])

    monkeypatch.setattr(pipeline, "build_demo", fake_build_demo)
    assert main(["build", "--demo", "--sortie", str(tmp_path / "demo"), "--silencieux"]) == 0
    out = capsys.readouterr().out
    assert "CC Aunis Atlantique" in out and "diagnostic.html" in out and "Enquête habitants : absente" in out
    assert main(["build", "--demo", "--epci", "200041499"]) == 2
    assert "--demo" in capsys.readouterr().err


def test_batch_command_errors(capsys):
    assert main(["batch", "--region", "99", "--demo"]) == 2
    assert "Région inconnue" in capsys.readouterr().err
    assert main(["batch", "--region", "75"]) == 2
    assert "--data" in capsys.readouterr().err
