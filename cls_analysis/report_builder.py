"""From executed notebooks to the report and its annexes.

Each executed notebook of the suite is one chapter: its Markdown cells are the commentary and
its tagged outputs (figures, tables, computed sentences, key figures — see
:mod:`cls_analysis.diagnostic`) are the material, in the notebook's order. The chapters, the
methods notes, the sources table and the list of what is missing make a
:class:`cls_analysis.export.report.Report`, written by the export room as HTML, PDF, Word,
PowerPoint and the Excel annex.
"""

from __future__ import annotations

import pickle
from pathlib import Path

import pandas as pd

from cls_analysis.diagnostic import Diagnostic, read_blocks
from cls_analysis.export.csv import write_csv_fr
from cls_analysis.indicators.catalogue import THEMES, load_catalogue

__all__ = ["METHOD_NOTES", "assemble_report", "compare_editions", "write_outputs"]

_CHAPTER_TITLES = {**THEMES, "territoire": "Présentation du territoire", "synthese": "Synthèse : forces et fragilités"}

#: Notes on methods printed in every annex.
METHOD_NOTES = [
    ("Agrégation", "Les effectifs des communes sont additionnés pour chaque zone (territoire, "
     "département, région, France) avant le calcul de l'indicateur ; les taux ne sont jamais "
     "moyennés. Les valeurs publiées seulement pour des zones plus grandes (revenu médian, taux "
     "de pauvreté) sont lues telles quelles, jamais additionnées."),
    ("Intervalles de confiance", "Proportions : méthode du score de Wilson. Taux bruts et "
     "indices comparatifs : loi de Poisson exacte sous 10 événements, approximation de Byar "
     "au-delà. Taux standardisés : méthode de Dobson (population standard européenne 2013). "
     "Espérance de vie : table abrégée de Chiang (méthode II), variance de Silcocks. Méthodes "
     "de PHEindicatormethods (UKHSA), vérifiées sur ses cas de test publiés."),
    ("Comparaisons", "Une zone est dite significativement différente de son comparateur "
     "quand l'intervalle de confiance de la zone ne contient pas la valeur du comparateur "
     "(convention Fingertips), au seuil de 95 % et de 99,8 %. L'appréciation (plus ou moins "
     "favorable) découle du sens de l'indicateur."),
    ("Indices comparatifs de mortalité", "Standardisation indirecte par sexe et âge "
     "quinquennal sur les taux de la France (France = 100) ; décès cumulés sur cinq ans."),
    ("Secret statistique", "Les effectifs inférieurs au seuil (10, ou 11 pour les données issues "
     "du SNDS) ne sont pas diffusés ; une seconde commune est masquée lorsque la commune en "
     "secret pourrait être recalculée à partir du total du territoire."),
]


def _chapter_key(notebook: Path) -> str:
    from cls_analysis.pipeline import NOTEBOOKS

    return NOTEBOOKS.get(notebook.stem, notebook.stem)


def _blocks_to_model(blocks: list[dict], work_dir: Path) -> list:
    from cls_analysis.export.report import Figure, KeyFigure, Table, Text

    model = []
    for block in blocks:
        kind = block.get("kind")
        if kind == "text":
            model.append(Text(block["content"]))
        elif kind == "figure":
            model.append(Figure(path_png=work_dir / block["png"], path_svg=work_dir / block["svg"],
                                caption=block["caption"], source=block["source"], alt=block["alt"]))
        elif kind == "table":
            with (work_dir / block["path"]).open("rb") as handle:
                frame = pickle.load(handle)
            model.append(Table(frame=frame, caption=block["caption"], source=block["source"],
                               number_formats=block.get("number_formats") or {}))
        elif kind == "key_figure":
            model.append(KeyFigure(label=block["label"], value_text=block["value_text"],
                                   comparison_text=block.get("comparison_text", ""),
                                   source=block.get("source", "")))
    return model


