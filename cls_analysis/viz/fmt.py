"""French number formatting, shared by every tick, label, legend, table and export.

Decimal comma, narrow no-break space (U+202F) between thousands, no-break space (U+00A0)
before ``%`` and units, legend classes written ``[10,0 ; 15,0[``. Formatting goes through
``babel`` with the ``fr_FR`` locale, which a call can override.

>>> format_number(12345.678, 1)
'12\\u202f345,7'
>>> format_percent(12.34)
'12,3\\xa0%'
>>> format_class(10, 15, decimals=1)
'[10,0 ; 15,0['
"""

from __future__ import annotations

import math
from numbers import Real

from babel.numbers import format_decimal

__all__ = [
    "LOCALE",
    "MISSING_TEXT",
    "NARROW_NBSP",
    "NBSP",
    "format_ci",
    "format_class",
    "format_count",
    "format_number",
    "format_percent",
    "format_value",
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
    """
    if _is_missing(value):
        return MISSING_TEXT
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
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
    if unit and text != MISSING_TEXT:
        unit_text = unit.replace("100 000", "100" + NARROW_NBSP + "000").replace(
            "10 000", "10" + NARROW_NBSP + "000"
        ).replace("1 000", "1" + NARROW_NBSP + "000")
        return f"{text}{NBSP}{unit_text}"
    return text


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


def tick_formatter(decimals: int = 0, unit: str | None = None):
    """A matplotlib formatter writing ticks in French.

    >>> tick_formatter(1)(1234.5, 0)
    '1\\u202f234,5'
    """
    from matplotlib.ticker import FuncFormatter

    if unit == "%":
        return FuncFormatter(lambda x, _pos: format_percent(x, decimals))
    return FuncFormatter(lambda x, _pos: format_number(x, decimals))
