"""Readers of survey exports → :class:`~cls_analysis.survey.SurveyResponses`.

Formats:

- **LimeSurvey CSV** (codes): UTF-8 with BOM, first columns ``id, submitdate, lastpage,
  startlanguage, seed, startdate, datestamp``, then question codes (``Q1``, ``Q2[SQ001]``,
  ``M3[other]``); :func:`read_limesurvey`.
- **LimeSurvey "full text" XLSX** (or CSV): ``ID réponse``, ``Langue``… then full question
  texts, sub-questions as ``Question [Sous-question]``, answers as text, ``N/A`` when the
  question was not shown, empty when unanswered; :func:`read_limesurvey`.
- **Google Forms** CSV (or the XLSX of its Sheets): first column ``Horodateur`` as
  ``2026/07/29 9:00:00 AM UTC+3`` or ``29/07/2026 09:00:00``, one column per question,
  checkbox answers joined by ``;`` or ``, `` in one cell; :func:`read_google_forms`.
- **Generic** CSV (``,``, ``;`` or tab) / XLSX with a header row, and **SPSS** ``.sav``
  (value labels become levels); :func:`read_responses` (which also recognises the two
  formats above).

Every reader applies a codebook (given, or drafted from the export when omitted), keeps
free-text answers apart, drops incomplete responses (LimeSurvey), duplicated responses and
empty ones, optionally cuts ages into bands and matches communes written freely, and reports
all of it in French.
"""

from __future__ import annotations

import difflib
import io
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from cls_analysis.errors import FileFormatError, describe_rows
from cls_analysis.geo.codes import fold_text
from cls_analysis.survey.cleaning import CleaningReport, age_to_band, duplicated_answers
from cls_analysis.survey.codebook import (
    NO,
    NOT_SHOWN,
    YES,
    _natural_key,
    draft_codebook,
    normalize_codebook,
    parse_levels,
    read_codebook,
)
from cls_analysis.survey.communes import match_communes
from cls_analysis.survey.errors import CodebookError
from cls_analysis.survey.responses import FREE_TEXT_COLUMNS, SurveyResponses

__all__ = [
    "guess_kind",
    "parse_timestamps",
    "read_google_forms",
    "read_limesurvey",
    "read_raw",
    "read_responses",
    "technical_columns",
]

_KIND_LABEL = {
    "limesurvey": "export LimeSurvey CSV (codes)",
    "limesurvey_text": "export LimeSurvey « texte complet »",
    "google_forms": "export Google Forms",
    "generic": "fichier de réponses",
    "spss": "fichier SPSS",
}
_LS_TECHNICAL = {
    "id", "submitdate", "lastpage", "startlanguage", "seed", "startdate", "datestamp", "token",
    "refurl", "ipaddr", "interviewtime", "optout", "emailstatus",
}
_LS_TEXT_TECHNICAL = {
    "id reponse", "id de la reponse", "date de soumission", "derniere page", "langue de depart",
    "langue", "tete de serie", "graine", "date de debut", "date de la derniere action",
    "code d acces", "url referente", "adresse ip", "temps total",
}
_GF_TECHNICAL = {
    "horodateur", "horodatage", "timestamp", "adresse e mail", "adresse email",
    "adresse electronique", "email address", "e mail", "score", "nom d utilisateur", "username",
}
_PERSONAL = {"adresse e mail", "adresse email", "adresse electronique", "email address", "e mail",
             "adresse ip", "ipaddr", "nom d utilisateur", "username", "token", "code d acces"}


def _header(h: object) -> str:
    return " ".join(str(h).replace("\xa0", " ").replace("\ufeff", "").split())


def _cell(v: object) -> str:
    if v is None or v is pd.NA or v is pd.NaT:
        return ""
    if isinstance(v, float):
        if np.isnan(v):
            return ""
        return str(int(v)) if v.is_integer() else repr(v)
    if isinstance(v, pd.Timestamp) or hasattr(v, "isoformat"):
        try:
            return pd.Timestamp(v).isoformat(sep=" ")
        except (TypeError, ValueError):
            return str(v)
    return str(v).strip()


