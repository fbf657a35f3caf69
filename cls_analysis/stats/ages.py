"""Age band labels: the project's convention and the normalisation of other spellings.

Convention: five-year bands ``"0-4"``, ``"5-9"``, …, ``"85-89"`` and an open last band
``"90+"``; life tables split the first band into ``"0"`` and ``"1-4"``. Any band
``"a-b"`` (ages a to b inclusive), single age ``"a"`` or open band ``"a+"`` is accepted.

:func:`normalize_age_band` maps the spellings met in French and UK sources to it: zero-padded
``"00-04"``, spaces and dashes (``"10 – 14"``), ``"5 à 9 ans"``, ``"90 ans et plus"``,
``"90 ans ou plus"``, ``"90-…"``, ``"≥ 90"``, ``"moins de 1 an"``, an upper bound of 100 or
more (``"90-120"``) read as open. A label it cannot read is returned stripped, unchanged, and
is then reported by name where it fails to match (a standard, a life table).
"""

from __future__ import annotations

import math
import re
from functools import lru_cache

import numpy as np
import pandas as pd

__all__ = ["age_interval", "normalize_age_band", "normalize_age_codes"]

_DASHES = str.maketrans({"–": "-", "—": "-", "‑": "-", "−": "-", "_": "-"})
_RANGE = re.compile(r"^(\d+)\s*(?:-|à|a|to)\s*(\d+)$")
_SINGLE = re.compile(r"^(\d+)$")
_OPEN = re.compile(
    r"^(?:(\d+)\s*(?:\+|et\s*\+|et\s*plus|ou\s*plus|plus|and\s*over|and\s*older|-\s*(?:…|\.\.\.|\+)?)"
    r"|(?:>=|≥)\s*(\d+))$"
)
_UNDER = re.compile(r"^(?:<|moins\s*de|under)\s*(\d+)$")
_OPEN_UPPER = 100  # an upper bound at or above this age is read as an open band


@lru_cache(maxsize=4096)
def normalize_age_band(label: object) -> str:
    """Return the project's spelling of an age band label.

    >>> [normalize_age_band(s) for s in ["00-04", "05-09", "10 – 14", "90 ans et plus", "90-…"]]
    ['0-4', '5-9', '10-14', '90+', '90+']
    >>> [normalize_age_band(s) for s in ["90 +", "≥90", "90-120", "0", "01-04", "moins de 1 an"]]
    ['90+', '90+', '90+', '0', '1-4', '0']
    >>> normalize_age_band("De 5 à 9 ans"), normalize_age_band("85-89"), normalize_age_band("all")
    ('5-9', '85-89', 'all')
    """
    if isinstance(label, (int, np.integer)) and not isinstance(label, bool):
        return str(int(label))
    text = str(label).strip()
    key = text.lower().translate(_DASHES)
    key = re.sub(r"(?<![a-z])ans?\b", " ", key)
    key = re.sub(r"^de\s+", "", key.strip())
    key = re.sub(r"\s+", " ", key).strip()
    if m := _RANGE.match(key):
        low, high = int(m.group(1)), int(m.group(2))
        if high >= _OPEN_UPPER and low < high:
            return f"{low}+"
        return str(low) if low == high else f"{low}-{high}"
    if m := _SINGLE.match(key):
        return str(int(m.group(1)))
    if m := _OPEN.match(key):
        return f"{int(m.group(1) or m.group(2))}+"
    if m := _UNDER.match(key):
        high = int(m.group(1)) - 1
        return "0" if high == 0 else f"0-{high}"
    return text


def age_interval(label: str) -> tuple[float, float] | None:
    """Ages covered by a normalised band, as ``[start, end)``; None if not a band.

    >>> age_interval("5-9"), age_interval("90+"), age_interval("0"), age_interval("all")
    ((5, 10), (90, inf), (0, 1), None)
    """
    if m := re.fullmatch(r"(\d+)-(\d+)", label):
        return int(m.group(1)), int(m.group(2)) + 1
    if m := re.fullmatch(r"(\d+)\+", label):
        return int(m.group(1)), math.inf
    if m := re.fullmatch(r"(\d+)", label):
        return int(m.group(1)), int(m.group(1)) + 1
    return None


def normalize_age_codes(series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Integer code per row and the normalised labels, normalising each distinct label once.

    Missing labels get code -1.
    """
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    labels = np.array([normalize_age_band(u) for u in uniques], dtype=object)
    merged, final = pd.factorize(labels)
    remap = np.append(merged, -1)  # index -1 keeps missing labels at -1
    return remap[codes], np.asarray(final, dtype=object)
