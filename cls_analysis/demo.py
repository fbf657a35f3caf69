"""Deterministic, fictitious demo data for all communes of France, written in the real formats.

:func:`write_demo_data` generates plausible data for every commune of France (so that
département, région and France comparators exist) and writes it **as files in the real
formats** — INSEE base-cc zips with upper-case ``.CSV``, POP1B, the comparateur, Filosofi
(chiffres-clés with ``s`` secret cells, and Melodi for EPCI/département/région/France), the DREES
APL workbook (header on row 9, units on row 10), a FINESS extraction, Ameli exports, a Géoclip
export, a CépiDc-style deaths extraction and tidy CSV files for SNDS-type counts. The demo is then
read back through the real readers: :func:`demo_observations` returns the national
observations table. Every source of demo observations carries « Données fictives de
démonstration ».

The data are **fictitious**: drawn from a seeded :class:`numpy.random.Generator`, consistent
with each other (age structures by sex drive deaths, chronic diseases, screening targets…;
deprivation drives income, poverty, unemployment, C2S…; GP supply drives the APL) and with the
real commune populations (embedded geography, populations légales 2017, grown to 2021). They
are plausible orders of magnitude, not estimates. Mayotte is left out, as in the census-based
sources and the APL. Filosofi covers France métropolitaine, Martinique and La Réunion, as the
real one. The demo territory CC Aunis Atlantique (``200041499``) has small communes whose
Filosofi values are secret, and at least one commune with an APL under 2.5.

Files written (``data/processed/demo/`` by default)
-------------------------------------------------
================================================  =================================================
file                                              content
================================================  =================================================
``base-cc-<thème>-2021_csv.zip`` (5)              census 2021 (and 2015): population by sex and broad
                                                  bands, PCS, housing, families, employment, diplomas;
                                                  COG 2024 with Paris/Lyon/Marseille and arrondissements
``TD_POP1B_2021_csv.zip``                         POP1B wide (``SEXE1_AGED100000``…): single ages by sex
``base_cc_comparateur.csv``                       area, births and deaths (état civil)
``cc_filosofi_2021_COM.csv``                      Filosofi by commune (``s`` cells, decimal commas)
``DS_FILOSOFI_CC_2021_data.csv``                  Filosofi, Melodi format: EPCI, départements, régions,
                                                  France métropolitaine
``apl_generalistes.xlsx``                         DREES APL 2023 (COG 2024, arrondissements for PLM)
``statistiques_locales_professionnels_2024.csv``  Géoclip export by commune: nurses, physiotherapists,
                                                  dentists, midwives
``rpps_medecins_generalistes_2024.csv``           tidy: GPs by commune, all ages and 60+
``etalab-cs1100507-stock-20240101-0000.csv``      FINESS extraction (pharmacies, EHPAD, SSIAD…)
``places_medico_sociales_2024.csv``               tidy: places in EHPAD, SSIAD, children's disability
``deces_2019-2023_csv.zip``                       deaths 2019-2023 by commune, sex, age band and cause
``snds_ald_2023_csv.zip``                         tidy: insured, ALD (all, diabetes, cancer,
                                                  psychiatric, cardio-neurovascular), psychotropic
                                                  drugs, by sex × age band (0-14 … 75+)
``snds_recours_2023_csv.zip``                     tidy: C2S, médecin traitant, screening, vaccination,
                                                  dental check-up at 6
``caf_2023.csv``, ``arcep_ftth_2024.csv``         tidy: AAH, RSA; fibre coverage
``demographie-effectifs-et-les-densites.csv``     Ameli, professionals by département, sex and age
``effectifs.csv``                                 Ameli, cartographie des pathologies by département
================================================  =================================================

Generation is skipped when the folder holds the files of the current :data:`DEMO_VERSION`.
"""

from __future__ import annotations

import functools
import io
import json
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from cls_analysis._atomic import atomic_path
from cls_analysis.sources._common import DEMO_NOTE

__all__ = ["DEMO_FOLDER", "DEMO_NOTE", "DEMO_SEED", "DEMO_VERSION", "demo_observations", "write_demo_data"]

#: Default demo folder (relative to the working directory, as ``make demo`` runs it).
DEMO_FOLDER = Path("data/processed/demo")
#: Seed of the generator.
DEMO_SEED = 20240601
#: Version of the generator: files of another version are regenerated.
DEMO_VERSION = "4"
_DEMO_EPCI = "200041499"

# France 2021, population by five-year band (millions): the reference age structure.
_BANDS = [f"{a}-{a + 4}" for a in range(0, 90, 5)] + ["90+"]
_PYRAMID_M = np.array([1.83, 2.0, 2.13, 2.11, 1.93, 1.83, 1.98, 2.09, 2.09, 2.24, 2.21, 2.16, 2.0, 1.86, 1.67, 1.07, 0.78, 0.5, 0.2])
_PYRAMID_F = np.array([1.75, 1.92, 2.04, 2.01, 1.9, 1.88, 2.06, 2.17, 2.14, 2.28, 2.28, 2.28, 2.16, 2.05, 1.91, 1.35, 1.14, 0.87, 0.52])
# Annual death rates per 100,000 (France, around 2019-2023).
_MORTALITY_M = np.array([85, 9, 10, 35, 60, 70, 85, 115, 170, 270, 430, 680, 1050, 1500, 2200, 3500, 6000, 11000, 23000]) / 1e5
_MORTALITY_F = np.array([70, 7, 8, 15, 20, 25, 35, 55, 90, 150, 240, 350, 520, 750, 1150, 1950, 3600, 7400, 19000]) / 1e5
# Share of deaths by cause group and five-year band (men; women use _WOMEN_FACTOR).
_CANCER = np.array([.05, .15, .15, .08, .06, .08, .15, .22, .3, .38, .43, .45, .45, .43, .4, .33, .25, .18, .12])
_CIRCULATORY = np.array([.03, .03, .04, .04, .05, .07, .1, .12, .14, .15, .16, .17, .18, .19, .21, .23, .26, .28, .31])
_SUICIDE = np.array([0, .01, .08, .16, .18, .18, .15, .12, .1, .08, .06, .04, .03, .02, .015, .012, .01, .006, .004])
_ALCOHOL = np.array([0, 0, 0, .005, .01, .02, .04, .07, .09, .1, .1, .09, .07, .05, .04, .03, .02, .01, .005])
_TOBACCO = np.array([0, 0, 0, 0, .005, .01, .03, .06, .1, .16, .22, .26, .27, .26, .24, .2, .16, .12, .08])
_AVOIDABLE = np.array([.25, .3, .35, .55, .6, .6, .55, .5, .45, .42, .4, .38, .35, .33, .3, 0, 0, 0, 0])
# Broad bands of base-cc (and of the SNDS-type demo files), as slices of the 5-year bands.
_BROAD = {"0-14": slice(0, 3), "15-29": slice(3, 6), "30-44": slice(6, 9), "45-59": slice(9, 12),
          "60-74": slice(12, 15), "75+": slice(15, 19)}
# SNDS-type prevalences by broad band (men, women).
_PREVALENCE = {
    "ald_persons": ([.015, .03, .06, .15, .32, .58], [.013, .03, .06, .13, .27, .52]),
    "ald_diabetes": ([.002, .006, .022, .08, .17, .2], [.002, .005, .016, .055, .12, .16]),
    "ald_cancer": ([.001, .003, .01, .035, .11, .17], [.001, .004, .015, .05, .09, .11]),
    "ald_psychiatric": ([.004, .017, .028, .032, .025, .02], [.003, .013, .025, .03, .026, .024]),
    "ald_cardiovascular": ([.001, .003, .012, .05, .15, .33], [.001, .002, .007, .025, .09, .27]),
    "psychotropic_patients": ([.005, .025, .045, .06, .08, .13], [.006, .04, .07, .1, .13, .2]),
}
# GP consultations per person by broad band (standardised population of the APL).
_CONSULTATIONS = np.array([3.2, 2.4, 3.0, 3.8, 5.0, 7.5])


