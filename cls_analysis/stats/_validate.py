"""Argument and input checks shared by the statistics (messages in French).

Every check raises :class:`StatsInputError` (a :class:`cls_analysis.errors.ClsAnalysisError`)
whose message names the argument and the column, the offending rows or groups, what was found
and what to do.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from numbers import Real

import numpy as np
import pandas as pd
from pandas.api.types import is_bool_dtype, is_numeric_dtype

from cls_analysis.errors import ClsAnalysisError, describe_rows

__all__ = [
    "CONFIDENCE_RANGE",
    "StatsInputError",
    "check_columns",
    "check_dataframe",
    "confidence_levels",
    "describe_groups",
    "numeric_column",
    "positive_number",
    "to_column_list",
]

#: Accepted confidence levels (inclusive bounds).
CONFIDENCE_RANGE = (0.9, 0.9999)


class StatsInputError(ClsAnalysisError):
    """The input of a statistic is invalid (missing column, negative count, bad level…)."""


def check_dataframe(df: object, name: str = "df") -> pd.DataFrame:
    """Return ``df`` if it is a DataFrame, else raise a French error."""
    if not isinstance(df, pd.DataFrame):
        raise StatsInputError(
            f"L'argument {name} doit être un tableau pandas (DataFrame) ; reçu : "
            f"{type(df).__name__}. Construisez-le avec pd.DataFrame(...) ou lisez-le avec "
            "pd.read_csv(...)."
        )
    return df


def to_column_list(by: str | Sequence[str] | None, arg: str = "by") -> list[str]:
    """Normalise a ``by`` argument (None, one name or several) to a list of names."""
    if by is None:
        return []
    if isinstance(by, str):
        return [by]
    if isinstance(by, Iterable):
        cols = list(by)
        bad = [c for c in cols if not isinstance(c, str)]
        if bad:
            raise StatsInputError(
                f"L'argument {arg} attend des noms de colonnes (texte) ; reçu : {bad!r}."
            )
        if len(set(cols)) != len(cols):
            raise StatsInputError(f"L'argument {arg} nomme deux fois la même colonne : {cols!r}.")
        return cols
    raise StatsInputError(
        f"L'argument {arg} attend un nom de colonne, une liste de noms ou None ; reçu : {by!r}."
    )


def check_columns(df: pd.DataFrame, columns: dict[str, str | None]) -> None:
    """Check that each named column exists; ``columns`` maps argument name → column name."""
    for arg, col in columns.items():
        if col is None:
            continue
        if not isinstance(col, str):
            raise StatsInputError(
                f"L'argument {arg} attend un nom de colonne (texte) ; reçu : {col!r}."
            )
        if col not in df.columns:
            available = describe_rows(map(str, df.columns), limit=15)
            raise StatsInputError(
                f"Colonne '{col}' absente du tableau (argument {arg}). Colonnes disponibles : "
                f"{available}. Corrigez le nom passé à {arg}=."
            )


def numeric_column(
    df: pd.DataFrame,
    col: str,
    arg: str,
    *,
    allow_missing: bool = True,
    allow_negative: bool = False,
) -> np.ndarray:
    """Return column ``col`` as a float array, checking type, missing and negative values."""
    series = df[col]
    if is_bool_dtype(series.dtype) or not is_numeric_dtype(series.dtype):
        parsed = pd.to_numeric(series, errors="coerce")
        bad = parsed.isna() & series.notna()
        if bad.any():
            found = describe_rows(
                (f"{i} ({v!r})" for i, v in series[bad].items()), limit=5
            )
            detail = f"valeurs non numériques aux lignes {found}"
        else:
            detail = f"colonne stockée comme {series.dtype}"
        raise StatsInputError(
            f"La colonne '{col}' (argument {arg}) doit être numérique : {detail}. Convertissez-la "
            "avec pd.to_numeric(...) (attention à la virgule décimale et aux espaces des "
            "milliers) ou corrigez les données source."
        )
    values = series.to_numpy(dtype=float, na_value=np.nan)
    if not allow_missing:
        missing = np.isnan(values)
        if missing.any():
            rows = describe_rows(series.index[missing], limit=8)
            raise StatsInputError(
                f"La colonne '{col}' (argument {arg}) contient des valeurs manquantes (lignes "
                f"{rows}) : elles ne peuvent pas être remplacées par 0 ici. Complétez-les ou "
                "retirez ces lignes."
            )
    if not allow_negative:
        negative = values < 0
        if negative.any():
            rows = describe_rows(
                (f"{i} ({v:g})" for i, v in zip(series.index[negative], values[negative], strict=True)),
                limit=8,
            )
            raise StatsInputError(
                f"La colonne '{col}' (argument {arg}) contient des valeurs négatives (lignes "
                f"{rows}) : un effectif ou une population ne peut pas être négatif. Corrigez "
                "les données source."
            )
    if np.isinf(values).any():
        rows = describe_rows(series.index[np.isinf(values)], limit=8)
        raise StatsInputError(
            f"La colonne '{col}' (argument {arg}) contient des valeurs infinies (lignes {rows}). "
            "Corrigez les données source."
        )
    return values


def confidence_levels(confidence: float | Sequence[float]) -> np.ndarray:
    """Validate ``confidence`` (one level or several) and return it as a float array.

    >>> confidence_levels((0.95, 0.998)).tolist()
    [0.95, 0.998]
    """
    levels = [confidence] if isinstance(confidence, Real) else confidence
    try:
        levels = list(levels)
    except TypeError:
        levels = [confidence]
    low, high = CONFIDENCE_RANGE
    if not levels:
        raise StatsInputError(
            "L'argument confidence est vide : indiquez un niveau, par exemple 0.95, ou "
            "plusieurs, par exemple (0.95, 0.998)."
        )
    out = []
    for level in levels:
        if isinstance(level, bool) or not isinstance(level, Real) or not low <= level <= high:
            hint = (
                f" (un pourcentage ? écrivez {level / 100:g})"
                if isinstance(level, Real) and 90 <= level < 100
                else ""
            )
            raise StatsInputError(
                f"Niveau de confiance {level!r} hors de l'intervalle [{low:g} ; {high:g}]{hint} : "
                "indiquez une proportion, par exemple 0.95 ou (0.95, 0.998)."
            )
        out.append(float(level))
    if len(set(out)) != len(out):
        raise StatsInputError(f"Niveaux de confiance en double : {out!r}.")
    return np.asarray(out, dtype=float)


def positive_number(value: object, arg: str) -> float:
    """Check that ``value`` is a finite number > 0 (a multiplier, a reference value…)."""
    if isinstance(value, bool) or not isinstance(value, Real) or not np.isfinite(value) or value <= 0:
        raise StatsInputError(
            f"L'argument {arg} doit être un nombre strictement positif (par exemple 100 000) ; "
            f"reçu : {value!r}."
        )
    return float(value)


def describe_groups(keys: pd.DataFrame, mask: np.ndarray, limit: int = 8) -> str:
    """Name the groups selected by ``mask`` (``area=A, sex=F ; …``) for a message."""
    sel = keys.loc[np.asarray(mask, dtype=bool)]
    if keys.shape[1] == 0:
        return "l'ensemble des lignes (aucun regroupement)" if len(sel) else ""
    labels = [
        ", ".join(f"{c}={v}" for c, v in zip(sel.columns, row, strict=True))
        for row in sel.itertuples(index=False, name=None)
    ]
    items = labels[:limit]
    text = " ; ".join(items)
    if len(labels) > limit:
        text += f"… ({len(labels)} au total)"
    return text
