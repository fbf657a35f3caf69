"""Raking margins from census observations.

The project's observations table is long (see ``DESIGN.md``): ``zone_type, zone_code,
period, measure, sex, age, value, status, source`` with ``sex`` in ``M``, ``F``, ``all`` and
``age`` a band label (``0-14``, ``15-29``, …, ``75+``) or ``all``. For the margins of a
survey of the population aged 15 or more in a territory, the expected rows are, for
``measure = "population"`` and one ``period``:

- per commune of the territory (``zone_code`` = commune codes) or for the territory as a
  whole, the population by **sex × age band** (``sex`` M/F, ``age`` a band): this joint table
  gives every margin restricted to the survey's age field;
- failing that, by sex (``age = all``) and by age (``sex = all``) separately, which is only
  usable when the survey covers every age of the census bands kept.

Margins come out as ``variable, level, population`` (the shape :meth:`Design.rake` takes),
with the variable names and level labels of the survey data.

Examples
--------
>>> obs = pd.DataFrame({
...     "zone_type": "commune", "zone_code": ["17008"] * 4 + ["17222"] * 4, "period": "2021",
...     "measure": "population", "sex": ["M", "M", "F", "F"] * 2,
...     "age": ["0-14", "15-29", "0-14", "15-29"] * 2,
...     "value": [50.0, 40, 45, 42, 100, 80, 90, 85], "status": "ok", "source": "Insee RP"})
>>> margins_from_observations(obs, ["17008", "17222"], age_bands=["15-29"],
...                           by=("sex", "age", "commune"), sex_labels={"M": "Homme", "F": "Femme"})
  variable  level  population
0      sex  Femme       127.0
1      sex  Homme       120.0
2      age  15-29       247.0
3  commune  17008        82.0
4  commune  17222       165.0
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from cls_analysis.errors import describe_rows
from cls_analysis.survey.cleaning import parse_age_band
from cls_analysis.survey.errors import MarginsError

__all__ = ["commune_margins", "margins_from_observations"]

_OBS_COLUMNS = ("zone_code", "period", "measure", "sex", "age", "value")


def _band_map(census_bands: Sequence[str], target: Sequence[str]) -> dict[str, str | None]:
    bounds = {b: parse_age_band(b) for b in target}
    out: dict[str, str | None] = {}
    for cb in census_bands:
        lo, hi = parse_age_band(cb)
        inside = [t for t, (tlo, thi) in bounds.items() if lo >= tlo and hi <= thi]
        overlap = [t for t, (tlo, thi) in bounds.items() if lo <= thi and hi >= tlo]
        if inside:
            out[cb] = inside[0]
        elif overlap:
            raise MarginsError(
                f"la tranche d'âge du recensement « {cb} » chevauche la tranche « {overlap[0]} » de "
                "l'enquête sans y être incluse : choisissez des tranches d'enquête qui regroupent des "
                f"tranches entières du recensement ({', '.join(census_bands)})."
            )
        else:
            out[cb] = None
    return out


def margins_from_observations(
    obs: pd.DataFrame,
    zone_code: str | Sequence[str],
    *,
    by: Sequence[str] = ("sex", "age"),
    age_bands: Sequence[str] | None = None,
    period: str | None = None,
    measure: str = "population",
    zone_type: str | None = None,
    names: Mapping[str, str] | None = None,
    sex_labels: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Raking margins (``variable, level, population``) from census observations.

    Parameters
    ----------
    obs : DataFrame
        Observations (long): ``zone_type, zone_code, period, measure, sex, age, value, status``.
    zone_code : str or sequence of str
        The zone (e.g. the EPCI SIREN) or the communes of the territory; values are summed
        over them.
    by : sequence of {"sex", "age", "commune"}, default ("sex", "age")
        Margins to build (``commune`` needs commune codes in ``zone_code``).
    age_bands : sequence of str, optional
        Survey age bands (``["15-29", "30-44", "45-59", "60-74", "75+"]``), each a union of
        census bands; census bands outside them (``0-14``) are left out of every margin.
    period : str, optional
        Required when the observations hold several periods.
    measure : str, default "population"
    zone_type : str, optional
        Keep only this zone type.
    names : mapping, optional
        Variable names in the survey data: ``{"sex": "sexe", "age": "age_band",
        "commune": "commune_code"}``.
    sex_labels : mapping, optional
        Level labels of sex in the survey data: ``{"M": "Homme", "F": "Femme"}``.

    Raises
    ------
    MarginsError
        Missing columns, no row for the zone/measure/period, several periods, secret or
        missing values, census bands straddling a survey band, or a restricted age field
        without the sex × age table.
    """
    missing = [c for c in _OBS_COLUMNS if c not in obs.columns]
    if missing:
        raise MarginsError(
            f"colonne(s) absente(s) des observations : {', '.join(missing)}. Attendu le tableau "
            "long zone_type, zone_code, period, measure, sex, age, value, status, source."
        )
    codes = [zone_code] if isinstance(zone_code, str) else [str(c) for c in zone_code]
    rows = obs[obs["zone_code"].astype(str).isin(codes) & (obs["measure"] == measure)]
    if zone_type is not None and "zone_type" in obs.columns:
        rows = rows[rows["zone_type"] == zone_type]
    if rows.empty:
        raise MarginsError(
            f"aucune observation « {measure} » pour {describe_rows(codes)} : vérifiez les codes "
            "(chaînes de 5 caractères pour les communes, SIREN pour un EPCI) et la mesure."
        )
    periods = sorted(rows["period"].astype(str).unique())
    if period is None:
        if len(periods) > 1:
            raise MarginsError(
                f"plusieurs périodes dans les observations ({', '.join(periods)}) : précisez period=…"
            )
        period = periods[0]
    rows = rows[rows["period"].astype(str) == str(period)]
    if rows.empty:
        raise MarginsError(f"aucune observation pour la période {period} (périodes : {', '.join(periods)}).")
    value = pd.to_numeric(rows["value"], errors="coerce")
    rows = rows.assign(value=value, sex=rows["sex"].astype(str), age=rows["age"].astype(str),
                       zone_code=rows["zone_code"].astype(str))
    names = {"sex": "sex", "age": "age", "commune": "commune", **(names or {})}
    sex_labels = {"M": "M", "F": "F", **(sex_labels or {})}
    unknown = [b for b in by if b not in ("sex", "age", "commune")]
    if unknown:
        raise MarginsError(f"marge(s) inconnue(s) : {', '.join(unknown)} ; possibles : sex, age, commune.")

    joint = rows[rows["sex"].isin(["M", "F"]) & (rows["age"] != "all")]
    age_only = rows[(rows["sex"] == "all") & (rows["age"] != "all")]
    sex_only = rows[rows["sex"].isin(["M", "F"]) & (rows["age"] == "all")]
    total = rows[(rows["sex"] == "all") & (rows["age"] == "all")]
    census_bands = sorted(set(joint["age"]) | set(age_only["age"]), key=lambda b: parse_age_band(b)[0])
    if age_bands is not None:
        mapping = _band_map(census_bands, age_bands)
    else:
        mapping = {b: b for b in census_bands}
    restricted = any(v is None for v in mapping.values())

    def need(frame: pd.DataFrame, what: str) -> pd.DataFrame:
        bad = frame["value"].isna()
        if bad.any():
            where = describe_rows(f"{z} {s} {a}" for z, s, a in frame.loc[bad, ["zone_code", "sex", "age"]].itertuples(index=False))
            raise MarginsError(
                f"valeur(s) manquante(s) ou secrète(s) dans les observations pour {what} : {where}. "
                "Une marge de calage demande des effectifs complets : prenez une autre source ou regroupez."
            )
        return frame

    def banded(frame: pd.DataFrame) -> pd.DataFrame:
        f = frame.assign(band=frame["age"].map(mapping))
        return f[f["band"].notna()]

    use_joint = not joint.empty
    if use_joint:
        base = banded(need(joint, "sexe × âge"))
    out = []
    for b in by:
        if b == "sex":
            if use_joint:
                s = base.groupby("sex")["value"].sum()
            elif not restricted and not sex_only.empty:
                s = need(sex_only, "le sexe").groupby("sex")["value"].sum()
            else:
                raise MarginsError(
                    "marge par sexe impossible : il faut la population par sexe × tranche d'âge "
                    "(sex M/F, age en tranches) quand le champ d'âge de l'enquête est restreint."
                )
            for k in ("F", "M"):
                if k in s.index:
                    out.append((names["sex"], sex_labels[k], float(s[k])))
        elif b == "age":
            src = base if use_joint else banded(need(age_only, "l'âge"))
            if src.empty:
                raise MarginsError("marge par âge impossible : aucune observation par tranche d'âge.")
            a = src.groupby("band")["value"].sum()
            order = list(age_bands) if age_bands is not None else census_bands
            for k in order:
                if k in a.index:
                    out.append((names["age"], k, float(a[k])))
        else:
            if use_joint:
                c = base.groupby("zone_code")["value"].sum()
            elif not age_only.empty:
                c = banded(need(age_only, "les communes")).groupby("zone_code")["value"].sum()
            elif not restricted and not total.empty:
                c = need(total, "les communes").groupby("zone_code")["value"].sum()
            else:
                raise MarginsError("marge par commune impossible : aucune population par commune.")
            for k in codes:
                if k in c.index:
                    out.append((names["commune"], k, float(c[k])))
    return pd.DataFrame(out, columns=["variable", "level", "population"])


