"""The survey chapter of the diagnostic, written from the codebook of any questionnaire.

For each question of the codebook, in order: a diverging bar chart for a battery of ordered
(Likert) items, a bar chart with intervals for a multiple-response question, and the weighted
shares of the single-choice questions in one table; then the questions whose answers differ by
age (Rao-Scott test). Free-text answers are never shown; cells of fewer than the minimum
number of respondents are suppressed by the design.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from cls_analysis.viz.fmt import format_count, format_number

__all__ = ["survey_chapter", "weighted_shares_table"]

_SKIP_TYPES = {"free_text", "commune", "age", "date", "id", "ignore"}


def _question_text(codebook: pd.DataFrame, question: str) -> str:
    rows = codebook.loc[codebook["question"] == question]
    text = rows["text"].dropna()
    return str(text.iloc[0]) if not text.empty else question


def weighted_shares_table(design, variables: list[str]) -> pd.DataFrame:
    """Weighted shares (%) of the answers to single-choice questions, with 95 % intervals."""
    codebook = design.codebook
    rows = []
    for variable in variables:
        est = design.proportions(variable)
        text = _question_text(codebook, codebook.set_index("variable").loc[variable, "question"])
        for r in est.itertuples():
            rows.append({
                "Question": text,
                "Réponse": r.level,
                "Part pondérée (%)": r.estimate * 100 if r.status == "ok" else np.nan,
                "IC 95 % bas": r.lower_ci * 100 if r.status == "ok" else np.nan,
                "IC 95 % haut": r.upper_ci * 100 if r.status == "ok" else np.nan,
                "Répondants": int(r.n),
                "Remarque": "" if r.status == "ok" else "effectif trop faible",
            })
    return pd.DataFrame(rows)


def survey_chapter(diag) -> None:
    """Record the survey chapter into the diagnostic (figures, tables, text)."""
    from cls_analysis.viz import survey_charts

    package = diag.survey
    if package is None:
        diag.text(
            "Aucune enquête auprès des habitants n'a été fournie pour ce territoire : ce chapitre est "
            "vide. Déposez l'export de l'enquête (fichier « enquete… » au format LimeSurvey, Google Forms, "
            "tableur ou SPSS) et son dictionnaire des variables (« codebook… ») dans le dossier des données, "
            "puis relancez la construction."
        )
        return
    design = package.design
    stats = design.diagnostics()
    codebook = design.codebook
    diag.text(
        f"{format_count(package.n_received)} réponses reçues ; {format_count(design.n)} répondants habitant le "
        f"territoire sont retenus. Les résultats sont pondérés par calage sur les marges du recensement "
        f"(sexe, âge, commune ; {package.margins_source}) : chaque part est une estimation pour l'ensemble des "
        f"habitants de 15 ans ou plus, donnée avec son intervalle de confiance à 95 %. La pondération réduit la "
        f"taille effective de l'échantillon à {format_count(round(stats.n_eff))} "
        f"(effet de plan de Kish {format_number(stats.kish_deff, 2)}). Les réponses libres ne sont pas "
        "diffusées ; une part calculée sur moins de 10 répondants n'est pas affichée."
    )
    source = package.source
    questions = codebook.loc[~codebook["type"].isin(_SKIP_TYPES)]
    singles, numerics = [], []
    for question, block in questions.groupby("question", sort=False):
        kinds = set(block["type"])
        variables = block["variable"].tolist()
        if variables[0] in ("sexe",):
            continue
        if kinds == {"likert"}:
            fig = survey_charts.likert(design, variables, source=source, demo=diag.demo)
            diag.figure(fig, f"enquete_{question}", caption=_question_text(codebook, question), source=source,
                        alt=f"Barres divergentes des réponses pondérées à la question « {_question_text(codebook, question)} ».")
        elif "multiple" in kinds:
            fig = survey_charts.multiple_choice(design, question, source=source, demo=diag.demo)
            diag.figure(fig, f"enquete_{question}", caption=_question_text(codebook, question), source=source,
                        alt=f"Barres des parts pondérées de chaque réponse à « {_question_text(codebook, question)} », avec intervalles.")
        elif kinds == {"single"}:
            singles.extend(variables)
        elif kinds == {"numeric"}:
            numerics.extend(variables)
    if singles:
        diag.table(weighted_shares_table(design, singles), "enquete_questions_fermees",
                   caption="Réponses aux questions fermées (parts pondérées)", source=source,
                   number_formats={"Part pondérée (%)": 1, "IC 95 % bas": 1, "IC 95 % haut": 1})
    for variable in numerics:
        est = design.means(variable)
        if not est.empty and est["status"].iloc[0] == "ok":
            row = est.iloc[0]
            diag.text(f"{_question_text(codebook, codebook.set_index('variable').loc[variable, 'question'])} : "
                      f"{format_number(row['estimate'], 1)} en moyenne pondérée "
                      f"(IC 95 % [{format_number(row['lower_ci'], 1)} ; {format_number(row['upper_ci'], 1)}]).")
    tests = []
    for variable in singles:
        try:
            test = design.crosstab("age_band", variable).test
        except Exception:  # a question answered by too few respondents in some age band
            continue
        if test is not None and not math.isnan(test.p_value):
            tests.append({"Question": _question_text(codebook, codebook.set_index("variable").loc[variable, "question"]),
                          "F de Rao-Scott": test.statistic, "p": test.p_value,
                          "Différence selon l'âge": "significative (p < 0,05)" if test.p_value < 0.05 else "non significative"})
    if tests:
        diag.table(pd.DataFrame(tests), "enquete_tests_age",
                   caption="Les réponses diffèrent-elles selon l'âge ? (test de Rao-Scott, second ordre)",
                   source=source, number_formats={"F de Rao-Scott": 2, "p": 4})
    diag.table(stats.to_frame(), "enquete_ponderation", caption="Pondération de l'enquête (calage)",
               source=f"{source} ; marges : {package.margins_source}")
