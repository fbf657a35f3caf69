"""INSEE census detailed table POP1B: population by sex and single year of age, per commune.

Where to get it
---------------
« Population en 2021 — Recensement de la population — Base des tableaux détaillés »,
``https://www.insee.fr/fr/statistiques/<id>`` → table *POP1B : Population par sexe et âge*.

Formats read
------------
- **long** ``BTT_TD_POP1B_YYYY`` (``.txt`` / ``.csv``, or in a zip): ``;``-separated,
  ``NIVGEO;CODGEO;LIBGEO;SEXE;AGED100;NB`` — ``NIVGEO`` ``COM`` or ``ARM``, ``SEXE`` 1 (men) /
  2 (women), ``AGED100`` age in completed years ``000``…``100`` (100 = 100 or more), ``NB``
  weighted count with decimals;
- **wide** ``BTX_TD_POP1B_YYYY`` (``.csv`` ``;``, or ``.xlsx`` with sheets ``COM`` and ``ARM``
  and title rows above the header): ``CODGEO;LIBGEO;SEXE1_AGED100000;…;SEXE2_AGED100100``.

Output: measure ``population`` by sex ``M``, ``F``, ``all`` × five-year band ``0-4`` … ``85-89``,
``90+`` (the bands of mortality; totals by sex and broad bands come from base-cc). Vintage: RP
year from the file name (or ``year=``); geography = COG of 1 January year + 3, like base-cc.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from cls_analysis.errors import FileFormatError
from cls_analysis.observations import AGES_5Y
from cls_analysis.sources._common import (
    SourceReport,
    build,
    commune_codes,
    finish,
    header_row,
    parse_numbers,
    read_delimited,
    read_member,
    read_workbook_sheets,
    sheet_table,
    source_label,
    year_from,
)

__all__ = ["read_population_age"]

_WIDE = re.compile(r"^SEXE([12])_AGED100(\d{3})$", re.I)
_AGES = np.arange(101)
_BAND_OF_AGE = np.minimum(_AGES // 5, 18)
#: The first bands of an abridged life table, also given (single ages are published).
_LIFE_TABLE_FIRST = ("0", "1-4")


def read_population_age(
    path: str | Path,
    *,
    year: int | None = None,
    cog: int | None = None,
    source_note: str | None = None,
) -> pd.DataFrame:
    """Read INSEE's POP1B table (population by sex and age) into five-year bands (and 0, 1-4).

    Parameters
    ----------
    path : path
        ``BTT_TD_POP1B_2021.txt`` (long), ``BTX_TD_POP1B_2021.csv`` / ``.xlsx`` (wide), or a zip.
    year : int, optional
        Census year; by default read from the file name.
    cog : int, optional
        COG vintage of the codes; by default ``year + 3``.
    source_note : str, optional
        Appended to every source.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "BTT_TD_POP1B_2021.txt"
    >>> rows = ["NIVGEO;CODGEO;LIBGEO;SEXE;AGED100;NB"]
    >>> rows += [f"COM;17008;Andilly;{s};{a:03d};{1.5 if a < 3 else 0}" for s in (1, 2) for a in range(101)]
    >>> _ = f.write_text("\\n".join(rows) + "\\n")
    >>> obs = read_population_age(f)
    >>> obs.loc[(obs["age"] == "0-4"), ["sex", "value"]].values.tolist()
    [['M', 4.5], ['F', 4.5], ['all', 9.0]]
    >>> sorted(obs["age"].unique())[:3], obs["cog"].iloc[0]
    (['0', '0-4', '1-4'], np.int64(2024))
    """
    file = Path(path)
    what = "la table POP1B du recensement (population par sexe et âge, Insee)"
    report = SourceReport(path=file, kind="Insee, recensement — population par sexe et âge (POP1B)")
    if file.suffix.lower() in (".xlsx", ".xlsm"):
        codes, counts, secret = _read_wide_xlsx(file, what, report)
        member = file.name
    else:
        data, member = read_member(file, r"POP1B.*\.(csv|txt)$|\.(csv|txt)$", what=what)
        table = read_delimited(
            data, path=file, required=["CODGEO"], what=what, report=report,
            numeric=lambda c: bool(_WIDE.match(c)) or c.upper() == "NB",
        )
        frame = table.frame
        lines = np.asarray(table.line(range(len(frame))))
        upper = {c.upper(): c for c in frame.columns}
        if {"SEXE", "AGED100", "NB"} <= set(upper):
            codes, counts, secret = _long(frame, upper, lines, file, report)
        elif any(_WIDE.match(c) for c in frame.columns):
            codes, counts, secret = _wide(frame, lines, file, report)
        else:
            raise FileFormatError(
                f"colonnes SEXE, AGED100, NB (format long) ou SEXE1_AGED100000… (format large) "
                f"introuvables ({what} attendu) ; colonnes trouvées : {', '.join(frame.columns[:10])}.",
                file,
            )
    year = year or year_from(member) or year_from(file.name)
    if year is None:
        raise FileFormatError(
            "millésime introuvable dans le nom du fichier (ex. BTT_TD_POP1B_2021.txt) : "
            "indiquez-le avec year=2021.",
            file,
        )
    cog = cog or year + 3
    # counts: (n, 2 sexes, 101 ages) → five-year bands (n, 3, 19), plus the life table's first
    # bands 0 and 1-4 (single ages are published: life expectancy needs them)
    labels = [*AGES_5Y, *_LIFE_TABLE_FIRST]
    masks = [_BAND_OF_AGE == band for band in range(len(AGES_5Y))] + [_AGES == 0, (_AGES >= 1) & (_AGES <= 4)]
    bands = np.zeros((len(codes), 2, len(labels)))
    for band, mask in enumerate(masks):
        bands[:, :, band] = counts[:, :, mask].sum(axis=2)
    bands = np.concatenate([bands, bands.sum(axis=1, keepdims=True)], axis=1)
    secret_bands = np.zeros_like(bands, dtype=bool)
    if secret is not None:
        for band, mask in enumerate(masks):
            secret_bands[:, :2, band] = secret[:, :, mask].any(axis=2)
        secret_bands[:, 2, :] = secret_bands[:, :2, :].any(axis=1)
    n = len(codes)
    sexes = np.array(["M", "F", "all"])
    status = np.where(secret_bands, "missing", "ok").reshape(-1).astype("<U7")
    value = np.where(secret_bands, np.nan, bands).reshape(-1)
    obs = build(
        zone_type="commune",
        zone_code=(np.repeat(np.arange(n), 3 * len(labels)), np.asarray(codes, dtype=object)),
        period=str(year),
        measure="population",
        sex=(np.tile(np.repeat(np.arange(3), len(labels)), n), sexes.astype(object)),
        age=(np.tile(np.arange(len(labels)), 3 * n), np.array(labels, dtype=object)),
        value=value,
        status=status,
        source=source_label(f"Insee, RP {year} (population par sexe et âge, POP1B, COG {cog})", source_note),
        cog=cog,
    )
    report.vintage = f"RP {year}"
    report.cog = cog
    return finish(obs, report, path=file)


def _long(frame, upper, lines, file, report):
    codes = commune_codes(frame[upper["CODGEO"]], path=file, column="CODGEO", lines=lines, report=report)
    sexes = frame[upper["SEXE"]].str.strip()
    bad_sex = ~sexes.isin(["1", "2"])
    if bad_sex.any():
        raise FileFormatError(
            f"colonne SEXE : valeurs attendues 1 ou 2 ; trouvé « {sexes[bad_sex].iloc[0]} » "
            f"ligne {lines[np.flatnonzero(bad_sex.to_numpy())[0]]}.",
            file,
        )
    ages = pd.to_numeric(frame[upper["AGED100"]], errors="coerce")
    bad_age = ages.isna() | (ages < 0) | (ages > 100)
    if bad_age.any():
        raise FileFormatError(
            f"colonne AGED100 : âge attendu de 000 à 100 ; trouvé « {frame[upper['AGED100']][bad_age].iloc[0]} » "
            f"ligne {lines[np.flatnonzero(bad_age.to_numpy())[0]]}.",
            file,
        )
    values, statuses = parse_numbers(frame, [upper["NB"]], path=file, lines=lines)
    nb, st = values[upper["NB"]], statuses[upper["NB"]]
    if (nb < 0).any():
        i = int(np.flatnonzero(nb < 0)[0])
        raise FileFormatError(f"effectif négatif colonne NB ligne {lines[i]} : {nb[i]}. Corrigez la cellule.", file)
    code_index, uniques = pd.factorize(codes)
    counts = np.zeros((len(uniques), 2, 101))
    secret = np.zeros((len(uniques), 2, 101), dtype=bool)
    sex_index = sexes.astype(int).to_numpy() - 1
    age_index = ages.astype(int).to_numpy()
    np.add.at(counts, (code_index, sex_index, age_index), np.nan_to_num(nb))
    secret[code_index, sex_index, age_index] |= st != "ok"
    return np.asarray(uniques, dtype=object), counts, secret


def _wide(frame, lines, file, report):
    codgeo = next(c for c in frame.columns if c.upper() == "CODGEO")
    codes = commune_codes(frame[codgeo], path=file, column=codgeo, lines=lines, report=report)
    if codes.duplicated().any():
        dup = codes[codes.duplicated(keep=False)]
        raise FileFormatError(
            f"code(s) en double : {', '.join(sorted(set(dup)))[:200]} (lignes "
            f"{', '.join(str(lines[i]) for i in np.flatnonzero(codes.duplicated(keep=False).to_numpy())[:10])}). "
            "Gardez une ligne par commune.",
            file,
        )
    columns = [c for c in frame.columns if _WIDE.match(c)]
    values, statuses = parse_numbers(frame, columns, path=file, lines=lines)
    counts = np.zeros((len(frame), 2, 101))
    secret = np.zeros((len(frame), 2, 101), dtype=bool)
    for column in columns:
        sex, age = _WIDE.match(column).groups()
        v = values[column]
        if (v < 0).any():
            i = int(np.flatnonzero(v < 0)[0])
            raise FileFormatError(
                f"effectif négatif colonne {column} ligne {lines[i]} : {v[i]}. Corrigez la cellule.", file
            )
        counts[:, int(sex) - 1, min(int(age), 100)] += np.nan_to_num(v)
        secret[:, int(sex) - 1, min(int(age), 100)] |= statuses[column] != "ok"
    return codes.to_numpy(dtype=object), counts, secret


def _read_wide_xlsx(file, what, report):
    sheets = read_workbook_sheets(file, what=what)
    parts = []
    for name, cells in sheets.items():
        header = header_row(cells, ["CODGEO"])
        if header is None:
            continue
        table, rows = sheet_table(cells, header)
        if any(_WIDE.match(c) for c in table.columns):
            parts.append((table, np.array([f"{name}!{r}" for r in rows], dtype=object)))
    if not parts:
        raise FileFormatError(
            f"aucune feuille avec les colonnes CODGEO et SEXE1_AGED100000… ({what} attendu) ; "
            f"feuilles : {', '.join(map(str, sheets))}.",
            file,
        )
    frame = pd.concat([p[0] for p in parts], ignore_index=True).fillna("")
    lines = np.concatenate([p[1] for p in parts])
    return _wide(frame, lines, file, report)
