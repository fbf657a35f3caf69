"""Match commune names written freely by respondents to the communes of the territory.

Respondents write « St Jean de Liversay », « st-jean-de-liversay », « Saint Jean »,
« Marans (17) », « La Rochelle 17000 » or « 17008 ». :func:`match_communes` compares them
with the candidate communes (``code``, ``name``) in four passes:

1. a commune code written as such (``17008``);
2. exact match after folding (case, accents, punctuation, ``St``/``Ste`` → Saint/Sainte,
   articles ``le``/``la``/``les``/``l``, postal codes and département numbers removed);
3. a unique commune whose folded name starts with the answer (« Saint Jean » →
   « Saint-Jean-de-Liversay » when no other candidate starts so);
4. fuzzy matching (RapidFuzz) above a score, when the best candidate is clearly ahead of
   the second (typos: « Marrans », « Andily »).

What cannot be matched is listed apart for a person to decide.

Examples
--------
>>> communes = pd.DataFrame({"code": ["17337", "17222", "17008"],
...                          "name": ["Saint-Jean-de-Liversay", "Marans", "Andilly"]})
>>> m = match_communes(["St Jean de Liversay", "st-jean-de-liversay", "Saint Jean",
...                     "Marrans", "17008", "Paris"], communes)
>>> m.codes.tolist()
['17337', '17337', '17337', '17222', '17008', nan]
>>> m.unmatched
['Paris']
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from cls_analysis.errors import describe_rows
from cls_analysis.geo.codes import fold_text
from cls_analysis.survey.errors import SurveyError

__all__ = ["CommuneMatches", "fold_commune", "match_communes"]

_ARTICLES = {"le", "la", "les", "l"}


def fold_commune(name: object) -> str:
    """Folded commune name for comparisons.

    >>> fold_commune("L'Houmeau (17)"), fold_commune("Saint-Jean-d'Angély 17400")
    ('houmeau', 'saint jean d angely')
    """
    text = re.sub(r"\(\s*\d{2,3}\s*\)", " ", str(name))
    text = re.sub(r"\b\d{5}\b", " ", text)
    words = fold_text(text).split()
    while words and words[0] in _ARTICLES:
        words = words[1:]
    words = [w for w in words if not re.fullmatch(r"\d{2,3}", w)]
    return " ".join(words)


@dataclass(frozen=True)
class CommuneMatches:
    """Result of :func:`match_communes`.

    Attributes
    ----------
    matches : DataFrame
        One row per answer: ``answer, code, name, method, score`` (``method`` among
        ``code``, ``exact``, ``prefix``, ``fuzzy``, ``unmatched``, ``empty``).
    unmatched : list of str
        Distinct non-empty answers that matched no commune.
    """

    matches: pd.DataFrame
    unmatched: list[str]

    @property
    def codes(self) -> pd.Series:
        """Matched codes in the order of the answers (NaN when unmatched)."""
        return self.matches["code"]


def match_communes(
    names: Iterable[object] | pd.Series,
    candidates: pd.DataFrame,
    *,
    code: str = "code",
    name: str = "name",
    min_score: float = 85.0,
    min_gap: float = 5.0,
) -> CommuneMatches:
    """Match free commune names to candidate communes.

    Parameters
    ----------
    names : iterable or Series
        Answers as written (NaN or empty allowed).
    candidates : DataFrame
        Communes of the territory, with columns ``code`` and ``name`` (names as in the COG,
        e.g. from ``Territory.communes``).
    code, name : str
        Column names in ``candidates``.
    min_score : float, default 85
        Minimum RapidFuzz score (0–100) of a fuzzy match.
    min_gap : float, default 5
        The best fuzzy candidate must lead the second by this many points.

    Returns
    -------
    CommuneMatches
    """
    for c in (code, name):
        if c not in candidates.columns:
            raise SurveyError(
                f"colonne « {c} » absente des communes candidates (colonnes : "
                f"{describe_rows(candidates.columns)}). Attendu : un tableau code, name."
            )
    series = names if isinstance(names, pd.Series) else pd.Series(list(names), dtype=object)
    cand = candidates[[code, name]].dropna().astype(str).drop_duplicates(code)
    codes = cand[code].tolist()
    cnames = cand[name].tolist()
    folded = [fold_commune(n) for n in cnames]
    by_folded: dict[str, list[int]] = {}
    for i, f in enumerate(folded):
        by_folded.setdefault(f, []).append(i)
    by_code = {c: i for i, c in enumerate(codes)}
    cache: dict[str, tuple[object, object, str, float]] = {}

    def one(answer: str) -> tuple[object, object, str, float]:
        raw = answer.strip()
        digits = re.fullmatch(r"\d{4,5}|2[ABab]\d{3}", raw)
        if digits:
            key = raw.upper().zfill(5)
            if key in by_code:
                i = by_code[key]
                return codes[i], cnames[i], "code", 100.0
        f = fold_commune(raw)
        if not f:
            return np.nan, np.nan, "unmatched", 0.0
        hits = by_folded.get(f, [])
        if len(hits) == 1:
            return codes[hits[0]], cnames[hits[0]], "exact", 100.0
        starts = [i for i, cf in enumerate(folded) if cf.startswith(f + " ")]
        if len(starts) == 1:
            i = starts[0]
            return codes[i], cnames[i], "prefix", 100.0
        if len(hits) > 1 or len(starts) > 1:
            return np.nan, np.nan, "unmatched", 0.0  # homonyms: a person must decide
        best = process.extract(f, folded, scorer=fuzz.WRatio, limit=2)
        if best and best[0][1] >= min_score and (len(best) == 1 or best[0][1] - best[1][1] >= min_gap):
            i = best[0][2]
            return codes[i], cnames[i], "fuzzy", float(best[0][1])
        return np.nan, np.nan, "unmatched", float(best[0][1]) if best else 0.0

    rows = []
    for v in series.tolist():
        if v is None or (isinstance(v, float) and np.isnan(v)) or str(v).strip() == "":
            rows.append((v, np.nan, np.nan, "empty", np.nan))
            continue
        key = str(v)
        if key not in cache:
            cache[key] = one(key)
        rows.append((v, *cache[key]))
    matches = pd.DataFrame(rows, columns=["answer", "code", "name", "method", "score"], index=series.index)
    matches["code"] = matches["code"].astype(object)
    unmatched = sorted({str(a).strip() for a, m in zip(matches["answer"], matches["method"], strict=True) if m == "unmatched"})
    return CommuneMatches(matches=matches, unmatched=unmatched)
