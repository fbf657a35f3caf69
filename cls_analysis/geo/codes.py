"""Geographic codes of France: normalisation and relations between levels.

Codes are strings, always: commune ``01001``, ``2A004``, ``97101``; département ``01``,
``2A``, ``971``; région ``75``; EPCI = 9-digit SIREN. A code that lost its leading zero
(``1001``, read as a number by Excel) is restored; anything else that is not a code is an error
that names the value, its row and what to do.

Paris, Lyon and Marseille are communes (``75056``, ``69123``, ``13055``) divided into 45
*arrondissements municipaux* (``75101``–``75120``, ``69381``–``69389``, ``13201``–``13216``).
Some sources give the communes, some the arrondissements, some both:
:func:`arrondissement_to_commune` maps the latter to the former.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

import numpy as np
import pandas as pd

from cls_analysis.errors import CodeError, describe_rows

__all__ = [
    "PLM_COMMUNES",
    "arrondissement_to_commune",
    "departement_of_commune",
    "fold_text",
    "is_arrondissement",
    "normalize_commune_code",
    "normalize_commune_codes",
    "normalize_departement_code",
    "normalize_siren",
]

#: The three communes divided into arrondissements municipaux, and their arrondissement codes.
PLM_COMMUNES: dict[str, tuple[str, ...]] = {
    "75056": tuple(f"751{i:02d}" for i in range(1, 21)),
    "69123": tuple(f"6938{i}" for i in range(1, 10)),
    "13055": tuple(f"132{i:02d}" for i in range(1, 17)),
}
_ARRONDISSEMENT_PARENT = {arm: com for com, arms in PLM_COMMUNES.items() for arm in arms}

_COMMUNE_RE = re.compile(r"^(?:\d{5}|2[AB]\d{3})$")
_DEPARTEMENT_RE = re.compile(r"^(?:0[1-9]|[1-8]\d|9[0-5]|2[AB]|97[1-8])$")


def _as_text(value: object) -> str | None:
    """Text of a code cell: ints and whole floats lose their ``.0``; empty → None."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return None
    if isinstance(value, (bool, np.bool_)):
        return str(value)
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return str(int(value)) if float(value).is_integer() else str(value)
    text = str(value).strip().upper()
    if text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]
    return text or None


def normalize_commune_code(value: object) -> str:
    """Return the 5-character INSEE code of a commune.

    Parameters
    ----------
    value : str, int or float
        A commune code as found in a file: ``"01001"``, ``1001`` (leading zero lost),
        ``"2a004"``, ``97101``.

    Returns
    -------
    str

    Raises
    ------
    CodeError
        When the value cannot be a commune code.

    Examples
    --------
    >>> normalize_commune_code(1001)
    '01001'
    >>> normalize_commune_code(" 2a004 ")
    '2A004'
    >>> normalize_commune_code("97101")
    '97101'
    """
    text = _as_text(value)
    if text is not None and text.isdigit() and len(text) == 4:
        text = "0" + text
    if text is None or not _COMMUNE_RE.match(text):
        raise CodeError(
            f"« {value} » n'est pas un code commune INSEE : attendu 5 caractères "
            "(ex. 01001, 2A004, 97101). Vérifiez que la colonne a été lue comme du texte."
        )
    return text