def guess_kind(columns: Sequence[str]) -> str:
    """Format of an export from its headers.

    >>> guess_kind(["id", "submitdate", "lastpage", "Q1"]), guess_kind(["Horodateur", "Âge"])
    ('limesurvey', 'google_forms')
    >>> guess_kind(["ID réponse", "Langue", "Question ?"]), guess_kind(["age", "sexe"])
    ('limesurvey_text', 'generic')
    """
    folded = [fold_text(c) for c in columns]
    if folded and folded[0] == "id" and "submitdate" in folded:
        return "limesurvey"
    if any(f in ("id reponse", "id de la reponse") for f in folded):
        return "limesurvey_text"
    if folded and folded[0] in ("horodateur", "horodatage", "timestamp"):
        return "google_forms"
    return "generic"


def technical_columns(columns: Sequence[str], kind: str) -> list[str]:
    """Columns of an export that are not questions (identifiers, dates, timings, e-mail…)."""
    out = []
    for c in columns:
        f = fold_text(c)
        if kind == "limesurvey" and (c in _LS_TECHNICAL or re.fullmatch(r"groupTime\d+", c)):
            out.append(c)
        elif kind == "limesurvey_text" and f in _LS_TEXT_TECHNICAL:
            out.append(c)
        elif kind == "google_forms" and f in _GF_TECHNICAL:
            out.append(c)
    return out


def read_raw(path: str | Path) -> tuple[pd.DataFrame, str, object]:
    """Read an export as text cells (``""`` when empty): (table, kind, SPSS metadata or None).

    Raises
    ------
    FileFormatError
        Missing file, unknown suffix, unreadable content, no data row.
    """
    path = Path(path)
    if not path.exists():
        raise FileFormatError("fichier introuvable : vérifiez le chemin (les données brutes vont dans data/raw/).", path)
    suffix = path.suffix.lower()
    meta = None
    try:
        if suffix in (".sav", ".zsav", ".por"):
            import pyreadstat

            reader = pyreadstat.read_por if suffix == ".por" else pyreadstat.read_sav
            df, meta = reader(str(path), apply_value_formats=False)
            raw = df.astype(object).map(_cell)
            kind = "spss"
        elif suffix in (".xlsx", ".xlsm"):
            df = pd.read_excel(path, sheet_name=0, dtype=object, header=0, keep_default_na=False, na_values=[])
            raw = df.map(_cell)
            kind = None
        elif suffix in (".csv", ".tsv", ".txt"):
            data = path.read_bytes()
            try:
                text = data.decode("utf-8-sig")
            except UnicodeDecodeError:
                text = data.decode("cp1252")
            first = text.split("\n", 1)[0]
            sep = max([",", ";", "\t"], key=first.count)
            raw = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False)
            raw = raw.map(lambda v: v.strip())
            kind = None
        else:
            raise FileFormatError(
                f"format « {suffix} » non pris en charge : attendu .csv, .tsv, .xlsx ou .sav.", path
            )
    except FileFormatError:
        raise
    except Exception as exc:
        raise FileFormatError(
            f"lecture impossible ({exc.__class__.__name__} : {exc}). Vérifiez que le fichier est bien "
            "un export complet (CSV UTF-8, XLSX ou SAV) et qu'il n'est pas ouvert ailleurs.",
            path,
        ) from exc
    raw.columns = [_header(c) for c in raw.columns]
    if len(raw) == 0:
        raise FileFormatError("aucune réponse dans le fichier (seulement l'en-tête).", path)
    if kind is None:
        kind = guess_kind(list(raw.columns))
    return raw, kind, meta


# ---------------------------------------------------------------------- timestamps
_GF_US = re.compile(
    r"^(\d{4})/(\d{1,2})/(\d{1,2})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?\s*(?:(?:UTC|GMT)\s*([+-]\d{1,2}(?::?\d{2})?)?)?$"
)
_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?)?$")


def _one_timestamp(text: str) -> pd.Timestamp | None:
    m = _GF_US.match(text)
    if m:
        y, mo, d, h, mi, s, ampm, _ = m.groups()
        h = int(h)
        if ampm:
            if not 1 <= h <= 12:
                return None
            h = h % 12 + (12 if ampm.lower() == "pm" else 0)
        return pd.Timestamp(int(y), int(mo), int(d), h, int(mi), int(s or 0))
    m = _DMY.match(text)
    if m:
        d, mo, y, h, mi, s = m.groups()
        return pd.Timestamp(int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(s or 0))
    m = _ISO.match(text)
    if m:
        y, mo, d, h, mi, s = m.groups()
        return pd.Timestamp(int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(s or 0))
    return None


