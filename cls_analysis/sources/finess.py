"""FINESS extraction: health and social establishments, counted by category and commune.

Where to get it
---------------
data.gouv.fr, « FINESS Extraction du Fichier des établissements »:
``etalab-cs1100507-stock-YYYYMMDD-HHMM.csv`` (with geolocation) or ``etalab-cs1100502-…``
(without), ``https://www.data.gouv.fr/fr/datasets/finess-extraction-du-fichier-des-etablissements/``.

Format read
-----------
``;``-separated, **no header**. Line 1 is a manifest ``finess;etalab;<n>;<YYYY-MM-DD>``; then
``structureet;`` lines (the tag and 31 fields: ``nofinesset, nofinessej, rs, rslongue, complrs,
compldistrib, numvoie, typvoie, voie, compvoie, lieuditbp, commune (3 characters), departement,
libdepartement, ligneacheminement, telephone, telecopie, categetab, libcategetab, categagretab,
libcategagretab, siret, codeape, codemft, libmft, codesph, libsph, dateouv, dateautor, maj,
numuai``), then ``geolocalisation;nofinesset;coordxet;coordyet;sourcecoordet;datemaj`` lines
(not used here). Encoding: UTF-8, else Windows-1252 (older extractions).

The commune code is ``departement + commune``; overseas départements are coded ``9A`` (971),
``9B`` (972), ``9C`` (973), ``9D`` (974), ``9F`` (976); Saint-Barthélemy and Saint-Martin (postcodes
97133, 97150), Saint-Pierre-et-Miquelon (``9E``) and the Pacific (``9J``…) are not communes of
the COG and are skipped.

Output: counts of establishments by category (:data:`CATEGORIES`) per commune, period = year
of the extraction, COG = that year (the codes in force on the extraction date). Only communes
with at least one establishment appear (``sparse`` measures: absent = zero).
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pandas as pd

from cls_analysis.errors import FileFormatError
from cls_analysis.sources._common import (
    SourceReport,
    build,
    commune_codes,
    decode,
    finish,
    read_member,
    source_label,
    year_from,
)

__all__ = ["CATEGORIES", "FIELDS", "read_finess"]

#: Fields of a ``structureet`` line after the tag.
FIELDS = [
    "nofinesset", "nofinessej", "rs", "rslongue", "complrs", "compldistrib", "numvoie", "typvoie",
    "voie", "compvoie", "lieuditbp", "commune", "departement", "libdepartement",
    "ligneacheminement", "telephone", "telecopie", "categetab", "libcategetab", "categagretab",
    "libcategagretab", "siret", "codeape", "codemft", "libmft", "codesph", "libsph", "dateouv",
    "dateautor", "maj", "numuai",
]

#: FINESS categories (``categetab``) → measure.
CATEGORIES = {
    "620": "pharmacy_count",
    "500": "ehpad_count",
    "354": "ssiad_count",
    **{c: "child_disability_count" for c in ("182", "183", "186", "188", "192", "194", "195", "196", "238")},
    "603": "msp_count",
    "124": "health_centre_count",
    **{c: "hospital_count" for c in ("101", "106", "122", "128", "129", "292", "355", "362", "365", "697")},
}
_DROM = {"9A": "971", "9B": "972", "9C": "973", "9D": "974", "9F": "976"}


def read_finess(path: str | Path, *, source_note: str | None = None) -> pd.DataFrame:
    """Read a FINESS extraction and count establishments by category and commune.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "etalab-cs1100507-stock-20240101-0000.csv"
    >>> def line(n, dep, com, cat):
    ...     fields = [n, "", "PHARMACIE", "", "", "", "", "", "", "", "", com, dep, "", "", "", "", cat]
    ...     return ";".join(["structureet"] + fields + [""] * 13) + ";"
    >>> _ = f.write_text("finess;etalab;3;2024-01-01\\n" + "\\n".join([
    ...     line("170000001", "17", "008", "620"), line("170000002", "17", "008", "620"),
    ...     line("970000001", "9D", "411", "500")]) + "\\n", encoding="cp1252")
    >>> read_finess(f)[["zone_code", "measure", "value"]].values.tolist()
    [['17008', 'pharmacy_count', 2.0], ['97411', 'ehpad_count', 1.0]]
    """
    file = Path(path)
    what = "une extraction FINESS (etalab-cs1100507 ou cs1100502)"
    report = SourceReport(path=file, kind="FINESS, extraction des établissements (data.gouv.fr)")
    data, member = read_member(file, r"\.csv$", what=what)
    text, encoding = decode(data, file)
    if encoding == "cp1252":
        report.notes.append("encodage Windows-1252 (cp1252) détecté et converti.")
    first = text.split("\n", 1)[0].strip()
    manifest = first.split(";")
    if manifest[0].lower() != "finess":
        raise FileFormatError(
            f"première ligne attendue « finess;etalab;<nombre>;<date> », trouvé « {first[:60]} » "
            f"({what} attendu). Téléchargez le fichier « stock » sur data.gouv.fr sans le modifier.",
            file,
        )
    date = next((m for m in manifest if re.fullmatch(r"\d{4}-\d{2}-\d{2}", m.strip())), None)
    year = int(date[:4]) if date else year_from(member)
    if year is None:
        raise FileFormatError("date d'extraction introuvable (ligne 1 ou nom du fichier).", file)
    try:
        table = pd.read_csv(
            io.StringIO(text), sep=";", header=None, names=range(40), dtype=str,
            keep_default_na=False, skiprows=1, quotechar='"', engine="c",
        )
    except (pd.errors.ParserError, ValueError) as exc:
        raise FileFormatError(f"lignes illisibles ({exc}).", file) from exc
    tags = table[0].str.strip().str.lower()
    structures = table.loc[tags == "structureet"]
    lines = structures.index.to_numpy() + 2
    n_geo = int((tags == "geolocalisation").sum())
    others = sorted(set(tags) - {"structureet", "geolocalisation", ""})
    if others:
        report.notes.append(f"lignes de type {', '.join(others)} ignorées.")
    if structures.empty:
        raise FileFormatError("aucune ligne « structureet » : l'extraction est vide ou tronquée.", file)
    fields = structures.iloc[:, 1 : len(FIELDS) + 1]
    fields.columns = FIELDS
    expected = manifest[2].strip() if len(manifest) > 2 else ""
    if expected.isdigit() and int(expected) != len(structures):
        report.problems.append(
            f"le manifeste annonce {int(expected)} établissements, {len(structures)} lus : fichier tronqué ?"
        )
    dup = fields["nofinesset"].duplicated()
    if dup.any():
        report.notes.append(f"{int(dup.sum())} établissement(s) en double (même n° FINESS) compté(s) une fois.")
        fields, lines = fields.loc[~dup.to_numpy()], lines[~dup.to_numpy()]
    dep = fields["departement"].str.strip().str.upper()
    postcode = fields["ligneacheminement"].str.strip().str[:5]
    outside = ~dep.str.fullmatch(r"\d{2}|2[AB]|9[ABCDF]") | postcode.isin(["97133", "97150"])
    if outside.any():
        report.notes.append(
            f"{int(outside.sum())} établissement(s) hors communes du COG (Saint-Barthélemy, Saint-Martin, "
            "Saint-Pierre-et-Miquelon, Pacifique) ignoré(s)."
        )
    fields, lines, dep = fields.loc[~outside.to_numpy()], lines[~outside.to_numpy()], dep[~outside.to_numpy()]
    raw = dep.map(lambda d: _DROM.get(d, d)) + fields["commune"].str.strip().str.zfill(3).str[-3:]
    raw = raw.where(~dep.isin(list(_DROM)), dep.map(_DROM) + fields["commune"].str.strip().str.zfill(3).str[-2:])
    codes = commune_codes(raw, path=file, column="departement+commune", lines=lines, report=None)
    category = fields["categetab"].str.strip()
    measure = category.map(CATEGORIES)
    counted = measure.notna().to_numpy()
    counts = (
        pd.DataFrame({"code": codes.to_numpy()[counted], "measure": measure.to_numpy()[counted]})
        .groupby(["code", "measure"], sort=True)
        .size()
        .reset_index(name="n")
    )
    obs = build(
        zone_type="commune",
        zone_code=counts["code"].to_numpy(dtype=object),
        period=str(year),
        measure=counts["measure"].to_numpy(dtype=object),
        value=counts["n"].to_numpy(dtype=float),
        status="ok",
        source=source_label(f"FINESS, extraction du {date or year} ({file.stem})", source_note),
        cog=year,
    )
    report.vintage = f"extraction du {date}" if date else str(year)
    report.cog = year
    report.notes.append(
        f"{len(fields)} établissement(s) dont {int(counted.sum())} dans les catégories suivies ; "
        f"{n_geo} ligne(s) de géolocalisation non utilisées."
    )
    return finish(obs, report, path=file)
