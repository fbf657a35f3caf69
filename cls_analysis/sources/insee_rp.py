"""INSEE census « bases communales » (base-cc) and the « base du comparateur de territoires ».

Where to get them
-----------------
``https://www.insee.fr/fr/statistiques/<id>`` — « Évolution et structure de la population en
2021 », « Logement en 2021 », « Couples – Familles – Ménages en 2021 », « Emploi – Population
active en 2021 », « Diplômes – Formation en 2021 »; each as ``base-cc-<thème>-2021_csv.zip``
(or, for older vintages, ``base-cc-<thème>-2018.xlsx`` / ``.zip``). The comparateur:
``base_cc_comparateur.csv`` (zip ``base_cc_comparateur_csv.zip``).

Formats read
------------
- **zip** holding ``base-cc-<thème>-YYYY.CSV`` (upper-case extension) and the dictionary
  ``meta_base-cc-<thème>-YYYY.CSV``; ``…-COM.CSV`` members (Saint-Barthélemy, Saint-Martin,
  Saint-Pierre-et-Miquelon) are not read;
- **CSV**: ``;``, UTF-8, one header line of variable codes starting with ``CODGEO``;
  values with ``.`` decimals (weighted counts: round only after aggregation);
- **old XLSX**: sheets ``COM_2018`` and ``ARM_2018``, title rows then a code row
  ``CODGEO, REG, DEP, LIBGEO, …`` (found by content);
- **comparateur**: ``CODGEO;P22_POP;P16_POP;SUPERF;NAIS1621;DECE1621;…;MED21;TP6021;…``, with
  Filosofi columns in comma decimals and ``s`` for secret cells.

Vintage rules
-------------
Variable ``PYY_…`` = exploitation principale, ``CYY_…`` = exploitation complémentaire, ``YY`` =
census year (``P21_`` → period ``2021``); the earlier comparison year (``P15_``, ``P14_``) is
kept as its own period. The geography of RP year N is the **COG of 1 January N+3** (RP 2021 →
COG 2024), without Mayotte, with Paris, Lyon and Marseille **and** their 45 arrondissements
(arrondissement rows are labelled ``arrondissement`` and never summed with their commune).
Comparateur: état civil ``NAIS1621`` = births 2016-2021 (period ``2016-2021``), ``NAISD24`` =
births of 2024; ``SUPERF`` = area in km²; its COG is that of its census variables (N+3).

Measures whose name states the population (``active_15_64``, ``out_of_school_15p``,
``cs_workers``…) have ``age`` ``all``; ``persons_living_alone`` is given by age (``80+``, ``15+``).

Only the variables an indicator needs are turned into observations (see :data:`P_VARIABLES`,
:data:`C_VARIABLES` and the population pattern ``P21_POP0014``, ``P21_H75P``, ``P21_F0019``,
``P21_POP15P``…); the others are counted in the report.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from cls_analysis.errors import FileFormatError
from cls_analysis.sources._common import (
    SourceReport,
    Variable,
    commune_codes,
    drop_duplicate_codes,
    finish,
    header_row,
    parse_numbers,
    read_delimited,
    read_member,
    read_workbook_sheets,
    sheet_table,
    source_label,
    wide_to_long,
    year_from,
)

__all__ = ["C_VARIABLES", "P_VARIABLES", "THEMES", "read_insee_rp", "variable_spec"]

#: French names of the base-cc themes (from the file names).
THEMES = {
    "evol-struct-pop": "évolution et structure de la population",
    "logement": "logement",
    "coupl-fam-men": "couples, familles, ménages",
    "couples-familles-menages": "couples, familles, ménages",
    "emploi-pop-active": "emploi, population active",
    "diplomes-formation": "diplômes, formation",
    "caract_emp": "caractéristiques de l'emploi",
}

#: ``P`` variables (without the ``PYY_`` prefix) → measure, sex, age. Several variables giving
#: the same measure are summed (``RP_ACH19`` + ``RP_ACH45`` = built before 1946).
P_VARIABLES: dict[str, tuple[str, str, str]] = {
    "MEN": ("households", "all", "all"),
    "LOG": ("dwellings", "all", "all"),
    "RP": ("main_residences", "all", "all"),
    "RSECOCC": ("secondary_residences", "all", "all"),
    "LOGVAC": ("vacant_dwellings", "all", "all"),
    "RP_VOIT1P": ("main_residences_with_car", "all", "all"),
    "RP_ACHTOT": ("main_residences_built_known", "all", "all"),
    "RP_ACH19": ("main_residences_before_1946", "all", "all"),
    "RP_ACH45": ("main_residences_before_1946", "all", "all"),
    "RP_PROP": ("main_residences_owner", "all", "all"),
    "RP_LOCHLMV": ("main_residences_social_housing", "all", "all"),
    "POP80P_PSEUL": ("persons_living_alone", "all", "80+"),
    "POP15P_PSEUL": ("persons_living_alone", "all", "15+"),
    "ACT1564": ("active_15_64", "all", "all"),
    "ACTOCC1564": ("employed_15_64", "all", "all"),
    "CHOM1564": ("unemployed_15_64", "all", "all"),
    "NSCOL15P": ("out_of_school_15p", "all", "all"),
    "NSCOL15P_DIPLMIN": ("out_of_school_15p_low_education", "all", "all"),
    "NSCOL15P_SUP2": ("out_of_school_15p_higher_education", "all", "all"),
    "NSCOL15P_SUP34": ("out_of_school_15p_higher_education", "all", "all"),
    "NSCOL15P_SUP5": ("out_of_school_15p_higher_education", "all", "all"),
}

#: ``C`` variables (exploitation complémentaire) → measure, sex, age.
C_VARIABLES: dict[str, tuple[str, str, str]] = {
    "POP15P": ("cs_population_15p", "all", "all"),
    **{
        f"POP15P_CS{i}": (name, "all", "all")
        for i, name in enumerate(
            [
                "cs_farmers",
                "cs_craftsmen",
                "cs_executives",
                "cs_intermediate",
                "cs_employees",
                "cs_workers",
                "cs_retired",
                "cs_other_inactive",
            ],
            start=1,
        )
    },
    "FAM": ("families", "all", "all"),
    "FAMMONO": ("single_parent_families", "all", "all"),
}

_PREFIX = re.compile(r"^([PC])(\d{2})_(.+)$")
_POPULATION = re.compile(r"^(POP|H|F)(?:(\d{2})(\d{2}|P))?$")
_CIVIL = re.compile(r"^(NAIS|DECE|NAISD|DECESD)(\d{2})(\d{2})?$")
_FILOSOFI = {
    "MED": ("median_income", "none"),
    "TP60": ("poverty_rate", "none"),
    "PIMP": ("taxed_households_share", "none"),
    "NBMENFISC": ("fiscal_households", "sum"),
}


_TEXT_COLUMNS = {"CODGEO", "LIBGEO", "REG", "DEP", "EPCI", "ARR", "LIBELLE"}


def _age(lo: str | None, hi: str | None) -> str:
    if lo is None:
        return "all"
    if hi == "P":
        return f"{int(lo)}+"
    return f"{int(lo)}-{int(hi)}"


def variable_spec(column: str) -> tuple[str, str, str, str] | None:
    """What a base-cc or comparateur variable measures: ``(measure, period, sex, age)`` or None.

    Examples
    --------
    >>> variable_spec("P21_POP0014")
    ('population', '2021', 'all', '0-14')
    >>> variable_spec("P15_H75P")
    ('population', '2015', 'M', '75+')
    >>> variable_spec("C21_POP15P_CS6")
    ('cs_workers', '2021', 'all', 'all')
    >>> variable_spec("P21_RP_ACH19")
    ('main_residences_before_1946', '2021', 'all', 'all')
    >>> variable_spec("NAIS1621"), variable_spec("DECESD24"), variable_spec("SUPERF")
    (('births', '2016-2021', 'all', 'all'), ('deaths', '2024', 'all', 'all'), ('area_km2', '', 'all', 'all'))
    >>> variable_spec("MED21"), variable_spec("P21_NBPI_RP") is None
    (('median_income', '2021', 'all', 'all'), True)
    """
    name = column.strip().upper()
    if name == "SUPERF":
        return ("area_km2", "", "all", "all")
    match = _PREFIX.match(name)
    if match:
        kind, yy, body = match.groups()
        period = str(2000 + int(yy))
        table = P_VARIABLES if kind == "P" else C_VARIABLES
        if body in table:
            measure, sex, age = table[body]
            return measure, period, sex, age
        if kind == "P":
            pop = _POPULATION.match(body)
            if pop:
                who, lo, hi = pop.groups()
                sex = {"POP": "all", "H": "M", "F": "F"}[who]
                return "population", period, sex, _age(lo, hi)
            if body in ("POPH", "POPF"):
                return "population", period, body[-1].replace("H", "M"), "all"
        return None
    civil = _CIVIL.match(name)
    if civil:
        what, a, b = civil.groups()
        measure = "births" if what.startswith("NAIS") else "deaths"
        period = f"20{a}-20{b}" if b else f"20{a}"
        return measure, period, "all", "all"
    for prefix, (measure, _rule) in _FILOSOFI.items():
        found = re.fullmatch(rf"{prefix}(\d{{2}})", name)
        if found:
            return measure, str(2000 + int(found.group(1))), "all", "all"
    return None


def _theme(name: str) -> tuple[str | None, str]:
    lowered = name.lower()
    if "comparateur" in lowered:
        return "comparateur", "base du comparateur de territoires"
    for key, label in THEMES.items():
        if key in lowered:
            return key, label
    return None, "base communale"


def read_insee_rp(
    path: str | Path,
    *,
    cog: int | None = None,
    source_note: str | None = None,
) -> pd.DataFrame:
    """Read an INSEE census base communale (zip, CSV or old XLSX) or the comparateur.

    Parameters
    ----------
    path : path
        ``base-cc-evol-struct-pop-2021_csv.zip``, its ``.CSV``, an old ``.xlsx``, or
        ``base_cc_comparateur.csv``.
    cog : int, optional
        COG vintage of the codes; by default census year + 3 (see module documentation).
    source_note : str, optional
        Appended to the source of every observation (e.g. « Données fictives de démonstration »).

    Returns
    -------
    DataFrame
        Observations (commune and arrondissement rows); ``attrs["report"]`` is a
        :class:`~cls_analysis.sources._common.SourceReport`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "base-cc-evol-struct-pop-2021.CSV").write_text(
    ...     "CODGEO;P21_POP;P21_POP75P;P15_POP\\n17008;2301.5;190.2;2200\\n1001;776;80;760\\n")
    >>> obs = read_insee_rp(folder / "base-cc-evol-struct-pop-2021.CSV")
    >>> obs.loc[obs["zone_code"] == "17008", ["period", "age", "value", "cog"]].values.tolist()
    [['2021', 'all', 2301.5, 2024], ['2021', '75+', 190.2, 2024], ['2015', 'all', 2200.0, 2024]]
    >>> print(obs.attrs["report"].notes[0])
    1 code(s) commune à 4 chiffres complété(s) d'un zéro initial (colonne lue comme un nombre par un tableur).
    """
    file = Path(path)
    what = "une base communale du recensement (Insee, base-cc)"
    theme, theme_label = _theme(file.name)
    report = SourceReport(path=file, kind=f"Insee, recensement de la population — {theme_label}")
    if file.suffix.lower() in (".xlsx", ".xlsm"):
        frame, lines = _read_xlsx(file, what)
    else:
        data, member = read_member(file, r"^(?!meta_).*(?<!-COM)\.csv$", what=what)
        if theme is None:
            theme, theme_label = _theme(member)
            report.kind = f"Insee, recensement de la population — {theme_label}"
        table = read_delimited(
            data, path=file, required=["CODGEO"], what=what, report=report,
            numeric=lambda c: c.upper() not in _TEXT_COLUMNS,
        )
        frame = table.frame
        lines = np.asarray(table.line(range(len(frame))))
    codgeo = next(c for c in frame.columns if c.upper() == "CODGEO")
    codes = commune_codes(frame[codgeo], path=file, column=codgeo, lines=lines, report=report)
    frame = frame.assign(**{codgeo: codes.to_numpy()})
    frame = drop_duplicate_codes(frame, [codgeo], path=file, lines=lines, report=report)
    lines = np.asarray(lines)[frame.index.to_numpy()]
    frame = frame.reset_index(drop=True)

    specs: dict[tuple[str, str, str, str], list[str]] = {}
    ignored = []
    for column in frame.columns:
        if column.upper() in ("CODGEO", "LIBGEO", "REG", "DEP", "EPCI", "ARR", "LIBELLE"):
            continue
        spec = variable_spec(column)
        if spec is None:
            ignored.append(column)
            continue
        specs.setdefault(spec, []).append(column)
    if not specs:
        raise FileFormatError(
            f"aucune variable reconnue ({what} attendu) ; colonnes trouvées : "
            f"{', '.join(frame.columns[:12])}…",
            file,
        )
    years = sorted({int(p) for (_m, p, _s, _a) in specs if re.fullmatch(r"\d{4}", p) and _is_census(specs, p)})
    census_year = max(years) if years else None
    if cog is None:
        if census_year is not None:
            cog = census_year + 3
        else:
            civil = [int(p[-4:]) for (_m, p, _s, _a) in specs if p]
            cog = (max(civil) + 1) if civil else year_from(file.name)
    area_period = str(census_year) if census_year else (str(cog - 1) if cog else "")
    variables = [
        Variable(tuple(columns), measure, period or area_period, sex, age)
        for (measure, period, sex, age), columns in specs.items()
    ]
    columns = [c for v in variables for c in v.columns]
    values, statuses = parse_numbers(frame, columns, path=file, lines=lines, empty="missing")
    stem = re.sub(r"(_csv)?$", "", file.stem.removesuffix(".CSV"), flags=re.I)
    periods = sorted({v.period for v in variables}, reverse=True)
    label = f"RP {census_year}" if census_year else f"{', '.join(periods)}"
    source = source_label(f"Insee, {label} ({stem}, COG {cog})", source_note)
    obs = wide_to_long(
        frame[codgeo].to_numpy(dtype=object),
        "commune",
        variables,
        values,
        statuses,
        source=source,
        cog=cog,
    )
    _check_negatives(obs, variables, frame, lines, file)
    report.vintage = (
        f"RP {census_year}" + (f" (et {', '.join(p for p in periods if p != str(census_year))})" if len(periods) > 1 else "")
        if census_year
        else ", ".join(periods)
    )
    report.cog = cog
    if ignored:
        report.notes.append(f"{len(ignored)} variable(s) non utilisée(s) par les indicateurs (ignorées).")
    return finish(obs, report, path=file)


def _is_census(specs, period: str) -> bool:
    return any(p == period and m not in ("births", "deaths", "median_income", "poverty_rate",
                                         "taxed_households_share", "fiscal_households")
               for (m, p, _s, _a) in specs)


def _check_negatives(obs, variables, frame, lines, file) -> None:
    from cls_analysis.sources._common import check_negative

    n = len(frame)

    def describe(position):
        var = variables[position // n]
        return f"{'+'.join(var.columns)} ligne {lines[position % n]}"

    check_negative(obs, path=file, describe=describe)


def _read_xlsx(file: Path, what: str) -> tuple[pd.DataFrame, np.ndarray]:
    sheets = read_workbook_sheets(file, what=what)
    parts, lines = [], []
    for name, cells in sheets.items():
        if not re.match(r"^(COM|ARM)", str(name), re.I):
            continue
        header = header_row(cells, ["CODGEO"])
        if header is None:
            continue
        table, rows = sheet_table(cells, header)
        parts.append(table)
        lines.extend(f"{name}!{r}" for r in rows)
    if not parts:
        raise FileFormatError(
            f"aucune feuille COM_… ou ARM_… avec une ligne d'en-tête CODGEO ({what} attendu) ; "
            f"feuilles trouvées : {', '.join(map(str, sheets))}.",
            file,
        )
    return pd.concat(parts, ignore_index=True).fillna(""), np.asarray(lines, dtype=object)