def compare_editions(current: pd.DataFrame, previous_dir: str | Path) -> pd.DataFrame:
    """Two editions side by side: the territory's values now and in a previous build.

    ``previous_dir`` is the folder of an earlier build (its ``donnees/resultats.csv``).
    Returns a French table: indicator, period and value of each edition, change.
    """
    from cls_analysis.errors import ClsAnalysisError

    path = Path(previous_dir) / "donnees" / "resultats.csv"
    if not path.is_file():
        raise ClsAnalysisError(
            f"Édition précédente introuvable : {path} absent. Donnez le dossier d'un diagnostic "
            "construit par cls-analysis (reports/<territoire>/…)."
        )
    before = pd.read_csv(path, sep=";", decimal=",", encoding="utf-8-sig", dtype={"zone_code": str, "period": str})
    catalogue = load_catalogue().set_index("id")
    rows = []
    for table, label in ((before, "précédente"), (current, "actuelle")):
        territory = table.loc[table["zone_type"] == "territory"].sort_values("period")
        territory = territory.drop_duplicates("indicator", keep="last")
        rows.append(territory.set_index("indicator")[["period", "value"]].add_suffix(f"_{label}"))
    merged = rows[0].join(rows[1], how="outer")
    merged = merged.loc[merged.index.isin(catalogue.index)]
    out = pd.DataFrame({
        "Indicateur": [catalogue.loc[i, "label"] for i in merged.index],
        "Période (édition précédente)": merged["period_précédente"].to_numpy(),
        "Valeur (édition précédente)": merged["value_précédente"].to_numpy(),
        "Période (édition actuelle)": merged["period_actuelle"].to_numpy(),
        "Valeur (édition actuelle)": merged["value_actuelle"].to_numpy(),
    })
    out["Évolution"] = out["Valeur (édition actuelle)"] - out["Valeur (édition précédente)"]
    return out


def assemble_report(work_dir: str | Path, notebooks: list[Path], *, compare_with: str | Path | None = None,
                    failures: list[str] | None = None):
    """Build the :class:`~cls_analysis.export.report.Report` of a work folder.

    Returns ``(report, missing)`` where ``missing`` lists what could not be made and why.
    """
    from cls_analysis.export.report import Chapter, Note, Report, Table, Text
    from cls_analysis.pipeline import today

    folder = Path(work_dir)
    diagnostic = Diagnostic.open(folder)
    territory = diagnostic.territory
    chapters = []
    for notebook in notebooks:
        key = _chapter_key(notebook)
        blocks = _blocks_to_model(read_blocks(notebook), folder)
        chapters.append(Chapter(key, _CHAPTER_TITLES.get(key, key), blocks))
    if compare_with is not None:
        table = compare_editions(diagnostic.results, compare_with)
        chapters.append(Chapter("suivi", "Suivi : comparaison avec l'édition précédente", [
            Text(f"Comparaison avec le diagnostic de {Path(compare_with)}."),
            Table(frame=table, caption="Indicateurs du territoire dans les deux éditions",
                  source="cls_analysis, résultats des deux éditions"),
        ]))
    unavailable = diagnostic.unavailable()
    missing = [*(failures or []), *diagnostic.missing_sources,
               *[f"{row.label} : {row.reason}" for row in unavailable.itertuples()]]
    catalogue = load_catalogue()
    sources = catalogue[["label", "definition", "source"]].rename(
        columns={"label": "Indicateur", "definition": "Définition", "source": "Source"})
    notes = [Note(title, text) for title, text in METHOD_NOTES]
    notes.append(Note("Géographie", f"Communes du COG {territory.cog_year} ({territory.geography.source}). "
                      f"{territory.population_label}."))
    report = Report(
        title="Diagnostic local de santé",
        territory_name=territory.name,
        subtitle=f"Contrat local de santé — {len(territory.commune_codes)} communes",
        date=today(),
        author="cls_analysis",
        demo=diagnostic.demo,
        chapters=chapters,
        notes=notes,
        sources=sources,
        missing=missing,
    )
    return report, missing


def write_outputs(report, work_dir: str | Path, output_dir: str | Path) -> list[Path]:
    """Write the annexes, the figure pack, the data pack and the executed notebooks.

    Figures and executed notebooks are copied from the work folder ``work_dir`` into
    ``output_dir`` (``figures/``, ``notebooks/``); the results go to ``donnees/`` as CSV for
    French Excel. Nothing else of the work folder is copied.
    """
    import shutil

    from cls_analysis import export

    work, out = Path(work_dir), Path(output_dir)
    diagnostic = Diagnostic.open(work)
    written = [
        export.write_excel_annex(diagnostic.results, out / "annexe_diagnostic.xlsx",
                                 territory_name=report.territory_name, notes=report.notes,
                                 sources=report.sources, demo=report.demo),
        export.write_html(report, out / "diagnostic.html"),
        export.write_pdf(report, out / "diagnostic.pdf"),
        export.write_docx(report, out / "diagnostic.docx"),
        export.write_pptx(report, out / "copil.pptx"),
        write_csv_fr(diagnostic.results, out / "donnees" / "resultats.csv"),
    ]
    for sub, pattern in (("figures", "*.*"), ("notebooks", "*.ipynb")):
        (out / sub).mkdir(parents=True, exist_ok=True)
        for path in sorted((work / sub).glob(pattern)):
            target = out / sub / path.name
            shutil.copy2(path, target)
            written.append(target)
    return written
