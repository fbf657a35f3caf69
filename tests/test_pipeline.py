"""The build, end to end: notebooks executed on a small territory, annexes read back.

One real build (CC Océan-Marais de Monts, 5 communes, fictitious demo data, with the demo
survey) is shared by the tests; the HTML report is opened in headless Chromium.
"""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from cls_analysis import pipeline
from cls_analysis.errors import ClsAnalysisError
from cls_analysis.report_builder import compare_editions
from cls_analysis.territory import Territory

SMALL_EPCI = "248500258"  # CC Océan-Marais de Monts (85), 5 communes
NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """One build, given a relative output folder as a user would type it (reports/…)."""
    import os

    root = tmp_path_factory.mktemp("reports")
    here = Path.cwd()
    os.chdir(root)
    try:
        result = pipeline.build(Territory.from_epci(SMALL_EPCI), Path("reports") / "ocean_marais", demo=True)
    finally:
        os.chdir(here)
    assert result.output_dir == root / "reports" / "ocean_marais"
    return result


def test_every_output_is_written(built):
    out = built.output_dir
    assert not [m for m in built.missing if m.startswith("Chapitre")], built.missing
    for name in ("annexe_diagnostic.xlsx", "diagnostic.html", "diagnostic.pdf", "diagnostic.docx", "copil.pptx"):
        assert (out / name).stat().st_size > 10_000, name
    assert (out / "donnees" / "resultats.csv").is_file()
    notebooks = sorted(p.stem for p in (out / "notebooks").glob("*.ipynb"))
    assert notebooks == sorted(pipeline.NOTEBOOKS)
    figures = {p.name for p in (out / "figures").iterdir()}
    for stem in ("carte_communes", "pyramide_ages", "carte_mortalite_prematuree", "carte_apl_mg",
                 "carte_medecins_generalistes", "barres_taux_pauvrete", "spine_acces_aux_soins"):
        assert {f"{stem}.png", f"{stem}.svg"} <= figures, stem
    # the work folder (results, survey respondents) never reaches the outputs
    assert not (out / ".travail").exists()
    assert not list(out.rglob("*.pkl"))
    assert not list(out.parent.glob(".*build-*"))


def test_notebooks_ran_without_error(built):
    for path in (built.output_dir / "notebooks").glob("*.ipynb"):
        notebook = json.loads(path.read_text(encoding="utf-8"))
        errors = [o for c in notebook["cells"] for o in c.get("outputs", []) if o.get("output_type") == "error"]
        assert not errors, (path.name, errors[:1])
        tags = [t for c in notebook["cells"] for t in c.get("metadata", {}).get("tags", [])]
        assert "injected-parameters" in tags  # papermill's parameter injection


def test_results_csv_for_french_excel(built):
    table = pd.read_csv(built.output_dir / "donnees" / "resultats.csv", sep=";", decimal=",",
                        encoding="utf-8-sig", dtype={"zone_code": str})
    territory = table.loc[table["zone_type"] == "territory"]
    assert set(territory["zone_code"]) == {SMALL_EPCI}
    assert len(set(table.loc[table["zone_type"] == "commune", "zone_code"])) == 5
    assert territory["indicator"].nunique() >= 50
    assert set(table["status"]) <= {"ok", "suppressed", "missing", "zero"}


def test_excel_annex(built):
    book = openpyxl.load_workbook(built.output_dir / "annexe_diagnostic.xlsx")
    assert "Synthèse" in book.sheetnames and "Notes" in book.sheetnames
    assert all(len(name) <= 31 for name in book.sheetnames)
    summary = book["Synthèse"]
    numbers = [c.value for row in summary.iter_rows() for c in row if isinstance(c.value, float)]
    assert len(numbers) > 50


def test_pdf_pages_and_text(built):
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(built.output_dir / "diagnostic.pdf"))
    assert len(pdf) >= 15
    first = pdf[0].get_textpage().get_text_range()
    assert "Diagnostic local de santé" in first and "Océan" in first
    assert "Données fictives de démonstration" in first
    image = pdf[2].render(scale=0.5).to_pil()
    low, high = image.convert("L").getextrema()
    assert image.size[0] > 200 and high - low > 100  # not a blank page


def test_html_report_in_chromium(built, chromium, tmp_path):
    html = built.output_dir / "diagnostic.html"
    page = chromium.open(html.as_uri())
    state = page.evaluate(
        "JSON.stringify(Array.from(document.images).map(i => [i.complete, i.naturalWidth]))"
    )
    images = json.loads(state)
    assert len(images) >= 20
    assert all(done and width > 100 for done, width in images)
    chapters = json.loads(page.evaluate("JSON.stringify(Array.from(document.querySelectorAll('h1, h2')).map(h => h.textContent))"))
    assert any("État de santé" in c for c in chapters) and any("habitants" in c for c in chapters)
    assert all(url.startswith(("file:", "data:")) for url in page.requests())
    assert page.screenshot(tmp_path / "rapport.png").stat().st_size > 10_000


def test_survey_is_weighted_and_respondents_stay_out(built):
    html = (built.output_dir / "diagnostic.html").read_text(encoding="utf-8")
    assert "Pondération de l" in html and "Rao-Scott" in html and "calage" in html
    # respondent-level data and free texts never reach the outputs
    for path in built.output_dir.rglob("*"):
        if path.suffix in {".csv", ".html", ".ipynb"}:
            text = path.read_text(encoding="utf-8-sig", errors="ignore")
            assert "respondent_id" not in text and "submitted_at" not in text, path.name
    with zipfile.ZipFile(built.output_dir / "diagnostic.docx") as docx:
        assert "respondent_id" not in docx.read("word/document.xml").decode("utf-8")


