"""The codebook: what each column of a survey export means.

A codebook is a table (CSV with ``;`` or XLSX, first sheet), one row per variable of the
tidy answers, with these columns (only ``variable`` and ``type`` are required):

============ ==============================================================================
``variable`` name of the column in the tidy answers (``q_sante``, ``renonc_delai``…), unique
``column``   header of the column in the export: a LimeSurvey code (``Q2``, ``M3[SQ001]``),
             a full question text, a Google Forms question; defaults to ``variable``
``question`` question id: groups the options of a multiple-response question (and the items
             of a battery); defaults to ``variable``
``type``     ``single`` (one answer among levels), ``likert`` (ordered scale), ``multiple``
             (one row per option, ticked or not), ``numeric``, ``age`` (numeric age in years),
             ``free_text`` (kept apart, never in ``data``), ``commune`` (commune written
             freely), ``date``, ``id`` (respondent identifier), ``ignore``
``text``     question text (French), for tables and charts
``label``    option or item label (multiple and batteries): for a Google Forms checkbox
             question, the text of the option as it appears in the answers
``levels``   ordered levels ``code=label`` separated by ``|``: ``A1=Très bien | A2=Bien``;
             a level without ``=`` is its own label. Answers may be codes or labels
``missing``  codes or labels meaning "no answer" (``99 | NSP``), separated by ``|``
============ ==============================================================================

``N/A`` (not shown) and empty cells are always missing. For ``multiple`` options given as
separate columns, ``Y``/``Oui``/``1``/``Yes`` mean ticked and ``N``/``Non``/``0``/empty not
ticked; a respondent with every option empty did not answer the question. When several
options share one ``column``, the answers are joined in one cell (Google Forms checkboxes,
``;`` or ``, ``); text that matches no option goes to the free text as ``<question>_autre``.

Draft a codebook from an export with :func:`draft_codebook`, write it with
:func:`write_codebook`, edit it (names, labels, order of levels, types), then read it with
:func:`read_codebook` or pass its path to a reader.

Examples
--------
>>> parse_levels("A1=Très bien | A2=Bien | NSP")
[('A1', 'Très bien'), ('A2', 'Bien'), ('NSP', 'NSP')]
>>> cb = normalize_codebook(pd.DataFrame({"variable": ["q1"], "type": ["numeric"]}))
>>> cb.loc[0, ["variable", "column", "question", "type"]].tolist()
['q1', 'q1', 'q1', 'numeric']
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from cls_analysis.errors import describe_rows
from cls_analysis.geo.codes import fold_text
from cls_analysis.survey.errors import CodebookError

__all__ = [
    "CODEBOOK_COLUMNS",
    "QUESTION_TYPES",
    "draft_codebook",
    "format_levels",
    "multiple_groups",
    "normalize_codebook",
    "parse_levels",
    "read_codebook",
    "write_codebook",
]

CODEBOOK_COLUMNS = ("variable", "column", "question", "type", "text", "label", "levels", "missing")
QUESTION_TYPES = (
    "single",
    "likert",
    "multiple",
    "numeric",
    "age",
    "free_text",
    "commune",
    "date",
    "id",
    "ignore",
)
_TYPE_ALIASES = {
    "choix_unique": "single",
    "unique": "single",
    "echelle": "likert",
    "choix_multiple": "multiple",
    "multiples": "multiple",
    "numerique": "numeric",
    "nombre": "numeric",
    "texte": "free_text",
    "texte_libre": "free_text",
    "text": "free_text",
    "identifiant": "id",
    "ignorer": "ignore",
}

YES = frozenset({"y", "oui", "yes", "1", "true", "vrai", "x", "coché", "coche"})
NO = frozenset({"n", "non", "no", "0", "false", "faux", ""})
NOT_SHOWN = frozenset({"n/a", "na", "#n/a"})


def parse_levels(text: object) -> list[tuple[str, str]]:
    """Parse ``code=label | code=label`` into pairs (a bare item is its own label)."""
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return []
    out = []
    for item in str(text).split("|"):
        item = item.strip()
        if not item:
            continue
        code, sep, label = item.partition("=")
        code, label = code.strip(), label.strip()
        out.append((code, label if sep and label else code))
    return out


def format_levels(pairs: list[tuple[str, str]]) -> str:
    """Inverse of :func:`parse_levels`.

    >>> format_levels([("1", "Jamais"), ("Souvent", "Souvent")])
    '1=Jamais | Souvent'
    """
    return " | ".join(code if code == label else f"{code}={label}" for code, label in pairs)


def _text(v: object) -> str:
    if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
        return ""
    return str(v).strip()


def normalize_codebook(codebook: pd.DataFrame, path: str | Path | None = None) -> pd.DataFrame:
    """Check a codebook and fill its defaults; every problem is reported at once.

    Raises
    ------
    CodebookError
        Missing ``variable``/``type`` columns, unknown types, duplicate or empty variable
        names, ``multiple`` rows without question.
    """
    if not isinstance(codebook, pd.DataFrame):
        raise CodebookError(
            f"le codebook doit être un tableau (DataFrame, CSV ou XLSX), pas {type(codebook).__name__}.",
            path,
        )
    cb = codebook.copy()
    cb.columns = [str(c).strip().lower() for c in cb.columns]
    missing = [c for c in ("variable", "type") if c not in cb.columns]
    if missing:
        raise CodebookError(
            f"colonne(s) obligatoire(s) absente(s) du codebook : {', '.join(missing)} "
            f"(colonnes trouvées : {describe_rows(cb.columns)}). Colonnes attendues : "
            f"{', '.join(CODEBOOK_COLUMNS)}.",
            path,
        )
    for c in CODEBOOK_COLUMNS:
        cb[c] = cb[c].map(_text) if c in cb.columns else ""
    cb["type"] = cb["type"].str.lower().map(lambda t: _TYPE_ALIASES.get(t, t))
    cb["column"] = np.where(cb["column"] == "", cb["variable"], cb["column"])
    cb["question"] = np.where(cb["question"] == "", cb["variable"], cb["question"])
    problems = []
    line = lambda i: i + 2  # noqa: E731  (header is line 1)
    for i, rec in enumerate(cb.itertuples(index=False)):
        if rec.variable == "":
            problems.append(f"ligne {line(i)} : nom de variable vide")
        if rec.type not in QUESTION_TYPES:
            problems.append(
                f"ligne {line(i)} ({rec.variable}) : type « {rec.type} » inconnu "
                f"(types possibles : {', '.join(QUESTION_TYPES)})"
            )
    dup = cb["variable"].duplicated(keep=False) & (cb["variable"] != "")
    for name in sorted(set(cb.loc[dup, "variable"])):
        rows = [str(line(i)) for i in np.flatnonzero((cb["variable"] == name).to_numpy())]
        problems.append(f"variable « {name} » en double (lignes {', '.join(rows)})")
    if problems:
        raise CodebookError(
            "codebook invalide : " + " ; ".join(problems) + ". Corrigez ces lignes du codebook.", path
        )
    return cb.loc[:, list(CODEBOOK_COLUMNS)].reset_index(drop=True)


def multiple_groups(codebook: pd.DataFrame | None) -> dict[str, list[tuple[str, str]]]:
    """Multiple-response questions: question id → ``[(variable, option label), …]``.

    >>> cb = normalize_codebook(pd.DataFrame({
    ...     "variable": ["m_a", "m_b"], "question": ["m", "m"], "type": ["multiple"] * 2,
    ...     "label": ["Délai", "Coût"]}))
    >>> multiple_groups(cb)
    {'m': [('m_a', 'Délai'), ('m_b', 'Coût')]}
    """
    out: dict[str, list[tuple[str, str]]] = {}
    if codebook is None or len(codebook) == 0:
        return out
    rows = codebook[codebook["type"] == "multiple"]
    for rec in rows.itertuples(index=False):
        out.setdefault(rec.question, []).append((rec.variable, rec.label or rec.variable))
    return out


def read_codebook(path: str | Path) -> pd.DataFrame:
    """Read a codebook written by hand or by :func:`write_codebook` (CSV ``;``/``,`` or XLSX).

    Raises
    ------
    CodebookError
        File unreadable or codebook invalid (see :func:`normalize_codebook`).
    """
    path = Path(path)
    if not path.exists():
        raise CodebookError("fichier de codebook introuvable : vérifiez le chemin.", path)
    try:
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            raw = pd.read_excel(path, dtype=str, keep_default_na=False)
        elif path.suffix.lower() in (".csv", ".txt", ".tsv"):
            with open(path, encoding="utf-8-sig") as f:
                head = f.readline()
            sep = max([";", ",", "\t"], key=head.count)
            raw = pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        else:
            raise CodebookError(
                f"format de codebook « {path.suffix} » non pris en charge : utilisez .csv ou .xlsx.", path
            )
    except (UnicodeDecodeError, ValueError, OSError) as exc:
        if isinstance(exc, CodebookError):
            raise
        raise CodebookError(
            f"lecture impossible ({exc.__class__.__name__}). Enregistrez le codebook en CSV UTF-8 "
            "(séparateur ;) ou en XLSX.",
            path,
        ) from exc
    return normalize_codebook(raw, path)


def _atomic_write(path: Path, write) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=path.suffix)
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_codebook(codebook: pd.DataFrame, path: str | Path) -> Path:
    """Write a codebook for a person to edit: CSV for French Excel (``;``, UTF-8 with BOM) or
    XLSX (by the suffix). Written atomically.

    Returns
    -------
    Path
    """
    path = Path(path)
    cb = normalize_codebook(codebook)
    if path.suffix.lower() == ".xlsx":

        def write(tmp: Path) -> None:
            with pd.ExcelWriter(tmp, engine="openpyxl") as xw:
                cb.to_excel(xw, sheet_name="codebook", index=False)
                ws = xw.sheets["codebook"]
                for col, width in zip("ABCDEFGH", (22, 30, 18, 11, 50, 30, 50, 14), strict=True):
                    ws.column_dimensions[col].width = width
                ws.freeze_panes = "A2"

    else:

        def write(tmp: Path) -> None:
            cb.to_csv(tmp, sep=";", index=False, encoding="utf-8-sig")

    return _atomic_write(path, write)


# ---------------------------------------------------------------------- drafting
_BRACKET = re.compile(r"^(?P<base>.*?)\s*\[(?P<sub>[^\[\]]+)\]$")
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]{0,30}$")
_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")


def _is_number(v: str) -> bool:
    return bool(_NUMBER.match(v.replace("\u202f", "").replace(" ", "")))


def _slug(text: str) -> str:
    s = fold_text(text).replace(" ", "_")
    return s or "x"


def _natural_key(v: str):
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", v)]


def _answers(series: pd.Series) -> pd.Series:
    s = series.map(_text)
    return s[(s != "") & ~s.str.lower().isin(NOT_SHOWN)]


def _split_joined(values: pd.Series) -> tuple[str, list[str]] | None:
    """If cells look like joined checkbox answers, the separator and the options."""
    cells = values.unique().tolist()
    for sep in (";", ", "):
        if not any(sep in c for c in cells):
            continue
        items = pd.Series([i.strip() for c in values for i in c.split(sep) if i.strip()])
        counts = items.value_counts()
        if sep == ";" or (len(counts) < len(cells) and (counts >= 2).mean() >= 0.8):
            return sep, sorted(counts.index, key=lambda v: (-counts[v], v))
    return None


def _draft_single(name: str, header: str, values: pd.Series, qid: str) -> list[dict]:
    folded = fold_text(header)
    base = {"variable": qid, "column": name, "question": qid, "text": header, "label": "", "levels": "", "missing": ""}
    distinct = values.unique().tolist()
    if "commune" in folded.split() or folded.startswith("commune") or " commune" in f" {folded}":
        return [{**base, "type": "commune"}]
    if distinct and all(_is_number(v) for v in distinct):
        kind = "age" if re.search(r"\bage\b", folded) else "numeric"
        return [{**base, "type": kind}]
    joined = _split_joined(values)
    if joined is not None:
        _, options = joined
        return [
            {**base, "variable": f"{qid}_{k + 1}", "type": "multiple", "label": opt}
            for k, opt in enumerate(options)
        ]
    mean_len = float(np.mean([len(v) for v in distinct])) if distinct else 0.0
    if mean_len > 40 or (len(distinct) > 30 and len(distinct) > 0.3 * len(values)):
        return [{**base, "type": "free_text"}]
    levels = sorted(distinct, key=_natural_key)
    return [{**base, "type": "single", "levels": format_levels([(v, v) for v in levels])}]


def draft_codebook(export, *, kind: str | None = None) -> pd.DataFrame:
    """Draft a codebook from a survey export, for a person to check and edit.

    Parameters
    ----------
    export : str, Path or DataFrame
        An export file (LimeSurvey CSV or "full text" XLSX, Google Forms CSV, generic
        CSV/XLSX, SPSS ``.sav``) or its raw table (strings).
    kind : {"limesurvey", "limesurvey_text", "google_forms", "generic", "spss"}, optional
        Format of a DataFrame export (guessed from the headers when omitted).

    Returns
    -------
    DataFrame
        A codebook (see the module documentation). Question ids are the LimeSurvey codes when
        the export has them (``Q2[SQ001]`` → ``Q2_SQ001``), the header when it is a short
        identifier, otherwise ``q01``, ``q02``… in order. Multiple-response questions are
        recognised from ``Oui``/``Non``/``Y`` sub-question columns or from joined answers;
        sub-questions with other answers become a battery (``likert``); ``[other]``/``[Autre]``
        texts become ``free_text``; numbers become ``numeric`` (``age`` when the question
        speaks of age); long texts, or many distinct ones, become ``free_text``; a question about
        a commune becomes ``commune``.

    Examples
    --------
    >>> raw = pd.DataFrame({"id": ["1", "2"], "submitdate": ["2026-07-01", "2026-07-02"],
    ...                     "Q1": ["A1", "A2"], "M2[SQ001]": ["Y", ""], "M2[SQ002]": ["", "Y"],
    ...                     "M2[other]": ["autre chose", ""], "AGE": ["34", "71"]})
    >>> draft_codebook(raw)[["variable", "column", "question", "type"]]
       variable     column question       type
    0        Q1         Q1       Q1     single
    1  M2_SQ001  M2[SQ001]       M2   multiple
    2  M2_SQ002  M2[SQ002]       M2   multiple
    3  M2_other  M2[other]       M2  free_text
    4       AGE        AGE      AGE        age
    """
    from cls_analysis.survey.readers import read_raw, technical_columns

    if isinstance(export, pd.DataFrame):
        raw = export.astype(object).map(_text)
        if kind is None:
            from cls_analysis.survey.readers import guess_kind

            kind = guess_kind(list(raw.columns))
        meta = None
    else:
        raw, kind, meta = read_raw(export)
    if kind == "spss" and meta is not None:
        return _draft_spss(raw, meta)
    tech = set(technical_columns(list(raw.columns), kind))
    columns = [c for c in raw.columns if c not in tech]
    coded = kind == "limesurvey"
    rows: list[dict] = []
    counter = 0
    qids: dict[str, str] = {}

    def question_id(base: str) -> str:
        nonlocal counter
        if base not in qids:
            if coded or _IDENT.match(base):
                qids[base] = re.sub(r"[^A-Za-z0-9_]", "_", base)
            else:
                counter += 1
                qids[base] = f"q{counter:02d}"
        return qids[base]

    plain = {c for c in columns if not _BRACKET.match(c)}
    i = 0
    while i < len(columns):
        col = columns[i]
        m = _BRACKET.match(col)
        if m is None:
            rows += _draft_single(col, col, _answers(raw[col]), question_id(col))
            i += 1
            continue
        base = m.group("base")
        group = [col]
        while i + len(group) < len(columns):
            m2 = _BRACKET.match(columns[i + len(group)])
            if m2 is None or m2.group("base") != base:
                break
            group.append(columns[i + len(group)])
        i += len(group)
        qid = question_id(base)
        subs = [(_BRACKET.match(c).group("sub"), c) for c in group]
        answer_subs = [(s, c) for s, c in subs if fold_text(s) not in ("other", "autre", "comment")]
        other_subs = [(s, c) for s, c in subs if fold_text(s) in ("other", "autre", "comment")]
        yes_no = all(
            set(_answers(raw[c]).str.lower()) <= (YES | NO) for _, c in answer_subs
        ) and any(len(_answers(raw[c])) for _, c in answer_subs)
        for k, (sub, c) in enumerate(answer_subs):
            sid = re.sub(r"[^A-Za-z0-9_]", "_", sub) if coded else str(k + 1)
            rec = {"variable": f"{qid}_{sid}", "column": c, "question": qid, "text": base, "label": sub, "missing": ""}
            if yes_no:
                rows.append({**rec, "type": "multiple", "levels": ""})
            else:
                one = _draft_single(c, base, _answers(raw[c]), rec["variable"])[0]
                kind_ = "likert" if one["type"] == "single" else one["type"]
                rows.append({**rec, "type": kind_, "levels": one["levels"]})
        for sub, c in other_subs:
            # the "other" text of a question: of the group, or of the plain column of the same text
            q = question_id(base) if base not in plain else qids.get(base, qid)
            rows.append({"variable": f"{q}_{_slug(sub)}", "column": c, "question": q, "text": base,
                         "label": sub, "type": "free_text", "levels": "", "missing": ""})
    return normalize_codebook(pd.DataFrame(rows, columns=list(CODEBOOK_COLUMNS)))


def _draft_spss(raw: pd.DataFrame, meta) -> pd.DataFrame:
    rows = []
    labels = getattr(meta, "variable_value_labels", {}) or {}
    texts = dict(zip(meta.column_names, meta.column_labels or [None] * len(meta.column_names), strict=False))
    for col in raw.columns:
        text = texts.get(col) or ""
        if col in labels:
            pairs = [(_code_text(k), str(v)) for k, v in labels[col].items()]
            rows.append({"variable": col, "column": col, "question": col, "type": "single",
                         "text": text, "label": "", "levels": format_levels(pairs), "missing": ""})
            continue
        values = _answers(raw[col])
        rec = _draft_single(col, text or col, values, col)
        for r in rec:
            r["text"] = text
        rows += rec
    return normalize_codebook(pd.DataFrame(rows, columns=list(CODEBOOK_COLUMNS)))


def _code_text(v: object) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)
