"""Cleaning of survey answers: age bands, duplicates, incomplete responses, the report.

Every cleaning step writes what it did in a :class:`CleaningReport` (in French), which
becomes ``SurveyResponses.report``: a table ``step, variable, count, message``.

Examples
--------
>>> age_to_band(pd.Series([17, 34, 80, None]), ["15-29", "30-44", "45-59", "60-74", "75+"]).tolist()
['15-29', '30-44', '75+', nan]
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from cls_analysis.survey.errors import SurveyError

__all__ = [
    "CleaningReport",
    "age_to_band",
    "duplicated_answers",
    "parse_age_band",
]

_BAND = re.compile(r"^\s*(\d+)\s*(?:-|–|à|a)\s*(\d+)\s*(?:ans)?\s*$")
_PLUS = re.compile(r"^\s*(\d+)\s*(?:\+|ans et plus|et plus|ou plus)\s*$")


def parse_age_band(label: str) -> tuple[float, float]:
    """Bounds (inclusive) of an age band label: ``"15-29"`` → (15, 29), ``"75+"`` → (75, inf).

    >>> parse_age_band("15-29"), parse_age_band("75+"), parse_age_band("60 à 74 ans")
    ((15.0, 29.0), (75.0, inf), (60.0, 74.0))
    """
    text = str(label)
    m = _BAND.match(text)
    if m:
        lo, hi = float(m.group(1)), float(m.group(2))
        if lo <= hi:
            return lo, hi
    m = _PLUS.match(text)
    if m:
        return float(m.group(1)), float("inf")
    raise SurveyError(
        f"tranche d'âge « {label} » illisible : écrivez-la « 15-29 » (bornes incluses) ou « 75+ »."
    )


def age_to_band(ages: pd.Series, bands: Sequence[str]) -> pd.Series:
    """Ages in years → ordered categorical of band labels (NaN outside every band).

    Parameters
    ----------
    ages : Series
        Ages in completed years (numbers; decimals are floored).
    bands : sequence of str
        Band labels such as ``["15-29", "30-44", "45-59", "60-74", "75+"]``; they must not
        overlap.
    """
    bounds = [parse_age_band(b) for b in bands]
    order = sorted(range(len(bands)), key=lambda i: bounds[i][0])
    for a, b in zip(order, order[1:], strict=False):
        if bounds[b][0] <= bounds[a][1]:
            raise SurveyError(
                f"tranches d'âge qui se chevauchent : « {bands[a]} » et « {bands[b]} ». "
                "Chaque âge doit tomber dans une seule tranche."
            )
    x = np.floor(pd.to_numeric(ages, errors="coerce").to_numpy(dtype=float))
    out = np.full(x.shape, None, dtype=object)
    for label, (lo, hi) in zip(bands, bounds, strict=True):
        out[(x >= lo) & (x <= hi)] = label
    ordered = [bands[i] for i in order]
    return pd.Series(pd.Categorical(out, categories=ordered, ordered=True), index=ages.index, name=ages.name)


def duplicated_answers(data: pd.DataFrame, columns: Sequence[str]) -> np.ndarray:
    """Rows whose answers to ``columns`` repeat an earlier row exactly (rows with no answer
    at all are not counted as duplicates).

    >>> d = pd.DataFrame({"a": [1, 1, None, None], "b": ["x", "x", None, None]})
    >>> duplicated_answers(d, ["a", "b"]).tolist()
    [False, True, False, False]
    """
    if not columns:
        return np.zeros(len(data), dtype=bool)
    block = data.loc[:, list(columns)].astype(object).where(data.loc[:, list(columns)].notna(), "\x00")
    empty = data.loc[:, list(columns)].isna().all(axis=1).to_numpy()
    return block.duplicated(keep="first").to_numpy() & ~empty


class CleaningReport:
    """What was cleaned or dropped, and why (messages in French)."""

    def __init__(self) -> None:
        self._rows: list[dict] = []

    def add(self, step: str, message: str, *, variable: str = "", count: int | None = None) -> None:
        """Record one cleaning fact."""
        self._rows.append({"step": step, "variable": variable, "count": count, "message": message})

    def to_frame(self) -> pd.DataFrame:
        """The report as a table ``step, variable, count, message``."""
        return pd.DataFrame(self._rows, columns=["step", "variable", "count", "message"])
