"""read_folder and ``cls-analysis verifier``: recognition, bad files, duplicates, report."""

from __future__ import annotations

import shutil

from cls_analysis.cli import main
from cls_analysis.sources import read_folder, recognise
from cls_analysis.sources.folder import format_report
from tests.sources.conftest import write, zip_files


def test_recognition_by_name_and_content(tmp_path):
    cases = {
        "base-cc-logement-2021_csv.zip": None,
        "export.csv": "\ufeffCartoSanté; ; \nRéférentiel géographique : France par EPCI; ; \nCode;Libellé;X 2023\n",
        "deces.csv": "# cog : 2025\nCODGEO;ANNEE;SEXE;CLASSE_AGE;CAUSE;DECES\n",
        "extraction.csv": "finess;etalab;0;2024-01-01\n",
        "mes_donnees.csv": "niveau;code;periode;mesure;valeur\n",
        "demo.csv": "annee;profession_sante;effectif\n",
        "patho.csv": "annee;patho_niv1;Ntop\n",
        "revenus.csv": "CODGEO;MED21;TP6021\n",
        "pop.csv": "NIVGEO;CODGEO;LIBGEO;SEXE;AGED100;NB\n",
        "recensement.csv": "CODGEO;P21_POP\n",
    }
    expected = {
        "base-cc-logement-2021_csv.zip": "insee_rp", "export.csv": "geoclip", "deces.csv": "deaths",
        "extraction.csv": "finess", "mes_donnees.csv": "tidy", "demo.csv": "ameli_demography",
        "patho.csv": "ameli_pathologies", "revenus.csv": "filosofi", "pop.csv": "population_age",
        "recensement.csv": "insee_rp",
    }
    zip_files(tmp_path / "base-cc-logement-2021_csv.zip", {"base-cc-logement-2021.CSV": "CODGEO;P21_LOG\n"})
    for name, text in cases.items():
        if text is not None:
            write(tmp_path / name, text)
    for name, kind in expected.items():
        assert recognise(tmp_path / name)[0] == kind, name
    assert recognise(write(tmp_path / "README.md", "x"))[0] is None
    assert recognise(write(tmp_path / "meta_base-cc-logement-2021.CSV", "COD_VAR;LIB_VAR\n"))[1].startswith("dictionnaire")


def _mixed_folder(folder, shared_dir=None):
    write(folder / "base-cc-evol-struct-pop-2021.CSV", "CODGEO;P21_POP;P21_POP75P\n17008;2300;190\n17009;1100;100\n")
    write(folder / "base_cc_comparateur.csv", "CODGEO;P21_POP;SUPERF\n17008;2300;22,5\n17009;1000;10\n")
    write(folder / "casse.csv", "CODGEO;P21_POP\n17008;deux mille\n")
    write(folder / "vide.csv", "")
    zip_files(folder / "base-cc-logement-2021_csv.zip", {"base-cc-logement-2021.CSV": "CODGEO;P21_LOG\n" + "17008;1\n" * 3000})
    data = (folder / "base-cc-logement-2021_csv.zip").read_bytes()
    (folder / "base-cc-logement-2021_csv.zip").write_bytes(data[: len(data) // 2])
    write(folder / "notes.csv", "a;b\n1;2\n")
    write(folder / "LISEZMOI.md", "documentation")
    if shared_dir is not None:
        shutil.copy(shared_dir / "data" / "cartosante_insee_statlocales_exports" / "taux_pauvrete_2021.csv", folder)


def test_read_folder_reads_good_files_and_reports_the_others(tmp_path, shared_dir):
    _mixed_folder(tmp_path, shared_dir)
    obs = read_folder(tmp_path)
    report = obs.attrs["report"]
    read = {f.path.name for f in report.files if f.read}
    assert read == {"base-cc-evol-struct-pop-2021.CSV", "base_cc_comparateur.csv", "taux_pauvrete_2021.csv"}
    errors = {f.path.name: f.error for f in report.files if f.error}
    assert "« deux mille »" in errors["casse.csv"]
    assert "vide.csv : fichier vide" in report.problems
    assert "archive zip illisible ou tronquée" in errors["base-cc-logement-2021_csv.zip"]
    # the same population in two files: the base-cc file has priority, the conflict is reported
    pop = obs.loc[(obs["measure"] == "population") & (obs["zone_code"] == "17009") & (obs["age"] == "all")]
    assert pop["value"].tolist() == [1100.0]
    assert any("valeur(s) différente(s)" in p and "gardé base-cc-evol-struct-pop-2021.CSV" in p for p in report.problems)
    assert any("notes.csv : contenu non reconnu" in p for p in report.problems)
    assert not report.ok
    text = format_report(report)
    assert "[ERREUR] casse.csv" in text and "[IGNORÉ] LISEZMOI.md" in text
    assert "Bilan : 3 fichier(s) lu(s), 3 ignoré(s), 2 en erreur" in text


def test_verifier_command(tmp_path, capsys):
    write(tmp_path / "base-cc-evol-struct-pop-2021.CSV", "CODGEO;P21_POP\n17008;2300\n")
    assert main(["verifier", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "[OK] base-cc-evol-struct-pop-2021.CSV" in out
    assert "millésime : RP 2021 ; géographie : COG 2024" in out
    write(tmp_path / "casse.csv", "CODGEO;P21_POP\n17008;-3\n")
    assert main(["verifier", str(tmp_path)]) == 1
    assert "effectif(s) négatif(s)" in capsys.readouterr().out
    assert main(["verifier", str(tmp_path / "absent")]) == 2
