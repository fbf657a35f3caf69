"""INSEE Filosofi: disposable income, poverty (communes and larger zones).

Where to get it
---------------
``https://www.insee.fr/fr/statistiques/<id>`` — « Revenus, pauvreté et niveau de vie en 2021
(Dispositif Filosofi) »: ``indic-struct-distrib-revenu-2021-COMMUNES_csv.zip`` (and ``-SUPRA``
for EPCI, départements, régions, France métropolitaine); the chiffres-clés file
``cc_filosofi_2021_COM.csv``; from millésime 2023, the Melodi catalogue (``FILOSOFI_CC_csv.zip``
→ ``DS_FILOSOFI_CC_2023_data.csv``).

Formats read
------------
- **classic** ``FILO2021_DISP_COM.csv``, ``FILO2021_DISP_PAUVRES_COM.csv``… (``_EPCI``,
  ``_DEP``, ``_REG``, ``_METROPOLE`` for other levels): ``;``, ``CODGEO;LIBGEO;NBMEN21;NBPERS21;
  Q221 (median);D121;D921;RD21;GI21;TP6021…``;
- **chiffres-clés** ``cc_filosofi_2021_COM.csv``: ``CODGEO;NBMENFISC21;NBPERSMENFISC21;MED21;
  PIMP21;TP6021;…;D121;D921;RD21``;
- **Melodi** long format: ``GEO;GEO_OBJECT;FILOSOFI_MEASURE;UNIT_MEASURE;CONF_STATUS;OBS_VALUE;
  TIME_PERIOD`` with ``GEO_OBJECT`` in ``COM, ARM, EPCI, DEP, REG, FRANCE`` (other zonings are
  skipped), measures ``MED_SL`` (median), ``PR_MD60`` (poverty rate), ``D1_SL``, ``D9_SL``,
  ``IR_D9_D1_SL``, ``GI_SL``…; ``CONF_STATUS`` other than ``F`` = confidential (secret).

**Secret statistique**: communes with fewer than 50 fiscal households (all values), or 1,000
households / 2,000 persons (distribution, poverty rate) are not published: cells ``s``, ``nd``
or empty → status ``secret``. Decimal commas are read. Field: France métropolitaine,
Martinique and La Réunion (no Guadeloupe, Guyane, Mayotte).

Medians and rates are read at each level and never summed (registry: ``none``); the numbers of
fiscal households are counts. Vintage: the year of the variables (``MED21`` → 2021) or
``TIME_PERIOD``; geography: COG of 1 January year + 2 by default (to be checked against the
millésime's documentation; ``cog=`` overrides).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from cls_analysis._keys import repeated_rows
from cls_analysis.errors import FileFormatError
from cls_analysis.geo.codes import normalize_departement_code
from cls_analysis.sources._common import (
    SourceReport,
    Variable,
    build,
    commune_codes,
    drop_duplicate_codes,
    finish,
    parse_numbers,
    read_delimited,
    read_member,
    source_label,
    wide_to_long,
)

__all__ = ["MELODI_MEASURES", "read_filosofi"]

_CLASSIC = [
    (re.compile(r"^NBMEN(?:FISC)?(\d{2})$"), "fiscal_households"),
    (re.compile(r"^NBPERS(?:MENFISC)?(\d{2})$"), "fiscal_persons"),
    (re.compile(r"^(?:Q2|MED)(\d{2})$"), "median_income"),
    (re.compile(r"^D1(\d{2})$"), "income_d1"),
    (re.compile(r"^D9(\d{2})$"), "income_d9"),
    (re.compile(r"^RD(\d{2})$"), "income_d9_d1_ratio"),
    (re.compile(r"^GI(\d{2})$"), "gini"),
    (re.compile(r"^PIMP(\d{2})$"), "taxed_households_share"),
    (re.compile(r"^TP60(\d{2})$"), "poverty_rate"),
]

#: Melodi ``FILOSOFI_MEASURE`` codes → measures (others become ``filosofi_<code>``).
MELODI_MEASURES = {
    "MED_SL": "median_income",
    "PR_MD60": "poverty_rate",
    "D1_SL": "income_d1",
    "D9_SL": "income_d9",
    "IR_D9_D1_SL": "income_d9_d1_ratio",
    "GI_SL": "gini",
    "NUM_HH": "fiscal_households",
    "NUM_PER": "fiscal_persons",
    "S_HH_TAX": "taxed_households_share",
}
_LEVELS = {"COM": "commune", "ARM": "commune", "EPCI": "epci", "DEP": "departement", "REG": "region",
           "FRANCE": "france", "METRO": "france", "METROPOLE": "france", "FE": "france"}


def read_filosofi(
    path: str | Path,
    *,
    level: str | None = None,
    cog: int | None = None,
    source_note: str | None = None,
) -> pd.DataFrame:
    """Read a Filosofi file (classic, chiffres-clés or Melodi).

    Parameters
    ----------
    path : path
        CSV or zip.
    level : str, optional
        Zone type of the rows of a classic file (``commune``, ``epci``, ``departement``,
        ``region``, ``france``); by default from the file name (``_COM``, ``_EPCI``…).
    cog : int, optional
        COG vintage of commune codes; default year + 2.
    source_note : str, optional
        Appended to every source.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "cc_filosofi_2021_COM.csv"
    >>> _ = f.write_text("CODGEO;NBMENFISC21;MED21;TP6021\\n17008;1012;23450;8,5\\n17182;s;s;s\\n")
    >>> obs = read_filosofi(f)
    >>> obs.loc[obs["measure"] == "median_income", ["zone_code", "value", "status"]].values.tolist()
    [['17008', 23450.0, 'ok'], ['17182', nan, 'secret']]
    """
    file = Path(path)
    what = "un fichier Filosofi de l'Insee"
    report = SourceReport(path=file, kind="Insee, Filosofi (revenus, pauvreté)")
    data, member = read_member(file, r"\.csv$", what=what)
    table = read_delimited(data, path=file, required=[], what=what, report=report)
    upper = {c.upper(): c for c in table.frame.columns}
    if {"GEO", "GEO_OBJECT", "OBS_VALUE"} <= set(upper):
        obs, years = _melodi(table, upper, file, report, cog, source_note)
        report.kind = "Insee, Filosofi (catalogue Melodi, format long)"
    elif "CODGEO" in upper:
        obs, years = _classic(table, upper, file, member, report, level, cog, source_note)
    else:
        raise FileFormatError(
            f"colonnes CODGEO (fichier communal) ou GEO, GEO_OBJECT, OBS_VALUE (format Melodi) "
            f"introuvables ({what} attendu) ; colonnes trouvées : {', '.join(table.frame.columns[:10])}.",
            file,
        )
    report.vintage = f"Filosofi {', '.join(sorted(years))}"
    return finish(obs, report, path=file)


def _level_from_name(name: str) -> str | None:
    match = re.search(r"_(COM|ARM|EPCI|DEP|REG|METROPOLE|METRO|FE)(?:_|\.|$)", name.upper())
    return _LEVELS.get(match.group(1)) if match else None


def _classic(table, upper, file, member, report, level, cog, note):
    frame = table.frame
    lines = np.asarray(table.line(range(len(frame))))
    level = level or _level_from_name(member) or _level_from_name(file.name) or "commune"
    codgeo = upper["CODGEO"]
    if level == "commune":
        codes = commune_codes(frame[codgeo], path=file, column=codgeo, lines=lines, report=report)
    elif level == "departement":
        codes = frame[codgeo].map(normalize_departement_code)
    elif level == "france":
        codes = pd.Series(["FRM"] * len(frame), index=frame.index)
    else:
        codes = frame[codgeo].str.strip()
    frame = frame.assign(**{codgeo: codes.to_numpy()})
    frame = drop_duplicate_codes(frame, [codgeo], path=file, lines=lines, report=report)
    lines = lines[frame.index.to_numpy()]
    frame = frame.reset_index(drop=True)
    variables, years = [], set()
    for column in frame.columns:
        for pattern, measure in _CLASSIC:
            match = pattern.match(column.upper())
            if match:
                year = str(2000 + int(match.group(1)))
                years.add(year)
                variables.append(Variable((column,), measure, year))
                break
    if not variables:
        raise FileFormatError(
            "aucune variable Filosofi reconnue (MED21, Q221, TP6021, NBMENFISC21…) ; colonnes "
            f"trouvées : {', '.join(frame.columns[:12])}.",
            file,
        )
    if "TP60AGE1" in " ".join(frame.columns).upper():
        report.notes.append("taux de pauvreté par âge du référent fiscal (TP60AGE…) non lus.")
    values, statuses = parse_numbers(
        frame, [v.columns[0] for v in variables], path=file, lines=lines, empty="secret"
    )
    year = max(years)
    cog = cog or int(year) + 2
    source = source_label(f"Insee, Filosofi {year} ({Path(member).stem})", note)
    obs = wide_to_long(frame[codgeo].to_numpy(dtype=object), level, variables, values, statuses,
                       source=source, cog=cog)
    report.cog = cog if level == "commune" else None
    return obs, years


def _melodi(table, upper, file, report, cog, note):
    frame = table.frame
    lines = np.asarray(table.line(range(len(frame))))
    kinds = frame[upper["GEO_OBJECT"]].str.strip().str.upper()
    zone_type = kinds.map(_LEVELS)
    other = {"ZE2020": "zone_emploi", "BV2022": "bassin_vie"}
    zone_type = zone_type.fillna(kinds.map(other))
    skipped = sorted(set(kinds[zone_type.isna()]))
    if skipped:
        report.notes.append(f"zonages non lus : {', '.join(skipped)}.")
    keep = zone_type.notna().to_numpy()
    frame, zone_type, lines = frame.loc[keep].reset_index(drop=True), zone_type[keep].reset_index(drop=True), lines[keep]
    geo = frame[upper["GEO"]].str.strip()
    is_com = zone_type.eq("commune").to_numpy()
    if is_com.any():
        geo = geo.copy()
        geo[is_com] = commune_codes(geo[is_com], path=file, column="GEO", lines=lines[is_com], report=report).to_numpy()
    is_dep = zone_type.eq("departement").to_numpy()
    if is_dep.any():
        geo[is_dep] = geo[is_dep].map(normalize_departement_code)
    is_fr = zone_type.eq("france").to_numpy()
    geo[is_fr] = np.where(geo[is_fr].str.upper().isin(["FRM", "METRO", "FRANCE_M", "FRANCEMETRO"]), "FRM", "FR")
    codes = frame[upper["FILOSOFI_MEASURE"]].str.strip().str.upper()
    measure = codes.map(MELODI_MEASURES).fillna("filosofi_" + codes.str.lower().str.replace(r"[^a-z0-9]+", "_", regex=True))
    values, statuses = parse_numbers(frame, [upper["OBS_VALUE"]], path=file, lines=lines, empty="missing")
    value, status = values[upper["OBS_VALUE"]], statuses[upper["OBS_VALUE"]]
    if "CONF_STATUS" in upper:
        conf = frame[upper["CONF_STATUS"]].str.strip().str.upper()
        confidential = ~conf.isin(["F", ""]).to_numpy()
        status = np.where(confidential, "secret", status)
        value = np.where(confidential, np.nan, value)
    period = frame[upper["TIME_PERIOD"]].str.strip() if "TIME_PERIOD" in upper else pd.Series("", index=frame.index)
    years = set(period)
    cog = cog or (int(max(years)) + 2 if years and max(years).isdigit() else None)
    obs = build(
        zone_type=zone_type.to_numpy(dtype=object),
        zone_code=geo.to_numpy(dtype=object),
        period=period.to_numpy(dtype=object),
        measure=measure.to_numpy(dtype=object),
        value=value,
        status=status,
        source=source_label(f"Insee, Filosofi {', '.join(sorted(years))} ({file.stem})", note),
        cog=cog,
    )
    key = ["zone_type", "zone_code", "period", "measure"]
    dup = pd.Series(repeated_rows(obs, key), index=obs.index)
    if dup.any():
        first = obs.loc[dup, key].iloc[0].tolist()
        raise FileFormatError(
            f"{int(dup.sum())} ligne(s) en double (même zone, mesure et période), par exemple "
            f"{' '.join(first)} (lignes {', '.join(str(x) for x in lines[np.flatnonzero(dup.to_numpy())[:4]])}).",
            file,
        )
    report.cog = cog
    return obs, years
