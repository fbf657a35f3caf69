"""Errors raised to users of cls_analysis.

Every error a user can meet is a :class:`ClsAnalysisError` (a :class:`ValueError`) whose
message is in French and names what was read (file, column, row), what was found and what to do.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

__all__ = [
    "ClsAnalysisError",
    "CodeError",
    "ConfigError",
    "FileFormatError",
    "TerritoryError",
    "describe_rows",
]


class ClsAnalysisError(ValueError):
    """Base class of the errors shown to users (message in French)."""


class CodeError(ClsAnalysisError):
    """A geographic code (commune, département, région, EPCI) is malformed or unknown."""


class TerritoryError(ClsAnalysisError):
    """A territory cannot be resolved (unknown EPCI, commune of another COG vintage…)."""


class ConfigError(ClsAnalysisError):
    """A territory configuration file is invalid (unknown key, missing value…)."""


class FileFormatError(ClsAnalysisError):
    """An input file is not the expected one, or cannot be read as such."""

    def __init__(self, message: str, path: str | Path | None = None):
        self.path = None if path is None else Path(path)
        prefix = f"{self.path.name} : " if self.path is not None else ""
        super().__init__(prefix + message)


def describe_rows(rows: Iterable[object], limit: int = 10) -> str:
    """List row labels or values for a message, cut after ``limit`` items.

    >>> describe_rows([3, 5, 8])
    '3, 5, 8'
    >>> describe_rows(range(15), limit=3)
    '0, 1, 2… (15 au total)'
    """
    items = [str(r) for r in rows]
    if len(items) <= limit:
        return ", ".join(items)
    return ", ".join(items[:limit]) + f"… ({len(items)} au total)"
