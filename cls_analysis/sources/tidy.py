"""Generic tidy CSV / XLSX: any data already in the observations shape.

For everything without a dedicated reader: SNDS counts prepared by the ORS (consumers, ALD,
psychotropic drugs, C2S, médecin traitant), screening and vaccination (Santé publique France,
CNAM), places in establishments, CAF recipients, ARCEP fibre coverage…

Format (defined here)
---------------------
CSV (``;`` or ``,``; UTF-8, UTF-8 with BOM or Windows-1252; decimal point or comma) or XLSX
(first sheet whose header has the columns). Optional leading metadata lines
``# clé : valeur`` — ``# source : …`` (source of every row without a ``source`` column),
``# cog : 2025`` (COG vintage of the commune codes). Columns (English names of the
observations contract, or their French aliases; order free):

=============  ==============================  ========================================
column         French alias                    content
=============  ==============================  ========================================
zone_type      niveau                          commune, arrondissement, epci,
                                               département, région, france, territoire
zone_code      code                            ``17008``, ``200041499``, ``17``, ``75``, ``FRM``
period         periode, période, annee         ``2023`` or ``2019-2023``
measure        mesure                          a name of the registry (``ald_diabetes``)
sex            sexe                            M/H/1, F/2, all/ensemble (default ``all``)
age            age, âge                        ``0-4``, ``75+``, ``75 ans et plus``… (default ``all``)
value          valeur                          number (empty, ``s``, ``nd``… read as statuses)
status         statut                          ok, secret, missing/manquant, zero (optional)
source         source                          optional (else ``# source :``, else file name)
cog            cog                             optional (else ``# cog :``, else 2025)
=============  ==============================  ========================================

Example::

    # source : SNDS (DCIR), extraction ORS Nouvelle-Aquitaine, 2023
    # cog : 2025
    niveau;code;periode;mesure;sexe;age;valeur
    commune;17008;2023;ald_diabetes;F;60-74;41
    commune;17008;2023;insured;F;60-74;402

A measure outside the registry is read (and aggregated as ``none``), and listed in the report.
Counts may list only non-zero cells when the measure is ``sparse`` in the registry.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd

from cls_analysis.errors import FileFormatError, describe_rows
from cls_analysis.geo.codes import normalize_departement_code
from cls_analysis.observations import normalize_ages, normalize_sexes
from cls_analysis.sources import measures as _measures
from cls_analysis.sources._common import (
    SourceReport,
    build,
    commune_codes,
    finish,
    header_row,
    metadata_lines,
    parse_numbers,
    read_delimited,
    read_member,
    read_workbook_sheets,
    sheet_table,
    strip_lines,
)

__all__ = ["ALIASES", "read_tidy"]

#: Accepted column names (accents and case ignored) → contract column.
ALIASES = {
    "zone_type": "zone_type", "niveau": "zone_type", "type_zone": "zone_type",
    "zone_code": "zone_code", "code": "zone_code", "codgeo": "zone_code", "code_zone": "zone_code",
    "period": "period", "periode": "period", "annee": "period", "annees": "period",
    "measure": "measure", "mesure": "measure",
    "sex": "sex", "sexe": "sex",
    "age": "age", "classe_age": "age",
    "value": "value", "valeur": "value",
    "status": "status", "statut": "status",
    "source": "source",
    "cog": "cog",
}
_ZONE_TYPES = {
    "commune": "commune", "communes": "commune", "com": "commune",
    "arrondissement": "arrondissement", "arm": "arrondissement",
    "epci": "epci", "intercommunalite": "epci",
    "departement": "departement", "dep": "departement",
    "region": "region", "reg": "region",
    "france": "france", "territoire": "territory", "territory": "territory",
}
_STATUSES = {
    "ok": "ok", "secret": "secret", "s": "secret", "missing": "missing", "manquant": "missing",
    "manquante": "missing", "zero": "zero", "": "",
}


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", str(text))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower().strip()


def read_tidy(
    path: str | Path,
    *,
    source: str | None = None,
    cog: int | None = None,
    source_note: str | None = None,
) -> pd.DataFrame:
    """Read a tidy CSV or XLSX in the observations shape (French column names accepted).

    Parameters
    ----------
    path : path
    source : str, optional
        Source of rows without one (overrides ``# source :``).
    cog : int, optional
        COG vintage of commune codes (overrides ``# cog :``; default 2025).
    source_note : str, optional
        Appended to every source.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "ald.csv"
    >>> _ = f.write_text("# source : SNDS, extraction ORS\\nniveau;code;periode;mesure;sexe;age;valeur\\n"
    ...                  "commune;17008;2023;ald_diabetes;F;60 à 74 ans;41\\n"
    ...                  "département;17;2023;ald_diabetes;F;60-74;5230,5\\n")
    >>> read_tidy(f)[["zone_type", "zone_code", "age", "value", "source"]].values.tolist()
    [['commune', '17008', '60-74', 41.0, 'SNDS, extraction ORS'], ['departement', '17', '60-74', 5230.5, 'SNDS, extraction ORS']]
    """
    file = Path(path)
    what = "un fichier de données au format long (niveau;code;periode;mesure;sexe;age;valeur)"
    report = SourceReport(path=file, kind="Fichier au format long (observations)")
    if file.suffix.lower() in (".xlsx", ".xlsm"):
        meta = {}
        frame, lines = _xlsx(file, what)
    else:
        data, _ = read_member(file, r"\.(csv|txt)$", what=what)
        meta, skip = metadata_lines(data, file)
        table = read_delimited(strip_lines(data, skip), path=file, required=[], what=what, report=report)
        frame = table.frame
        lines = np.asarray(table.line(range(len(frame)))) + skip
    renamed = {}
    for column in frame.columns:
        key = _fold(column).replace(" ", "_").replace("-", "_")
        if key in ALIASES and ALIASES[key] not in renamed.values():
            renamed[column] = ALIASES[key]
    frame = frame.rename(columns=renamed)
    needed = ["zone_type", "zone_code", "period", "measure", "value"]
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise FileFormatError(
            f"colonne(s) absente(s) : {', '.join(missing)} (ou leurs équivalents français "
            "niveau, code, periode, mesure, valeur). Colonnes trouvées : "
            f"{describe_rows(frame.columns, 12)}.",
            file,
        )
    text = {c: frame[c].astype(str).str.strip() for c in frame.columns if c in ALIASES.values() and c != "value"}
    zone_type = text["zone_type"].map(_fold).map(_ZONE_TYPES)
    if zone_type.isna().any():
        bad = sorted(set(text["zone_type"][zone_type.isna()]))
        raise FileFormatError(
            f"colonne niveau : valeur(s) inconnue(s) {describe_rows(bad, 6)} ; admis : commune, "
            "arrondissement, epci, département, région, france, territoire.",
            file,
        )
    codes = text["zone_code"].copy()
    is_com = zone_type.isin(["commune", "arrondissement"]).to_numpy()
    if is_com.any():
        codes[is_com] = commune_codes(codes[is_com], path=file, column="code", lines=lines[is_com], report=report).to_numpy()
    is_dep = zone_type.eq("departement").to_numpy()
    if is_dep.any():
        codes[is_dep] = _departements(codes[is_dep], lines[is_dep], file)
    is_fr = zone_type.eq("france").to_numpy()
    if is_fr.any():
        codes[is_fr] = np.where(codes[is_fr].str.upper().isin(["FRM", "METRO", "FRANCE METROPOLITAINE"]), "FRM", "FR")
    measure = text["measure"]
    unknown = sorted(set(measure) - set(_measures.MEASURES))
    if unknown:
        report.notes.append(f"mesure(s) hors registre (agrégées comme « none ») : {describe_rows(unknown, 6)}.")
    sex = normalize_sexes(text["sex"], where="colonne sexe", path=file) if "sex" in text else pd.Series("all", index=frame.index)
    age = normalize_ages(text["age"], where="colonne age", path=file) if "age" in text else pd.Series("all", index=frame.index)
    values, statuses = parse_numbers(frame, ["value"], path=file, lines=lines)
    value, status = values["value"], statuses["value"]
    if "status" in text:
        given = text["status"].map(_fold).map(_STATUSES)
        if given.isna().any():
            bad = sorted(set(text["status"][given.isna()]))
            raise FileFormatError(f"colonne statut : valeur(s) inconnue(s) {describe_rows(bad, 6)} ; admis : ok, secret, manquant, zero.", file)
        withheld = given.isin(["secret", "missing"]).to_numpy()
        status = np.where(given.ne("").to_numpy(), given.to_numpy(), status)
        value = np.where(withheld, np.nan, value)
        zero = given.eq("zero").to_numpy()
        value = np.where(zero, 0.0, value)
        inconsistent = given.eq("ok").to_numpy() & np.isnan(value)
        if inconsistent.any():
            raise FileFormatError(
                f"statut « ok » sans valeur : lignes {describe_rows(lines[inconsistent])}. "
                "Donnez la valeur, ou le statut secret / manquant.",
                file,
            )
    default_source = source or meta.get("source") or f"{file.stem}"
    row_source = text["source"].where(text["source"].ne(""), default_source) if "source" in text else pd.Series(default_source, index=frame.index)
    if source_note:
        row_source = row_source + f" — {source_note}"
    cog_value = cog or (int(meta["cog"]) if meta.get("cog", "").isdigit() else None)
    if cog_value is None and is_com.any() and "cog" not in text:
        from cls_analysis.geo.geography import Geography

        cog_value = Geography.embedded().cog_year
        report.notes.append(f"millésime du COG non précisé (ligne « # cog : … ») : COG {cog_value} supposé.")
    obs = build(
        zone_type=zone_type.to_numpy(dtype=object),
        zone_code=codes.to_numpy(dtype=object),
        period=text["period"].to_numpy(dtype=object),
        measure=measure.to_numpy(dtype=object),
        sex=np.asarray(sex, dtype=object),
        age=np.asarray(age, dtype=object),
        value=value,
        status=status,
        source=row_source.to_numpy(dtype=object),
        cog=cog_value,
    )
    if "cog" in text:
        given_cog = pd.to_numeric(text["cog"], errors="coerce")
        obs["cog"] = pd.array(np.where(is_com, given_cog.fillna(cog_value or np.nan), np.nan), dtype="Float64").astype("Int64")
    key = ["zone_type", "zone_code", "period", "measure", "sex", "age"]
    dup = obs.duplicated(key, keep=False).to_numpy()
    if dup.any():
        first = obs.loc[dup, key].iloc[0].tolist()
        raise FileFormatError(
            f"{int(dup.sum())} ligne(s) en double (même niveau, code, période, mesure, sexe et âge), "
            f"par exemple {' '.join(first)} (lignes {', '.join(str(x) for x in lines[dup][:4])}).",
            file,
        )
    counts = obs["measure"].map(lambda m: _measures.get(m).kind == "count").to_numpy(dtype=bool)
    negative = counts & (obs["value"].to_numpy() < 0)
    if negative.any():
        cells = [f"ligne {lines[i]} : {obs['measure'].iloc[i]} = {obs['value'].iloc[i]:g}" for i in np.flatnonzero(negative)[:8]]
        raise FileFormatError(f"effectif(s) négatif(s) : {describe_rows(cells)}. Corrigez ces lignes.", file)
    periods = sorted(obs["period"].unique())
    report.vintage = ", ".join(periods)
    report.cog = cog_value if is_com.any() else None
    return finish(obs, report, path=file)


def _departements(codes: pd.Series, lines, file) -> np.ndarray:
    out, bad = [], []
    for code, line in zip(codes, lines, strict=True):
        try:
            out.append(normalize_departement_code(code))
        except Exception:
            bad.append(f"ligne {line} : « {code} »")
            out.append(code)
    if bad:
        raise FileFormatError(f"code(s) de département invalide(s) : {describe_rows(bad)}.", file)
    return np.asarray(out, dtype=object)


def _xlsx(file: Path, what: str):
    sheets = read_workbook_sheets(file, what=what)
    for name, cells in sheets.items():
        for labels in (["code", "valeur"], ["zone_code", "value"]):
            header = header_row(cells, labels)
            if header is not None:
                table, rows = sheet_table(cells, header)
                return table, np.array([f"{name}!{r}" for r in rows], dtype=object)
    raise FileFormatError(
        f"aucune feuille avec une ligne d'en-tête « code … valeur » ({what}) ; feuilles : "
        f"{', '.join(map(str, sheets))}.",
        file,
    )
