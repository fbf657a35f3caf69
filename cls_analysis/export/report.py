"""The report model: what the notebooks and the pipeline fill, and every writer reads.

A :class:`Report` is a title page (title, territory, subtitle, date, author, demo flag),
:class:`Chapter` objects holding blocks (:class:`Text`, :class:`Figure`, :class:`Table`,
:class:`KeyFigure`), :class:`Note` objects (methods, thresholds, vintages), a table of sources
and the list of what is missing and why. The same model gives the HTML report, the PDF, the
Word document and the COPIL deck, so the four always say the same thing.

Confidentiality: the model holds aggregated material only (figures already drawn, tables of
results, commentary written by the analyst). The writers never read survey responses: they
cannot put respondent-level rows or free-text answers into an annex unless a caller pastes them
into a :class:`Table` or a :class:`Text` — which the survey room's outputs never do.

>>> import datetime
>>> r = Report(title="Diagnostic local de santé", territory_name="CC Aunis Atlantique",
...            date=datetime.date(2026, 11, 23),
...            chapters=[Chapter("population", "Population", [Text("Un **territoire** jeune.")])])
>>> r.date_text
'23 novembre 2026'
>>> [c.title for c in r.chapters]
['Population']
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from babel.dates import format_date

from cls_analysis.errors import ClsAnalysisError
from cls_analysis.viz.theme import DEMO_NOTICE

__all__ = [
    "DEMO_NOTICE",
    "Block",
    "Chapter",
    "ExportError",
    "Figure",
    "KeyFigure",
    "Note",
    "Report",
    "Table",
    "Text",
    "french_date",
    "source_line",
]


class ExportError(ClsAnalysisError):
    """An annex cannot be written (missing figure file, malformed report…)."""


def french_date(day: _dt.date) -> str:
    """A date written in French: ``23 novembre 2026``.

    >>> french_date(_dt.date(2026, 1, 1))
    '1 janvier 2026'
    """
    return format_date(day, format="long", locale="fr_FR")


def source_line(source: str | None) -> str:
    """``Source : …`` unless the text already starts with « Source » (or is empty).

    >>> source_line("Insee, RP 2021")
    'Source : Insee, RP 2021'
    >>> source_line("Sources : Insee ; DREES")
    'Sources : Insee ; DREES'
    >>> source_line("")
    ''
    """
    text = (source or "").strip()
    if not text or text.lower().startswith("source"):
        return text
    return f"Source : {text}"


@dataclass
class Text:
    """Commentary in light markdown.

    Paragraphs are separated by a blank line; lines starting with ``- `` are bullets; a line
    starting with ``### `` is a sub-heading; ``**bold**`` and ``*italic*`` inside a line.
    """

    content: str


@dataclass
class Figure:
    """A map or a chart already saved by ``viz`` (PNG, and SVG when available).

    Parameters
    ----------
    path_png : path
        The raster version (used in Word, PowerPoint and wherever SVG is not supported).
    path_svg : path, optional
        The vector version, preferred in the HTML report and the PDF.
    caption : str
        Shown under the figure (« Figure 3 – … » is added by the writers).
    source : str
        The source line (``Source : Insee, RP 2021``).
    alt : str
        Alternative text for screen readers: what the figure shows, in one or two sentences.
    """

    path_png: Path | str
    path_svg: Path | str | None = None
    caption: str = ""
    source: str = ""
    alt: str = ""

    def __post_init__(self) -> None:
        self.path_png = Path(self.path_png)
        self.path_svg = None if self.path_svg is None else Path(self.path_svg)
        if not self.caption.strip():
            raise ExportError(f"Figure {self.path_png.name} : la légende (caption) est vide.")
        if not self.alt.strip():
            raise ExportError(
                f"Figure {self.path_png.name} : le texte alternatif (alt) est vide ; "
                "décrivez en une phrase ce que montre la figure."
            )


@dataclass
class Table:
    """A table for users: French column headers, one source line.

    Parameters
    ----------
    frame : DataFrame
        Headers are shown as they are (write them in French). Numbers stay numbers; NaN is
        shown as « – ». Text cells (« secret statistique ») are shown as they are.
    caption : str
    source : str
    number_formats : dict, optional
        Decimals per numeric column (``{"Taux (%)": 1}``). Other numeric columns: 0 decimals for
        integers, 1 otherwise.
    """

    frame: pd.DataFrame
    caption: str = ""
    source: str = ""
    number_formats: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.frame, pd.DataFrame):
            raise ExportError(
                f"Table « {self.caption} » : 'frame' doit être un DataFrame, "
                f"reçu {type(self.frame).__name__}."
            )
        unknown = sorted(set(self.number_formats) - set(map(str, self.frame.columns)))
        if unknown:
            raise ExportError(
                f"Table « {self.caption} » : number_formats nomme des colonnes absentes : "
                f"{', '.join(unknown)}."
            )


@dataclass
class KeyFigure:
    """A key figure for the chapter's opening and the COPIL slides.

    ``value_text`` is already formatted in French (``12,3 %``); ``comparison_text`` says how it
    compares (« France métropolitaine : 10,1 % »); ``assessment`` (``better``, ``similar``,
    ``worse``, ``not judged``) colours the card.
    """

    label: str
    value_text: str
    comparison_text: str = ""
    source: str = ""
    assessment: str | None = None


Block = Text | Figure | Table | KeyFigure


@dataclass
class Chapter:
    """A chapter of the report (a theme of the catalogue, or a free chapter)."""

    key: str
    title: str
    blocks: list[Block] = field(default_factory=list)

    def __post_init__(self) -> None:
        for block in self.blocks:
            if not isinstance(block, Text | Figure | Table | KeyFigure):
                raise ExportError(
                    f"Chapitre « {self.title} » : bloc de type {type(block).__name__} inconnu "
                    "(attendu Text, Figure, Table ou KeyFigure)."
                )

    def of_type(self, kind: type) -> list:
        """The blocks of one type, in order."""
        return [b for b in self.blocks if isinstance(b, kind)]


@dataclass
class Note:
    """A methodological note: ``category`` groups them (Méthode, Seuils, Millésimes…)."""

    title: str
    text: str
    category: str = "Méthode"


@dataclass
class Report:
    """A diagnostic report, ready for every writer.

    Parameters
    ----------
    title, territory_name, subtitle, author : str
    date : date
        Shown in French (« 23 novembre 2026 »).
    demo : bool
        Built from the fictitious demo data: every page, sheet and slide says so.
    chapters : list of Chapter
    notes : list of Note
        Methods, thresholds, vintages.
    sources : DataFrame
        One row per source, French headers (e.g. ``Source``, ``Producteur``, ``Millésime``).
    missing : list of str
        Sections or indicators unavailable, each with its reason, shown to readers.
    """

    title: str
    territory_name: str
    subtitle: str = ""
    date: _dt.date = field(default_factory=_dt.date.today)
    author: str = ""
    demo: bool = False
    chapters: list[Chapter] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    sources: pd.DataFrame = field(default_factory=pd.DataFrame)
    missing: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        keys = [c.key for c in self.chapters]
        duplicated = sorted({k for k in keys if keys.count(k) > 1})
        if duplicated:
            raise ExportError(f"Rapport : clés de chapitre en double : {', '.join(duplicated)}.")
        if self.sources is None:
            self.sources = pd.DataFrame()

    @property
    def date_text(self) -> str:
        """The date in French."""
        return french_date(self.date)

    @property
    def footer_text(self) -> str:
        """``<title> – <territory>`` (+ the demo notice), for running headers and footers."""
        text = f"{self.title} – {self.territory_name}"
        return f"{text} – {DEMO_NOTICE}" if self.demo else text

    def figures(self) -> Iterator[tuple[Chapter, Figure]]:
        """Every figure with its chapter, in report order."""
        for chapter in self.chapters:
            for block in chapter.of_type(Figure):
                yield chapter, block

    def check_files(self) -> None:
        """Raise :class:`ExportError` naming every figure file that does not exist."""
        absent = []
        for chapter, figure in self.figures():
            for path in (figure.path_png, figure.path_svg):
                if path is not None and not Path(path).is_file():
                    absent.append(f"{path} (chapitre « {chapter.title} »)")
        if absent:
            raise ExportError(
                "Fichiers de figure introuvables : " + " ; ".join(absent)
                + ". Enregistrez les figures avant d'écrire les annexes."
            )
