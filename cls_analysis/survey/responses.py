"""The survey answers as read: tidy data, codebook, free text kept apart, cleaning report."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from cls_analysis.survey.codebook import _atomic_write

__all__ = ["FREE_TEXT_COLUMNS", "SurveyResponses", "export_free_text"]

FREE_TEXT_COLUMNS = ["respondent_id", "variable", "question", "text", "code"]


@dataclass
class SurveyResponses:
    """Answers of a survey, ready for a :class:`~cls_analysis.survey.Design`.

    Attributes
    ----------
    data : DataFrame
        One row per respondent: ``respondent_id``, ``submitted_at`` when known, then one
        column per codebook variable (categoricals with the codebook's levels, booleans for
        the options of multiple-response questions, floats), plus derived columns
        (``<age>_band``, ``<commune>_code``). No free text.
    codebook : DataFrame
        The codebook used (see :mod:`cls_analysis.survey.codebook`).
    free_text : DataFrame
        Free-text answers, long: ``respondent_id, variable, question, text, code`` (``code``
        empty, for coding). Never put in a report unless asked: see :func:`export_free_text`.
    report : DataFrame
        What was cleaned or dropped and why: ``step, variable, count, message`` (French).
    source : Path or None
    kind : str
        Format read: ``limesurvey``, ``limesurvey_text``, ``google_forms``, ``generic``, ``spss``.
    """

    data: pd.DataFrame
    codebook: pd.DataFrame
    free_text: pd.DataFrame = field(repr=False)
    report: pd.DataFrame = field(repr=False)
    source: Path | None = None
    kind: str = "generic"

    def __repr__(self) -> str:
        return (
            f"<SurveyResponses : {len(self.data)} répondants, {len(self.codebook)} variables, "
            f"{len(self.free_text)} réponses en texte libre ({self.kind})>"
        )

    def summary(self) -> str:
        """The cleaning report as French text."""
        lines = [f"{len(self.data)} répondant(s) retenu(s)."]
        for rec in self.report.itertuples(index=False):
            var = f" [{rec.variable}]" if rec.variable else ""
            lines.append(f"- {rec.step}{var} : {rec.message}")
        return "\n".join(lines)


def export_free_text(responses: SurveyResponses, path: str | Path) -> Path:
    """Write the free-text answers to a separate file for coding (never into a report).

    CSV for French Excel (``;``, UTF-8 with BOM) or XLSX, by the suffix; columns
    ``respondent_id, variable, question, text, code`` with ``code`` left empty for the coder.
    Written atomically. The file holds respondents' own words: keep it out of published outputs.

    Returns
    -------
    Path
    """
    path = Path(path)
    table = responses.free_text.reindex(columns=FREE_TEXT_COLUMNS)
    if path.suffix.lower() == ".xlsx":

        def write(tmp: Path) -> None:
            table.to_excel(tmp, sheet_name="texte_libre", index=False)

    else:

        def write(tmp: Path) -> None:
            table.to_csv(tmp, sep=";", index=False, encoding="utf-8-sig")

    return _atomic_write(path, write)
