"""What the writers share: French words for the results vocabularies, table cells, images, fonts."""

from __future__ import annotations

import base64
import functools
import io
import math
from dataclasses import dataclass
from pathlib import Path

import matplotlib
import pandas as pd

from cls_analysis.export.report import ExportError, Table
from cls_analysis.viz.fmt import MISSING_TEXT, format_number

__all__ = [
    "ASSESSMENT_LABELS",
    "COMPARISON_LABELS",
    "POLARITY_LABELS",
    "STATISTIC_LABELS",
    "ZONE_LABELS",
    "ZONE_ORDER",
    "Cell",
    "data_uri",
    "dejavu_path",
    "font_face_css",
    "image_size",
    "status_text",
    "table_cells",
]

#: Zone levels in French, in the order rows are shown.
ZONE_LABELS = {
    "territory": "Territoire",
    "epci": "EPCI",
    "departement": "Département",
    "region": "Région",
    "france": "France",
    "commune": "Commune",
}
ZONE_ORDER = {level: position for position, level in enumerate(ZONE_LABELS)}
COMPARISON_LABELS = {
    "higher": "supérieur",
    "similar": "similaire",
    "lower": "inférieur",
    "not compared": "non comparé",
}
ASSESSMENT_LABELS = {
    "better": "plus favorable",
    "similar": "similaire",
    "worse": "moins favorable",
    "not judged": "non jugé",
}
STATISTIC_LABELS = {
    "count": "effectif",
    "proportion": "proportion",
    "crude_rate": "taux brut",
    "dsr": "taux standardisé (méthode directe)",
    "isr": "indice comparatif (méthode indirecte)",
    "life_expectancy": "espérance de vie",
    "read": "valeur publiée",
    "weighted_mean": "moyenne pondérée",
    "density": "densité",
    "ratio": "ratio",
    "evolution": "évolution",
}
POLARITY_LABELS = {
    "+": "une valeur élevée est favorable",
    "-": "une valeur élevée est défavorable",
    "0": "pas de jugement",
}


def _missing(value) -> bool:
    if value is None or value is pd.NA:
        return True
    try:
        return math.isnan(float(value))
    except (TypeError, ValueError):
        return False


def status_text(status: str, min_count: int | float | None = 10) -> str:
    """The status of a result in words.

    >>> status_text("suppressed", 11)
    'secret statistique (effectif < 11)'
    >>> status_text("missing"), status_text("zero"), status_text("ok")
    ('non disponible', '0 (aucun cas)', 'disponible')
    """
    if status == "suppressed":
        threshold = 10 if _missing(min_count) else int(min_count)
        return f"secret statistique (effectif < {threshold})"
    return {"ok": "disponible", "missing": "non disponible", "zero": "0 (aucun cas)"}.get(str(status), str(status))


def _column_decimals(series: pd.Series, explicit: int | None) -> int | None:
    """Decimals of a numeric column, ``None`` for a text column."""
    numbers = pd.to_numeric(series, errors="coerce")
    values = [v for v in series if not _missing(v)]
    if not values or numbers.notna().sum() == 0:
        return explicit
    if any(isinstance(v, str) for v in values) and numbers.notna().sum() < len(values) / 2:
        return None
    if explicit is not None:
        return explicit
    finite = numbers.dropna()
    return 0 if (finite == finite.round()).all() else 1


@dataclass(frozen=True)
class Cell:
    """A table cell: its French text, whether it is a number (right-aligned), the raw value."""

    text: str
    numeric: bool
    value: object = None
    decimals: int | None = None


