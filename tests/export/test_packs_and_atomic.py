"""Figure and data packs; every writer is atomic (a failure leaves the previous file intact)."""

from __future__ import annotations

import pathlib

import pandas as pd
import pytest

from cls_analysis.export import annexes
from cls_analysis.export.annexes import ANNEX_FILES, write_annexes
from cls_analysis.export.packs import public_results, write_data_pack, write_figure_pack
from cls_analysis.export.report import ExportError


def _read_csv_fr(path):
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    return pd.read_csv(path, sep=";", decimal=",", encoding="utf-8-sig", dtype={"Code": str})


def test_figure_pack(tmp_path, report):
    written = write_figure_pack(report, tmp_path / "figures")
    names = sorted(p.name for p in written)
    assert len(names) == 6  # 2 × (PNG + SVG) + 1 PNG + index
    assert names[0].startswith("01_population_part-des-75-ans")
    index = _read_csv_fr(tmp_path / "figures" / "figures.csv")
    assert list(index["Numéro"]) == [1, 2, 3]
    assert index.loc[2, "Fichier SVG"] != index.loc[2, "Fichier SVG"]  # NaN: no SVG for figure 3
    assert index.loc[1, "Source"] == "Inserm-CépiDc ; Insee, RP – 2019-2023"
    assert all((tmp_path / "figures" / f).is_file() for f in index["Fichier PNG"])


def test_data_pack_hides_secret_counts(tmp_path, results):
    write_data_pack(results, tmp_path / "donnees")
    table = _read_csv_fr(tmp_path / "donnees" / "resultats_indicateurs.csv")
    assert len(table) == len(results)
    marans = table[(table["Indicateur"] == "mort_prematuree_icm") & (table["Code"] == "17200")].iloc[0]
    assert pd.isna(marans["Numérateur"]) and pd.isna(marans["Valeur"])
    assert marans["Statut"] == "secret statistique (effectif < 10)"
    assert set(table["Code"]) >= {"17008", "200041499", "FRM"}
    assert table["Valeur"].dtype == float
    catalogue = _read_csv_fr(tmp_path / "donnees" / "catalogue_indicateurs.csv")
    assert len(catalogue) == 5 and "Polarité" in catalogue.columns


def test_public_results_french_words(results):
    table = public_results(results)
    assert set(table["Niveau"]) == {"Territoire", "Commune", "Département", "Région", "France"}
    assert "moins favorable" in set(table["Appréciation"])
    assert (table.loc[results["status"].to_numpy() == "suppressed", "Numérateur"].isna()).all()


def test_write_annexes_writes_everything(tmp_path, report, results):
    written = write_annexes(report, results, tmp_path / "out", formats=["excel", "pptx", "donnees"])
    assert sorted(written) == ["donnees", "excel", "pptx"]
    assert (tmp_path / "out" / ANNEX_FILES["excel"]).is_file()
    assert not (tmp_path / "out" / ANNEX_FILES["pdf"]).exists()
    with pytest.raises(ExportError, match="odt"):
        write_annexes(report, results, tmp_path / "out", formats=["odt"])


# --- atomicity ------------------------------------------------------------------------------


def _failing_save(partial: bytes = b"PK\x03\x04 half-written"):
    def save(*args, **kwargs):
        target = next((a for a in (*args, *kwargs.values()) if isinstance(a, str | pathlib.Path)), None)
        if target is not None:
            pathlib.Path(target).write_bytes(partial)
        raise RuntimeError("disque plein (simulé)")
    return save


WRITERS = {
    "excel": ("openpyxl.workbook.workbook.Workbook.save", "excel"),
    "docx": ("docx.document.Document.save", "docx"),
    "pptx": ("pptx.presentation.Presentation.save", "pptx"),
    "pdf": ("weasyprint.HTML.write_pdf", "pdf"),
    "html": ("pathlib.Path.write_text", "html"),
}


@pytest.mark.parametrize("name", sorted(WRITERS))
def test_failed_write_leaves_previous_file(name, tmp_path, monkeypatch, report, results):
    target_attr, fmt = WRITERS[name]
    out = tmp_path / "out"
    write_annexes(report, results, out, formats=[fmt])
    path = out / ANNEX_FILES[fmt]
    before = path.read_bytes()
    assert len(before) > 1000
    monkeypatch.setattr(target_attr, _failing_save())
    with pytest.raises(RuntimeError, match="simulé"):
        annexes.write_annexes(report, results, out, formats=[fmt])
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert sorted(p.name for p in out.iterdir()) == [path.name]  # no temporary file left behind
