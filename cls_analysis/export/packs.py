"""The figure pack (``figures/``) and the data pack (``donnees/``) handed to partners.

- ``figures/`` : every figure of the report in PNG and SVG, numbered in report order
  (``01_population_part-des-75-ans….png``), with ``figures.csv`` listing file, chapter,
  caption, source and alternative text.
- ``donnees/`` : the results as CSV for French Excel (``;``, decimal comma, UTF-8 with BOM),
  French headers and words, and the catalogue of the indicators used. The count of a result
  under statistical secrecy is never written.
"""

from __future__ import annotations

import math
import re
import shutil
import unicodedata
from pathlib import Path

import pandas as pd

from cls_analysis._atomic import atomic_path
from cls_analysis.export._common import (
    ASSESSMENT_LABELS,
    COMPARISON_LABELS,
    POLARITY_LABELS,
    STATISTIC_LABELS,
    ZONE_LABELS,
    status_text,
)
from cls_analysis.export.csv import write_csv_fr
from cls_analysis.export.excel import REQUIRED_COLUMNS, check_results
from cls_analysis.export.report import ExportError, Report
from cls_analysis.indicators.catalogue import AXES, THEMES, load_catalogue

__all__ = ["public_results", "slugify", "write_data_pack", "write_figure_pack"]


def slugify(text: str, max_length: int = 48) -> str:
    """A file-name-safe slug: ``Part des 75 ans (%)`` → ``part-des-75-ans``.

    >>> slugify("Mortalité prématurée, 2019-2023 : ICM")
    'mortalite-prematuree-2019-2023-icm'
    """
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")
    return slug[:max_length].rstrip("-") or "figure"


def write_figure_pack(report: Report, directory: str | Path) -> list[Path]:
    """Copy every figure (PNG and SVG) into ``directory`` with numbered names and an index.

    Returns the files written (figures, then ``figures.csv``).
    """
    report.check_files()
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    written, index = [], []
    for number, (chapter, figure) in enumerate(report.figures(), start=1):
        stem = f"{number:02d}_{slugify(chapter.key, 20)}_{slugify(figure.caption)}"
        files = {}
        for kind, source in (("png", figure.path_png), ("svg", figure.path_svg)):
            if source is None:
                files[kind] = ""
                continue
            target = out / f"{stem}.{kind}"
            with atomic_path(target) as tmp:
                shutil.copyfile(source, tmp)
            written.append(target)
            files[kind] = target.name
        index.append({
            "Numéro": number, "Fichier PNG": files["png"], "Fichier SVG": files["svg"],
            "Chapitre": chapter.title, "Légende": figure.caption, "Source": figure.source,
            "Texte alternatif": figure.alt,
        })
    columns = ["Numéro", "Fichier PNG", "Fichier SVG", "Chapitre", "Légende", "Source",
               "Texte alternatif"]
    written.append(write_csv_fr(pd.DataFrame(index, columns=columns), out / "figures.csv"))
    return written


def public_results(results: pd.DataFrame, catalogue: pd.DataFrame | None = None) -> pd.DataFrame:
    """The results with French headers and words, ready to hand out.

    Under statistical secrecy (``suppressed``) the numerator, value and interval are blanked
    and the status says why; the other statuses are written in words.
    """
    frame = check_results(results)
    catalogue = load_catalogue() if catalogue is None else catalogue
    meta = catalogue.set_index("id")

    def lookup(indicator: str, key: str, default=""):
        if indicator in meta.index:
            value = meta.at[indicator, key]
            if value is not None and not (isinstance(value, float) and math.isnan(value)):
                return value
        return default

    hidden = frame["status"] == "suppressed"
    for column in ("numerator", "value", "lower_ci", "upper_ci"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
        frame.loc[hidden, column] = math.nan
    out = pd.DataFrame({
        "Indicateur": frame["indicator"],
        "Libellé": frame["indicator"].map(lambda i: lookup(i, "label", i)),
        "Thème": frame["indicator"].map(lambda i: THEMES.get(lookup(i, "theme"), "")),
        "Niveau": frame["zone_type"].map(lambda z: ZONE_LABELS.get(z, z)),
        "Code": frame["zone_code"].astype(str),
        "Zone": frame["zone_name"],
        "Période": frame["period"].astype(str),
        "Sexe": frame["sex"].map({"all": "Ensemble", "M": "Hommes", "F": "Femmes"}).fillna(frame["sex"]),
        "Numérateur": frame["numerator"],
        "Dénominateur": pd.to_numeric(frame["denominator"], errors="coerce"),
        "Valeur": frame["value"],
        "Borne basse IC": frame["lower_ci"],
        "Borne haute IC": frame["upper_ci"],
        "Niveau de confiance": pd.to_numeric(frame["confidence"], errors="coerce"),
        "Unité": [u if isinstance(u, str) and u else lookup(i, "unit")
                  for u, i in zip(frame["unit"], frame["indicator"], strict=True)],
        "Référence": frame["comparator"].fillna(""),
        "Comparaison": frame["comparison"].map(lambda c: COMPARISON_LABELS.get(c, c or "")),
        "Appréciation": frame["assessment"].map(lambda a: ASSESSMENT_LABELS.get(a, a or "")),
        "Statut": [status_text(s, lookup(i, "min_count", 10))
                   for s, i in zip(frame["status"], frame["indicator"], strict=True)],
        "Remarque": frame["note"].fillna(""),
    })
    return out.reset_index(drop=True)


def write_data_pack(results: pd.DataFrame, directory: str | Path, *,
                    catalogue: pd.DataFrame | None = None) -> list[Path]:
    """Write ``resultats_indicateurs.csv`` and ``catalogue_indicateurs.csv`` (French Excel CSV)."""
    if not isinstance(results, pd.DataFrame) or not set(REQUIRED_COLUMNS) <= set(results.columns):
        raise ExportError("write_data_pack : 'results' doit être le tableau des résultats "
                          "(docs/contracts.md).")
    catalogue = load_catalogue() if catalogue is None else catalogue
    out = Path(directory)
    table = public_results(results, catalogue)
    used = catalogue[catalogue["id"].isin(set(results["indicator"].astype(str)))]
    definitions = pd.DataFrame({
        "Indicateur": used["id"],
        "Libellé": used["label"],
        "Thème": used["theme"].map(lambda t: THEMES.get(t, t)),
        "Axe du CLS": used["axis"].map(lambda a: AXES.get(a, a)),
        "Statistique": used["statistic"].map(lambda s: STATISTIC_LABELS.get(s, s)),
        "Unité": used["unit"],
        "Polarité": used["polarity"].map(lambda p: POLARITY_LABELS.get(str(p), p)),
        "Définition": used["definition"],
        "Source": used["source"],
    })
    return [
        write_csv_fr(table, out / "resultats_indicateurs.csv"),
        write_csv_fr(definitions, out / "catalogue_indicateurs.csv"),
    ]