def parse_timestamps(values: pd.Series, *, path: str | Path | None = None, column: str = "") -> pd.Series:
    """Parse submission times: ``2026/07/29 9:00:00 AM UTC+3`` (Google Forms CSV),
    ``29/07/2026 09:00:00`` (Google Sheets), ``2026-07-29 09:00:00`` (LimeSurvey).

    The local time as written is kept (the ``UTC+3`` offset, a property of the form owner's
    account, is dropped). Empty cells give ``NaT``.

    >>> parse_timestamps(pd.Series(["2026/07/29 9:00:00 PM UTC+3", "29/07/2026 09:00:00", ""])).tolist()
    [Timestamp('2026-07-29 21:00:00'), Timestamp('2026-07-29 09:00:00'), NaT]
    """
    out, bad = [], []
    for i, v in values.items():
        text = _cell(v)
        if text == "":
            out.append(pd.NaT)
            continue
        try:
            ts = _one_timestamp(text)
        except ValueError:
            ts = None
        if ts is None:
            bad.append(f"ligne {i + 2} : « {text} »" if isinstance(i, (int, np.integer)) else f"{i} : « {text} »")
            out.append(pd.NaT)
        else:
            out.append(ts)
    if bad:
        raise FileFormatError(
            f"date(s) illisible(s) dans la colonne « {column} » : {describe_rows(bad)}. Formats lus : "
            "2026/07/29 9:00:00 AM UTC+3, 29/07/2026 09:00:00, 2026-07-29 09:00:00. Corrigez ces cellules.",
            path,
        )
    return pd.Series(pd.to_datetime(out), index=values.index, name=values.name)


# ---------------------------------------------------------------------- codebook application
def _lines(index) -> str:
    return describe_rows([int(i) + 2 for i in index])


def _parse_joined(cell: str, labels: list[str]) -> tuple[list[str], str]:
    """Options found in a joined checkbox answer, and the leftover text."""
    ordered = sorted(labels, key=len, reverse=True)
    found, other = [], []
    for token in cell.split(";"):
        t = token.strip()
        while t:
            tf = t.casefold()
            for lab in ordered:
                lf = lab.casefold()
                if tf == lf or tf.startswith(lf + ","):
                    found.append(lab)
                    t = t[len(lab):].lstrip(",").strip()
                    break
            else:
                head, _, rest = t.partition(", ")
                other.append(head.strip())
                t = rest.strip()
    return found, ", ".join(o for o in other if o)


