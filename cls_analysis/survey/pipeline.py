"""The inhabitants' survey of a territory, ready for the report: read, cleaned, weighted.

:func:`survey_for_territory` finds the survey export in the data folder (or writes the
fictitious demo survey), reads it with its codebook, keeps the respondents living in the
territory, and rakes the weights to the census margins of the territory (sex, age band and
commune, small communes grouped). The result stays in the build's work folder: respondent-level
data never reach ``reports/``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from cls_analysis.errors import ClsAnalysisError
from cls_analysis.indicators.select import finest_partition

__all__ = ["SURVEY_AGE_BANDS", "SurveyPackage", "find_survey_files", "survey_for_territory"]

#: Age bands of the survey's raking margins (adults from 15 years).
SURVEY_AGE_BANDS = ("15-29", "30-44", "45-59", "60-74", "75+")
_MIN_COMMUNE_RESPONDENTS = 20


@dataclass
class SurveyPackage:
    """A weighted survey and what the report says about it."""

    design: object
    cleaning: pd.DataFrame
    source: str
    margins_source: str
    n_received: int
    demo: bool = False


def find_survey_files(folder: str | Path) -> tuple[Path, Path | None] | None:
    """The survey export (``enquete*.csv|xlsx|sav``) and its codebook (``codebook*``, ``dictionnaire*``)."""
    folder = Path(folder)
    exports = sorted(
        p for p in folder.glob("*")
        if p.suffix.lower() in {".csv", ".xlsx", ".sav", ".tsv"} and p.name.lower().startswith(("enquete", "enquête", "survey", "results-survey"))
    )
    if not exports:
        return None
    codebooks = sorted(p for p in folder.glob("*") if p.name.lower().startswith(("codebook", "dictionnaire")))
    return exports[0], (codebooks[0] if codebooks else None)


def _margins(territory, observations: pd.DataFrame, data: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    """Census margins (sex, age band, commune group) of the territory, and the data with the group."""
    from cls_analysis.survey import margins_from_observations

    codes = territory.commune_codes
    counts = data["commune_code"].value_counts()
    large = [c for c in codes if counts.get(c, 0) >= _MIN_COMMUNE_RESPONDENTS]
    groups = {c: (c if c in large else "autres") for c in codes}
    data = data.assign(commune_groupe=data["commune_code"].map(groups))
    population = observations.loc[
        (observations["measure"] == "population") & (observations["zone_type"] == "commune")
        & observations["zone_code"].isin(codes) & observations["sex"].isin(["M", "F"])
    ]
    if population.empty:
        raise ClsAnalysisError(
            "pas de population par sexe et âge des communes du territoire (recensement) : "
            "les marges du calage ne peuvent pas être construites."
        )
    period = max(population["period"].unique())
    population = population.loc[population["period"] == period].copy()
    # census files give several age breakdowns (broad and five-year bands): keep the finest one
    labels = [str(a) for a in population["age"].unique() if str(a) not in ("all", "0", "1-4")]
    bands = finest_partition(labels, "0+")  # five-year bands (the life table's 0 and 1-4 left aside)
    if bands is None:
        raise ClsAnalysisError("les tranches d'âge du recensement ne couvrent pas tous les âges sans chevauchement.")
    population = population.loc[population["age"].astype(str).isin(bands)]
    population["zone_code"] = population["zone_code"].map(groups)
    margins = margins_from_observations(
        population, zone_code=sorted(set(groups.values())), by=("sex", "age", "commune"), age_bands=SURVEY_AGE_BANDS,
        period=period, names={"sex": "sexe", "age": "age_band", "commune": "commune_groupe"},
        sex_labels={"F": "Femme", "M": "Homme"},
    )
    fictitious = "source" in population and population["source"].astype(str).str.contains("fictives").any()
    label = f"Insee, recensement {period}" + (" (données fictives)" if fictitious else "")
    return margins, data, label


def survey_for_territory(territory, *, observations: pd.DataFrame, data_dir: str | Path | None = None,
                         demo: bool = False) -> SurveyPackage | None:
    """Read and weight the territory's survey; None when there is none.

    Parameters
    ----------
    territory : Territory
    observations : DataFrame
        Observations with the population of the communes by sex and age band (census).
    data_dir : path, optional
        Where to look for the export (``enquete*``) and its codebook.
    demo : bool
        Use the fictitious demo survey (800 respondents).
    """
    from cls_analysis import survey

    communes = pd.DataFrame({
        "code": territory.communes["code"].astype(str).to_numpy(),
        "name": territory.communes["name"].astype(str).to_numpy(),
        "population": territory.communes["population"].fillna(0).to_numpy(),
    })
    if demo:
        responses = survey.demo_responses(communes, n=800)
        source = "Enquête habitants fictive (démonstration), 2026"
    else:
        folder = Path(data_dir) if data_dir else territory.data_dir
        found = find_survey_files(folder) if folder and Path(folder).is_dir() else None
        if found is None:
            return None
        export, codebook = found
        responses = survey.read_responses(export, codebook, communes=communes[["code", "name"]],
                                          age_bands=SURVEY_AGE_BANDS)
        source = f"Enquête habitants ({export.name})"
    data = responses.data
    received = len(data)
    for column in ("sexe", "age_band", "commune_code"):
        if column not in data:
            raise ClsAnalysisError(
                f"l'enquête n'a pas de variable « {column} » : le codebook doit déclarer le sexe "
                "(variable sexe), l'âge (type age) et la commune (type commune) pour le calage."
            )
    keep = data["commune_code"].isin(territory.commune_codes) & data["sexe"].notna() & data["age_band"].notna()
    data = data.loc[keep].reset_index(drop=True)
    margins, data, margins_source = _margins(territory, observations, data)
    design = survey.Design(data, codebook=responses.codebook).rake(margins, source=margins_source)
    cleaning = responses.report.copy()
    dropped = received - len(data)
    if dropped:
        cleaning = pd.concat([cleaning, pd.DataFrame([{
            "step": "champ", "variable": "commune", "count": dropped,
            "message": f"{dropped} répondant(s) hors du territoire, de commune non reconnue ou sans sexe/âge : "
                       "exclus du calage et des résultats.",
        }])], ignore_index=True)
    return SurveyPackage(design=design, cleaning=cleaning, source=source, margins_source=margins_source,
                         n_received=received, demo=demo)
