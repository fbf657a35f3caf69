"""Errors of the survey room (messages in French).

Every error names what was read (file, column, row), what was found and what to do.
"""

from __future__ import annotations

from cls_analysis.errors import ClsAnalysisError, FileFormatError

__all__ = ["CodebookError", "DesignError", "MarginsError", "RakingError", "SurveyError"]


class SurveyError(ClsAnalysisError):
    """Base class of the errors raised by :mod:`cls_analysis.survey`."""


class CodebookError(SurveyError, FileFormatError):
    """A codebook is malformed, or does not match the survey export it describes."""


class DesignError(SurveyError):
    """A survey design cannot be built (weights, strata or clusters invalid)."""


class MarginsError(SurveyError):
    """Calibration margins are inconsistent with each other or with the sample."""


class RakingError(SurveyError):
    """Raking (iterative proportional fitting) did not converge."""