def apply_codebook(
    raw: pd.DataFrame,
    codebook: pd.DataFrame,
    ids: pd.Series,
    *,
    path: Path | None,
    report: CleaningReport,
    technical: Sequence[str] = (),
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Tidy answers and free text from raw text cells, following the codebook.

    Raises
    ------
    CodebookError
        Codebook columns absent from the export; answers outside the declared levels;
        numbers or dates that cannot be read; options of a multiple-response question that are
        neither ticked nor unticked. Every problem of the file is listed at once.
    """
    cb = codebook
    where = {_header(c).casefold(): c for c in raw.columns}
    missing = [(i, c) for i, c in enumerate(cb["column"]) if _header(c).casefold() not in where]
    if missing:
        shown = []
        for i, c in missing:
            close = difflib.get_close_matches(c, list(raw.columns), n=1, cutoff=0.6)
            hint = f" (proche : « {close[0]} »)" if close else ""
            shown.append(f"« {c} » (ligne {i + 2} du codebook){hint}")
        raise CodebookError(
            f"le codebook ne correspond pas à l'export : {len(missing)} colonne(s) du codebook "
            f"absente(s) de l'export : {describe_rows(shown, limit=8)}. Que faire : corrigez la "
            "colonne « column » de ces lignes, ou repartez de draft_codebook(export) pour cet export.",
            path,
        )
    col_of = [where[_header(c).casefold()] for c in cb["column"]]
    used = set(col_of) | set(technical)
    ignored = [c for c in raw.columns if c not in used]
    if ignored:
        report.add(
            "codebook",
            f"{len(ignored)} colonne(s) de l'export absente(s) du codebook, ignorée(s) : {describe_rows(ignored)}.",
            count=len(ignored),
        )
    problems: list[str] = []
    data: dict[str, pd.Series] = {}
    free: list[pd.DataFrame] = []

    def add_free(variable: str, question: str, texts: pd.Series) -> None:
        keep = texts != ""
        if keep.any():
            free.append(pd.DataFrame({"respondent_id": ids[keep].to_numpy(), "variable": variable,
                                      "question": question, "text": texts[keep].to_numpy(), "code": ""}))

    done_groups: set[str] = set()
    for k, rec in enumerate(cb.itertuples(index=False)):
        col = col_of[k]
        v = raw[col].map(_cell)
        low = v.str.lower()
        miss = {x.lower() for pair in parse_levels(rec.missing) for x in pair}
        na = (v == "") | low.isin(NOT_SHOWN) | low.isin(miss)
        label = f"colonne « {col} » ({rec.variable})" if col != rec.variable else f"colonne « {col} »"
        t = rec.type
        if t in ("single", "likert"):
            pairs = parse_levels(rec.levels)
            if pairs:
                lookup: dict[str, str] = {}
                for code, lab in pairs:
                    lookup.setdefault(code.lower(), lab)
                    lookup.setdefault(lab.lower(), lab)
                mapped = low.map(lookup)
                unknown = ~na & mapped.isna()
                if unknown.any():
                    vals = sorted(set(v[unknown]))
                    problems.append(
                        f"{label} : valeur(s) hors des modalités du codebook {describe_rows(['« ' + x + ' »' for x in vals], limit=5)} "
                        f"(lignes {_lines(v.index[unknown])}) ; modalités déclarées : {rec.levels}"
                    )
                cats = list(dict.fromkeys(lab for code, lab in pairs if code.lower() not in miss and lab.lower() not in miss))
            else:
                mapped = v
                cats = sorted(set(v[~na]), key=_natural_key)
            values = mapped.where(~na)
            data[rec.variable] = pd.Series(
                pd.Categorical(values.where(values.isin(cats)), categories=cats, ordered=t == "likert"), index=raw.index
            )
        elif t in ("numeric", "age"):
            num = pd.to_numeric(v.str.replace("\u202f", "").str.replace(" ", "").str.replace(",", "."), errors="coerce")
            bad = ~na & num.isna()
            if bad.any():
                vals = sorted(set(v[bad]))
                problems.append(
                    f"{label} : nombre(s) illisible(s) {describe_rows(['« ' + x + ' »' for x in vals], limit=5)} "
                    f"(lignes {_lines(v.index[bad])})"
                )
            data[rec.variable] = num.where(~na).astype(float)
        elif t == "multiple":
            if rec.question in done_groups:
                continue
            done_groups.add(rec.question)
            grp = cb[(cb["type"] == "multiple") & (cb["question"] == rec.question)]
            gcols = [col_of[j] for j in grp.index]
            if len(grp) > 1 and len(set(gcols)) == 1:
                labels = [lab or var for lab, var in zip(grp["label"], grp["variable"], strict=True)]
                by_label = dict(zip(labels, grp["variable"], strict=True))
                flags = {var: np.zeros(len(raw), dtype=bool) for var in grp["variable"]}
                others = pd.Series("", index=raw.index, dtype=object)
                for pos, (cell, isna) in enumerate(zip(v, na, strict=True)):
                    if isna:
                        continue
                    found, other = _parse_joined(cell, labels)
                    for lab in found:
                        flags[by_label[lab]][pos] = True
                    others.iloc[pos] = other
                for var in grp["variable"]:
                    data[var] = pd.Series(flags[var], index=raw.index).astype("boolean").where(~na)
                n_other = int((others != "").sum())
                if n_other:
                    report.add("choix multiples", f"{n_other} réponse(s) hors des options listées, "
                               f"gardées en texte libre sous « {rec.question}_autre ».",
                               variable=rec.question, count=n_other)
                add_free(f"{rec.question}_autre", rec.text, others)
            else:
                empty = np.ones(len(raw), dtype=bool)
                cols = {}
                for j in grp.index:
                    gv = raw[col_of[j]].map(_cell)
                    gl = gv.str.lower()
                    shown = ~gl.isin(NOT_SHOWN)
                    yes, no = gl.isin(YES), gl.isin(NO)
                    unknown = ~(yes | no | ~shown)
                    if unknown.any():
                        vals = sorted(set(gv[unknown]))
                        problems.append(
                            f"colonne « {col_of[j]} » ({cb.at[j, 'variable']}) : option ni cochée ni décochée "
                            f"{describe_rows(['« ' + x + ' »' for x in vals], limit=5)} (lignes {_lines(gv.index[unknown])}) ; "
                            "attendu Y/Oui/1 (cochée), N/Non/0 ou vide (non cochée), N/A (non posée)"
                        )
                    empty &= ((gv == "") | ~shown).to_numpy()
                    cols[cb.at[j, "variable"]] = pd.Series(yes.to_numpy(), index=raw.index).astype("boolean").where(shown)
                for var, s in cols.items():
                    data[var] = s.where(~empty)
        elif t == "free_text":
            add_free(rec.variable, (rec.text + (f" [{rec.label}]" if rec.label else "")).strip(), v.where(~na, ""))
        elif t == "commune":
            data[rec.variable] = v.where(~na).astype(object)
        elif t == "date":
            try:
                data[rec.variable] = parse_timestamps(v.where(~na, ""), path=path, column=col)
            except FileFormatError as exc:
                problems.append(str(exc).split(" : ", 1)[-1].rstrip("."))
        # id and ignore: nothing to keep here
    if problems:
        raise CodebookError(
            f"{len(problems)} problème(s) entre le codebook et les réponses : " + " ; ".join(problems)
            + ". Que faire : ajoutez les modalités manquantes au codebook (colonne levels) ou "
            "déclarez-les comme non-réponses (colonne missing), ou corrigez les cellules citées.",
            path,
        )
    frame = pd.DataFrame(data, index=raw.index)
    free_text = pd.concat(free, ignore_index=True) if free else pd.DataFrame(columns=FREE_TEXT_COLUMNS)
    return frame, free_text


# ---------------------------------------------------------------------- pipeline
def _resolve_codebook(codebook, raw: pd.DataFrame, kind: str, report: CleaningReport) -> pd.DataFrame:
    if codebook is None:
        report.add(
            "codebook",
            "aucun codebook fourni : codebook rédigé automatiquement à partir de l'export "
            "(relisez-le : draft_codebook(fichier) puis write_codebook(…)).",
        )
        return draft_codebook(raw, kind=kind)
    if isinstance(codebook, pd.DataFrame):
        return normalize_codebook(codebook)
    return read_codebook(codebook)


def _find(columns: Sequence[str], names: set[str]) -> str | None:
    for c in columns:
        if fold_text(c) in names or c in names:
            return c
    return None


def _build(
    raw: pd.DataFrame,
    kind: str,
    path: Path | None,
    codebook,
    *,
    complete_only: bool = True,
    min_lastpage: int | None = None,
    drop_duplicates: bool = True,
    communes: pd.DataFrame | None = None,
    age_bands: Sequence[str] | None = None,
    id_column: str | None = None,
) -> SurveyResponses:
    report = CleaningReport()
    report.add("lecture", f"{len(raw)} réponse(s) lue(s) ({_KIND_LABEL[kind]}).", count=len(raw))
    tech = technical_columns(list(raw.columns), kind)
    personal = [c for c in tech if fold_text(c) in _PERSONAL or c in _PERSONAL]
    if personal:
        report.add("données personnelles", f"colonne(s) écartée(s) : {', '.join(personal)}.", count=len(personal))
    # incomplete responses (LimeSurvey)
    submit = _find(raw.columns, {"submitdate", "date de soumission"}) if kind.startswith("limesurvey") else None
    lastpage = _find(raw.columns, {"lastpage", "derniere page"}) if kind.startswith("limesurvey") else None
    keep = np.ones(len(raw), dtype=bool)
    if submit is not None and complete_only:
        incomplete = (raw[submit] == "").to_numpy().copy()
        if min_lastpage is not None and lastpage is not None:
            page = pd.to_numeric(raw[lastpage], errors="coerce").to_numpy()
            incomplete = incomplete & ~(page >= min_lastpage)
        if incomplete.any():
            why = "sans date de soumission"
            if min_lastpage is not None:
                why += f" et arrêtée(s) avant la page {min_lastpage}"
            report.add("réponses incomplètes", f"{int(incomplete.sum())} réponse(s) {why}, écartée(s).",
                       count=int(incomplete.sum()))
        keep &= ~incomplete
    elif kind.startswith("limesurvey") and submit is None:
        report.add("réponses incomplètes", "pas de colonne de date de soumission : les réponses incomplètes ne "
                   "peuvent pas être repérées (exportez-la avec les réponses).")
    raw = raw.loc[keep]
    cb = _resolve_codebook(codebook, raw, kind, report)
    # respondent identifiers
    id_col = id_column or _find(raw.columns, {"id", "id reponse", "id de la reponse"})
    if id_col is None:
        ids_rows = cb[cb["type"] == "id"]
        id_col = ids_rows["column"].iloc[0] if len(ids_rows) else None
    if id_col is not None and id_col not in raw.columns:
        raise FileFormatError(f"colonne d'identifiant « {id_col} » absente de l'export.", path)
    if id_col is not None:
        idv = raw[id_col]
        num = pd.to_numeric(idv, errors="coerce")
        ids = num.astype("Int64") if num.notna().all() and (num % 1 == 0).all() else idv.astype(object)
    else:
        ids = pd.Series(np.arange(1, len(raw) + 1), index=raw.index)
    ids = pd.Series(ids.to_numpy(), index=raw.index, name="respondent_id")
    data, free = apply_codebook(raw, cb, ids, path=path, report=report, technical=[*tech, *([id_col] if id_col else [])])
    data.insert(0, "respondent_id", ids)
    stamp = None
    if kind == "google_forms":
        stamp = raw.columns[0]
    elif submit is not None:
        stamp = submit
    if stamp is not None:
        data.insert(1, "submitted_at", parse_timestamps(raw[stamp], path=path, column=stamp))
    questions = [c for c in data.columns if c not in ("respondent_id", "submitted_at")]
    drop = np.zeros(len(data), dtype=bool)
    dup_id = ids.duplicated(keep="first").to_numpy()
    if dup_id.any():
        report.add("doublons", f"{int(dup_id.sum())} identifiant(s) de répondant en double "
                   f"({describe_rows(sorted(set(ids[dup_id].astype(str))))}) : seule la première réponse est gardée.",
                   count=int(dup_id.sum()))
        drop |= dup_id
    if drop_duplicates:
        dup = duplicated_answers(data, questions) & ~drop
        if dup.any():
            report.add("doublons", f"{int(dup.sum())} réponse(s) identique(s) à une réponse précédente sur "
                       f"toutes les questions, écartée(s) (lignes {_lines(data.index[dup])}).", count=int(dup.sum()))
            drop |= dup
    has_free = ids.isin(free["respondent_id"]).to_numpy() if len(free) else np.zeros(len(data), bool)
    empty = data[questions].isna().all(axis=1).to_numpy() & ~has_free & ~drop
    if empty.any():
        report.add("réponses vides", f"{int(empty.sum())} réponse(s) sans aucune réponse aux questions, écartée(s).",
                   count=int(empty.sum()))
        drop |= empty
    data = data.loc[~drop].reset_index(drop=True)
    free = free[free["respondent_id"].isin(data["respondent_id"])].reset_index(drop=True)
    # ages
    for var in cb.loc[cb["type"] == "age", "variable"]:
        age = data[var]
        odd = (age < 0) | (age > 120)
        if odd.any():
            report.add("âges", f"{int(odd.sum())} âge(s) invraisemblable(s) (hors 0–120 ans) remplacé(s) par une "
                       "valeur manquante.", variable=var, count=int(odd.sum()))
            data[var] = age.where(~odd)
        if age_bands is not None:
            band = age_to_band(data[var], age_bands)
            out = band.isna() & data[var].notna()
            data[f"{var}_band"] = band
            msg = f"âges regroupés en tranches {', '.join(age_bands)}"
            if out.any():
                msg += f" ; {int(out.sum())} âge(s) hors des tranches (valeur manquante)"
            report.add("âges", msg + ".", variable=var, count=int(out.sum()))
    # communes
    if communes is not None:
        for var in cb.loc[cb["type"] == "commune", "variable"]:
            m = match_communes(data[var], communes)
            data[f"{var}_code"] = m.codes.to_numpy()
            counts = m.matches["method"].value_counts()
            done = int(counts.drop(["unmatched", "empty"], errors="ignore").sum())
            msg = f"{done} commune(s) reconnue(s)"
            if m.unmatched:
                msg += (f" ; {int(counts.get('unmatched', 0))} non reconnue(s) : "
                        f"{describe_rows(['« ' + u + ' »' for u in m.unmatched])} (à coder à la main)")
            report.add("communes", msg + ".", variable=var, count=int(counts.get("unmatched", 0)))
    report.add("résultat", f"{len(data)} répondant(s) retenu(s).", count=len(data))
    return SurveyResponses(data=data, codebook=cb, free_text=free, report=report.to_frame(), source=path, kind=kind)


def read_limesurvey(
    path: str | Path,
    codebook=None,
    *,
    complete_only: bool = True,
    min_lastpage: int | None = None,
    drop_duplicates: bool = True,
    communes: pd.DataFrame | None = None,
    age_bands: Sequence[str] | None = None,
) -> SurveyResponses:
    """Read a LimeSurvey export: CSV with question codes, or "full text" XLSX/CSV.

    Parameters
    ----------
    path : str or Path
    codebook : str, Path or DataFrame, optional
        Codebook file or table; drafted from the export when omitted (see the report).
    complete_only : bool, default True
        Drop responses without submission date (``submitdate`` empty).
    min_lastpage : int, optional
        With ``complete_only``, also keep incomplete responses that reached this page.
    drop_duplicates : bool, default True
        Drop responses identical to an earlier one on every question.
    communes : DataFrame, optional
        Communes of the territory (``code, name``): answers of ``commune`` questions are
        matched to codes in ``<variable>_code``.
    age_bands : sequence of str, optional
        Age bands (``["15-29", …, "75+"]``) for ``age`` questions, in ``<variable>_band``.

    Returns
    -------
    SurveyResponses

    Raises
    ------
    FileFormatError
        Not a LimeSurvey export, or unreadable.
    CodebookError
        Codebook not matching the export (columns, levels, numbers).
    """
    raw, kind, _ = read_raw(path)
    if kind not in ("limesurvey", "limesurvey_text"):
        raise FileFormatError(
            "ce fichier n'est pas un export LimeSurvey : la première colonne devrait être « id » suivie de "
            "« submitdate » (export CSV avec codes) ou « ID réponse » (export « texte complet ») ; "
            f"trouvé : {describe_rows(raw.columns[:5])}. Utilisez read_responses() pour un autre format.",
            path,
        )
    return _build(raw, kind, Path(path), codebook, complete_only=complete_only, min_lastpage=min_lastpage,
                  drop_duplicates=drop_duplicates, communes=communes, age_bands=age_bands)


def read_google_forms(
    path: str | Path,
    codebook=None,
    *,
    drop_duplicates: bool = True,
    communes: pd.DataFrame | None = None,
    age_bands: Sequence[str] | None = None,
) -> SurveyResponses:
    """Read a Google Forms export (CSV downloaded from Forms, or the CSV/XLSX of its Sheets).

    The first column ``Horodateur`` becomes ``submitted_at``; respondents are numbered in file
    order; an e-mail column is dropped. Checkbox answers joined in one cell (``;`` or ``, ``)
    are split on the options listed in the codebook (options that themselves contain a comma
    are recognised whole); a drafted codebook takes the options from the answers.
    Other parameters as :func:`read_limesurvey`.
    """
    raw, kind, _ = read_raw(path)
    if kind != "google_forms":
        raise FileFormatError(
            "ce fichier n'est pas un export Google Forms : la première colonne devrait être « Horodateur » "
            f"(ou « Timestamp ») ; trouvé : « {raw.columns[0]} ». Utilisez read_responses() pour un autre format.",
            path,
        )
    return _build(raw, kind, Path(path), codebook, drop_duplicates=drop_duplicates, communes=communes,
                  age_bands=age_bands)


def read_responses(
    path: str | Path,
    codebook=None,
    *,
    id_column: str | None = None,
    complete_only: bool = True,
    drop_duplicates: bool = True,
    communes: pd.DataFrame | None = None,
    age_bands: Sequence[str] | None = None,
) -> SurveyResponses:
    """Read any supported survey file: LimeSurvey and Google Forms exports are recognised from
    their headers; otherwise a generic CSV/XLSX (one row per respondent, one header row) or an
    SPSS ``.sav`` (value labels become the codebook's levels).

    Parameters
    ----------
    id_column : str, optional
        Column of respondent identifiers (else a codebook row of type ``id``, else 1…n).

    Other parameters as :func:`read_limesurvey`.
    """
    raw, kind, meta = read_raw(path)
    if codebook is None and kind == "spss":
        from cls_analysis.survey.codebook import _draft_spss

        report_cb = _draft_spss(raw, meta)
        codebook = report_cb
    return _build(raw, kind, Path(path), codebook, complete_only=complete_only, drop_duplicates=drop_duplicates,
                  communes=communes, age_bands=age_bands, id_column=id_column)
