"""Ameli (CNAM) open data: professionals by département, and the cartographie des pathologies.

Where to get them
-----------------
``https://data.ameli.fr`` (Opendatasoft): dataset ``demographie-effectifs-et-les-densites``
and dataset ``effectifs`` (« Effectifs de patients par pathologie, sexe, classe d'âge et
territoire »); *Export → CSV* (``;``, UTF-8).

Formats read
------------
- :func:`read_ameli_demography` — ``annee;profession_sante;classe_age;libelle_classe_age;
  libelle_sexe;region;libelle_region;departement;libelle_departement;effectif;densite``.
  Aggregate rows coexist with the details (``libelle_classe_age`` « Tout âge »,
  ``libelle_sexe`` « tout sexe », région or France totals): they are **dropped**, the details
  kept by département × sex × age band, and the margins (sex ``all``, age ``all``) recomputed
  from them. Professions → ``gp_count``, ``nurse_count``, ``physio_count``,
  ``dentist_count``, ``midwife_count``, ``pharmacist_count`` (others ignored, listed).
- :func:`read_ameli_pathologies` — ``effectifs.csv``: ``annee;patho_niv1;patho_niv2;patho_niv3;
  top;cla_age_5;sexe;region;dept;Ntop;Npop;prev;Niveau prioritaire;libelle_classe_age;
  libelle_sexe;tri``. Aggregates ``sexe=9``, ``cla_age_5=tsage``, ``dept=999`` (région total),
  ``region=99`` (France) are **dropped** before anything is summed; level-1 groups
  (``patho_niv2`` empty) are read by default. ``Ntop`` → ``patients_<pathology>``
  (``patients_diabetes``, ``patients_cancer``, ``patients_psychiatric``,
  ``patients_cardiovascular``, ``patients_psychotropic``, others ``patients_<slug>``),
  ``Npop`` → ``snds_population``; masked cells (empty ``Ntop``) are ``secret``.

Both are published by département only: région and France values are sums of départements
(see :func:`cls_analysis.observations.aggregate`).
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd

from cls_analysis._keys import repeated_rows
from cls_analysis.errors import FileFormatError
from cls_analysis.geo.codes import normalize_departement_code
from cls_analysis.observations import normalize_ages, normalize_sexes
from cls_analysis.sources._common import (
    SourceReport,
    TextColumn,
    add_margins,
    build,
    finish,
    parse_numbers,
    read_delimited,
    read_member,
    require_columns,
    source_label,
)

__all__ = ["PATHOLOGIES", "PROFESSIONS", "read_ameli_demography", "read_ameli_pathologies"]

#: Keywords of ``profession_sante`` → measure.
PROFESSIONS = [
    ("generaliste", "gp_count"),
    ("infirmier", "nurse_count"),
    ("kinesitherapeute", "physio_count"),
    ("dentiste", "dentist_count"),
    ("sage", "midwife_count"),
    ("pharmacien", "pharmacist_count"),
]
#: ``patho_niv1`` (accents and case ignored) → measure.
PATHOLOGIES = {
    "diabete": "patients_diabetes",
    "cancers": "patients_cancer",
    "maladies psychiatriques": "patients_psychiatric",
    "maladies cardioneurovasculaires": "patients_cardiovascular",
    "traitements psychotropes (hors pathologies)": "patients_psychotropic",
}


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", str(text))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower().strip()


def _departements(values: pd.Series) -> tuple[pd.Series, np.ndarray]:
    def norm(v):
        try:
            return normalize_departement_code(v)
        except Exception:
            return None

    codes, uniques = pd.factorize(values.str.strip())
    mapped = np.array([norm(u) for u in uniques] + [None], dtype=object)
    result = mapped[codes]
    return pd.Series(result, index=values.index), pd.notna(result)


def read_ameli_demography(path: str | Path, *, source_note: str | None = None) -> pd.DataFrame:
    """Read the Ameli « démographie : effectifs et densités » export (by département).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "demographie-effectifs-et-les-densites.csv"
    >>> _ = f.write_text(
    ...     "annee;profession_sante;classe_age;libelle_classe_age;libelle_sexe;region;libelle_region;"
    ...     "departement;libelle_departement;effectif;densite\\n"
    ...     "2023;Médecins généralistes;tout_age;Tout âge;tout sexe;75;NA;17;Charente-Maritime;700;10\\n"
    ...     "2023;Médecins généralistes;60_64;60 à 64 ans;hommes;75;NA;17;Charente-Maritime;70;1\\n"
    ...     "2023;Médecins généralistes;60_64;60 à 64 ans;femmes;75;NA;17;Charente-Maritime;50;1\\n")
    >>> obs = read_ameli_demography(f)
    >>> obs.loc[(obs["sex"] == "all") & (obs["age"] == "all"), ["zone_code", "measure", "value"]].values.tolist()
    [['17', 'gp_count', 120.0]]
    """
    file = Path(path)
    what = "un export Ameli « demographie-effectifs-et-les-densites »"
    report = SourceReport(path=file, kind="Ameli, démographie des professionnels de santé (effectifs)")
    data, _ = read_member(file, r"\.csv$", what=what)
    table = read_delimited(data, path=file, required=["profession_sante", "effectif"], what=what, report=report)
    frame = table.frame
    columns = ["annee", "profession_sante", "libelle_classe_age", "libelle_sexe", "departement", "effectif"]
    require_columns(frame.columns, columns, path=file, what=what)
    lines = np.asarray(table.line(range(len(frame))))
    age_label = TextColumn(frame["libelle_classe_age"]).map(_fold)
    sex_label = TextColumn(frame["libelle_sexe"]).map(_fold)
    age_label = pd.Series(age_label.values(), index=frame.index).astype(str)
    sex_label = pd.Series(sex_label.values(), index=frame.index).astype(str)
    deps, is_dep = _departements(frame["departement"])
    keep = ~age_label.str.startswith(("tout", "tous")).to_numpy() & ~sex_label.str.startswith(("tout", "tous")).to_numpy() & is_dep
    dropped = int((~keep).sum())
    if dropped:
        report.notes.append(f"{dropped} ligne(s) d'agrégat (tout âge, tout sexe, région, France) écartée(s) avant sommation.")
    measure = pd.Series(
        TextColumn(frame["profession_sante"]).map(lambda p: next((m for k, m in PROFESSIONS if k in _fold(p)), None)).values(),
        index=frame.index,
    ).replace("", None)
    ignored = sorted(set(frame.loc[measure.isna() & pd.Series(keep, index=frame.index), "profession_sante"]))
    if ignored:
        report.notes.append(f"profession(s) non lue(s) : {', '.join(ignored[:6])}.")
    keep &= measure.notna().to_numpy()
    frame, lines, deps, measure = frame.loc[keep], lines[keep], deps[keep], measure[keep]
    if frame.empty:
        raise FileFormatError("aucune ligne de détail (département × sexe × âge) reconnue.", file)
    values, statuses = parse_numbers(frame, ["effectif"], path=file, lines=lines, empty="secret")
    years = frame["annee"].str.extract(r"((?:19|20)\d{2})")[0]
    obs = build(
        zone_type="departement",
        zone_code=deps.to_numpy(dtype=object),
        period=years.to_numpy(dtype=object),
        measure=measure.to_numpy(dtype=object),
        sex=normalize_sexes(frame["libelle_sexe"], where="colonne libelle_sexe", path=file).to_numpy(),
        age=normalize_ages(frame["libelle_classe_age"], where="colonne libelle_classe_age", path=file).to_numpy(),
        value=values["effectif"],
        status=statuses["effectif"],
        source=source_label(f"Ameli, démographie des professionnels de santé {', '.join(sorted(set(years)))}", source_note),
        cog=None,
    )
    _no_duplicates(obs, lines, file)
    obs = add_margins(obs)
    report.vintage = ", ".join(sorted(set(years)))
    return finish(obs, report, path=file)


def read_ameli_pathologies(
    path: str | Path,
    *,
    level: int = 1,
    source_note: str | None = None,
) -> pd.DataFrame:
    """Read Ameli's cartographie des pathologies ``effectifs.csv`` (by département).

    Parameters
    ----------
    path : path
    level : {1, 2, 3}
        Pathology level read (``patho_niv1`` groups by default).
    source_note : str, optional

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "effectifs.csv"
    >>> head = "annee;patho_niv1;patho_niv2;patho_niv3;top;cla_age_5;sexe;region;dept;Ntop;Npop;prev;Niveau prioritaire;libelle_classe_age;libelle_sexe;tri\\n"
    >>> rows = ["2022;Diabète;;;DIA;70-74;2;75;17;900;20000;4.5;1;de 70 à 74 ans;femmes;1",
    ...         "2022;Diabète;;;DIA;tsage;9;75;17;40000;650000;6;1;tous âges;tous sexes;1",
    ...         "2022;Diabète;;;DIA;70-74;2;75;999;9000;200000;4.5;1;de 70 à 74 ans;femmes;1"]
    >>> _ = f.write_text(head + "\\n".join(rows) + "\\n")
    >>> obs = read_ameli_pathologies(f)
    >>> obs.loc[obs["age"] == "70-74", ["zone_code", "measure", "sex", "value"]].values.tolist()[:2]
    [['17', 'patients_diabetes', 'F', 900.0], ['17', 'snds_population', 'F', 20000.0]]
    """
    file = Path(path)
    what = "le fichier Ameli de la cartographie des pathologies (effectifs.csv)"
    report = SourceReport(path=file, kind="Ameli, cartographie des pathologies (effectifs de patients)")
    data, _ = read_member(file, r"\.csv$", what=what)
    table = read_delimited(data, path=file, required=["patho_niv1", "Ntop"], what=what, report=report)
    frame = table.frame
    columns = ["annee", "patho_niv1", "patho_niv2", "patho_niv3", "cla_age_5", "sexe", "dept", "Ntop", "Npop"]
    require_columns(frame.columns, columns, path=file, what=what)
    lines = np.asarray(table.line(range(len(frame))))
    age = frame["cla_age_5"].str.strip().str.lower()
    sex = frame["sexe"].str.strip()
    deps, is_dep = _departements(frame["dept"])
    region = frame["region"].str.strip() if "region" in frame.columns else pd.Series("", index=frame.index)
    aggregate = age.isin(["tsage", "tous ages", "tous âges"]).to_numpy() | sex.eq("9").to_numpy() | ~is_dep | region.eq("99").to_numpy()
    niv2, niv3 = frame["patho_niv2"].str.strip(), frame["patho_niv3"].str.strip()
    if level == 1:
        at_level = niv2.isin(["", "NA", "nan"]).to_numpy()
    elif level == 2:
        at_level = ~niv2.isin(["", "NA", "nan"]).to_numpy() & niv3.isin(["", "NA", "nan"]).to_numpy()
    else:
        at_level = ~niv3.isin(["", "NA", "nan"]).to_numpy()
    report.notes.append(
        f"{int(aggregate.sum())} ligne(s) d'agrégat (tous âges, tous sexes, dept=999, region=99) écartée(s) avant sommation."
    )
    keep = ~aggregate & at_level
    frame, lines, deps = frame.loc[keep], lines[keep], deps[keep]
    if frame.empty:
        raise FileFormatError(f"aucune ligne de détail de niveau {level} (département × sexe × âge).", file)
    names = {1: "patho_niv1", 2: "patho_niv2", 3: "patho_niv3"}
    measure = TextColumn(frame[names[level]]).map(
        lambda p: PATHOLOGIES.get(_fold(p)) or "patients_" + re.sub(r"[^a-z0-9]+", "_", _fold(p)).strip("_")
    ).categorical()
    values, statuses = parse_numbers(frame, ["Ntop", "Npop"], path=file, lines=lines, empty="secret")
    years = frame["annee"].str.extract(r"((?:19|20)\d{2})")[0]
    source = source_label(f"Ameli, cartographie des pathologies {', '.join(sorted(set(years)))}", source_note)
    common = dict(
        zone_type="departement",
        zone_code=deps.to_numpy(dtype=object),
        period=years.to_numpy(dtype=object),
        sex=normalize_sexes(frame["sexe"], where="colonne sexe", path=file).to_numpy(),
        age=normalize_ages(frame["cla_age_5"], where="colonne cla_age_5", path=file).to_numpy(),
        source=source,
        cog=None,
    )
    patients = build(measure=measure, value=values["Ntop"], status=statuses["Ntop"], **common)
    population = build(measure="snds_population", value=values["Npop"], status=statuses["Npop"], **common)
    population = population.drop_duplicates(["zone_code", "period", "sex", "age"])
    _no_duplicates(patients, lines, file)
    obs = add_margins(pd.concat([patients, population], ignore_index=True))
    report.vintage = ", ".join(sorted(set(years)))
    return finish(obs, report, path=file)


def _no_duplicates(obs: pd.DataFrame, lines, file) -> None:
    key = ["zone_code", "period", "measure", "sex", "age"]
    dup = repeated_rows(obs, key)
    if dup.any():
        first = obs.loc[dup, key].iloc[0].tolist()
        raise FileFormatError(
            f"{int(dup.sum())} ligne(s) en double (même département, année, mesure, sexe et âge), par "
            f"exemple {' '.join(map(str, first))} (lignes {', '.join(str(x) for x in np.asarray(lines)[dup][:4])}).",
            file,
        )
