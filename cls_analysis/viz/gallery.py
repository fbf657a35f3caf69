"""Every figure of a territory, from a synthetic results table (« Données fictives »).

The indicator engine is written in parallel; until it delivers, this module builds results and
observations tables that follow ``docs/contracts.md`` exactly — fictitious values, clearly
labelled, deterministic — so that the figures can be drawn, looked at, tested and timed::

    python -m cls_analysis.viz.gallery reports/galerie            # CC Aunis Atlantique
    python -m cls_analysis.viz.gallery reports/galerie 200041499 --formats png svg pdf

The gallery catalogue adds, to the package's catalogue, indicators of the reference list
(``indicators.md``) so that every CLS axis has a spine chart.
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import time
from pathlib import Path

import numpy as np
import pandas as pd

from cls_analysis.viz.theme import DEMO_NOTICE

__all__ = [
    "GALLERY_INDICATORS",
    "gallery_catalogue",
    "render_gallery",
    "synthetic_observations",
    "synthetic_results",
]

DEMO_SOURCE = f"{DEMO_NOTICE} (cls_analysis.viz.gallery)"
AGE_BANDS = [f"{a}-{a + 4}" for a in range(0, 90, 5)] + ["90+"]
RESULT_COLUMNS = [
    "indicator", "zone_type", "zone_code", "zone_name", "period", "sex", "numerator",
    "denominator", "value", "lower_ci", "upper_ci", "confidence", "statistic", "method", "unit",
    "comparator", "comparison", "assessment", "status", "lower_ci_998", "upper_ci_998", "note",
    "source",
]

# id, label, short label, theme, axis, statistic, unit, multiplier, decimals, polarity,
# France value, spread between départements (share), territory ratio to France, base
# (denominator as a share of the population; 0: a published value without interval), source.
GALLERY_INDICATORS = [
    ("medecins_generalistes", "Médecins généralistes libéraux", "Médecins généralistes",
     "offre_et_recours", "acces_aux_soins", "count", "médecins", 1, 0, "+", None, 0, 1.0, 0,
     "RPPS ; CNAM"),
    ("densite_mg", "Médecins généralistes libéraux pour 10 000 habitants", "Densité de généralistes",
     "offre_et_recours", "acces_aux_soins", "crude_rate", "pour 10 000", 10000, 1, "+", 8.7, 0.18,
     0.78, 1.0, "RPPS ; Insee, RP"),
    ("mg_60p", "Part des médecins généralistes libéraux de 60 ans ou plus", "Généralistes de 60 ans ou +",
     "offre_et_recours", "acces_aux_soins", "proportion", "%", 100, 1, "-", 30.5, 0.2, 1.25, 0.0009,
     "RPPS"),
    ("sans_medecin_traitant", "Part des assurés de 17 ans ou plus sans médecin traitant",
     "Sans médecin traitant", "offre_et_recours", "acces_aux_soins", "proportion", "%", 100, 1, "-",
     11.2, 0.3, 0.92, 0.8, "CNAM"),
    ("urgences_30min", "Part de la population à plus de 30 minutes d'un service d'urgences",
     "À plus de 30 min des urgences", "offre_et_recours", "acces_aux_soins", "proportion", "%", 100,
     1, "-", 6.0, 0.9, 1.9, 1.0, "DREES"),
    ("depistage_sein", "Participation au dépistage organisé du cancer du sein (50-74 ans)",
     "Dépistage du cancer du sein", "offre_et_recours", "prevention", "proportion", "%", 100, 1, "+",
     47.7, 0.12, 1.12, 0.17, "Santé publique France"),
    ("depistage_colorectal", "Participation au dépistage organisé du cancer colorectal (50-74 ans)",
     "Dépistage du cancer colorectal", "offre_et_recours", "prevention", "proportion", "%", 100, 1,
     "+", 34.3, 0.15, 1.02, 0.33, "Santé publique France"),
    ("vaccin_grippe_65p", "Couverture vaccinale contre la grippe, 65 ans et plus",
     "Vaccination grippe 65 ans et +", "offre_et_recours", "prevention", "proportion", "%", 100, 1,
     "+", 54.0, 0.07, 0.95, 0.22, "Santé publique France ; CNAM"),
    ("mort_evitable", "Mortalité évitable avant 75 ans, prévention et soins (taux standardisé)",
     "Mortalité évitable", "etat_de_sante", "prevention", "dsr", "pour 100 000", 100000, 1, "-",
     180.0, 0.15, 0.93, 1.0, "Inserm-CépiDc ; Insee, RP"),
    ("mort_suicide", "Mortalité par suicide (indice comparatif, France = 100)", "Suicide (ICM)",
     "etat_de_sante", "sante_mentale", "isr", "", 100, 0, "-", 100.0, 0.25, 1.22, 1.0,
     "Inserm-CépiDc ; Insee, RP"),
    ("ald_psy", "Affections psychiatriques de longue durée (taux standardisé)", "ALD psychiatriques",
     "etat_de_sante", "sante_mentale", "dsr", "pour 100 000", 100000, 0, "-", 2150.0, 0.15, 0.97, 1.0,
     "CNAM (SNDS)"),
    ("psychotropes", "Patients sous traitement psychotrope régulier (taux standardisé)",
     "Traitement psychotrope régulier", "etat_de_sante", "sante_mentale", "dsr", "pour 1 000", 1000,
     1, "-", 95.0, 0.12, 1.04, 1.0, "CNAM (SNDS)"),
    ("seuls_80p", "Part des 80 ans et plus vivant seuls", "80 ans et + vivant seuls",
     "population", "parcours_fragiles", "proportion", "%", 100, 1, "-", 45.5, 0.08, 0.9, 0.06,
     "Insee, RP"),
    ("places_ehpad", "Places en EHPAD pour 1 000 personnes de 75 ans ou plus", "Places en EHPAD",
     "personnes_agees_handicap", "parcours_fragiles", "crude_rate", "pour 1 000", 1000, 1, "+", 96.0,
     0.25, 0.82, 0.09, "FINESS ; Insee, RP"),
    ("part_0_14", "Part des moins de 15 ans", "Moins de 15 ans", "population", "enfance_jeunesse",
     "proportion", "%", 100, 1, "0", 17.4, 0.1, 1.12, 1.0, "Insee, RP"),
    ("familles_mono", "Part des familles monoparentales", "Familles monoparentales", "population",
     "enfance_jeunesse", "proportion", "%", 100, 1, "-", 16.3, 0.15, 0.82, 0.28, "Insee, RP"),
    ("vaccin_hpv", "Couverture vaccinale HPV, schéma complet à 16 ans", "Vaccination HPV à 16 ans",
     "offre_et_recours", "enfance_jeunesse", "proportion", "%", 100, 1, "+", 44.7, 0.2, 1.05, 0.012,
     "Santé publique France"),
    ("dentiste_enfants", "Part des enfants de 6 ans ayant consulté un chirurgien-dentiste",
     "Enfants de 6 ans vus par un dentiste", "offre_et_recours", "enfance_jeunesse", "proportion",
     "%", 100, 1, "+", 41.0, 0.12, 0.86, 0.012, "CNAM"),
    ("rp_avant_1946", "Part des résidences principales construites avant 1946",
     "Logements d'avant 1946", "cadre_de_vie", "sante_environnement", "proportion", "%", 100, 1, "-",
     19.6, 0.35, 0.75, 0.42, "Insee, RP"),
    ("logements_vacants", "Part des logements vacants", "Logements vacants", "cadre_de_vie",
     "sante_environnement", "proportion", "%", 100, 1, "0", 8.2, 0.25, 0.72, 0.48, "Insee, RP"),
    ("radon", "Population des communes à potentiel radon de catégorie 3",
     "Potentiel radon de catégorie 3", "cadre_de_vie", "sante_environnement", "proportion", "%", 100,
     1, "-", 21.0, 1.0, 0.0, 0.0, "IRSN ; Insee, RP"),
    ("ftth", "Part des locaux raccordables à la fibre optique", "Locaux raccordables à la fibre",
     "cadre_de_vie", "sante_environnement", "proportion", "%", 100, 1, "+", 83.0, 0.12, 0.9, 0.0,
     "ARCEP"),
    ("revenu_median", "Médiane du revenu disponible par unité de consommation",
     "Revenu médian (€ par UC)", "conditions_de_vie", "determinants_sociaux", "read", "€", 1, 0, "+",
     23160.0, 0.08, 1.02, 0.0, "Insee, Filosofi"),
    ("chomage", "Taux de chômage des 15-64 ans (recensement)", "Chômage des 15-64 ans",
     "conditions_de_vie", "determinants_sociaux", "proportion", "%", 100, 1, "-", 12.3, 0.2, 0.72,
     0.47, "Insee, RP"),
    ("sans_diplome", "Part des non-scolarisés de 15 ans ou plus peu ou pas diplômés",
     "Peu ou pas diplômés", "conditions_de_vie", "determinants_sociaux", "proportion", "%", 100, 1,
     "-", 27.8, 0.15, 1.04, 0.75, "Insee, RP"),
]
# The package catalogue's own indicators: France value, spread, territory ratio, base.
CATALOGUE_SETTINGS = {
    "pop_municipale": (None, 0, 1.0, 0),
    "part_75p": (9.9, 0.2, 0.88, 1.0),
    "taux_pauvrete": (14.5, 0.2, 0.62, 0.0),
    "mort_prematuree_icm": (100.0, 0.14, 0.9, 1.0),
    "apl_mg": (3.4, 0.18, 0.86, 0.0),
}
PERIODS = {
    "mort_prematuree_icm": ["2011-2015", "2013-2017", "2015-2019", "2017-2021", "2019-2023"],
    "mort_evitable": ["2015-2019", "2017-2021", "2019-2023"],
    "mort_suicide": ["2015-2019", "2017-2021", "2019-2023"],
    "apl_mg": ["2019", "2020", "2021", "2022", "2023"],
    "taux_pauvrete": ["2018", "2019", "2020", "2021"],
    "ald_psy": ["2023"],
    "psychotropes": ["2023"],
}
DEFAULT_PERIOD = "2021"
#: Communes (rank by population, 0 = the largest) given a value far from the territory's,
#: so that the demo maps show significant differences.
OUTLIERS = {"mort_prematuree_icm": {0: 1.75, 2: 0.45}, "chomage": {0: 1.6}}


def gallery_catalogue() -> pd.DataFrame:
    """The package's catalogue plus the gallery's indicators (ids of ``indicators.md``)."""
    from cls_analysis.indicators.catalogue import CATALOGUE_COLUMNS, load_catalogue

    catalogue = load_catalogue()
    extra = []
    for (ident, label, short, theme, axis, statistic, unit, multiplier, decimals, polarity,
         _fr, _spread, _ratio, _base, source) in GALLERY_INDICATORS:
        if ident in set(catalogue["id"]):
            continue
        row = dict(CATALOGUE_COLUMNS)
        row.update(id=ident, label=label, short_label=short, theme=theme, axis=axis,
                   statistic=statistic, numerator=ident, unit=unit, multiplier=multiplier,
                   decimals=decimals, polarity=polarity, source=source,
                   min_count=11 if "SNDS" in source or "CNAM" in source else 10,
                   standard="france" if statistic == "isr" else ("esp2013" if statistic == "dsr" else None),
                   definition=f"{label} (indicateur de démonstration).")
        extra.append(row)
    return pd.concat([catalogue, pd.DataFrame(extra)], ignore_index=True)


def _settings(catalogue: pd.DataFrame) -> dict:
    table = {}
    for (ident, *_rest) in GALLERY_INDICATORS:
        fr, spread, ratio, base = _rest[9:13]
        table[ident] = (fr, spread, ratio, base)
    table.update(CATALOGUE_SETTINGS)
    return {k: v for k, v in table.items() if k in set(catalogue["id"])}


def _assess(comparison: str, polarity: str) -> str:
    if comparison not in ("higher", "lower") or polarity not in ("+", "-"):
        return "similar" if comparison == "similar" and polarity in ("+", "-") else "not judged"
    better = (comparison == "higher") == (polarity == "+")
    return "better" if better else "worse"


def synthetic_results(territory, catalogue: pd.DataFrame | None = None, *, seed: int = 20240) -> pd.DataFrame:
    """A fictitious results table for ``territory`` (contract of ``docs/contracts.md``).

    Rows: every indicator of the gallery catalogue for the territory, its communes, every
    département and région of France, France métropolitaine; several periods for a few
    indicators (trends). Statuses include suppressed (small counts), missing and zero values.
    Every row's ``source`` says « Données fictives de démonstration ».
    """
    from cls_analysis.geo.geography import Geography

    catalogue = gallery_catalogue() if catalogue is None else catalogue
    rng = np.random.default_rng(seed)
    geography = territory.geography if territory is not None else Geography.embedded()
    communes = territory.communes
    population = communes["population"].fillna(500).to_numpy(dtype=float)
    deps = geography.departements
    regs = geography.regions
    dep_pop = geography.communes.groupby("departement")["population"].sum()
    reg_pop = geography.communes.groupby("region")["population"].sum()
    france_code, france_name = ("FRM", "France métropolitaine")
    meta = catalogue.set_index("id")
    rows: list[dict] = []
    for ident, (fr, spread, ratio, base) in _settings(catalogue).items():
        info = meta.loc[ident]
        polarity, unit, statistic = str(info["polarity"]), str(info["unit"]), str(info["statistic"])
        multiplier, min_count = float(info["multiplier"]), int(info["min_count"])
        periods = PERIODS.get(ident, [DEFAULT_PERIOD])
        for p_index, period in enumerate(periods):
            drift = 1 + 0.025 * (p_index - len(periods) + 1) * (1 if polarity != "+" else -1)
            common = {"indicator": ident, "period": period, "sex": "all", "statistic": statistic,
                      "unit": unit or "—", "confidence": 0.95, "source": DEMO_SOURCE,
                      "comparator": france_name, "note": ""}
            if statistic == "count":
                values = population if ident == "pop_municipale" else np.round(
                    population / 1100 * rng.uniform(0.2, 1.6, len(population)))
                if ident != "pop_municipale":
                    values[np.argsort(population)[:3]] = 0
                for code, name, value in zip(communes["code"], communes["name"], values, strict=True):
                    status = "zero" if value == 0 else "ok"
                    rows.append({**common, "zone_type": "commune", "zone_code": code, "zone_name": name,
                                 "numerator": value, "denominator": np.nan, "value": value,
                                 "lower_ci": np.nan, "upper_ci": np.nan, "method": "somme",
                                 "comparison": "not compared", "assessment": "not judged", "status": status})
                rows.append({**common, "zone_type": "territory", "zone_code": territory.code,
                             "zone_name": territory.name, "numerator": values.sum(), "denominator": np.nan,
                             "value": float(values.sum()), "lower_ci": np.nan, "upper_ci": np.nan,
                             "method": "somme", "comparison": "not compared", "assessment": "not judged",
                             "status": "ok"})
                continue
            france_value = fr * drift

            def zone(zone_type, code, name, value, pop, *, france_value=france_value, common=common,
                     polarity=polarity, multiplier=multiplier, min_count=min_count, base=base,
                     statistic=statistic):
                row = {**common, "zone_type": zone_type, "zone_code": code, "zone_name": name}
                if base > 0:
                    denominator = pop * base * (0.01 if statistic in ("isr",) else 1)
                    if statistic == "isr":
                        expected = pop * 0.0021 * 5
                        numerator = value / 100 * expected
                        denominator = expected
                    else:
                        numerator = value * denominator / multiplier
                    row.update(numerator=round(numerator), denominator=denominator)
                    if round(numerator) < min_count and zone_type == "commune":
                        row.update(value=np.nan, lower_ci=np.nan, upper_ci=np.nan, lower_ci_998=np.nan,
                                   upper_ci_998=np.nan, status="suppressed", comparison="not compared",
                                   assessment="not judged", method="Byar" if statistic == "isr" else "Wilson",
                                   note=f"moins de {min_count} cas")
                        return row
                    se = value / math.sqrt(max(numerator, 1))
                    if statistic == "proportion":
                        p = value / 100
                        se = 100 * math.sqrt(max(p * (1 - p), 1e-6) / max(denominator, 1))
                    lower, upper = value - 1.96 * se, value + 1.96 * se
                    lower998, upper998 = value - 3.09 * se, value + 3.09 * se
                    comparison = "higher" if lower > france_value else ("lower" if upper < france_value else "similar")
                    method = {"isr": "Byar", "proportion": "Wilson", "dsr": "Dobson"}.get(statistic, "Poisson")
                else:
                    lower = upper = lower998 = upper998 = np.nan
                    comparison = "not compared"
                    method = "lu" if statistic == "read" else "—"
                if zone_type == "france":
                    comparison = "not compared"
                row.update(value=value, lower_ci=max(lower, 0) if np.isfinite(lower) else lower,
                           upper_ci=upper, lower_ci_998=lower998, upper_ci_998=upper998,
                           status="ok", comparison=comparison, assessment=_assess(comparison, polarity),
                           method=method)
                row.setdefault("numerator", np.nan)
                row.setdefault("denominator", np.nan)
                return row

            def jitter(centre, share, n=None, *, fr=fr, unit=unit):
                noise = rng.normal(0, share, n)
                value = centre * np.exp(noise)
                if fr is not None and fr <= 100 and str(unit) == "%":
                    value = np.clip(value, 0.3, 99.5)
                return value

            rows.append(zone("france", france_code, france_name, france_value, 65_000_000))
            dep_values = jitter(france_value, spread, len(deps))
            for (code, name), value in zip(deps[["code", "name"]].itertuples(index=False), dep_values, strict=True):
                if code == "17":
                    value = france_value * (0.5 + ratio) / 1.5 if ratio else france_value * 0.7
                rows.append(zone("departement", code, name, float(value), float(dep_pop.get(code, 300_000))))
            reg_values = jitter(france_value, spread * 0.6, len(regs))
            for (code, name), value in zip(regs[["code", "name"]].itertuples(index=False), reg_values, strict=True):
                rows.append(zone("region", code, name, float(value), float(reg_pop.get(code, 3_000_000))))
            territory_value = france_value * ratio if ratio else 0.0
            rows.append(zone("territory", territory.code, territory.name, territory_value,
                             float(population.sum())))
            commune_values = jitter(max(territory_value, 1e-9), max(spread, 0.1) * 1.3, len(population))
            if ratio == 0:
                commune_values = np.zeros(len(population))
            ranks = np.argsort(np.argsort(-population))
            for i, (code, name) in enumerate(zip(communes["code"], communes["name"], strict=True)):
                value = float(commune_values[i])
                if int(ranks[i]) in OUTLIERS.get(ident, {}):
                    value = territory_value * OUTLIERS[ident][int(ranks[i])]
                row = zone("commune", code, name, value, float(population[i]))
                if value == 0 and row["status"] == "ok":
                    row.update(status="zero", value=0.0, lower_ci=0.0)
                rows.append(row)
    table = pd.DataFrame(rows)
    for column in RESULT_COLUMNS:
        if column not in table.columns:
            table[column] = np.nan
    table = table[RESULT_COLUMNS]
    # Demo statuses: one commune missing on the poverty and APL maps, one zero-death commune.
    smallest = communes.sort_values("population")["code"].tolist()
    _set_status(table, "taux_pauvrete", smallest[:6], "suppressed", "secret statistique (moins de 1 000 ménages)")
    _set_status(table, "taux_pauvrete", [smallest[-4]], "missing", "non publié")
    _set_status(table, "apl_mg", [smallest[7]], "missing", "commune absente du fichier APL")
    _set_status(table, "mort_prematuree_icm", [smallest[4]], "zero", "aucun décès")
    table.attrs["demo"] = True
    return table


def _set_status(table: pd.DataFrame, indicator: str, codes: list[str], status: str, note: str) -> None:
    mask = (table["indicator"] == indicator) & (table["zone_type"] == "commune") & table["zone_code"].isin(codes)
    table.loc[mask, "status"] = status
    table.loc[mask, "note"] = note
    table.loc[mask, ["comparison", "assessment"]] = ["not compared", "not judged"]
    table.loc[mask, ["lower_ci", "upper_ci", "lower_ci_998", "upper_ci_998"]] = np.nan
    table.loc[mask, "value"] = 0.0 if status == "zero" else np.nan


def _age_profile(shape: str) -> np.ndarray:
    """Share of each 5-year band (0-4 … 90+) for a kind of population."""
    mids = np.array([2.5 + 5 * i for i in range(18)] + [93.0])
    if shape == "periurbain":  # young families, few elderly
        weights = 1.0 + 0.35 * np.exp(-((mids - 40) / 12) ** 2) + 0.3 * np.exp(-((mids - 10) / 8) ** 2)
    elif shape == "age":  # an ageing coastal département
        weights = 0.8 + 0.55 * np.exp(-((mids - 67) / 13) ** 2) + 0.1 * np.exp(-((mids - 45) / 15) ** 2)
    else:
        weights = 1.0 + 0.25 * np.exp(-((mids - 55) / 15) ** 2)
    survival = np.exp(-np.clip(mids - 60, 0, None) ** 2 / 700)
    profile = weights * survival
    return profile / profile.sum()


def synthetic_observations(territory, *, period: str = "2021") -> pd.DataFrame:
    """Fictitious population by sex and 5-year age band (``docs/contracts.md`` observations).

    Zones: the territory's communes, the territory, its département(s), région(s) and France.
    """
    rng = np.random.default_rng(7)
    communes = territory.communes
    rows = []

    def add(zone_type, code, total, shape, noise=0.0):
        profile = _age_profile(shape)
        for sex, share, tilt in (("M", 0.487, -1), ("F", 0.513, 1)):
            # women live longer: more of them in old age
            ages = np.arange(len(AGE_BANDS))
            weights = profile * np.exp(tilt * 0.035 * np.clip(ages - 12, 0, None) ** 1.3)
            weights = weights / weights.sum() * total * share
            if noise:
                weights = weights * rng.uniform(1 - noise, 1 + noise, len(weights))
            for band, value in zip(AGE_BANDS, weights, strict=True):
                rows.append({"zone_type": zone_type, "zone_code": code, "period": period,
                             "measure": "population", "sex": sex, "age": band,
                             "value": round(float(value), 1), "status": "ok", "source": DEMO_SOURCE,
                             "cog": territory.cog_year if zone_type == "commune" else pd.NA})

    for code, total in zip(communes["code"], communes["population"].fillna(500), strict=True):
        add("commune", code, float(total), "periurbain", noise=0.25)
    frame = pd.DataFrame(rows)
    summed = (frame.groupby(["sex", "age"], sort=False)["value"].sum().reset_index())
    for row in summed.itertuples(index=False):
        rows.append({"zone_type": "territory", "zone_code": territory.code, "period": period,
                     "measure": "population", "sex": row.sex, "age": row.age,
                     "value": round(float(row.value), 1), "status": "ok", "source": DEMO_SOURCE,
                     "cog": pd.NA})
    for comparator in territory.comparators.itertuples(index=False):
        shape = {"departement": "age", "region": "age", "france": "france"}[comparator.zone_type]
        total = {"departement": 660_000, "region": 6_000_000, "france": 65_000_000}[comparator.zone_type]
        add(comparator.zone_type, comparator.zone_code, total, shape)
    table = pd.DataFrame(rows)
    table["cog"] = table["cog"].astype("Int64")
    table.attrs["demo"] = True
    return table


def render_gallery(territory, output_dir: str | Path, *, formats=("png",), size="slide",
                   dpi=150, results: pd.DataFrame | None = None,
                   observations: pd.DataFrame | None = None, national: bool = True,
                   workers: int = 1) -> dict:
    """Draw and save every figure of ``territory``; returns ``{name: [paths]}`` and timings.

    Figures: reference map, three choropleths (poverty rate, premature-mortality ICM with
    significance hatching, APL), proportional symbols (GPs), age pyramid, comparison bars,
    trends, one spine chart per CLS axis and, with ``national=True``, a map of France by
    département with overseas insets. ``workers=2`` draws in two processes forked once the
    geography is loaded (Linux and macOS; one process elsewhere).
    """
    import matplotlib.pyplot as plt

    from cls_analysis import viz
    from cls_analysis.indicators.catalogue import AXES

    catalogue = gallery_catalogue()
    results = synthetic_results(territory, catalogue) if results is None else results
    observations = synthetic_observations(territory) if observations is None else observations
    out = Path(output_dir)
    figures = {
        "carte_communes": lambda: viz.commune_map(territory),  # real geography: no notice
        "carte_taux_pauvrete": lambda: viz.choropleth(results, "taux_pauvrete", territory,
                                                      scheme="quantiles", k=4, catalogue=catalogue),
        "carte_icm_mortalite_prematuree": lambda: viz.choropleth(
            results, "mort_prematuree_icm", territory, scheme="equal_interval", k=5,
            significance=True, catalogue=catalogue),
        "carte_apl_mg": lambda: viz.choropleth(results, "apl_mg", territory, scheme="fisher_jenks",
                                               k=5, catalogue=catalogue),
        "carte_medecins_generalistes": lambda: viz.symbols(results, "medecins_generalistes",
                                                           territory, catalogue=catalogue),
        "pyramide_ages": lambda: viz.pyramid(observations, territory, comparator="departement"),
        "barres_taux_pauvrete": lambda: viz.compare_bars(results, "taux_pauvrete", territory,
                                                         catalogue=catalogue),
        "barres_icm_mortalite_prematuree": lambda: viz.compare_bars(
            results, "mort_prematuree_icm", territory, catalogue=catalogue),
        "evolution_apl_mg": lambda: viz.trend(results, "apl_mg", territory, catalogue=catalogue),
        "evolution_icm_mortalite_prematuree": lambda: viz.trend(
            results, "mort_prematuree_icm", territory, catalogue=catalogue),
    }
    for axis in AXES:
        figures[f"spine_{axis}"] = lambda axis=axis: viz.spine(results, axis=axis, territory=territory,
                                                               catalogue=catalogue)
    if national:
        figures["carte_france_densite_mg"] = lambda: viz.choropleth(
            results, "densite_mg", territory, zone_type="departement", scheme="quantiles", k=5,
            catalogue=catalogue, france="entiere")
    def render(name: str) -> tuple[str, list[Path], float]:
        start = time.perf_counter()
        figure = figures[name]()
        paths = viz.save(figure, out / name, formats=formats, size=size, dpi=dpi)
        plt.close(getattr(figure, "figure", figure))
        return name, paths, time.perf_counter() - start

    written, timings = {}, {}
    forked = workers > 1 and "fork" in multiprocessing.get_all_start_methods()
    if forked:
        # Load once what every figure shares, then fork: children inherit it.
        import mapclassify  # noqa: F401  (a 2-3 s import)

        from cls_analysis.viz.shapes import france_shapes

        territory.neighbours(1.0)
        if national:
            france_shapes("departement", territory.geography)
        _FORKED["render"] = render
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            outcomes = pool.map(_render_forked, list(figures), chunksize=1)
        _FORKED.clear()
    else:
        outcomes = [render(name) for name in figures]
    for name, paths, seconds in outcomes:
        written[name] = paths
        timings[name] = seconds
    written["_timings"] = timings
    return written


_FORKED: dict = {}


def _render_forked(name: str):
    return _FORKED["render"](name)


def main(argv: list[str] | None = None) -> int:
    """``python -m cls_analysis.viz.gallery OUTPUT [SIREN] [--formats …] [--size …]``."""
    from cls_analysis.territory import Territory

    parser = argparse.ArgumentParser(description="Galerie des figures d'un territoire (données fictives).")
    parser.add_argument("output")
    parser.add_argument("siren", nargs="?", default="200041499")
    parser.add_argument("--formats", nargs="+", default=["png"])
    parser.add_argument("--size", default="slide")
    parser.add_argument("--dpi", type=int, nargs="+", default=[150])
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args(argv)
    territory = Territory.from_epci(args.siren)
    written = render_gallery(territory, args.output, formats=tuple(args.formats), size=args.size,
                             dpi=tuple(args.dpi), workers=args.workers)
    timings = written.pop("_timings")
    for name, paths in written.items():
        print(f"{name:40s} {timings[name]:5.2f} s  {', '.join(str(p) for p in paths)}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
