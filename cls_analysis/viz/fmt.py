"""French number formatting, shared by every tick, label, legend, table and export.

Decimal comma, narrow no-break space (U+202F) between thousands, no-break space (U+00A0)
before ``%`` and units, legend classes written ``[10,0 ; 15,0[``. Formatting goes through
``babel`` with the ``fr_FR`` locale, which a call can override. Halves are rounded away from
zero, as Excel and the producers' publications do (``0,25`` → ``0,3``), not to even.

Words shown in figures (sexes, statuses, assessments, classification schemes, age bands) live
here too, so that a chart, a map and the Excel annex say the same thing.

>>> format_number(12345.678, 1)
'12\\u202f345,7'
>>> format_percent(12.34)
'12,3\\xa0%'
>>> format_class(10, 15, decimals=1)
'[10,0 ; 15,0['
"""

from __future__ import annotations

import decimal
import math
import re
from numbers import Real

from babel.numbers import format_decimal

__all__ = [
    "ASSESSMENT_LABELS",
    "COMPARISON_LABELS",
    "LOCALE",
    "MISSING_TEXT",
    "NARROW_NBSP",
    "NBSP",
    "SEX_LABELS",
    "STATUS_LABELS",
    "class_labels",
    "format_age_band",
    "format_ci",
    "format_class",
    "format_confidence",
    "format_count",
    "format_distance",
    "format_number",
    "format_percent",
    "format_signed",
    "format_unit",
    "format_value",
    "plural",
    "tick_formatter",
]

LOCALE = "fr_FR"
NBSP = "\u00a0"
NARROW_NBSP = "\u202f"
#: Text shown in place of a missing value.
MISSING_TEXT = "–"


