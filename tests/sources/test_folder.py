"""read_folder and ``cls-analysis verifier``: recognition, bad files, duplicates, report."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import sys

import pandas as pd
import pytest

from cls_analysis.cli import main
from cls_analysis.sources import folder as folder_module
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


# ---------------------------------------------------------------------------- parallel reading
_FORK = sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()
needs_fork = pytest.mark.skipif(not _FORK, reason="parallel reading uses fork (Linux)")


def _outcome(obs):
    """The table without attrs, and what the report says of each file."""
    report = obs.attrs["report"]
    files = [(f.path.name, f.kind, f.read, f.error, f.report) for f in report.files]
    plain = obs.copy()
    plain.attrs = {}
    return plain, files, format_report(report), report.duplicates, report.duplicate_problems


def _assert_same_table(got: pd.DataFrame, expected: pd.DataFrame) -> None:
    """Same columns, dtypes, categories, codes and values (assert_frame_equal is slow on categoricals)."""
    assert list(got.columns) == list(expected.columns)
    for column in expected.columns:
        a, b = got[column], expected[column]
        assert repr(a.dtype) == repr(b.dtype), column
        if isinstance(b.dtype, pd.CategoricalDtype):
            assert a.cat.categories.equals(b.cat.categories), column
            assert a.cat.categories.dtype == b.cat.categories.dtype, column
            assert (a.cat.codes.to_numpy() == b.cat.codes.to_numpy()).all(), column
        else:
            pd.testing.assert_series_equal(a, b)


def _tidy_rows(count: int) -> str:
    lines = ["niveau;code;periode;mesure;sexe;age;valeur"]
    for i in range(count):
        lines.append(f"commune;17{i % 400 + 1:03d};{2000 + i // 400};caf_rsa;all;all;{i % 97}")
    return "\n".join(lines) + "\n"


@needs_fork
def test_parallel_read_gives_the_same_table_and_report(tmp_path, shared_dir):
    _mixed_folder(tmp_path, shared_dir)
    write(tmp_path / "caf_2023.csv", _tidy_rows(4000))
    sequential = _outcome(read_folder(tmp_path, workers=1))
    parallel_obs = read_folder(tmp_path, workers=2)
    assert parallel_obs.attrs["report"].workers == 2
    parallel = _outcome(parallel_obs)
    _assert_same_table(parallel[0], sequential[0])
    assert parallel[1:] == sequential[1:]
    # errors in some files are reported while the others are read
    errors = {name: error for name, _, _, error, _ in parallel[1] if error}
    assert "« deux mille »" in errors["casse.csv"]
    assert "archive zip illisible ou tronquée" in errors["base-cc-logement-2021_csv.zip"]
    assert {name for name, _, read, _, _ in parallel[1] if read} >= {"caf_2023.csv", "base_cc_comparateur.csv"}


@needs_fork
def test_parallel_read_uses_worker_processes(tmp_path, monkeypatch):
    write(tmp_path / "base-cc-evol-struct-pop-2021.CSV", "CODGEO;P21_POP\n17008;2300\n")
    write(tmp_path / "caf_2023.csv", _tidy_rows(50))
    pids = tmp_path / "pids.txt"
    read_one = folder_module._read_one

    def recorded(file, kind, source_note):
        with open(pids, "a") as out:
            out.write(f"{os.getpid()}\n")
        return read_one(file, kind, source_note)

    monkeypatch.setattr(folder_module, "_read_one", recorded)
    obs = read_folder(tmp_path, workers=2)
    assert all(f.read for f in obs.attrs["report"].files if f.path.suffix == ".csv")
    seen = {int(p) for p in pids.read_text().split()}
    assert len(seen) >= 1 and os.getpid() not in seen
    pids.unlink()
    read_folder(tmp_path, workers=1)
    assert {int(p) for p in pids.read_text().split()} == {os.getpid()}


@needs_fork
def test_files_of_a_dead_worker_are_read_by_the_caller(tmp_path, monkeypatch):
    write(tmp_path / "base-cc-evol-struct-pop-2021.CSV", "CODGEO;P21_POP\n17008;2300\n")
    write(tmp_path / "caf_2023.csv", _tidy_rows(50))
    write(tmp_path / "casse.csv", "CODGEO;P21_POP\n17008;deux mille\n")
    expected = _outcome(read_folder(tmp_path, workers=1))
    parent, read_one = os.getpid(), folder_module._read_one

    def dying(file, kind, source_note):
        if os.getpid() != parent and file.name == "caf_2023.csv":
            os._exit(1)  # a worker killed (out of memory…) in the middle of a file
        return read_one(file, kind, source_note)

    monkeypatch.setattr(folder_module, "_read_one", dying)
    got = _outcome(read_folder(tmp_path, workers=2))
    _assert_same_table(got[0], expected[0])
    assert got[1:] == expected[1:]


@needs_fork
def test_parallel_read_after_pyarrow_threads_in_the_parent(tmp_path):
    """pyarrow's thread pools are running in the parent when it forks: no deadlock."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    big = _tidy_rows(250_000)  # over 5 MB: parsed by pyarrow, with threads, in the workers
    write(tmp_path / "caf_2023.csv", big)
    write(tmp_path / "base-cc-evol-struct-pop-2021.CSV", "CODGEO;P21_POP\n17008;2300\n")
    pacsv.read_csv(pa.BufferReader(big.encode()), parse_options=pacsv.ParseOptions(delimiter=";"))
    expected = _outcome(read_folder(tmp_path, workers=1))
    for _ in range(3):
        got = _outcome(read_folder(tmp_path, workers=2))
        _assert_same_table(got[0], expected[0])
        assert got[1:] == expected[1:]