def test_interrupted_build_keeps_previous_outputs(built, monkeypatch):
    before = {p.name: p.stat().st_mtime for p in built.output_dir.iterdir()}

    def broken(*args, **kwargs):
        raise RuntimeError("coupure simulée")

    monkeypatch.setattr(pipeline, "_run_notebooks", broken)
    with pytest.raises(RuntimeError, match="coupure simulée"):
        pipeline.build(built.territory, built.output_dir, demo=True)
    after = {p.name: p.stat().st_mtime for p in built.output_dir.iterdir()}
    assert after == before
    assert not list(built.output_dir.parent.glob(f".{built.output_dir.name}.build-*"))


def test_compare_editions(built, tmp_path):
    results = pd.read_csv(built.output_dir / "donnees" / "resultats.csv", sep=";", decimal=",",
                          encoding="utf-8-sig", dtype={"zone_code": str, "period": str})
    previous = tmp_path / "2019"
    (previous / "donnees").mkdir(parents=True)
    older = results.copy()
    older.loc[older["indicator"] == "part_75p", "value"] -= 1.5
    older.to_csv(previous / "donnees" / "resultats.csv", sep=";", decimal=",", index=False, encoding="utf-8-sig")
    table = compare_editions(results, previous)
    row = table.loc[table["Indicateur"] == "Part des 75 ans et plus"].iloc[0]
    assert row["Évolution"] == pytest.approx(1.5)
    with pytest.raises(ClsAnalysisError, match="Édition précédente introuvable"):
        compare_editions(results, tmp_path / "absent")


def test_missing_data_files_are_named_in_the_report(tmp_path):
    """Real-data mode with only the census of population: the build completes and says what is missing."""
    from cls_analysis import demo

    source = demo.write_demo_data()
    data = tmp_path / "raw"
    data.mkdir()
    for path in source:
        if path.name.startswith("base-cc-evol-struct-pop"):
            (data / path.name).write_bytes(path.read_bytes())
    territory = Territory.from_epci(SMALL_EPCI, data_dir=data)
    result = pipeline.build(territory, tmp_path / "out")
    assert any("Taux de pauvreté" in line for line in result.missing)
    assert any(line.startswith("Enquête habitants") for line in result.missing)
    html = (result.output_dir / "diagnostic.html").read_text(encoding="utf-8")
    assert "Aucune enquête auprès des habitants" in html
    assert "non disponible" in html.lower()


def test_unknown_data_folder():
    territory = Territory.from_epci(SMALL_EPCI, data_dir="/nonexistent/raw")
    with pytest.raises(ClsAnalysisError, match="Dossier de données introuvable"):
        pipeline.prepare(territory, "/tmp/unused", data_dir=None)


def test_batch_orchestration(tmp_path, monkeypatch):
    """Skips what is built, rebuilds with force, reports failures without stopping."""
    calls = []

    def fake_build(territory, output_dir, **kwargs):
        calls.append(territory.code)
        if territory.code == "200071629":
            raise ClsAnalysisError("données illisibles")
        Path(output_dir).mkdir(parents=True, exist_ok=True)
        (Path(output_dir) / "annexe_diagnostic.xlsx").write_bytes(b"x")
        return pipeline.BuildResult(territory=territory, output_dir=Path(output_dir))

    monkeypatch.setattr(pipeline, "build", fake_build)
    sirens = ["200041499", "200071629", SMALL_EPCI]
    summary = pipeline.batch(sirens, tmp_path, demo=True, workers=1, progress=False, processes=False)
    assert dict(zip(summary["siren"], summary["statut"], strict=True)) == {
        "200041499": "réussi", "200071629": "échec", SMALL_EPCI: "réussi"}
    assert "données illisibles" in summary.set_index("siren").loc["200071629", "message"]
    again = pipeline.batch(sirens, tmp_path, demo=True, workers=1, progress=False, processes=False)
    assert (again.set_index("siren").loc[["200041499", SMALL_EPCI], "statut"] == "déjà construit").all()
    assert calls.count("200041499") == 1
    pipeline.batch(sirens, tmp_path, demo=True, force=True, workers=1, progress=False, processes=False)
    assert calls.count("200041499") == 2
    table = pd.read_csv(tmp_path / "synthese_batch.csv", sep=";", encoding="utf-8-sig", dtype=str)
    assert len(table) == 3


def test_notebooks_are_committed_without_outputs():
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        notebook = json.loads(path.read_text(encoding="utf-8"))
        for cell in notebook["cells"]:
            if cell["cell_type"] == "code":
                assert cell.get("outputs", []) == [] and cell.get("execution_count") is None, path.name
        params = [c for c in notebook["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
        assert len(params) == 1, path.name
        code = "".join(c for cell in notebook["cells"] if cell["cell_type"] == "code" for c in cell["source"])
        assert not re.search(r"^\s*def |^\s*class ", code, flags=re.M), f"{path.name} : pas de logique dans les notebooks"
    assert sorted(p.stem for p in NOTEBOOKS.glob("*.ipynb")) == sorted(pipeline.NOTEBOOKS)