def commune_margins(
    communes: pd.DataFrame,
    *,
    variable: str = "commune",
    code: str = "code",
    population: str = "population",
    groups: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Commune margin from a table of communes (``code, name, population``).

    ``groups`` maps commune codes to a group label (e.g. small communes merged into
    « Autres communes », the same grouping as in the survey data); the population of a group is
    the sum of its communes.

    >>> communes = pd.DataFrame({"code": ["17008", "17222", "17300"], "population": [1500, 6900, 400]})
    >>> commune_margins(communes, groups={"17300": "autres", "17008": "autres"})
      variable   level  population
    0  commune  autres      1900.0
    1  commune   17222      6900.0
    """
    for c in (code, population):
        if c not in communes.columns:
            raise MarginsError(f"colonne « {c} » absente du tableau des communes (attendu code, name, population).")
    pop = pd.to_numeric(communes[population], errors="coerce")
    if pop.isna().any():
        bad = communes.loc[pop.isna(), code].astype(str)
        raise MarginsError(f"population manquante pour les communes {describe_rows(bad)} : complétez-la.")
    levels = communes[code].astype(str).map(lambda c: (groups or {}).get(c, c))
    table = pd.DataFrame({"level": levels, "population": pop.astype(float)})
    agg = table.groupby("level", sort=False)["population"].sum()
    return pd.DataFrame({"variable": variable, "level": agg.index, "population": agg.to_numpy(dtype=np.float64)})
