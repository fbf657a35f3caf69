"""Inhabitants' survey (« enquête habitants »): import, codebook, cleaning, raking, estimates.

>>> from cls_analysis import survey
>>> sorted(["Design", "read_limesurvey", "draft_codebook"]) == sorted(
...     n for n in survey.__all__ if n in ("Design", "read_limesurvey", "draft_codebook"))
True

Typical use::

    r = survey.read_limesurvey("data/raw/enquete.csv", codebook="data/raw/codebook.xlsx",
                               communes=territory_communes, age_bands=["15-29", "30-44", "45-59", "60-74", "75+"])
    margins = survey.margins_from_observations(obs, zone_code=codes, age_bands=[…],
                                               names={"sex": "sexe", "age": "age_band"},
                                               sex_labels={"F": "Femme", "M": "Homme"})
    d = survey.Design(r).rake(margins, source="Insee RP 2021")
    d.diagnostics(); d.proportions("sante", by="age_band"); d.crosstab("sexe", "renonce").test
"""

from cls_analysis.survey.cleaning import (
    CleaningReport,
    age_to_band,
    duplicated_answers,
    parse_age_band,
)
from cls_analysis.survey.codebook import (
    CODEBOOK_COLUMNS,
    QUESTION_TYPES,
    draft_codebook,
    multiple_groups,
    normalize_codebook,
    read_codebook,
    write_codebook,
)
from cls_analysis.survey.communes import CommuneMatches, fold_commune, match_communes
from cls_analysis.survey.crosstab import Crosstab, RaoScottTest, crosstab, rao_scott
from cls_analysis.survey.demo import (
    DEMO_AGE_BANDS,
    demo_codebook,
    demo_observations,
    demo_responses,
    write_demo_survey,
)
from cls_analysis.survey.design import Design, Diagnostics
from cls_analysis.survey.errors import (
    CodebookError,
    DesignError,
    MarginsError,
    RakingError,
    SurveyError,
)
from cls_analysis.survey.estimates import SurveyEstimates, means, proportion_ci, proportions, totals
from cls_analysis.survey.margins import commune_margins, margins_from_observations
from cls_analysis.survey.raking import RakingResult, rake_weights
from cls_analysis.survey.readers import (
    parse_timestamps,
    read_google_forms,
    read_limesurvey,
    read_raw,
    read_responses,
)
from cls_analysis.survey.responses import SurveyResponses, export_free_text

__all__ = [
    "CODEBOOK_COLUMNS",
    "DEMO_AGE_BANDS",
    "QUESTION_TYPES",
    "CleaningReport",
    "CodebookError",
    "CommuneMatches",
    "Crosstab",
    "Design",
    "DesignError",
    "Diagnostics",
    "MarginsError",
    "RakingError",
    "RakingResult",
    "RaoScottTest",
    "SurveyError",
    "SurveyEstimates",
    "SurveyResponses",
    "age_to_band",
    "commune_margins",
    "crosstab",
    "demo_codebook",
    "demo_observations",
    "demo_responses",
    "draft_codebook",
    "duplicated_answers",
    "export_free_text",
    "fold_commune",
    "margins_from_observations",
    "match_communes",
    "means",
    "multiple_groups",
    "normalize_codebook",
    "parse_age_band",
    "parse_timestamps",
    "proportion_ci",
    "proportions",
    "rake_weights",
    "rao_scott",
    "read_codebook",
    "read_google_forms",
    "read_limesurvey",
    "read_raw",
    "read_responses",
    "totals",
    "write_codebook",
    "write_demo_survey",
]
