"""Géoclip exports: CartoSanté (ATLASANTE, ARS) and INSEE « Statistiques locales ».

Where to get them
-----------------
``https://cartosante.atlasante.fr`` and ``https://statistiques-locales.insee.fr``: choose the
indicators and the « Référentiel géographique », then *Exporter → CSV*.

Format read
-----------
UTF-8 **with BOM**, ``;``, ``.`` decimals; two title lines (tool name ``CartoSanté; ; `` or
``Insee - Statistiques locales; ; ``, then ``Référentiel géographique : France par bassin de
vie; ; ``), then the header ``Code;Libellé;<indicator label and year>…``. Missing markers:
``N/A - secret statistique`` (status ``secret``) and ``N/A - résultat non disponible``
(``missing``).

Level (``zone_type``) from the « Référentiel géographique » line: commune, EPCI
(intercommunalité), département, région, bassin de vie (``bassin_vie``), « bassin de vie /
canton-ville » (5-character codes → ``bassin_vie``, 4-character pseudo-canton codes →
``canton_ville``), zone d'emploi; without that line, from the shape of the codes.

Each indicator column becomes a measure: known labels through :data:`LABELS`
(``APL Médecins généralistes 2023`` → ``apl_gp``, ``Taux de pauvreté 2021`` →
``poverty_rate``, ``Infirmier (en nombre) 2024`` → ``nurse_count``…), others
``geoclip_<label>``; the trailing year is the period. These are published values: counts at
commune level are summed like any count, rates and indices are read as published.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd

from cls_analysis.errors import FileFormatError
from cls_analysis.geo.codes import normalize_departement_code
from cls_analysis.sources._common import (
    SourceReport,
    build,
    commune_codes,
    decode,
    drop_duplicate_codes,
    finish,
    parse_numbers,
    read_delimited,
    read_member,
    source_label,
)

__all__ = ["LABELS", "read_geoclip"]

#: Indicator labels (without year, accents and case ignored) → measure.
LABELS = {
    "apl medecins generalistes": "apl_gp",
    "taux de pauvrete": "poverty_rate",
    "mediane du niveau de vie": "median_income",
    "medecin generaliste (en nombre)": "gp_count",
    "infirmier (en nombre)": "nurse_count",
    "masseur kinesitherapeute (en nombre)": "physio_count",
    "chirurgien dentiste (en nombre)": "dentist_count",
    "sage-femme (en nombre)": "midwife_count",
    "sage femme (en nombre)": "midwife_count",
    "pharmacie (en nombre)": "pharmacy_count",
    "urgences (en nombre)": "emergency_count",
    "nombre de deces domicilies": "deaths",
    "nombre de naissances domiciliees": "births",
    "estimations de population": "population_estimate",
    "population municipale": "population",
    "densite de generalistes lib.": "gp_density",
    "densite d'infirmiers lib.": "nurse_density",
    "densite de sages-femmes lib.": "midwife_density",
    "densite des pharmacies pour 10 000 hab.": "pharmacy_density",
    "part des benef. en ald dans la pop": "ald_share",
}
_LEVEL_WORDS = [
    ("bassin de vie / canton-ville", "bassin_vie/canton_ville"),
    ("bassin de vie", "bassin_vie"),
    ("zone d'emploi", "zone_emploi"),
    ("zone d’emploi", "zone_emploi"),
    ("intercommunalit", "epci"),
    ("epci", "epci"),
    ("departement", "departement"),
    ("region", "region"),
    ("commune", "commune"),
]
_TOOLS = ("cartosant", "statistiques locales", "geoclip")


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower().strip()


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", _fold(text)).strip("_")


def split_label(label: str) -> tuple[str, str | None]:
    """Indicator label and year of a Géoclip column.

    >>> split_label("APL Médecins généralistes 2023")
    ('APL Médecins généralistes', '2023')
    >>> split_label("Densité de population (historique depuis 1876) 2022")
    ('Densité de population (historique depuis 1876)', '2022')
    """
    match = re.match(r"^(.*?)[\s_]*((?:19|20)\d{2})\s*$", label.strip())
    if match:
        return match.group(1).strip(), match.group(2)
    return label.strip(), None


def read_geoclip(
    path: str | Path,
    *,
    level: str | None = None,
    cog: int | None = None,
    source_note: str | None = None,
) -> pd.DataFrame:
    """Read a CartoSanté or Statistiques locales (Géoclip) CSV export.

    Parameters
    ----------
    path : path
        The exported CSV.
    level : str, optional
        Zone type, when the « Référentiel géographique » line is missing or unusual.
    cog : int, optional
        COG vintage of commune codes (default: the latest year of the columns + 1).
    source_note : str, optional
        Appended to every source.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "export.csv"
    >>> _ = f.write_text("\\ufeffCartoSanté; ; \\nRéférentiel géographique : France par département; ; \\n"
    ...                  "Code;Libellé;Taux de pauvreté 2021\\n17;Charente-Maritime;13.4\\n"
    ...                  "976;Mayotte;N/A - résultat non disponible\\n", encoding="utf-8")
    >>> read_geoclip(f)[["zone_type", "zone_code", "measure", "period", "value", "status"]].values.tolist()
    [['departement', '17', 'poverty_rate', '2021', 13.4, 'ok'], ['departement', '976', 'poverty_rate', '2021', nan, 'missing']]
    """
    file = Path(path)
    what = "un export CartoSanté ou Statistiques locales (Géoclip)"
    report = SourceReport(path=file, kind="Export Géoclip")
    data, _member = read_member(file, r"\.csv$", what=what)
    text, _enc = decode(data, file)
    head = [ln.split(";")[0].strip() for ln in text.splitlines()[:3]]
    tool = head[0] if head else ""
    table = read_delimited(data, path=file, required=["Code", "Libellé"], what=what, report=report,
                           expected_header_line=2)
    referential = next((ln for ln in table.preamble if "référentiel" in ln.lower() or "referentiel" in _fold(ln)), "")
    tool_line = table.preamble[0].split(";")[0].strip() if table.preamble else tool
    report.kind = f"Export Géoclip — {tool_line or 'outil inconnu'}"
    frame = table.frame
    lines = np.asarray(table.line(range(len(frame))))
    code_col = next(c for c in frame.columns if c.strip().lower() == "code")
    codes = frame[code_col].str.strip()
    zone_level = level or _level(referential, codes)
    report.notes.append(f"niveau géographique : {referential.split(';')[0].strip() or zone_level}.")
    zone_type = _zone_types(zone_level, codes)
    codes = codes.copy()
    is_com = (zone_type == "commune").to_numpy()
    if is_com.any():
        codes[is_com] = commune_codes(codes[is_com], path=file, column="Code", lines=lines[is_com], report=report).to_numpy()
    is_dep = (zone_type == "departement").to_numpy()
    if is_dep.any():
        codes[is_dep] = codes[is_dep].map(normalize_departement_code)
    frame = frame.assign(**{code_col: codes.to_numpy()}, _zone_type=zone_type.to_numpy())
    frame = drop_duplicate_codes(frame, ["_zone_type", code_col], path=file, lines=lines, report=report)
    lines = lines[frame.index.to_numpy()]
    frame = frame.reset_index(drop=True)
    indicators = [c for c in frame.columns if c not in (code_col, "_zone_type") and c.strip().lower() not in ("libellé", "libelle")]
    indicators = [c for c in indicators if c.strip()]
    if not indicators:
        raise FileFormatError("aucune colonne d'indicateur après « Code ; Libellé ».", file)
    values, statuses = parse_numbers(frame, indicators, path=file, lines=lines)
    years = [split_label(c)[1] for c in indicators]
    latest = max((int(y) for y in years if y), default=None)
    cog = cog or (latest + 1 if latest else None)
    parts = []
    unknown = []
    for column, year in zip(indicators, years, strict=True):
        label, _ = split_label(column)
        measure = LABELS.get(_fold(label))
        if measure is None:
            measure = f"geoclip_{_slug(label)}"
            unknown.append(label)
        parts.append(
            build(
                zone_type=frame["_zone_type"].to_numpy(dtype=object),
                zone_code=frame[code_col].to_numpy(dtype=object),
                period=year or "",
                measure=measure,
                value=values[column],
                status=statuses[column],
                source=source_label(f"{tool_line or 'Géoclip'}, {label} {year or ''} ({file.stem})".replace("  ", " "), source_note),
                cog=cog,
            )
        )
    if any(y is None for y in years):
        raise FileFormatError(
            "année absente du libellé de colonne(s) : "
            f"{', '.join(c for c, y in zip(indicators, years, strict=True) if y is None)} "
            "(attendu « Libellé de l'indicateur AAAA »).",
            file,
        )
    if unknown:
        report.notes.append(
            f"{len(unknown)} indicateur(s) hors registre, lus tels quels (mesures geoclip_…) : "
            f"{'; '.join(unknown[:4])}{'…' if len(unknown) > 4 else ''}."
        )
    from cls_analysis.observations import concat

    obs = concat(parts)
    report.vintage = ", ".join(sorted({y for y in years if y}))
    report.cog = cog if is_com.any() else None
    return finish(obs, report, path=file)


def _level(referential: str, codes: pd.Series) -> str:
    folded = _fold(referential)
    for word, level in _LEVEL_WORDS:
        if word in folded:
            return level
    lengths = set(codes.str.len())
    if lengths <= {9}:
        return "epci"
    if lengths <= {2, 3} and not codes.str.contains("ZZ").any():
        return "departement"
    return "commune"


def _zone_types(level: str, codes: pd.Series) -> pd.Series:
    if level == "bassin_vie/canton_ville":
        return pd.Series(np.where(codes.str.len() == 4, "canton_ville", "bassin_vie"), index=codes.index)
    if level == "commune":
        special = codes.str.contains("ZZ") | codes.str.upper().isin(["FR", "FRM", "FRANCE"])
        return pd.Series(np.where(special, "bassin_vie", "commune"), index=codes.index)
    if level == "departement":
        france = codes.str.upper().isin(["FR", "FRM", "FRANCE", "FE", "METRO"])
        return pd.Series(np.where(france, "france", "departement"), index=codes.index)
    return pd.Series(level, index=codes.index)
