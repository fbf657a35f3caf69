"""Inhabitants' survey (enquête habitants): import, codebook, cleaning, raking, estimates."""

from cls_analysis.survey.crosstab import Crosstab, RaoScottTest, crosstab, rao_scott
from cls_analysis.survey.design import Design, Diagnostics
from cls_analysis.survey.errors import (
    CodebookError,
    DesignError,
    MarginsError,
    RakingError,
    SurveyError,
)
from cls_analysis.survey.estimates import SurveyEstimates, means, proportions, totals
from cls_analysis.survey.raking import RakingResult, rake_weights

__all__ = [
    "CodebookError",
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
    "crosstab",
    "means",
    "proportions",
    "rake_weights",
    "rao_scott",
    "totals",
]