# ---------------------------------------------------------------------------- the model
class _Model:
    """The fictitious truth every file is written from (arrays by commune or arrondissement)."""

    def __init__(self, seed: int = DEMO_SEED, departements: tuple[str, ...] | None = None):
        from cls_analysis.geo.embedded import load_embedded_tables
        from cls_analysis.geo.geography import Geography

        self.rng = np.random.default_rng(seed)
        rng = self.rng
        geography = Geography.embedded()
        self.geography = geography
        communes = geography.communes
        communes = communes.loc[communes["departement"] != "976"]
        if departements:
            communes = communes.loc[communes["departement"].isin(list(departements))]
        communes = communes.reset_index(drop=True)
        tables = load_embedded_tables().communes
        arms = tables.loc[tables["type"] == "ARM", ["code", "name", "parent", "population"]]
        # units: communes (except Paris, Lyon, Marseille) and the 45 arrondissements
        plm = set(arms["parent"])
        base = communes.loc[~communes["code"].isin(plm)]
        arm_rows = arms.merge(
            communes[["code", "departement", "region", "epci"]].rename(columns={"code": "parent"}), on="parent"
        )
        self.units = pd.concat(
            [
                base.assign(parent=base["code"], is_arm=False),
                arm_rows.assign(is_arm=True),
            ],
            ignore_index=True,
        )[["code", "name", "parent", "departement", "region", "epci", "population", "is_arm"]]
        self.communes = communes[["code", "name", "departement", "region", "epci", "population"]]
        units = self.units
        n = len(units)
        self.n = n
        pop17 = units["population"].astype(float).to_numpy()
        pop17 = np.where(np.isnan(pop17), 500.0, np.maximum(pop17, 1.0))
        dep_codes, dep_index = np.unique(units["departement"].to_numpy(dtype=str), return_inverse=True)
        epci_codes, epci_index = np.unique(units["epci"].fillna("ZZZZZZZZZ").to_numpy(dtype=str), return_inverse=True)
        self.dep_index, self.epci_index = dep_index, epci_index
        overseas = units["departement"].str.startswith("97").to_numpy()
        self.overseas = overseas
        log_pop = np.log10(pop17)
        dep_effect = rng.normal(0, 0.45, len(dep_codes))[dep_index]
        epci_effect = rng.normal(0, 0.35, len(epci_codes))[epci_index]
        # deprivation: cities and overseas more deprived; age: small communes older
        self.deprivation = dep_effect + epci_effect + rng.normal(0, 0.45, n) + 0.35 * (log_pop > 4.6) + 1.6 * overseas
        self.ageing = 0.3 * (3.0 - log_pop) + rng.normal(0, 0.25, len(dep_codes))[dep_index] + rng.normal(0, 0.2, n) - 0.9 * overseas
        growth = np.exp(rng.normal(0.02, 0.035, n))
        self.pop21 = pop17 * growth
        self.pop15 = self.pop21 / np.exp(rng.normal(0.025, 0.04, n))
        # age structure: reference pyramid tilted by ageing, with noise
        tilt = np.linspace(-0.45, 0.75, 19)
        shares = []
        for pyramid in (_PYRAMID_M, _PYRAMID_F):
            w = pyramid[None, :] * np.exp(self.ageing[:, None] * tilt[None, :] + rng.normal(0, 0.06, (n, 19)))
            shares.append(w)
        total = shares[0].sum(1) + shares[1].sum(1)
        bands = np.stack([s / total[:, None] for s in shares], axis=1) * self.pop21[:, None, None]  # (n, 2, 19)
        # single years of age: the five years of a band share it, 90+ decreasing to 100
        within = np.tile(rng.dirichlet(np.full(5, 40.0), 18), 1)
        years = np.zeros((n, 2, 101))
        for b in range(18):
            years[:, :, 5 * b : 5 * b + 5] = bands[:, :, b : b + 1] * within[b][None, None, :]
        tail = np.array([0.2, 0.17, 0.15, 0.13, 0.11, 0.08, 0.06, 0.045, 0.03, 0.02, 0.015])
        years[:, :, 90:] = bands[:, :, 18:19] * (tail / tail.sum())[None, None, :]
        self.years = years
        self.bands = bands
        self.broad = np.stack([bands[:, :, s].sum(axis=2) for s in _BROAD.values()], axis=2)  # (n, 2, 6)
        # households and housing
        size = np.clip(2.25 + 0.12 * (3.2 - log_pop) - 0.1 * self.ageing + rng.normal(0, 0.08, n), 1.6, 3.2)
        self.households = self.pop21 / size
        self.vacant_share = np.clip(0.08 + 0.03 * self.ageing + rng.normal(0, 0.025, n), 0.01, 0.3)
        self.secondary_share = np.clip(rng.lognormal(np.log(0.06), 0.9, n), 0.0, 0.8)
        self.dwellings = self.households / np.clip(1 - self.vacant_share - self.secondary_share, 0.15, 1)
        self.no_car = np.clip(0.04 + 0.06 * np.maximum(log_pop - 3, 0) ** 1.6 + 0.03 * self.deprivation, 0.01, 0.7)
        self.old_housing = np.clip(0.2 + 0.08 * self.ageing + rng.normal(0, 0.06, n), 0.02, 0.75)
        self.unemployment = np.clip(0.08 * np.exp(0.35 * self.deprivation) + rng.normal(0, 0.01, n), 0.02, 0.45)
        self.low_education = np.clip(0.2 * np.exp(0.2 * self.deprivation + 0.15 * self.ageing) + rng.normal(0, 0.02, n), 0.05, 0.7)
        self.workers = np.clip(0.12 + 0.03 * self.deprivation - 0.02 * np.maximum(log_pop - 4, 0) + rng.normal(0, 0.02, n), 0.02, 0.4)
        self.single_parent = np.clip(0.14 * np.exp(0.25 * self.deprivation) + rng.normal(0, 0.015, n), 0.03, 0.5)
        self.alone_80 = np.clip(0.43 + 0.05 * (log_pop - 3) + rng.normal(0, 0.05, n), 0.15, 0.75)
        # income
        self.median = 22_800 * np.exp(-0.11 * self.deprivation + rng.normal(0, 0.03, n))
        self.poverty = np.clip(14.5 * np.exp(0.33 * self.deprivation + rng.normal(0, 0.06, n)), 2.0, 65.0)
        # health care supply: GPs, then APL from the EPCI's GP density
        small = np.where(self.pop21 < 700, 0.35, np.where(self.pop21 < 2000, 0.8, 1.15))
        self.gp = rng.poisson(self.pop21 * 8.6e-4 * small * np.exp(rng.normal(0, 0.35, n)))
        self.gp_60 = rng.binomial(self.gp, 0.36)
        epci_pop = np.bincount(epci_index, self.pop21)
        epci_gp = np.bincount(epci_index, self.gp)
        ratio = ((epci_gp / np.maximum(epci_pop, 1)) / (self.gp.sum() / self.pop21.sum()))[epci_index]
        self.apl = np.clip(3.3 * np.clip(ratio, 0.2, 3) ** 0.5 * np.exp(rng.normal(0, 0.15, n)), 0.3, 8.0)
        self.apl_u65 = self.apl * np.clip(rng.normal(0.88, 0.06, n), 0.5, 1.0)
        weights = (self.broad.sum(axis=1) * _CONSULTATIONS).sum(axis=1)
        national = (self.broad.sum(axis=(0, 1)) * _CONSULTATIONS).sum() / self.pop21.sum()
        self.popstd = weights / national
        aunis = units["epci"].eq(_DEMO_EPCI).fillna(False).to_numpy(dtype=bool)
        if aunis.any() and not (self.apl[aunis] < 2.5).any():
            charron = np.flatnonzero((units["code"] == "17091").to_numpy())
            self.apl[charron] = 2.2
            self.apl_u65[charron] = 1.9
        self.nurse = rng.poisson(self.pop21 * 1.5e-3 * small * np.exp(rng.normal(0, 0.3, n) + 0.2 * overseas))
        self.physio = rng.poisson(self.pop21 * 1.3e-3 * small * np.exp(rng.normal(0, 0.3, n)))
        self.dentist = rng.poisson(self.pop21 * 5.5e-4 * small ** 1.5 * np.exp(rng.normal(0, 0.3, n)))
        self.midwife = rng.poisson(self.pop21 * 1.3e-4 * small ** 1.5 * np.exp(rng.normal(0, 0.3, n)))
        pop75 = self.broad[:, :, 5].sum(axis=1)
        pop0_19 = bands[:, :, :4].sum(axis=(1, 2))
        self.pharmacy = rng.poisson(self.pop21 / 3300 * (self.pop21 > 600))
        self.ehpad = rng.poisson(pop75 * 1.15e-3 * (self.pop21 > 800))
        self.ssiad = rng.poisson(pop75 * 3.5e-4)
        self.child_disability = rng.poisson(pop0_19 * 2.2e-4 * (self.pop21 > 2000))
        self.msp = rng.poisson(self.pop21 * 4e-5 * (self.pop21 < 20000) * (self.pop21 > 1000))
        self.health_centre = rng.poisson(self.pop21 * 3.5e-5 * (self.pop21 > 5000))
        # deaths 2019-2023: rates by band and sex, local factors
        factor = np.exp(0.13 * self.deprivation + rng.normal(0, 0.06, len(dep_codes))[dep_index] + rng.normal(0, 0.05, n))
        expected = np.stack([bands[:, 0] * _MORTALITY_M, bands[:, 1] * _MORTALITY_F], axis=1) * factor[:, None, None]
        self.deaths_expected_year = expected
        deaths = rng.poisson(expected * 5)
        women = np.array([1.0, 0.7])[None, :, None]
        p_cancer = np.broadcast_to(_CANCER[None, None, :], deaths.shape)
        p_circ = np.broadcast_to(_CIRCULATORY[None, None, :] * np.array([1.0, 1.05])[None, :, None], deaths.shape)
        p_suicide = np.broadcast_to(_SUICIDE[None, None, :] * np.array([1.0, 0.45])[None, :, None], deaths.shape)
        cancer = rng.binomial(deaths, p_cancer)
        circ = rng.binomial(deaths - cancer, np.clip(p_circ / np.clip(1 - p_cancer, 0.05, 1), 0, 1))
        suicide = rng.binomial(deaths - cancer - circ, np.clip(p_suicide / np.clip(1 - p_cancer - p_circ, 0.05, 1), 0, 1))
        self.deaths = {
            "TOUTES": deaths,
            "CANCER": cancer,
            "CIRCULATOIRE": circ,
            "SUICIDE": suicide,
            "ALCOOL": rng.binomial(deaths, np.broadcast_to(_ALCOHOL[None, None, :] * women, deaths.shape)),
            "TABAC": rng.binomial(deaths, np.broadcast_to(_TOBACCO[None, None, :] * np.array([1.0, 0.55])[None, :, None], deaths.shape)),
            "EVITABLE": rng.binomial(deaths, np.broadcast_to(_AVOIDABLE[None, None, :] * np.array([1.0, 0.75])[None, :, None], deaths.shape)),
        }
        # births
        women_15_49 = bands[:, 1, 3:10].sum(axis=1)
        self.births_year = women_15_49 * 0.052 * np.exp(rng.normal(0, 0.08, n) + 0.3 * overseas)

    # ------------------------------------------------------------------ helpers
    def commune_sum(self, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Commune codes and the sums of ``values`` (first axis = units) over arrondissements."""
        parent = self.units["parent"].to_numpy(dtype=str)
        codes, index = np.unique(parent, return_inverse=True)
        shape = (len(codes),) + values.shape[1:]
        out = np.zeros(shape)
        np.add.at(out, index, values)
        return codes, out

    @functools.cached_property
    def area(self) -> pd.Series:
        """Area of the communes in km² (boundaries of the embedded geography)."""
        codes = self.communes["code"].tolist()
        geometry = self.geography.geometry(codes, crs="EPSG:6933")
        area = pd.Series(geometry.area.to_numpy() / 1e6, index=codes)
        return area.where(area > 0).fillna(11.0)


# ---------------------------------------------------------------------------- writing helpers
def _csv_bytes(frame: pd.DataFrame, *, sep: str = ";", decimal_comma: bool = False, bom: bool = False) -> bytes:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    if decimal_comma:
        text = frame.to_csv(sep=sep, index=False, decimal=",", lineterminator="\n")
        return ("\ufeff" if bom else "").encode() + text.encode("utf-8")
    table = pa.Table.from_pandas(frame, preserve_index=False)
    buffer = io.BytesIO()
    pacsv.write_csv(
        table,
        buffer,
        write_options=pacsv.WriteOptions(delimiter=sep, quoting_style="none", quoting_header="none"),
    )
    return ("\ufeff" if bom else "").encode() + buffer.getvalue()


def _write(path: Path, data: bytes) -> Path:
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return path


def _write_zip(path: Path, members: dict[str, bytes]) -> Path:
    with atomic_path(path) as tmp:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
            for name, data in members.items():
                archive.writestr(name, data)
    return path


def _round(values: np.ndarray, decimals: int = 3) -> np.ndarray:
    return np.round(values, decimals)


def _meta(variables: dict[str, str], codes: np.ndarray, names: np.ndarray) -> bytes:
    lines = ["COD_VAR;LIB_VAR;LIB_VAR_LONG;COD_MOD;LIB_MOD;TYPE_VAR;LONG_VAR"]
    lines += [f"{code};{label};{label};;;NUM;17" for code, label in variables.items()]
    lines += [f"CODGEO;Code commune;Code commune;{c};{n};CHAR;5" for c, n in zip(codes, names, strict=True)]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _cog2024(model: _Model, codes: np.ndarray, values: dict[str, np.ndarray], *, counts: bool = True) -> tuple[np.ndarray, dict]:
    """Codes and values in COG 2024: Saraz (25533) before it merged into 25223 on 1 January 2025."""
    where = np.flatnonzero(codes == "25223")
    if not len(where):
        return codes, values
    i = int(where[0])
    codes = np.insert(codes, i + 1, "25533")
    out = {}
    for name, v in values.items():
        v = np.asarray(v)
        if np.issubdtype(v.dtype, np.number) and counts:
            saraz = v[i] * 0.11
            v = v.astype(float).copy()
            v[i] -= saraz
            out[name] = np.insert(v, i + 1, saraz)
        else:
            out[name] = np.insert(v, i + 1, v[i])
    return codes, out


# ---------------------------------------------------------------------------- the files
def _base_cc(model: _Model, folder: Path) -> list[Path]:
    u = model.units
    years, broad, bands = model.years, model.broad, model.bands
    pop = model.pop21
    m, f = broad[:, 0], broad[:, 1]
    pop15p = years[:, :, 15:].sum(axis=(1, 2))
    cs_shares = np.stack(
        [
            np.full(model.n, 0.01) + 0.02 * (pop < 2000),
            np.full(model.n, 0.035),
            np.clip(0.09 + 0.04 * np.log10(pop) - 0.05 * model.deprivation, 0.02, 0.35),
            np.full(model.n, 0.14),
            np.full(model.n, 0.16),
            model.workers,
            np.clip(0.27 + 0.05 * model.ageing, 0.1, 0.55),
            np.full(model.n, 0.1),
        ],
        axis=1,
    )
    cs_shares = cs_shares / cs_shares.sum(axis=1, keepdims=True)
    c_pop15p = pop15p * np.exp(model.rng.normal(0, 0.01, model.n))
    evol = {
        "P21_POP": pop,
        **{f"P21_POP{k.replace('-', '').replace('+', 'P').zfill(4) if '-' in k else k.replace('+', 'P')}": (m + f)[:, i] for i, k in enumerate(_BROAD)},
        "P21_POP0019": bands[:, :, :4].sum(axis=(1, 2)),
        "P21_POP2064": bands[:, :, 4:13].sum(axis=(1, 2)),
        "P21_POP65P": bands[:, :, 13:].sum(axis=(1, 2)),
        "P21_POPH": years[:, 0].sum(axis=1),
        **{f"P21_H{_code(k)}": m[:, i] for i, k in enumerate(_BROAD)},
        "P21_H0019": bands[:, 0, :4].sum(axis=1),
        "P21_H2064": bands[:, 0, 4:13].sum(axis=1),
        "P21_H65P": bands[:, 0, 13:].sum(axis=1),
        "P21_POPF": years[:, 1].sum(axis=1),
        **{f"P21_F{_code(k)}": f[:, i] for i, k in enumerate(_BROAD)},
        "P21_F0019": bands[:, 1, :4].sum(axis=1),
        "P21_F2064": bands[:, 1, 4:13].sum(axis=1),
        "P21_F65P": bands[:, 1, 13:].sum(axis=1),
        "C21_POP15P": c_pop15p,
        **{f"C21_POP15P_CS{i + 1}": c_pop15p * cs_shares[:, i] for i in range(8)},
        "P15_POP": model.pop15,
    }
    rp = model.households
    housing = {
        "P21_LOG": model.dwellings,
        "P21_RP": rp,
        "P21_RSECOCC": model.dwellings * model.secondary_share,
        "P21_LOGVAC": model.dwellings * model.vacant_share,
        "P21_MAISON": model.dwellings * np.clip(0.95 - 0.12 * (np.log10(model.pop21) - 2.5), 0.05, 0.98),
        "P21_RP_ACHTOT": rp * 0.985,
        "P21_RP_ACH19": rp * 0.985 * model.old_housing * 0.7,
        "P21_RP_ACH45": rp * 0.985 * model.old_housing * 0.3,
        "P21_RP_PROP": rp * np.clip(0.78 - 0.08 * (np.log10(model.pop21) - 2.5) - 0.05 * model.deprivation, 0.2, 0.95),
        "P21_RP_LOCHLMV": rp * np.clip(0.02 + 0.05 * np.maximum(np.log10(model.pop21) - 3, 0) + 0.03 * model.deprivation, 0, 0.6),
        "P21_RP_VOIT1P": rp * (1 - model.no_car),
        "P21_MEN": rp,
        "P15_LOG": model.dwellings / 1.05,
        "P15_RP": rp / 1.04,
    }
    pop80 = years[:, :, 80:].sum(axis=(1, 2))
    families = rp * np.clip(0.62 - 0.05 * np.maximum(np.log10(model.pop21) - 3.5, 0), 0.3, 0.8)
    family = {
        "P21_MEN": rp,
        "P21_POP80P": pop80,
        "P21_POP80P_PSEUL": pop80 * model.alone_80,
        "C21_FAM": families,
        "C21_FAMMONO": families * model.single_parent,
    }
    pop1564 = years[:, :, 15:65].sum(axis=(1, 2))
    active = pop1564 * np.clip(0.75 - 0.04 * model.deprivation, 0.5, 0.85)
    employment = {
        "P21_POP1564": pop1564,
        "P21_ACT1564": active,
        "P21_ACTOCC1564": active * (1 - model.unemployment),
        "P21_CHOM1564": active * model.unemployment,
    }
    nscol = pop15p * 0.86
    sup = np.clip(0.32 - 0.08 * model.deprivation + 0.05 * (np.log10(model.pop21) - 3), 0.05, 0.7)
    diplomas = {
        "P21_NSCOL15P": nscol,
        "P21_NSCOL15P_DIPLMIN": nscol * model.low_education,
        "P21_NSCOL15P_BEPC": nscol * 0.055,
        "P21_NSCOL15P_CAPBEP": nscol * np.clip(1 - model.low_education - sup - 0.055 - 0.17, 0.05, 1),
        "P21_NSCOL15P_BAC": nscol * 0.17,
        "P21_NSCOL15P_SUP2": nscol * sup * 0.4,
        "P21_NSCOL15P_SUP34": nscol * sup * 0.3,
        "P21_NSCOL15P_SUP5": nscol * sup * 0.3,
    }
    written = []
    themes = {
        "evol-struct-pop": evol,
        "logement": housing,
        "coupl-fam-men": family,
        "emploi-pop-active": employment,
        "diplomes-formation": diplomas,
    }
    names = dict(zip(model.communes["code"], model.communes["name"], strict=True))
    names.update(zip(u["code"], u["name"], strict=True))
    for theme, variables in themes.items():
        unit_values = np.column_stack([np.asarray(v, dtype=float) for v in variables.values()])
        com_codes, com_values = model.commune_sum(unit_values)
        arm = u["is_arm"].to_numpy()
        all_codes = np.concatenate([com_codes, u["code"].to_numpy(dtype=str)[arm]])
        all_values = np.vstack([com_values, unit_values[arm]])
        order = np.argsort(all_codes, kind="stable")
        all_codes, all_values = all_codes[order], all_values[order]
        columns = dict(zip(variables, all_values.T, strict=True))
        all_codes, columns = _cog2024(model, all_codes, columns)
        frame = pd.DataFrame({"CODGEO": all_codes, **{k: _round(v, 5) for k, v in columns.items()}})
        labels = {k: k for k in variables}
        data = _csv_bytes(frame)
        meta = _meta(labels, all_codes, np.array([names.get(c, "Saraz") for c in all_codes]))
        written.append(
            _write_zip(
                folder / f"base-cc-{theme}-2021_csv.zip",
                {f"base-cc-{theme}-2021.CSV": data, f"meta_base-cc-{theme}-2021.CSV": meta},
            )
        )
    return written


def _code(band: str) -> str:
    if band.endswith("+"):
        return f"{int(band[:-1]):02d}P"
    a, b = band.split("-")
    return f"{int(a):02d}{int(b):02d}"


def _pop1b(model: _Model, folder: Path) -> Path:
    u = model.units
    years = model.years
    com_codes, com_values = model.commune_sum(years)
    arm = u["is_arm"].to_numpy()
    codes = np.concatenate([com_codes, u["code"].to_numpy(dtype=str)[arm]])
    values = np.concatenate([com_values, years[arm]])
    order = np.argsort(codes, kind="stable")
    codes, values = codes[order], values[order]
    flat = values.reshape(len(codes), 202)
    names = [f"SEXE{s}_AGED100{a:03d}" for s in (1, 2) for a in range(101)]
    columns = dict(zip(names, flat.T, strict=True))
    codes, columns = _cog2024(model, codes, columns)
    lib = dict(zip(model.communes["code"], model.communes["name"], strict=True))
    lib.update(zip(u["code"], u["name"], strict=True))
    frame = pd.DataFrame({"CODGEO": codes, "LIBGEO": [lib.get(c, "Saraz").replace(";", ",") for c in codes],
                          **{k: _round(v, 3) for k, v in columns.items()}})
    return _write_zip(folder / "TD_POP1B_2021_csv.zip", {"BTX_TD_POP1B_2021.csv": _csv_bytes(frame)})


def _comparateur(model: _Model, folder: Path) -> Path:
    rng = model.rng
    codes, values = model.commune_sum(
        np.column_stack([model.births_year, model.deaths_expected_year.sum(axis=(1, 2))])
    )
    births, deaths = values[:, 0], values[:, 1]
    area = model.area.reindex(codes).to_numpy()
    frame = pd.DataFrame(
        {
            "CODGEO": codes,
            "SUPERF": np.round(area, 2),
            "NAIS1621": rng.poisson(births * 6 * 1.04),
            "DECE1621": rng.poisson(deaths * 6 * 0.97),
            "NAISD23": rng.poisson(births * 0.98),
            "DECESD23": rng.poisson(deaths),
        }
    )
    return _write(folder / "base_cc_comparateur.csv", _csv_bytes(frame))


def _filosofi(model: _Model, folder: Path) -> list[Path]:
    persons = model.pop21 * 0.965
    households = model.households * 0.97
    com_codes, sums = model.commune_sum(
        np.column_stack([households, persons, model.median * persons, model.poverty * persons])
    )
    hh, pers = sums[:, 0], sums[:, 1]
    median, poverty = sums[:, 2] / pers, sums[:, 3] / pers
    info = model.communes.set_index("code").reindex(com_codes)
    field = (~info["departement"].str.startswith("97") | info["departement"].isin(["972", "974"])).to_numpy()
    com_codes, hh, pers, median, poverty = (x[field] for x in (com_codes, hh, pers, median, poverty))
    info = info.loc[field]
    rng = model.rng
    pimp = np.clip(52 * np.exp(-0.004 * (poverty - 14) * 10) + rng.normal(0, 3, len(hh)), 15, 85)
    d1, d9 = median * rng.normal(0.55, 0.02, len(hh)), median * rng.normal(1.85, 0.08, len(hh))

    def fmt(values, decimals, secret):
        text = np.char.replace(np.round(values, decimals).astype(str), ".", ",")
        if decimals == 0:
            text = np.char.replace(text, ",0", "")
        return np.where(secret, "s", text)

    all_secret = hh < 50
    distribution_secret = (hh < 1000) | (pers < 2000)
    frame = pd.DataFrame(
        {
            "CODGEO": com_codes,
            "NBMENFISC21": np.where(all_secret, "s", np.round(hh).astype(int).astype(str)),
            "NBPERSMENFISC21": fmt(pers, 1, all_secret),
            "MED21": fmt(np.round(median, -1), 0, all_secret),
            "PIMP21": fmt(pimp, 1, distribution_secret),
            "TP6021": fmt(poverty, 1, distribution_secret),
            "D121": fmt(np.round(d1, -1), 0, distribution_secret),
            "D921": fmt(np.round(d9, -1), 0, distribution_secret),
            "RD21": fmt(d9 / d1, 1, distribution_secret),
        }
    )
    paths = [_write(folder / "cc_filosofi_2021_COM.csv", frame.to_csv(sep=";", index=False, lineterminator="\n").encode())]
    # supra-communal levels, Melodi format
    rows = []
    levels = [("EPCI", info["epci"].fillna("").to_numpy()), ("DEP", info["departement"].to_numpy()),
              ("REG", info["region"].to_numpy()), ("FRANCE", np.where(info["departement"].str.startswith("97"), "", "FRM"))]
    for level, zone in levels:
        keep = zone != ""
        frame = pd.DataFrame({"zone": zone[keep], "hh": hh[keep], "pers": pers[keep],
                              "med": median[keep] * pers[keep], "pov": poverty[keep] * pers[keep]})
        agg = frame.groupby("zone").sum()
        if level == "EPCI":
            agg = agg.loc[agg.index.str.fullmatch(r"\d{9}")]
        for code, r in agg.iterrows():
            for measure, unit, value in (
                ("MED_SL", "EUR_YR", round(r["med"] / r["pers"], -1)),
                ("PR_MD60", "PT", round(r["pov"] / r["pers"], 1)),
                ("NUM_HH", "NB", round(r["hh"])),
            ):
                rows.append((code, level, measure, unit, "F", value, "2021"))
    melodi = pd.DataFrame(rows, columns=["GEO", "GEO_OBJECT", "FILOSOFI_MEASURE", "UNIT_MEASURE", "CONF_STATUS", "OBS_VALUE", "TIME_PERIOD"])
    paths.append(_write(folder / "DS_FILOSOFI_CC_2021_data.csv", melodi.to_csv(sep=";", index=False, lineterminator="\n").encode()))
    return paths


def _apl(model: _Model, folder: Path) -> Path:
    """The DREES APL workbook: sheets « Paramètres » and « APL 2023 » (header row 9, units row 10).

    openpyxl writes the workbook; the 35,000 data rows of the sheet are then written as
    SpreadsheetML directly (inline strings and numbers), fifty times faster than cell objects.
    """
    from xml.sax.saxutils import escape

    import openpyxl

    u = model.units
    plm_commune = set(u.loc[u["is_arm"], "parent"])
    keep = ~u["code"].isin(plm_commune).to_numpy()
    codes = u["code"].to_numpy(dtype=str)[keep]
    values = {
        "name": u["name"].to_numpy(dtype=object)[keep],
        "apl": model.apl[keep],
        "u65": model.apl_u65[keep],
        "std": model.popstd[keep],
        "pop": model.pop21[keep],
    }
    order = np.argsort(codes, kind="stable")
    codes = codes[order]
    values = {k: v[order] for k, v in values.items()}
    codes, values = _cog2024(model, codes, values)
    values["name"] = np.where(codes == "25533", "Saraz", values["name"])
    title = [
        ["Indicateur d'accessibilité potentielle localisée (APL) 2023 aux médecins généralistes"],
        [None],
        ["Millésime : 2023"],
        [f"Sources : {DEMO_NOTE} (format DREES)."],
        ["Champ : France hors Mayotte."],
        ["Lecture : valeurs fictives."],
        ["Note : Pour calculer un APL moyen, l'APL communal doit être pondéré par la population standardisée."],
        [None],
        ["Code commune INSEE", "Commune", "APL aux médecins généralistes", "APL aux médecins généralistes de moins de 65 ans",
         "Population standardisée 2021 pour la médecine générale", "Population totale 2021"],
        [None, None, "En nombre de consultations/visites accessibles par habitant standardisé",
         "En nombre de consultations/visites accessibles par habitant standardisé", "En nombre d'habitants standardisés",
         "En nombre d'habitants"],
    ]
    book = openpyxl.Workbook()
    params = book.active
    params.title = "Paramètres"
    params.append(["Paramètres de l'indicateur d'APL aux médecins généralistes"])
    params.append([DEMO_NOTE])
    sheet = book.create_sheet("APL 2023")
    for row in title:
        sheet.append(row)
    skeleton = io.BytesIO()
    book.save(skeleton)
    apl, u65 = np.round(values["apl"], 3), np.round(values["u65"], 3)
    std, pop = np.round(values["std"], 3), np.round(values["pop"]).astype(int)

    def text(ref, value):
        return f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'

    rows = []
    for i, code in enumerate(codes.tolist()):
        r = i + 11
        rows.append(
            f'<row r="{r}">{text(f"A{r}", code)}{text(f"B{r}", values["name"][i])}'
            f'<c r="C{r}"><v>{apl[i]}</v></c><c r="D{r}"><v>{u65[i]}</v></c>'
            f'<c r="E{r}"><v>{std[i]}</v></c><c r="F{r}"><v>{pop[i]}</v></c></row>'
        )
    path = folder / "apl_generalistes.xlsx"
    with zipfile.ZipFile(skeleton) as source, atomic_path(path) as tmp:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as out:
            for item in source.infolist():
                data = source.read(item.filename)
                if item.filename == "xl/worksheets/sheet2.xml":
                    xml = data.decode("utf-8")
                    xml = xml.replace("</sheetData>", "".join(rows) + "</sheetData>")
                    xml = xml.replace('<dimension ref="A1:F10"/>', f'<dimension ref="A1:F{len(codes) + 10}"/>')
                    data = xml.encode("utf-8")
                out.writestr(item, data)
    return path


def _geoclip(model: _Model, folder: Path) -> Path:
    codes, values = model.commune_sum(np.column_stack([model.nurse, model.physio, model.dentist, model.midwife]))
    names = model.communes.set_index("code")["name"].reindex(codes).to_numpy()
    header = "Code;Libellé;Infirmier (en nombre) 2024;Masseur kinésithérapeute (en nombre) 2024;Chirurgien dentiste (en nombre) 2024;Sage-femme (en nombre) 2024"
    lines = ["Insee - Statistiques locales; ; ", "Référentiel géographique : France par commune; ; ", header]
    v = values.astype(int).astype(str)
    body = [f"{c};{n};{a};{b};{d};{e}" for c, n, a, b, d, e in zip(codes, names, v[:, 0], v[:, 1], v[:, 2], v[:, 3], strict=True)]
    text = "\ufeff" + "\n".join(lines + body) + "\n"
    return _write(folder / "statistiques_locales_professionnels_2024.csv", text.encode("utf-8"))


def _tidy(path: Path, frame: pd.DataFrame, source: str, *, cog: int = 2025, zipped: bool = False) -> Path:
    head = f"# source : {source}\n# cog : {cog}\n".encode()
    data = head + _csv_bytes(frame)
    if zipped:
        return _write_zip(path.with_name(path.stem + "_csv.zip"), {path.name: data})
    return _write(path, data)


def _long(codes, columns: dict[tuple[str, str, str, str], np.ndarray], *, sparse: bool = False) -> pd.DataFrame:
    """Tidy rows (niveau;code;periode;mesure;sexe;age;valeur) from arrays by commune."""
    parts = []
    for (measure, period, sex, age), values in columns.items():
        values = np.asarray(values)
        keep = values > 0 if sparse else np.ones(len(values), dtype=bool)
        parts.append(pd.DataFrame({"niveau": "commune", "code": codes[keep], "periode": period, "mesure": measure,
                                   "sexe": sex, "age": age, "valeur": values[keep]}))
    return pd.concat(parts, ignore_index=True)


def _snds(model: _Model, folder: Path) -> list[Path]:
    rng = model.rng
    codes, broad = model.commune_sum(model.broad)  # (c, 2, 6)
    _, dep_w = model.commune_sum(np.column_stack([np.exp(0.12 * model.deprivation) * model.pop21, model.pop21]))
    deprivation = np.log(dep_w[:, 0] / dep_w[:, 1]) / 0.12
    insured = rng.binomial(np.round(broad).astype(int), 0.95)
    columns = {}
    sparse_columns = {}
    bands = list(_BROAD)
    for s, sex in enumerate(("M", "F")):
        for b, band in enumerate(bands):
            columns[("insured", "2023", sex, band)] = insured[:, s, b]
    for measure, (men, women) in _PREVALENCE.items():
        rates = np.array([men, women])  # (2, 6)
        effect = np.exp(0.12 * deprivation + rng.normal(0, 0.08, len(codes)))
        counts = rng.binomial(insured, np.clip(rates[None, :, :] * effect[:, None, None], 0, 0.95))
        for s, sex in enumerate(("M", "F")):
            for b, band in enumerate(bands):
                sparse_columns[(measure, "2023", sex, band)] = counts[:, s, b]
    frame = pd.concat([_long(codes, columns), _long(codes, sparse_columns, sparse=True)], ignore_index=True)
    source = f"SNDS (DCIR), extraction ORS 2023 — {DEMO_NOTE}"
    paths = [_tidy(folder / "snds_ald_2023.csv", frame, source, zipped=True)]
    # recours et prévention
    _, years = model.commune_sum(model.years)  # (c, 2, 101)
    pop = years.sum(axis=(1, 2))
    adults = years[:, :, 17:].sum(axis=(1, 2))
    women_50_74 = years[:, 1, 50:75].sum(axis=1)
    all_50_74 = years[:, :, 50:75].sum(axis=(1, 2))
    women_25_65 = years[:, 1, 25:66].sum(axis=1)
    all_65p = years[:, :, 65:].sum(axis=(1, 2))
    age16 = years[:, :, 16].sum(axis=1)
    age6 = years[:, :, 6].sum(axis=1)
    _, gp = model.commune_sum(model.gp.astype(float))
    gp_density = gp / np.maximum(pop, 1) * 1e4
    noise = lambda sd: np.exp(rng.normal(0, sd, len(codes)))  # noqa: E731
    r = lambda v: np.round(v).astype(int)  # noqa: E731
    target_breast, target_colo, target_cerv = r(women_50_74 * 0.93), r(all_50_74 * 0.9), r(women_25_65 * 0.95)
    flu_target, hpv_target, children = r(all_65p * 0.98), r(age16), r(age6)
    insured_17p = r(adults * 0.95)
    columns = {
        ("c2s_beneficiaries", "2023", "all", "all"): rng.binomial(r(pop * 0.95), np.clip(0.1 * np.exp(0.45 * deprivation) * noise(0.1), 0, 0.8)),
        ("insured_17p", "2023", "all", "all"): insured_17p,
        ("no_gp_17p", "2023", "all", "all"): rng.binomial(insured_17p, np.clip(0.11 * np.exp(-0.04 * (gp_density - 9)) * noise(0.15), 0.01, 0.6)),
        ("breast_screening_target", "2022-2023", "all", "all"): target_breast,
        ("breast_screening_participants", "2022-2023", "all", "all"): rng.binomial(target_breast, np.clip(0.48 * np.exp(-0.08 * deprivation) * noise(0.08), 0.05, 0.9)),
        ("colorectal_screening_target", "2022-2023", "all", "all"): target_colo,
        ("colorectal_screening_participants", "2022-2023", "all", "all"): rng.binomial(target_colo, np.clip(0.34 * np.exp(-0.1 * deprivation) * noise(0.1), 0.05, 0.9)),
        ("cervical_screening_target", "2021-2023", "all", "all"): target_cerv,
        ("cervical_screening_participants", "2021-2023", "all", "all"): rng.binomial(target_cerv, np.clip(0.59 * np.exp(-0.06 * deprivation) * noise(0.06), 0.05, 0.95)),
        ("flu_target_65p", "2023", "all", "all"): flu_target,
        ("flu_vaccinated_65p", "2023", "all", "all"): rng.binomial(flu_target, np.clip(0.53 * np.exp(-0.05 * deprivation) * noise(0.06), 0.05, 0.95)),
        ("hpv_target", "2023", "all", "all"): hpv_target,
        ("hpv_vaccinated", "2023", "all", "all"): rng.binomial(hpv_target, np.clip(0.42 * np.exp(-0.1 * deprivation) * noise(0.1), 0.02, 0.95)),
        ("children_6", "2023", "all", "all"): children,
        ("dental_checkup_children", "2023", "all", "all"): rng.binomial(children, np.clip(0.52 * np.exp(-0.12 * deprivation) * noise(0.08), 0.05, 0.95)),
    }
    paths.append(_tidy(folder / "snds_recours_2023.csv", _long(codes, columns), f"CNAM et Santé publique France, extraction ORS — {DEMO_NOTE}", zipped=True))
    # CAF and ARCEP
    _, housing = model.commune_sum(np.column_stack([model.households, model.dwellings]))
    pop_20_64 = years[:, :, 20:65].sum(axis=(1, 2))
    caf = {
        ("aah_recipients", "2023", "all", "all"): rng.poisson(pop_20_64 * 0.028 * np.exp(0.2 * deprivation)),
        ("rsa_recipients", "2023", "all", "all"): rng.poisson(housing[:, 0] * 0.04 * np.exp(0.5 * deprivation)),
    }
    paths.append(_tidy(folder / "caf_2023.csv", _long(codes, caf), f"CNAF, allocataires par commune — {DEMO_NOTE}"))
    premises = r(housing[:, 1] * 1.15)
    coverage = np.clip(np.where(pop > 5000, 0.95, 0.72) * noise(0.15), 0.0, 1.0)
    arcep = {("premises", "2024", "all", "all"): premises, ("ftth_premises", "2024", "all", "all"): rng.binomial(premises, coverage)}
    paths.append(_tidy(folder / "arcep_ftth_2024.csv", _long(codes, arcep), f"ARCEP, Ma connexion internet — {DEMO_NOTE}"))
    return paths


def _professionals(model: _Model, folder: Path) -> list[Path]:
    codes, values = model.commune_sum(np.column_stack([model.gp, model.gp_60]).astype(float))
    rpps = {("gp_count", "2024", "all", "all"): values[:, 0], ("gp_count", "2024", "all", "60+"): values[:, 1]}
    paths = [_tidy(folder / "rpps_medecins_generalistes_2024.csv", _long(codes, rpps, sparse=True),
                   f"RPPS, médecins généralistes libéraux — {DEMO_NOTE}")]
    # FINESS extraction and places
    u = model.units
    categories = [("620", "Pharmacie d'Officine", "pharmacy", 0), ("500", "EHPAD", "ehpad", 80),
                  ("354", "SSIAD", "ssiad", 40), ("183", "Institut Médico-Educatif (I.M.E.)", "child_disability", 45),
                  ("603", "Maison de santé (L.6223-3)", "msp", 0), ("124", "Centre de Santé", "health_centre", 0)]
    lines, geo_lines, places = [], [], {}
    rng = model.rng
    parent = u["parent"].to_numpy(dtype=str)
    number = 0
    with_any = np.zeros(model.n, dtype=bool)
    for _, _, attr, _ in categories:
        with_any |= getattr(model, attr) > 0
    centroids = _centroids(model, np.unique(parent[with_any]))
    unit_codes = u["code"].to_numpy(dtype=str)
    unit_names = u["name"].to_numpy(dtype=object)
    is_arm = u["is_arm"].to_numpy(dtype=bool)
    drom = {"971": "9A", "972": "9B", "973": "9C", "974": "9D"}
    for cat, label, attr, mean_places in categories:
        counts = getattr(model, attr)
        for i in np.flatnonzero(counts):
            code = unit_codes[i] if is_arm[i] else parent[i]
            dep = drom.get(code[:3], code[:2])
            com = code[2:] if code[:3] not in drom else code[3:].zfill(3)
            for _ in range(int(counts[i])):
                number += 1
                nofiness = f"{code[:2]}{number:07d}"
                name = f"{label.upper()} DE DÉMONSTRATION {number}"
                fields = [nofiness, f"{code[:2]}{number + 5000000:07d}", name[:38], name, "", "", "1", "RUE", "DE LA DÉMONSTRATION",
                          "", "", com, dep, "", f"{code} {str(unit_names[i]).upper()}", "", "", cat, label, "", "", "", "", "", "", "", "",
                          "2000-01-01", "2000-01-01", "2024-01-01", ""]
                lines.append("structureet;" + ";".join(fields) + ";")
                x, y = centroids.get(parent[i], (0.0, 0.0))
                geo_lines.append(f"geolocalisation;{nofiness};{x + rng.normal(0, 300):.1f};{y + rng.normal(0, 300):.1f};1,ATLASANTE,100,IGN,BD_ADRESSE,V2.2,LAMBERT_93;2024-01-01")
                if mean_places:
                    key = (parent[i], attr)
                    places[key] = places.get(key, 0) + max(8, int(rng.normal(mean_places, mean_places * 0.3)))
    text = f"finess;etalab;{len(lines)};2024-01-01\n" + "\n".join(lines + geo_lines) + "\n"
    paths.append(_write(folder / "etalab-cs1100507-stock-20240101-0000.csv", text.encode("utf-8")))
    measure = {"ehpad": "ehpad_places", "ssiad": "ssiad_places", "child_disability": "child_disability_places"}
    frame = pd.DataFrame(
        [("commune", code, "2024", measure[attr], "all", "all", n) for (code, attr), n in sorted(places.items())],
        columns=["niveau", "code", "periode", "mesure", "sexe", "age", "valeur"],
    )
    paths.append(_tidy(folder / "places_medico_sociales_2024.csv", frame, f"FINESS, capacités installées — {DEMO_NOTE}"))
    # Ameli demography by département (from the commune counts of 2024, slightly fewer in 2023)
    deps = model.units["departement"].to_numpy(dtype=str)
    rows = []
    age_labels = ["moins de 30 ans"] + [f"{a} à {a + 4} ans" for a in range(30, 70, 5)] + ["70 ans et plus"]
    age_shares = np.array([0.04, 0.08, 0.1, 0.11, 0.11, 0.11, 0.12, 0.13, 0.12, 0.08])
    professions = [("Médecins généralistes", model.gp, 0.5), ("Infirmiers", model.nurse, 0.86),
                   ("Masseurs-kinésithérapeutes", model.physio, 0.5), ("Chirurgiens-dentistes", model.dentist, 0.47),
                   ("Sages-femmes", model.midwife, 0.97)]
    for profession, counts, female in professions:
        totals = pd.Series(counts.astype(float)).groupby(deps).sum() * 0.98
        for dep, total in totals.items():
            region = model.units.loc[model.units["departement"] == dep, "region"].iat[0]
            by_cell = rng.multinomial(int(round(total)), np.outer([1 - female, female], age_shares).ravel()).reshape(2, -1)
            rows.append((2023, profession, "tout_age", "Tout âge", "tout sexe", region, dep, int(by_cell.sum())))
            for s, sex in enumerate(("hommes", "femmes")):
                for a, label in enumerate(age_labels):
                    rows.append((2023, profession, f"age_{a}", label, sex, region, dep, int(by_cell[s, a])))
    ameli = pd.DataFrame(rows, columns=["annee", "profession_sante", "classe_age", "libelle_classe_age", "libelle_sexe", "region", "departement", "effectif"])
    ameli.insert(6, "libelle_region", "")
    ameli.insert(8, "libelle_departement", "")
    ameli["densite"] = ""
    paths.append(_write(folder / "demographie-effectifs-et-les-densites.csv", ameli.to_csv(sep=";", index=False, lineterminator="\n").encode()))
    return paths


def _centroids(model: _Model, codes: np.ndarray) -> dict[str, tuple[float, float]]:
    metro = [c for c in codes if not c.startswith("97")]
    geometry = model.geography.geometry(metro, crs="EPSG:2154")
    points = geometry.representative_point()
    return {c: (float(p.x), float(p.y)) for c, p in zip(metro, points, strict=True) if p is not None and not p.is_empty}


def _deaths(model: _Model, folder: Path) -> Path:
    codes, _ = model.commune_sum(np.zeros(model.n))
    parts = []
    sexes = np.array(["1", "2"])
    # the first band is split as in a life table: under 1 year (most deaths under 5) and 1-4
    ages = np.array(["00", "01-04", "05-09"] + [f"{a}-{a + 4}" for a in range(10, 90, 5)] + ["90+"])
    split = np.random.default_rng(DEMO_SEED + 17)
    for cause, counts in model.deaths.items():
        _, per_commune = model.commune_sum(counts.astype(float))  # (c, 2, 19)
        first = per_commune[:, :, 0].astype(int)
        infants = split.binomial(first, 0.8)
        per_commune = np.concatenate([infants[:, :, None], (first - infants)[:, :, None], per_commune[:, :, 1:]], axis=2)
        c, s, a = np.nonzero(per_commune)
        parts.append(pd.DataFrame({"CODGEO": codes[c], "ANNEE": "2019-2023", "SEXE": sexes[s], "CLASSE_AGE": ages[a],
                                   "CAUSE": cause, "DECES": per_commune[c, s, a].astype(int)}))
    frame = pd.concat(parts, ignore_index=True)
    head = f"# source : Inserm-CépiDc, extraction ORS — {DEMO_NOTE}\n# cog : 2025\n".encode()
    return _write_zip(folder / "deces_2019-2023_csv.zip", {"deces_2019-2023.csv": head + _csv_bytes(frame)})


def _pathologies(model: _Model, folder: Path) -> Path:
    rng = model.rng
    deps = model.units["departement"].to_numpy(dtype=str)
    regions = dict(zip(model.units["departement"], model.units["region"], strict=False))
    bands = pd.DataFrame(model.bands.reshape(model.n, -1)).groupby(deps).sum()
    labels = [f"{a}-{a + 4}" for a in range(0, 90, 5)] + ["90-94", "95+"]
    pathologies = [("Diabète", "DIA", "ald_diabetes"), ("Cancers", "CAN", "ald_cancer"),
                   ("Maladies psychiatriques", "PSY", "ald_psychiatric"),
                   ("Maladies cardioneurovasculaires", "CNV", "ald_cardiovascular"),
                   ("Traitements psychotropes (hors pathologies)", "PSYTT", "psychotropic_patients")]
    broad_of_band = np.repeat(np.arange(6), [3, 3, 3, 3, 3, 4])
    rows = []
    for dep, values in bands.iterrows():
        pop = values.to_numpy().reshape(2, 19)
        pop = np.concatenate([pop[:, :18], pop[:, 18:] * 0.78, pop[:, 18:] * 0.22], axis=1)  # 90-94, 95+
        npop = np.round(pop * 0.97).astype(int)
        for name, top, measure in pathologies:
            men, women = _PREVALENCE[measure]
            rates = np.array([men, women])[:, np.r_[broad_of_band, 5]] * (1.6 if measure != "psychotropic_patients" else 1.0)
            ntop = rng.binomial(npop, np.clip(rates, 0, 0.9))
            for s, sex in enumerate(("1", "2")):
                for a, label in enumerate(labels):
                    rows.append((2022, name, "", "", top, label, sex, regions[dep], dep, ntop[s, a], npop[s, a]))
            rows.append((2022, name, "", "", top, "tsage", "9", regions[dep], dep, int(ntop.sum()), int(npop.sum())))
    frame = pd.DataFrame(rows, columns=["annee", "patho_niv1", "patho_niv2", "patho_niv3", "top", "cla_age_5", "sexe", "region", "dept", "Ntop", "Npop"])
    totals = frame.loc[frame["cla_age_5"] != "tsage"].groupby(["annee", "patho_niv1", "top", "cla_age_5", "sexe", "region"], as_index=False)[["Ntop", "Npop"]].sum()
    totals = totals.assign(dept="999", patho_niv2="", patho_niv3="")
    frame = pd.concat([frame, totals[frame.columns]], ignore_index=True)
    frame["prev"] = np.round(frame["Ntop"] / frame["Npop"].clip(lower=1) * 100, 2)
    frame["Niveau prioritaire"] = "1"
    frame["libelle_classe_age"] = np.where(frame["cla_age_5"] == "tsage", "tous âges", "de " + frame["cla_age_5"].str.replace("-", " à ") + " ans")
    frame["libelle_sexe"] = frame["sexe"].map({"1": "hommes", "2": "femmes", "9": "tous sexes"})
    frame["tri"] = 1
    return _write(folder / "effectifs.csv", frame.to_csv(sep=";", index=False, lineterminator="\n").encode())


_README = f"""# Données de démonstration

{DEMO_NOTE} : ces fichiers sont générés par `cls_analysis.demo.write_demo_data` (tirage
aléatoire initialisé, reproductible) dans les formats réels des producteurs (Insee, DREES,
FINESS, Ameli, CépiDc, SNDS…), pour que la démonstration passe par les vrais lecteurs. Les
valeurs sont plausibles mais **fictives** : ne les utilisez pas comme des données réelles.
"""


def _expected_files() -> list[str]:
    return [
        "base-cc-evol-struct-pop-2021_csv.zip", "base-cc-logement-2021_csv.zip", "base-cc-coupl-fam-men-2021_csv.zip",
        "base-cc-emploi-pop-active-2021_csv.zip", "base-cc-diplomes-formation-2021_csv.zip", "TD_POP1B_2021_csv.zip",
        "base_cc_comparateur.csv", "cc_filosofi_2021_COM.csv", "DS_FILOSOFI_CC_2021_data.csv", "apl_generalistes.xlsx",
        "statistiques_locales_professionnels_2024.csv", "rpps_medecins_generalistes_2024.csv",
        "etalab-cs1100507-stock-20240101-0000.csv", "places_medico_sociales_2024.csv",
        "demographie-effectifs-et-les-densites.csv", "deces_2019-2023_csv.zip", "snds_ald_2023_csv.zip",
        "snds_recours_2023_csv.zip", "caf_2023.csv", "arcep_ftth_2024.csv", "effectifs.csv", "LISEZMOI.md",
    ]


def _up_to_date(folder: Path, departements: list[str] | None = None) -> bool:
    from cls_analysis.sources.folder import DEMO_MARKER

    marker = folder / DEMO_MARKER
    if not marker.is_file():
        return False
    try:
        content = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (
        content.get("version") == DEMO_VERSION
        and content.get("seed") == DEMO_SEED
        and content.get("departements") == (sorted(departements) if departements else None)
        and all((folder / name).is_file() for name in _expected_files())
    )


def write_demo_data(
    folder: str | Path = DEMO_FOLDER,
    *,
    force: bool = False,
    departements: list[str] | None = None,
) -> list[Path]:
    """Write the demo files (fictitious data, real formats) into ``folder``.

    Parameters
    ----------
    folder : path, default ``data/processed/demo``
    force : bool
        Regenerate even when the folder is up to date.
    departements : list of str, optional
        Only these départements (quick demos and tests); all of France by default. Comparators
        (région, France) are then those of the départements written.

    Returns
    -------
    list of Path
        The demo files (written now or already present).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> files = write_demo_data(folder)  # doctest: +SKIP
    >>> sorted(p.name for p in files)[:2]  # doctest: +SKIP
    ['DS_FILOSOFI_CC_2021_data.csv', 'LISEZMOI.md']
    """
    from cls_analysis.sources.folder import DEMO_MARKER

    folder = Path(folder)
    if not force and _up_to_date(folder, departements):
        return [folder / name for name in _expected_files()]
    folder.mkdir(parents=True, exist_ok=True)
    marker = folder / DEMO_MARKER
    if marker.exists():
        marker.unlink()
    model = _Model(DEMO_SEED, tuple(departements) if departements else None)
    written = []
    written += _base_cc(model, folder)
    written.append(_pop1b(model, folder))
    written.append(_comparateur(model, folder))
    written += _filosofi(model, folder)
    written.append(_apl(model, folder))
    written.append(_geoclip(model, folder))
    written += _professionals(model, folder)
    written.append(_deaths(model, folder))
    written += _snds(model, folder)
    written.append(_pathologies(model, folder))
    written.append(_write(folder / "LISEZMOI.md", _README.encode("utf-8")))
    content = {
        "version": DEMO_VERSION,
        "seed": DEMO_SEED,
        "departements": sorted(departements) if departements else None,
        "note": DEMO_NOTE,
        "files": sorted(p.name for p in written),
    }
    with atomic_path(marker) as tmp:
        tmp.write_text(json.dumps(content, ensure_ascii=False, indent=1), encoding="utf-8")
    return written


_CACHE = ".observations_cache.parquet"


def demo_observations(
    folder: str | Path = DEMO_FOLDER,
    *,
    cache: bool = True,
    departements: list[str] | None = None,
) -> pd.DataFrame:
    """The national observations table of the demo, read through the real readers.

    The files are written first if needed (:func:`write_demo_data`), then read with
    :func:`~cls_analysis.sources.read_folder` (every file recognised, read and validated). The
    table is kept in ``folder/.observations_cache.parquet`` (processed data, rebuilt whenever the
    demo files change), so later calls take a second; ``cache=False`` always reads the files.

    Returns
    -------
    DataFrame
        Observations of every commune of France (and of the zones published as such); every
        ``source`` contains « Données fictives de démonstration ». After a read of the files,
        ``attrs["report"]`` is the :class:`~cls_analysis.sources.folder.FolderReport`.
    """
    from cls_analysis.sources.folder import DEMO_MARKER, read_folder

    folder = Path(folder)
    write_demo_data(folder, departements=departements)
    stored = folder / _CACHE
    marker = folder / DEMO_MARKER
    if cache and stored.is_file() and stored.stat().st_mtime >= marker.stat().st_mtime:
        try:
            obs = pd.read_parquet(stored)
        except Exception:
            obs = None
        if obs is not None and list(obs.columns) == _columns():
            from cls_analysis.observations import concat

            return concat([obs])
    obs = read_folder(folder, source_note=DEMO_NOTE)
    report = obs.attrs["report"]
    if report.problems:
        raise RuntimeError("Données de démonstration illisibles :\n- " + "\n- ".join(report.problems))
    if cache:
        plain = obs.copy(deep=False)
        plain.attrs = {}
        with atomic_path(stored) as tmp:
            plain.to_parquet(tmp, index=False)
    return obs


def _columns() -> list[str]:
    from cls_analysis.observations import COLUMNS

    return list(COLUMNS)