def normalize_commune_codes(
    values: Iterable[object] | pd.Series,
    *,
    where: str = "",
    allow_missing: bool = False,
) -> pd.Series:
    """Normalise a column of commune codes (vectorised), reporting every bad row at once.

    Parameters
    ----------
    values : iterable or Series
        Codes as read from a file.
    where : str, optional
        Where the codes come from, e.g. ``"fichier.csv, colonne CODGEO"``, for the message.
    allow_missing : bool, default False
        Keep empty cells as ``<NA>`` instead of raising.

    Returns
    -------
    Series of str, with the index of ``values`` when it is a Series.

    Examples
    --------
    >>> normalize_commune_codes([1001, "2B033", "75101"]).tolist()
    ['01001', '2B033', '75101']
    """
    series = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    text = series.map(_as_text)
    short = text.str.len().eq(4) & text.str.isdigit().fillna(False).astype(bool)
    text = text.where(~short, "0" + text.astype(str))
    missing = text.isna()
    valid = text.str.match(_COMMUNE_RE).fillna(False).astype(bool)
    bad = ~valid & ~missing
    if allow_missing:
        problems = bad
    else:
        problems = bad | missing
    if problems.any():
        rows = [f"ligne {i} : « {series.loc[i]} »" for i in series.index[problems]]
        place = f" ({where})" if where else ""
        raise CodeError(
            f"{int(problems.sum())} code(s) commune invalide(s){place} : {describe_rows(rows)}. "
            "Un code commune a 5 caractères (01001, 2A004, 97101) ; "
            "lisez la colonne comme du texte (dtype=str) et corrigez les cellules citées."
        )
    return text.astype("string" if allow_missing else object).rename(series.name)


def normalize_departement_code(value: object) -> str:
    """Return a département code: ``01``…``95``, ``2A``, ``2B``, ``971``…``976``.

    >>> normalize_departement_code(1)
    '01'
    >>> normalize_departement_code("2a")
    '2A'
    >>> normalize_departement_code("974")
    '974'
    """
    text = _as_text(value)
    if text is not None and text.isdigit() and len(text) == 1:
        text = "0" + text
    if text is None or not _DEPARTEMENT_RE.match(text):
        raise CodeError(
            f"« {value} » n'est pas un code de département : attendu 01 à 95, 2A, 2B ou 971 à 976."
        )
    return text


def normalize_siren(value: object) -> str:
    """Return a 9-digit EPCI SIREN.

    >>> normalize_siren(200041499)
    '200041499'
    """
    text = _as_text(value)
    if text is None or not (text.isdigit() and len(text) == 9):
        raise CodeError(
            f"« {value} » n'est pas un SIREN d'EPCI : attendu 9 chiffres (ex. 200041499). "
            "Cherchez le SIREN avec : cls-analysis territoires \"nom de l'EPCI\"."
        )
    return text


def departement_of_commune(code: str) -> str:
    """Département of a commune code (three characters overseas).

    >>> departement_of_commune("17008"), departement_of_commune("97411"), departement_of_commune("2A004")
    ('17', '974', '2A')
    """
    return code[:3] if code.startswith("97") else code[:2]


def is_arrondissement(code: str) -> bool:
    """Whether a code is one of the 45 arrondissements of Paris, Lyon or Marseille.

    >>> is_arrondissement("75112"), is_arrondissement("75056")
    (True, False)
    """
    return code in _ARRONDISSEMENT_PARENT


def arrondissement_to_commune(codes: Iterable[str] | pd.Series) -> pd.Series:
    """Map arrondissement codes to their commune; other codes are kept.

    >>> arrondissement_to_commune(["75101", "69385", "17008"]).tolist()
    ['75056', '69123', '17008']
    """
    series = codes if isinstance(codes, pd.Series) else pd.Series(list(codes), dtype=object)
    return series.map(lambda c: _ARRONDISSEMENT_PARENT.get(c, c))


def fold_text(text: str) -> str:
    """Lower-case text without accents, punctuation folded to spaces, for searching names.

    Saint/Sainte abbreviations are expanded so that « St Jean » finds « Saint-Jean ».

    >>> fold_text("Saint-Jean-de-Liversay")
    'saint jean de liversay'
    >>> fold_text("St Jean de Liversay")
    'saint jean de liversay'
    >>> fold_text("CC Aunis Atlantique")
    'cc aunis atlantique'
    """
    decomposed = unicodedata.normalize("NFKD", str(text))
    ascii_text = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    ascii_text = re.sub(r"[^a-z0-9]+", " ", ascii_text).strip()
    words = ascii_text.split()
    expanded = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}
    return " ".join(expanded.get(w, w) for w in words)
