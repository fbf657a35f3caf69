"""Deaths by commune of residence, sex, age band and cause: the CépiDc extraction an ORS receives.

Where it comes from
-------------------
Inserm-CépiDc does not publish deaths by commune and cause; ORS receive extractions under an
agreement (and the national totals come from ``https://opendata.cepidc.inserm.fr``). This module
defines the plain format such an extraction is expected in, and reads it.

Format (defined here)
---------------------
``;``-separated text, UTF-8 (Windows-1252 accepted), optional leading metadata lines
``# clé : valeur`` (``# source : Inserm-CépiDc, extraction ORS Nouvelle-Aquitaine``,
``# cog : 2025`` = COG vintage of the codes), then a header and one line per non-zero cell::

    # source : Inserm-CépiDc, extraction ORS
    # cog : 2025
    CODGEO;ANNEE;SEXE;CLASSE_AGE;CAUSE;DECES
    17008;2019;1;85-89;TOUTES;2
    17008;2019;1;85-89;CIRCULATOIRE;1

- ``CODGEO``: commune of residence (5 characters; a lost leading zero is restored);
- ``ANNEE``: year of death (``2019``) or a pooled span (``2019-2023``);
- ``SEXE``: ``1``/``H`` men, ``2``/``F`` women (``9``/``T`` both, optional);
- ``CLASSE_AGE``: five-year band ``00-04`` … ``85-89``, ``90+`` (``90 ans et plus`` etc. read);
- ``CAUSE``: ``TOUTES`` (all causes), ``CANCER`` (C00-D48), ``CIRCULATOIRE`` (I00-I99),
  ``SUICIDE`` (X60-X84, Y87.0), ``ALCOOL`` (F10, K70, C00-C15, C32…), ``TABAC`` (C33-C34, J40-J44,
  I20-I25), ``EVITABLE`` (avoidable before 75, Eurostat/OECD 2019 list) — causes overlap, each
  line counts the deaths of that group; the measure names (``deaths_cancer``…) are accepted too;
- ``DECES``: number of deaths (integer ≥ 0).

Cells with no death may be omitted (``sparse`` measures: absent = zero). Margins (sex ``all``
by age band, age ``all`` by sex, and the total) are added when the file gives sex and age.
Annual rows are pooled into a period on request (``pool="2019-2023"``: every year must be
present). Geography: ``cog=`` or the ``# cog :`` line, else the year after the last year.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from cls_analysis._keys import category_codes
from cls_analysis.errors import FileFormatError, describe_rows
from cls_analysis.observations import normalize_ages, normalize_sexes
from cls_analysis.sources._common import (
    SourceReport,
    TextColumn,
    add_margins,
    build,
    commune_codes,
    finish,
    metadata_lines,
    parse_numbers,
    read_delimited,
    read_member,
    require_columns,
    source_label,
    status_categorical,
    strip_lines,
)

__all__ = ["CAUSES", "COLUMNS", "read_deaths"]

#: Columns of the deaths extraction.
COLUMNS = ["CODGEO", "ANNEE", "SEXE", "CLASSE_AGE", "CAUSE", "DECES"]
#: Cause codes → measures.
CAUSES = {
    "TOUTES": "deaths",
    "ENSEMBLE": "deaths",
    "TOTAL": "deaths",
    "CANCER": "deaths_cancer",
    "TUMEURS": "deaths_cancer",
    "CIRCULATOIRE": "deaths_circulatory",
    "SUICIDE": "deaths_suicide",
    "ALCOOL": "deaths_alcohol",
    "TABAC": "deaths_tobacco",
    "EVITABLE": "deaths_avoidable",
}
_MEASURES = set(CAUSES.values())


def read_deaths(
    path: str | Path,
    *,
    pool: str | bool | None = None,
    cog: int | None = None,
    source_note: str | None = None,
) -> pd.DataFrame:
    """Read a deaths extraction (commune × year × sex × age band × cause).

    Parameters
    ----------
    path : path
        CSV (or zip) in the format of the module documentation.
    pool : str or bool, optional
        ``"2019-2023"``: sum the annual rows of these years into that period (every year
        needed); ``True``: pool all the years of the file; default: keep the file's periods.
    cog : int, optional
        COG vintage of the codes (else the ``# cog :`` line, else last year + 1).
    source_note : str, optional

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "deces.csv"
    >>> _ = f.write_text("# cog : 2025\\nCODGEO;ANNEE;SEXE;CLASSE_AGE;CAUSE;DECES\\n"
    ...     "17008;2022;1;85-89;TOUTES;2\\n17008;2023;1;85-89;TOUTES;1\\n17008;2023;2;90+;TOUTES;3\\n")
    >>> obs = read_deaths(f, pool="2022-2023")
    >>> obs.loc[obs["sex"] != "all", ["period", "sex", "age", "value"]].values.tolist()[:2]
    [['2022-2023', 'M', '85-89', 3.0], ['2022-2023', 'F', '90+', 3.0]]
    >>> float(obs.loc[(obs["sex"] == "all") & (obs["age"] == "all"), "value"].iloc[0])
    6.0
    """
    file = Path(path)
    what = "une extraction de décès par commune, sexe, âge et cause (format CODGEO;ANNEE;SEXE;CLASSE_AGE;CAUSE;DECES)"
    report = SourceReport(path=file, kind="Décès par commune, sexe, âge et cause (extraction CépiDc)")
    data, _ = read_member(file, r"\.(csv|txt)$", what=what)
    meta, skip = metadata_lines(data, file)
    table = read_delimited(strip_lines(data, skip), path=file, required=["CODGEO", "DECES"], what=what, report=report,
                           numeric=lambda c: c.upper() == "DECES")
    frame = table.frame
    upper = {c.upper(): c for c in frame.columns}
    require_columns(frame.columns, COLUMNS, path=file, what=what)
    frame = frame.rename(columns={upper[c]: c for c in COLUMNS})
    lines = np.asarray(table.line(range(len(frame)))) + skip
    codes = commune_codes(frame["CODGEO"], path=file, column="CODGEO", lines=lines, report=report)
    periods = TextColumn(frame["ANNEE"]).map(lambda v: str(v).strip() if re.fullmatch(r"\d{4}(?:-\d{4})?", str(v).strip()) else None)
    if periods.bad:
        rows_bad = np.flatnonzero(np.isin(periods.codes, [i for i, u in enumerate(periods.uniques) if u is None]))[:5]
        found = frame["ANNEE"]
        cells = [f"ligne {lines[i]} : « {found.iloc[i]} »" for i in rows_bad]
        raise FileFormatError(
            f"colonne ANNEE : année attendue (2019) ou période (2019-2023) ; trouvé {describe_rows(cells)}.",
            file,
        )
    measure = TextColumn(frame["CAUSE"]).map(lambda v: CAUSES.get(str(v).strip().upper()) or (str(v).strip() if str(v).strip() in _MEASURES else None))
    if measure.bad:
        raise FileFormatError(
            f"colonne CAUSE : code(s) inconnu(s) {describe_rows(measure.bad, 6)} ; codes admis : "
            f"{', '.join(dict.fromkeys(CAUSES))}.",
            file,
        )
    sex = normalize_sexes(frame["SEXE"], where="colonne SEXE", path=file)
    age = normalize_ages(frame["CLASSE_AGE"], where="colonne CLASSE_AGE", path=file)
    values, statuses = parse_numbers(frame, ["DECES"], path=file, lines=lines)
    value, status = values["DECES"], statuses["DECES"]
    negative = value < 0
    if negative.any():
        cells = [f"ligne {lines[i]} : {value[i]:g}" for i in np.flatnonzero(negative)[:8]]
        raise FileFormatError(f"nombre de décès négatif ({describe_rows(cells)}) : corrigez ces lignes.", file)
    fractional = np.nan_to_num(value) % 1 != 0
    if fractional.any():
        report.problems.append(f"{int(fractional.sum())} nombre(s) de décès non entier(s) (ex. ligne {lines[np.flatnonzero(fractional)[0]]}).")
    rows = pd.DataFrame(
        {"code": codes.array, "period": periods.categorical(), "measure": measure.categorical(),
         "sex": sex.array, "age": age.array, "value": value, "status": status_categorical(status)}
    )
    key = ["code", "period", "measure", "sex", "age"]
    combined = np.zeros(len(rows), dtype=np.int64)
    for column in key:
        combined = combined * (len(rows[column].cat.categories) + 1) + category_codes(rows[column])
    order = np.argsort(combined, kind="stable")
    repeated = np.zeros(len(rows), dtype=bool)
    same = combined[order][1:] == combined[order][:-1]
    repeated[order[1:][same]] = True
    repeated[order[:-1][same]] = True
    if repeated.any():
        first = rows.loc[repeated, key].iloc[0].astype(str).tolist()
        raise FileFormatError(
            f"{int(repeated.sum())} ligne(s) en double (même commune, année, sexe, âge et cause), par exemple "
            f"{' '.join(first)} (lignes {', '.join(str(x) for x in lines[repeated][:4])}). Additionnez-les en une ligne.",
            file,
        )
    rows = _pool(rows, pool, file, report)
    years = sorted(str(p) for p in rows["period"].unique())
    last = max(int(p[-4:]) for p in years)
    cog = cog or (int(meta["cog"]) if meta.get("cog", "").isdigit() else last + 1)
    base = meta.get("source") or "Inserm-CépiDc (extraction)"
    obs = build(
        zone_type="commune",
        zone_code=rows["code"].array,
        period=rows["period"].array,
        measure=rows["measure"].array,
        sex=rows["sex"].array,
        age=rows["age"].array,
        value=rows["value"].to_numpy(dtype=float),
        status=rows["status"].array,
        source=source_label(f"{base}, décès {', '.join(years)} ({file.stem}, COG {cog})", source_note),
        cog=cog,
    )
    if not (obs["sex"] == "all").any():
        obs = add_margins(obs)
    report.vintage = ", ".join(years)
    report.cog = cog
    return finish(obs, report, path=file)


def _pool(rows: pd.DataFrame, pool, file, report) -> pd.DataFrame:
    if not pool:
        return rows
    annual = rows["period"].str.fullmatch(r"\d{4}")
    years_present = sorted({int(p) for p in rows.loc[annual, "period"]})
    if pool is True:
        if not years_present:
            return rows
        first, last = years_present[0], years_present[-1]
    else:
        match = re.fullmatch(r"(\d{4})-(\d{4})", str(pool))
        if not match:
            raise FileFormatError(f"période de regroupement « {pool} » : attendu « 2019-2023 ».", file)
        first, last = int(match.group(1)), int(match.group(2))
    wanted = set(range(first, last + 1))
    missing = sorted(wanted - set(years_present))
    if missing:
        raise FileFormatError(
            f"impossible de regrouper {first}-{last} : année(s) absente(s) du fichier : "
            f"{', '.join(map(str, missing))} (années présentes : {', '.join(map(str, years_present))}).",
            file,
        )
    inside = annual & rows["period"].isin([str(y) for y in wanted])
    sub = rows.loc[inside].assign(secret=lambda f: f["status"].eq("secret"))
    pooled = sub.groupby(["code", "measure", "sex", "age"], sort=False).agg(value=("value", "sum"), secret=("secret", "any")).reset_index()
    pooled["status"] = status_categorical(np.where(pooled["secret"], "secret", "ok"))
    pooled["value"] = np.where(pooled["secret"], np.nan, pooled["value"])
    pooled["period"] = f"{first}-{last}"
    outside = int((~inside).sum())
    if outside:
        report.notes.append(f"{outside} ligne(s) hors de la période {first}-{last} non retenue(s).")
    report.notes.append(f"années {first} à {last} regroupées en une période.")
    return pooled.drop(columns="secret")[["code", "period", "measure", "sex", "age", "value", "status"]]