def table_cells(table: Table) -> tuple[list[str], list[list[Cell]]]:
    """Headers and rows of cells of a :class:`Table`, numbers written in French.

    >>> t = Table(pd.DataFrame({"Zone": ["A"], "Taux": [12.346], "n": [1200]}), "c", "s",
    ...           {"Taux": 2})
    >>> headers, rows = table_cells(t)
    >>> headers, [c.text for c in rows[0]]
    (['Zone', 'Taux', 'n'], ['A', '12,35', '1\\u202f200'])
    """
    frame = table.frame
    headers = [str(c) for c in frame.columns]
    decimals = {
        name: _column_decimals(frame[column], table.number_formats.get(name))
        for name, column in zip(headers, frame.columns, strict=True)
    }
    rows = []
    for record in frame.itertuples(index=False, name=None):
        row = []
        for name, value in zip(headers, record, strict=True):
            digits = decimals[name]
            if _missing(value):
                row.append(Cell(MISSING_TEXT, digits is not None, None, digits))
            elif isinstance(value, bool) or digits is None or isinstance(value, str):
                row.append(Cell(str(value), False, value))
            else:
                try:
                    number = float(value)
                except (TypeError, ValueError):
                    row.append(Cell(str(value), False, value))
                    continue
                row.append(Cell(format_number(number, digits), True, number, digits))
        rows.append(row)
    return headers, rows


# --- images ---------------------------------------------------------------------------------


def image_size(path: Path) -> tuple[int, int]:
    """Pixel size of a PNG (or any raster Pillow reads)."""
    from PIL import Image

    try:
        with Image.open(path) as image:
            return image.size
    except OSError as exc:
        raise ExportError(f"{Path(path).name} : image illisible ({exc}).") from exc


def data_uri(path: Path) -> str:
    """The file as a ``data:`` URI (PNG, SVG, JPEG)."""
    path = Path(path)
    mime = {
        ".png": "image/png",
        ".svg": "image/svg+xml",
        ".jpg": "image/jpeg",
        ".jpeg": "image/jpeg",
    }.get(path.suffix.lower())
    if mime is None:
        raise ExportError(f"{path.name} : format d'image non pris en charge (PNG, SVG ou JPEG).")
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


# --- fonts ----------------------------------------------------------------------------------

_FONT_FILES = {
    (400, "normal"): "DejaVuSans.ttf",
    (700, "normal"): "DejaVuSans-Bold.ttf",
    (400, "italic"): "DejaVuSans-Oblique.ttf",
    (700, "italic"): "DejaVuSans-BoldOblique.ttf",
}
# Basic Latin, Latin-1, Latin Extended-A (œ, Œ…), general punctuation (narrow no-break space,
# dashes, quotes, ellipsis), €, arrows and a few symbols used in reports.
_SUBSET_RANGES = [(0x20, 0x7E), (0xA0, 0x17F), (0x2000, 0x206F), (0x20AC, 0x20AC),
                  (0x2190, 0x2193), (0x2264, 0x2265), (0x2022, 0x2022), (0x25A0, 0x25CF)]


def dejavu_path(weight: int = 400, style: str = "normal") -> Path:
    """DejaVu Sans as shipped with matplotlib (always installed: no download, no system font)."""
    folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    return folder / _FONT_FILES[(weight, style)]


@functools.cache
def _subset_base64(weight: int, style: str) -> str:
    from fontTools import subset

    options = subset.Options()
    options.layout_features = ["kern", "liga"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.drop_tables = [*options.drop_tables, "FFTM"]
    font = subset.load_font(str(dejavu_path(weight, style)), options)
    subsetter = subset.Subsetter(options)
    codepoints = {c for start, end in _SUBSET_RANGES for c in range(start, end + 1)}
    subsetter.populate(unicodes=codepoints)
    subsetter.subset(font)
    buffer = io.BytesIO()
    font.save(buffer)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def font_face_css(embed: bool) -> str:
    """``@font-face`` rules for DejaVu Sans.

    ``embed=True``: a Latin subset as data URIs (the self-contained HTML, about 60 kB per face);
    ``embed=False``: ``file://`` URLs of matplotlib's copy (the PDF, where WeasyPrint embeds
    the glyphs it uses).
    """
    rules = []
    for (weight, style), _name in _FONT_FILES.items():
        if embed:
            src = f"url(data:font/ttf;base64,{_subset_base64(weight, style)}) format('truetype')"
        else:
            src = f"url('{dejavu_path(weight, style).as_uri()}') format('truetype')"
        rules.append(
            "@font-face { font-family: 'CLS DejaVu Sans'; "
            f"font-weight: {weight}; font-style: {style}; src: {src}; }}"
        )
    return "\n".join(rules)
