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

from cls_analysis._keys import repeated_rows
from cls_analysis.errors import FileFormatError, describe_rows
from cls_analysis.geo.codes import normalize_departement_code
from cls_analysis.observations import normalize_ages, normalize_sexes
from cls_analysis.sources import measures as _measures
from cls_analysis.sources._common import (
    SourceReport,
    TextColumn,
    build,
    commune_codes,
    finish,
    header_row,
    is_count,
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
        table = read_delimited(strip_lines(data, skip), path=file, required=[], what=what, report=report,
                               numeric=lambda c: c.strip().lower() in ("valeur", "value"))
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
    text = {c: TextColumn(frame[c]) for c in frame.columns if c in ALIASES.values() and c != "value"}
    zone_type = text["zone_type"].map(lambda v: _ZONE_TYPES.get(_fold(v)))
    if zone_type.bad:
        raise FileFormatError(
            f"colonne niveau : valeur(s) inconnue(s) {describe_rows(zone_type.bad, 6)} ; admis : commune, "
            "arrondissement, epci, département, région, france, territoire.",
            file,
        )
    codes = _zone_codes(zone_type, text["zone_code"], lines, file, report)
    is_com = np.isin(zone_type.values(), ["commune", "arrondissement"])
    measure = text["measure"]
    unknown = sorted(set(measure.uniques) - set(_measures.MEASURES))
    if unknown:
        report.notes.append(f"mesure(s) hors registre (agrégées comme « none ») : {describe_rows(unknown, 6)}.")
    sex = normalize_sexes(frame["sex"], where="colonne sexe", path=file) if "sex" in text else "all"
    age = normalize_ages(frame["age"], where="colonne age", path=file) if "age" in text else "all"
    values, statuses = parse_numbers(frame, ["value"], path=file, lines=lines)
    value, status = values["value"], statuses["value"]
    if "status" in text:
        given_column = text["status"].map(lambda v: _STATUSES.get(_fold(v)))
        if given_column.bad:
            raise FileFormatError(
                f"colonne statut : valeur(s) inconnue(s) {describe_rows(given_column.bad, 6)} ; admis : ok, "
                "secret, manquant, zero.",
                file,
            )
        given = given_column.values()
        withheld = np.isin(given, ["secret", "missing"])
        status = np.where(given != "", given, status)
        value = np.where(withheld, np.nan, value)
        value = np.where(given == "zero", 0.0, value)
        inconsistent = (given == "ok") & np.isnan(value)
        if inconsistent.any():
            raise FileFormatError(
                f"statut « ok » sans valeur : lignes {describe_rows(lines[inconsistent])}. "
                "Donnez la valeur, ou le statut secret / manquant.",
                file,
            )
    default_source = source or meta.get("source") or f"{file.stem}"
    suffix = f" — {source_note}" if source_note else ""
    if "source" in text:
        row_source = text["source"].map(lambda v: (str(v).strip() or default_source) + suffix).categorical()
    else:
        row_source = default_source + suffix
    cog_value = cog or (int(meta["cog"]) if meta.get("cog", "").isdigit() else None)
    if cog_value is None and is_com.any() and "cog" not in text:
        from cls_analysis.geo.geography import Geography

        cog_value = Geography.embedded().cog_year
        report.notes.append(f"millésime du COG non précisé (ligne « # cog : … ») : COG {cog_value} supposé.")
    obs = build(
        zone_type=zone_type.categorical(),
        zone_code=codes,
        period=text["period"].map(lambda v: str(v).strip()).categorical(),
        measure=measure.map(lambda v: str(v).strip()).categorical(),
        sex=sex if isinstance(sex, str) else sex.array,
        age=age if isinstance(age, str) else age.array,
        value=value,
        status=status,
        source=row_source,
        cog=cog_value,
    )
    if "cog" in text:
        given_cog = pd.to_numeric(pd.Series(text["cog"].values()), errors="coerce")
        obs["cog"] = pd.array(np.where(is_com, given_cog.fillna(cog_value or np.nan), np.nan), dtype="Float64").astype("Int64")
    key = ["zone_type", "zone_code", "period", "measure", "sex", "age"]
    dup = repeated_rows(obs, key)
    if dup.any():
        first = obs.loc[dup, key].iloc[0].tolist()
        raise FileFormatError(
            f"{int(dup.sum())} ligne(s) en double (même niveau, code, période, mesure, sexe et âge), "
            f"par exemple {' '.join(first)} (lignes {', '.join(str(x) for x in lines[dup][:4])}).",
            file,
        )
    negative = is_count(obs["measure"]) & (obs["value"].to_numpy() < 0)
    if negative.any():
        cells = [f"ligne {lines[i]} : {obs['measure'].iloc[i]} = {obs['value'].iloc[i]:g}" for i in np.flatnonzero(negative)[:8]]
        raise FileFormatError(f"effectif(s) négatif(s) : {describe_rows(cells)}. Corrigez ces lignes.", file)
    periods = sorted(obs["period"].unique())
    report.vintage = ", ".join(periods)
    report.cog = cog_value if is_com.any() else None
    return finish(obs, report, path=file)


def _zone_codes(zone_type: TextColumn, codes: TextColumn, lines, file, report) -> pd.Categorical:
    """Normalise the codes of each (level, code) pair once."""
    from cls_analysis.observations import categorical

    pairs = zone_type.codes.astype(np.int64) * (len(codes.uniques) + 1) + codes.codes
    inverse, unique_pairs = pd.factorize(pairs)
    unique_pairs = np.asarray(unique_pairs)
    types = zone_type.uniques[unique_pairs // (len(codes.uniques) + 1)]
    raw = codes.uniques[unique_pairs % (len(codes.uniques) + 1)]
    raw = np.array([str(r).strip() for r in raw], dtype=object)
    first_row = np.zeros(len(unique_pairs), dtype=np.int64)
    first_row[inverse[::-1]] = np.arange(len(inverse))[::-1]
    out = raw.copy()
    is_com = np.isin(types, ["commune", "arrondissement"])
    if is_com.any():
        normal = commune_codes(pd.Series(raw[is_com]), path=file, column="code", lines=np.asarray(lines)[first_row[is_com]], report=None)
        out[is_com] = normal.to_numpy(dtype=object)
        counts = np.bincount(inverse, minlength=len(unique_pairs))
        short = int(counts[is_com & (np.char.str_len(raw.astype(str)) == 4)].sum())
        if short and report is not None:
            report.notes.append(
                f"{short} code(s) commune à 4 chiffres complété(s) d'un zéro initial "
                "(colonne lue comme un nombre par un tableur)."
            )
    is_dep = types == "departement"
    if is_dep.any():
        out[is_dep] = _departements(pd.Series(raw[is_dep]), np.asarray(lines)[first_row[is_dep]], file)
    is_fr = types == "france"
    if is_fr.any():
        out[is_fr] = np.where(np.isin(np.char.upper(raw[is_fr].astype(str)), ["FRM", "METRO", "FRANCE METROPOLITAINE"]), "FRM", "FR")
    return categorical((inverse, out))


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