def test_small_folders_are_read_in_one_process(tmp_path):
    write(tmp_path / "base-cc-evol-struct-pop-2021.CSV", "CODGEO;P21_POP\n17008;2300\n")
    write(tmp_path / "caf_2023.csv", _tidy_rows(50))
    jobs = [(i, p, recognise(p)[0]) for i, p in enumerate(sorted(tmp_path.iterdir()))]
    assert folder_module._worker_count(jobs, None) == 1
    assert folder_module._worker_count(jobs, 1) == 1
    assert folder_module._worker_count(jobs[:1], 4) == 1
    assert folder_module._worker_count(jobs, 8) == (2 if _FORK else 1)


def test_default_workers_leave_busy_processors_alone(monkeypatch, tmp_path):
    """Processors busy now with other tasks are left alone; the load average of the last
    minute, which counts this process's own earlier work, is not what decides (Linux)."""
    from cls_analysis import _parallel

    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2, 3}, raising=False)
    monkeypatch.setattr(os, "getloadavg", lambda: (9.0, 9.0, 9.0))  # this process, busy a minute ago
    loadavg = tmp_path / "loadavg"
    monkeypatch.setattr(_parallel, "_LOADAVG", str(loadavg))
    for running, free in [(1, 4), (3, 2), (9, 1)]:  # this process only; two others; eight others
        loadavg.write_text(f"9.00 5.00 2.00 {running}/310 4242\n")
        assert folder_module._free_processors() == free, running
    # no /proc/loadavg (not Linux): the load average of the last minute, less this process
    monkeypatch.setattr(_parallel, "_LOADAVG", str(tmp_path / "absent"))
    monkeypatch.setattr(os, "getloadavg", lambda: (1.0, 1.0, 1.0))
    assert folder_module._free_processors() == 4
    monkeypatch.setattr(os, "getloadavg", lambda: (3.0, 3.0, 3.0))
    assert folder_module._free_processors() == 2


@needs_fork
def test_no_process_can_start_files_read_here(tmp_path, monkeypatch):
    import concurrent.futures

    write(tmp_path / "base-cc-evol-struct-pop-2021.CSV", "CODGEO;P21_POP\n17008;2300\n")
    write(tmp_path / "casse.csv", "CODGEO;P21_POP\n17008;deux mille\n")
    expected = _outcome(read_folder(tmp_path, workers=1))

    def refused(*args, **kwargs):
        raise OSError("trop de processus")

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", refused)
    obs = read_folder(tmp_path, workers=2)
    assert obs.attrs["report"].workers == 1
    got = _outcome(obs)
    _assert_same_table(got[0], expected[0])
    assert got[1:] == expected[1:]