def _is_missing(value: object) -> bool:
    if value is None:
        return True
    try:
        return math.isnan(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return True


def format_number(value: Real | None, decimals: int = 1, locale: str = LOCALE) -> str:
    """A number in French: ``12 345,7`` (narrow no-break space, decimal comma).

    >>> format_number(0.5, 2)
    '0,50'
    >>> format_number(-1234, 0)
    '-1\\u202f234'
    >>> format_number(float("nan"))
    '–'
    >>> format_number(0.25, 1), format_number(2.675, 2)
    ('0,3', '2,68')
    """
    if _is_missing(value):
        return MISSING_TEXT
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    with decimal.localcontext(rounding=decimal.ROUND_HALF_UP):
        text = format_decimal(float(value), format=pattern, locale=locale)
    if text in {"-0", "-0," + "0" * decimals}:  # no negative zero after rounding
        text = text[1:]
    return text


def format_count(value: Real | None, locale: str = LOCALE) -> str:
    """A count (no decimals): ``32 847``.

    >>> format_count(32847)
    '32\\u202f847'
    """
    return format_number(value, 0, locale)


def format_percent(value: Real | None, decimals: int = 1, locale: str = LOCALE) -> str:
    """A percentage given in percent units (12.3 → ``12,3 %``).

    >>> format_percent(5, 0)
    '5\\xa0%'
    """
    if _is_missing(value):
        return MISSING_TEXT
    return format_number(value, decimals, locale) + NBSP + "%"


def format_value(value: Real | None, unit: str | None = None, decimals: int = 1) -> str:
    """A value with its unit: ``%`` glued with a no-break space, other units likewise.

    >>> format_value(12.34, "%")
    '12,3\\xa0%'
    >>> format_value(98.7, "pour 100 000")
    '98,7\\xa0pour 100\\u202f000'
    >>> format_value(3.1, None, 2)
    '3,10'
    """
    if unit == "%":
        return format_percent(value, decimals)
    text = format_number(value, decimals)
    unit_text = format_unit(unit)
    if unit_text and text != MISSING_TEXT:
        return f"{text}{NBSP}{unit_text}"
    return text


def format_unit(unit: str | None) -> str:
    """A unit as shown after a number: thousands in units get the narrow no-break space.

    ``—`` and ``-`` (no unit, as in an index) give an empty string.

    >>> format_unit("pour 100 000")
    'pour 100\u202f000'
    >>> format_unit("—"), format_unit(None)
    ('', '')
    """
    if unit is None or (isinstance(unit, float) and math.isnan(unit)):
        return ""
    text = str(unit).strip()
    if text in {"", "—", "-", "–", "nan", "<NA>"}:
        return ""
    return re.sub(r"(?<=\d) (?=\d{3}\b)", NARROW_NBSP, text)


def format_ci(lower: Real | None, upper: Real | None, decimals: int = 1) -> str:
    """A confidence interval: ``[10,2 ; 15,8]``.

    >>> format_ci(10.21, 15.79)
    '[10,2 ; 15,8]'
    """
    if _is_missing(lower) or _is_missing(upper):
        return MISSING_TEXT
    return f"[{format_number(lower, decimals)} ; {format_number(upper, decimals)}]"


def format_class(lower: Real, upper: Real, decimals: int = 1, closed: bool = False) -> str:
    """A legend class ``[10,0 ; 15,0[`` (the last class of a legend is closed: ``]``).

    >>> format_class(15, 20.5, 1, closed=True)
    '[15,0 ; 20,5]'
    """
    end = "]" if closed else "["
    return f"[{format_number(lower, decimals)} ; {format_number(upper, decimals)}{end}"


def class_labels(breaks, decimals: int = 1) -> list[str]:
    """Legend labels of consecutive classes from their ``k + 1`` limits.

    Every class is closed on the left and open on the right, the last one closed on both
    sides, as the classification assigns values (see :mod:`cls_analysis.viz.classify`).

    >>> class_labels([2.5, 10, 15, 21.25])
    ['[2,5 ; 10,0[', '[10,0 ; 15,0[', '[15,0 ; 21,3]']
    >>> class_labels([7.0, 7.0], 0)
    ['7']
    >>> class_labels([2, 5, 5], 0)
    ['[2 ; 5[', '5']
    """
    limits = list(breaks)
    if len(limits) == 2 and format_number(limits[0], decimals) == format_number(limits[1], decimals):
        return [format_number(limits[0], decimals)]
    last = len(limits) - 2
    labels = []
    for i in range(last + 1):
        lower, upper = format_number(limits[i], decimals), format_number(limits[i + 1], decimals)
        labels.append(lower if lower == upper else format_class(limits[i], limits[i + 1], decimals,
                                                                 closed=i == last))
    return labels


def format_signed(value: Real | None, decimals: int = 1, unit: str | None = None) -> str:
    """A change, always with its sign: ``+1,2``, ``-0,4``, ``0,0``.

    >>> format_signed(1.234), format_signed(-0.44), format_signed(0.01)
    ('+1,2', '-0,4', '0,0')
    >>> format_signed(2.5, 1, "%")
    '+2,5\xa0%'
    """
    text = format_value(value, unit, decimals)
    if text == MISSING_TEXT:
        return text
    if float(value) > 0 and format_number(value, decimals) != format_number(0, decimals):
        return "+" + text
    return text


def format_confidence(level: Real) -> str:
    """A confidence level as a percentage: ``95 %``, ``99,8 %``.

    >>> format_confidence(0.95), format_confidence(0.998)
    ('95\xa0%', '99,8\xa0%')
    """
    percent = float(level) * 100 if float(level) <= 1 else float(level)
    decimals = 0 if abs(percent - round(percent)) < 1e-9 else 1
    return format_percent(percent, decimals)


def format_distance(metres: Real) -> str:
    """A scale-bar length: ``500 m``, ``2,5 km``, ``10 km``, ``1 000 km``.

    >>> format_distance(500), format_distance(2500), format_distance(10000)
    ('500\xa0m', '2,5\xa0km', '10\xa0km')
    """
    metres = float(metres)
    if metres < 1000:
        return f"{format_number(metres, 0)}{NBSP}m"
    km = metres / 1000
    decimals = 0 if abs(km - round(km)) < 1e-9 else 1
    return f"{format_number(km, decimals)}{NBSP}km"


def format_age_band(band: str, *, short: bool = False) -> str:
    """An age band label in French: ``0-4`` → ``0-4 ans``, ``90+`` → ``90 ans ou plus``.

    ``short=True`` gives the axis form (``0-4``, ``90 et +``).

    >>> format_age_band("0-4"), format_age_band("90+"), format_age_band("all")
    ('0-4\xa0ans', '90\xa0ans ou plus', 'Tous âges')
    >>> format_age_band("90+", short=True)
    '90 et +'
    """
    band = str(band).strip()
    if band == "all":
        return "Tous âges"
    if band.endswith("+"):
        start = band[:-1]
        return f"{start} et +" if short else f"{start}{NBSP}ans ou plus"
    if band == "0" and not short:
        return f"Moins d'1{NBSP}an"
    return band if short else f"{band}{NBSP}ans"


def plural(count: int, word: str, plural_word: str | None = None) -> str:
    """A count and its noun, singular for 0 and 1 as French does: ``1 commune``, ``20 communes``.

    >>> plural(1, "commune"), plural(0, "commune"), plural(20, "commune")
    ('1\xa0commune', '0\xa0commune', '20\xa0communes')
    >>> plural(1200, "département")
    '1\u202f200\xa0départements'
    """
    noun = word if abs(count) < 2 else (plural_word or word + "s")
    return f"{format_count(count)}{NBSP}{noun}"


#: Sexes as shown in figures.
SEX_LABELS = {"M": "Hommes", "F": "Femmes", "all": "Ensemble"}
#: Statuses of a result, as named in legends and tables (``{min_count}`` is filled in).
STATUS_LABELS = {
    "ok": "Valeur disponible",
    "suppressed": "Non diffusé (moins de {min_count} cas)",
    "missing": "Donnée manquante",
    "zero": "Valeur nulle (aucun cas)",
}
#: Assessments against a comparator (from the indicator's polarity).
ASSESSMENT_LABELS = {
    "better": "Plus favorable",
    "similar": "Pas de différence significative",
    "worse": "Moins favorable",
    "not judged": "Non jugé",
}
#: Comparisons against a comparator (indicators without polarity).
COMPARISON_LABELS = {
    "higher": "Significativement plus élevé",
    "similar": "Pas de différence significative",
    "lower": "Significativement plus bas",
    "not compared": "Non comparé",
}


def _auto_decimals(values) -> int:
    """Fewest decimals (up to 4) that write every tick exactly: 0, 0.25 → 2; 0, 5, 10 → 0."""
    finite = [float(v) for v in values if math.isfinite(v)]
    for decimals in range(5):
        factor = 10**decimals
        if all(abs(v * factor - round(v * factor)) < 1e-6 * max(1.0, abs(v * factor)) for v in finite):
            return decimals
    return 4


def tick_formatter(decimals: int | None = 0, unit: str | None = None, *, absolute: bool = False):
    """A matplotlib formatter writing ticks in French.

    Parameters
    ----------
    decimals : int or None
        Decimals of every tick; ``None`` takes as many as the tick step needs.
    unit : str, optional
        ``%`` writes ``12 %``; other units are left to the axis title.
    absolute : bool
        Write absolute values (the men's side of an age pyramid).

    >>> tick_formatter(1)(1234.5, 0)
    '1\u202f234,5'
    >>> tick_formatter(0, "%", absolute=True)(-4, 0)
    '4\xa0%'
    """
    from matplotlib.ticker import Formatter

    class _FrenchFormatter(Formatter):
        _ticks: tuple = ()

        def set_locs(self, locs):
            self._ticks = tuple(locs)

        def __call__(self, x, pos=None):
            digits = decimals
            if digits is None:
                digits = _auto_decimals(self._ticks or (x,))
            value = abs(x) if absolute else x
            if abs(value) < 1e-12:
                value = 0.0
            if unit == "%":
                return format_percent(value, digits)
            return format_number(value, digits)

    return _FrenchFormatter()
