"""Readers for INSEE's geography files: EPCI composition, commune lists, tables de passage.

- ``EPCI_au_01-01-YYYY.xlsx`` (https://www.insee.fr/fr/information/2510634, inside
  ``epci_au_01-01-YYYY.zip``; older name ``Intercommunalite_Metropole_au_01-01-YYYY.xlsx``):
  sheets ``EPCI`` and ``Composition_communale``, title rows then a header row of codes
  (``CODGEO, LIBGEO, EPCI, LIBEPCI, DEP, REG``). The header row is found by its content; the
  vintage is read from the title (``Géographie au 01/01/2024``) or the file name.
- ``v_commune_YYYY.csv`` / ``commune_YYYY.csv`` (COG, https://www.insee.fr/fr/information/2560452):
  ``TYPECOM, COM, REG, DEP, …, LIBELLE, …, COMPARENT``.
- ``table_passage_annuelle_YYYY.xlsx`` (https://www.insee.fr/fr/information/7671844): sheet
  ``COM`` with ``CODGEO_2003 … CODGEO_YYYY``: the code of every commune in every vintage.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from cls_analysis._io import read_sheet, require_file
from cls_analysis.errors import FileFormatError, describe_rows
from cls_analysis.geo.codes import normalize_commune_codes

__all__ = [
    "EpciWorkbook",
    "read_commune_list",
    "read_epci_workbook",
    "read_table_passage",
    "vintage_from_text",
]

_NO_EPCI = "ZZZZZZZZZ"


@dataclass(frozen=True)
class EpciWorkbook:
    """Content of an INSEE ``EPCI_au_01-01-YYYY.xlsx``.

    Attributes
    ----------
    communes : DataFrame
        ``code, name, epci, departement, region`` (``epci`` is ``<NA>`` for the four island
        communes without EPCI).
    epcis : DataFrame
        ``code, name, nature``.
    cog_year : int
    """

    communes: pd.DataFrame
    epcis: pd.DataFrame
    cog_year: int


def vintage_from_text(*texts: object) -> int | None:
    """Year of a COG vintage found in titles or a file name.

    >>> vintage_from_text("Mise en ligne le 18/03/2024       Géographie au 01/01/2024")
    2024
    >>> vintage_from_text("EPCI_au_01-01-2023.xlsx")
    2023
    >>> vintage_from_text("v_commune_2025.csv")
    2025
    >>> vintage_from_text("rien") is None
    True
    """
    specific = [
        r"g[ée]ographie\s+au\s+0?1/0?1/(\d{4})",
        r"au[_ -]01[-_]01[-_](\d{4})",
        r"cog[ _-]?(\d{4})",
    ]
    generic = [r"(?:commune|passage|annuelle)[a-z_]*[_-]((?:19|20)\d{2})(?!\d)"]
    for patterns in (specific, generic):
        for text in texts:
            if text is None:
                continue
            for pattern in patterns:
                match = re.search(pattern, str(text), flags=re.IGNORECASE)
                if match:
                    return int(match.group(1))
    return None


def read_epci_workbook(path: str | Path, cog_year: int | None = None) -> EpciWorkbook:
    """Read INSEE's EPCI composition workbook.

    Parameters
    ----------
    path : path
        ``EPCI_au_01-01-YYYY.xlsx``.
    cog_year : int, optional
        Vintage, when neither the title rows nor the file name give it.

    Returns
    -------
    EpciWorkbook
    """
    what = "le fichier EPCI_au_01-01-AAAA.xlsx de l'Insee"
    file = require_file(path, what)
    composition, titles = read_sheet(
        file, "Composition_communale", ["CODGEO", "EPCI"], what=what
    )
    epci_sheet, epci_titles = read_sheet(file, "EPCI", ["EPCI", "LIBEPCI"], what=what)
    year = cog_year or vintage_from_text(*[c for row in titles + epci_titles for c in row], file.name)
    if year is None:
        raise FileFormatError(
            "millésime du COG introuvable (ni « Géographie au 01/01/AAAA » dans les lignes de "
            "titre, ni l'année dans le nom du fichier) : indiquez-le avec cog_year=AAAA.",
            file,
        )
    missing = [c for c in ("CODGEO", "LIBGEO", "EPCI", "DEP", "REG") if c not in composition]
    if missing:
        raise FileFormatError(
            f"feuille Composition_communale : colonnes manquantes {', '.join(missing)} "
            f"(trouvées : {', '.join(composition.columns)}).",
            file,
        )
    codes = normalize_commune_codes(
        composition["CODGEO"], where=f"{file.name}, feuille Composition_communale, colonne CODGEO"
    )
    duplicated = codes[codes.duplicated()]
    if not duplicated.empty:
        raise FileFormatError(
            f"feuille Composition_communale : codes commune en double {describe_rows(duplicated.unique())}.",
            file,
        )
    epci = composition["EPCI"].str.strip()
    communes = pd.DataFrame(
        {
            "code": codes.to_numpy(),
            "name": composition["LIBGEO"].to_numpy(),
            "epci": epci.where(epci != _NO_EPCI).to_numpy(),
            "departement": composition["DEP"].str.zfill(2).to_numpy(),
            "region": composition["REG"].str.zfill(2).to_numpy(),
        }
    ).astype("string")
    epcis = pd.DataFrame(
        {
            "code": epci_sheet["EPCI"].str.strip().to_numpy(),
            "name": epci_sheet["LIBEPCI"].to_numpy(),
            "nature": (
                epci_sheet["NATURE_EPCI"] if "NATURE_EPCI" in epci_sheet else pd.Series(pd.NA)
            ).to_numpy(),
        }
    ).astype("string")
    epcis = epcis.loc[epcis["code"] != _NO_EPCI].reset_index(drop=True)
    return EpciWorkbook(communes=communes, epcis=epcis, cog_year=int(year))


def read_commune_list(path: str | Path) -> pd.DataFrame:
    """Read INSEE's COG commune list (``v_commune_YYYY.csv`` or ``commune_YYYY.csv``).

    Returns ``type, code, name, departement, region, parent`` (``parent`` filled for
    communes déléguées/associées and arrondissements). The vintage, from the file name, is in
    ``attrs["cog_year"]``.
    """
    file = require_file(path, "la liste des communes du COG de l'Insee")
    table = None
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            table = pd.read_csv(file, dtype=str, sep=None, engine="python", encoding=encoding)
            break
        except UnicodeDecodeError:
            continue
    if table is None:
        raise FileFormatError("encodage illisible (ni UTF-8 ni Windows-1252).", file)
    table.columns = [c.strip().upper() for c in table.columns]
    needed = ["TYPECOM", "COM", "DEP", "REG", "LIBELLE"]
    missing = [c for c in needed if c not in table]
    if missing:
        raise FileFormatError(
            f"colonnes manquantes {', '.join(missing)} (trouvées : {', '.join(table.columns)}) ; "
            "ce fichier n'est pas une liste des communes du COG (v_commune_AAAA.csv).",
            file,
        )
    result = pd.DataFrame(
        {
            "type": table["TYPECOM"].str.strip(),
            "code": normalize_commune_codes(table["COM"], where=f"{file.name}, colonne COM"),
            "name": table["LIBELLE"],
            "departement": table["DEP"],
            "region": table["REG"],
            "parent": table.get("COMPARENT", pd.Series(pd.NA, index=table.index)),
        }
    ).astype("string")
    result.attrs["cog_year"] = vintage_from_text(file.name)
    return result


def read_table_passage(path: str | Path, to_year: int | None = None) -> pd.DataFrame:
    """Read INSEE's *table de passage* and map every former code to the ``to_year`` code.

    Parameters
    ----------
    path : path
        ``table_passage_annuelle_YYYY.xlsx`` (sheet ``COM``), or a CSV with the same
        ``CODGEO_AAAA`` columns.
    to_year : int, optional
        Target vintage; the most recent ``CODGEO_AAAA`` column by default.

    Returns
    -------
    DataFrame
        ``old_code, old_name, code, kind``, one row per (former code, current code) pair that
        differ; ``kind`` is ``fusion`` or ``scission`` (a former code split into several).
    """
    what = "la table de passage annuelle des communes de l'Insee"
    file = require_file(path, what)
    if file.suffix.lower() == ".csv":
        table = pd.read_csv(file, dtype=str, sep=None, engine="python", encoding="utf-8-sig")
    else:
        table, _ = read_sheet(file, "COM", ["NIVGEO"], what=what)
    years = sorted(
        int(m.group(1)) for c in table.columns if (m := re.fullmatch(r"CODGEO_(\d{4})", str(c)))
    )
    if not years:
        raise FileFormatError(
            f"aucune colonne CODGEO_AAAA (colonnes trouvées : {', '.join(map(str, table.columns))}).",
            file,
        )
    target = to_year or years[-1]
    if target not in years:
        raise FileFormatError(
            f"pas de colonne CODGEO_{target} : la table couvre les millésimes "
            f"{years[0]} à {years[-1]}.",
            file,
        )
    new = table[f"CODGEO_{target}"]
    name_column = f"LIBGEO_{target}"
    pairs = []
    for year in years:
        if year == target:
            continue
        old = table[f"CODGEO_{year}"]
        pairs.append(pd.DataFrame({"old_code": old, "code": new}))
    links = pd.concat(pairs).dropna().drop_duplicates()
    links = links.loc[links["old_code"] != links["code"]]
    # a code still in use in the target vintage is not a former code
    links = links.loc[~links["old_code"].isin(set(new.dropna()))]
    splits = links.groupby("old_code")["code"].transform("nunique") > 1
    names = table.set_index(f"CODGEO_{target}")[name_column] if name_column in table else None
    result = pd.DataFrame(
        {
            "old_code": links["old_code"].to_numpy(),
            "old_name": links["old_code"].to_numpy(),
            "code": links["code"].to_numpy(),
            "kind": ["scission" if s else "fusion" for s in splits],
        }
    )
    if names is not None:
        result["new_name"] = result["code"].map(names.groupby(level=0).first())
    return result.reset_index(drop=True).astype("string")
