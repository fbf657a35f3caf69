"""The measure registry: every measure an observations table may hold, and how it aggregates.

Each measure has a ``name`` (the ``measure`` column of observations), a French ``label`` and
``unit`` for users, a ``kind`` (``count``, ``rate``, ``median``, ``index``, ``share``) and an
``aggregation`` rule:

- ``sum`` — counts, summed from communes to any zone (territory, EPCI, département, région,
  France), and from départements to régions and France when only départements are published;
- ``weighted_mean:<weight>`` — a commune index averaged with the weight measure of the same
  zone, period, sex and age (APL: Σ APL × population standardisée / Σ population standardisée);
- ``none`` — medians and published rates: read at each level as published, never summed.

``sparse`` measures come from files that list only non-zero cells (deaths extractions, FINESS
establishments, places, SNDS extractions of ALD and psychotropic drugs): a commune absent from such a source counts as zero, as long as the
source covers the commune's département (see :func:`cls_analysis.observations.aggregate`).

Extra dimensions (cause of death, profession) are folded into the name (``deaths_cancer``,
``gp_count``). A measure whose name states its population (``active_15_64``,
``out_of_school_15p``, ``insured_17p``, ``flu_target_65p``, ``children_6``, the screening
targets) has ``sex`` and ``age`` ``all``; ``sex`` and ``age`` otherwise give the band counted
(``population`` F ``75+``, ``deaths`` M ``85-89``, ``gp_count`` all ``60+``,
``persons_living_alone`` all ``80+``). Measures read from a file but unknown here (Géoclip indicator columns, Ameli
pathologies) get a generated name (``geoclip_…``, ``patients_…``) and aggregate as ``none``.

Examples
--------
>>> get("apl_gp").aggregation
'weighted_mean:apl_gp_standardised_population'
>>> get("population").label
'Population'
>>> get("median_income").aggregation
'none'
>>> "deaths_suicide" in MEASURES
True
>>> get("geoclip_inconnue").aggregation
'none'
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import pandas as pd

__all__ = [
    "KINDS",
    "MEASURES",
    "Measure",
    "get",
    "registry",
    "weight_of",
]

#: Kinds of measures (contract).
KINDS = ("count", "rate", "median", "index", "share")


@dataclass(frozen=True)
class Measure:
    """One measure of the registry.

    Attributes
    ----------
    name : str
        Identifier used in the ``measure`` column.
    label : str
        French label shown to users.
    unit : str
        French unit (``habitants``, ``€``, ``%``…).
    kind : str
        ``count``, ``rate``, ``median``, ``index`` or ``share``.
    aggregation : str
        ``sum``, ``weighted_mean:<weight measure>`` or ``none``.
    sparse : bool
        Whether sources list only non-zero cells (absent commune = zero).
    """

    name: str
    label: str
    unit: str
    kind: str
    aggregation: str
    sparse: bool = False


def _m(name, label, unit, kind="count", aggregation="sum", sparse=False) -> Measure:
    return Measure(name, label, unit, kind, aggregation, sparse)


_APL_W = "weighted_mean:apl_gp_standardised_population"
_CAUSES = {
    "deaths": "Décès (toutes causes)",
    "deaths_cancer": "Décès par tumeurs (CIM-10 C00-D48)",
    "deaths_circulatory": "Décès par maladies de l'appareil circulatoire (CIM-10 I00-I99)",
    "deaths_suicide": "Décès par suicide (CIM-10 X60-X84, Y87.0)",
    "deaths_alcohol": "Décès liés à l'alcool (psychoses alcooliques, cirrhoses, cancers des VADS)",
    "deaths_tobacco": "Décès liés au tabac (cancers du poumon, BPCO, cardiopathies ischémiques)",
    "deaths_avoidable": "Décès évitables avant 75 ans (liste Eurostat/OCDE 2019)",
}

_LIST: list[Measure] = [
    # --- population (Insee RP, ELP)
    _m("population", "Population", "habitants"),
    _m("population_estimate", "Population estimée (ELP)", "habitants"),
    _m("area_km2", "Superficie", "km²"),
    # --- état civil, CépiDc
    _m("births", "Naissances domiciliées", "naissances"),
    *[_m(n, label, "décès", sparse=True) for n, label in _CAUSES.items()],
    # --- logement (RP)
    _m("households", "Ménages", "ménages"),
    _m("dwellings", "Logements", "logements"),
    _m("main_residences", "Résidences principales", "logements"),
    _m("secondary_residences", "Résidences secondaires et logements occasionnels", "logements"),
    _m("vacant_dwellings", "Logements vacants", "logements"),
    _m("main_residences_with_car", "Ménages disposant d'au moins une voiture", "ménages"),
    _m("main_residences_before_1946", "Résidences principales construites avant 1946", "logements"),
    _m(
        "main_residences_built_known",
        "Résidences principales dont l'époque d'achèvement est connue",
        "logements",
    ),
    _m("main_residences_owner", "Résidences principales occupées par leur propriétaire", "logements"),
    _m("main_residences_social_housing", "Résidences principales HLM louées vides", "logements"),
    # --- couples, familles, ménages (RP)
    _m("persons_living_alone", "Personnes vivant seules", "personnes"),
    _m("families", "Familles", "familles"),
    _m("single_parent_families", "Familles monoparentales", "familles"),
    # --- emploi, diplômes, PCS (RP)
    _m("active_15_64", "Actifs de 15 à 64 ans", "personnes"),
    _m("employed_15_64", "Actifs occupés de 15 à 64 ans", "personnes"),
    _m("unemployed_15_64", "Chômeurs de 15 à 64 ans (recensement)", "personnes"),
    _m("out_of_school_15p", "Population non scolarisée de 15 ans ou plus", "personnes"),
    _m(
        "out_of_school_15p_low_education",
        "Population non scolarisée de 15 ans ou plus sans diplôme ou peu diplômée",
        "personnes",
    ),
    _m(
        "out_of_school_15p_higher_education",
        "Population non scolarisée de 15 ans ou plus diplômée du supérieur",
        "personnes",
    ),
    _m("cs_population_15p", "Population de 15 ans ou plus (exploitation complémentaire)", "personnes"),
    _m("cs_farmers", "Agriculteurs exploitants (15 ans ou plus)", "personnes"),
    _m("cs_craftsmen", "Artisans, commerçants, chefs d'entreprise (15 ans ou plus)", "personnes"),
    _m("cs_executives", "Cadres et professions intellectuelles supérieures (15 ans ou plus)", "personnes"),
    _m("cs_intermediate", "Professions intermédiaires (15 ans ou plus)", "personnes"),
    _m("cs_employees", "Employés (15 ans ou plus)", "personnes"),
    _m("cs_workers", "Ouvriers (15 ans ou plus)", "personnes"),
    _m("cs_retired", "Retraités (15 ans ou plus)", "personnes"),
    _m("cs_other_inactive", "Autres personnes sans activité professionnelle (15 ans ou plus)", "personnes"),
    # --- Filosofi
    _m("fiscal_households", "Ménages fiscaux", "ménages"),
    _m("fiscal_persons", "Personnes des ménages fiscaux", "personnes"),
    _m("median_income", "Médiane du revenu disponible par unité de consommation", "€", "median", "none"),
    _m("poverty_rate", "Taux de pauvreté au seuil de 60 %", "%", "rate", "none"),
    _m("income_d1", "1er décile du revenu disponible par unité de consommation", "€", "median", "none"),
    _m("income_d9", "9e décile du revenu disponible par unité de consommation", "€", "median", "none"),
    _m("income_d9_d1_ratio", "Rapport interdécile (D9/D1) du revenu disponible", "", "index", "none"),
    _m("gini", "Indice de Gini du revenu disponible", "", "index", "none"),
    _m("taxed_households_share", "Part des ménages fiscaux imposés", "%", "share", "none"),
    # --- DREES APL
    _m("apl_gp", "APL aux médecins généralistes", "consultations par an et par habitant standardisé", "index", _APL_W),
    _m(
        "apl_gp_under65",
        "APL aux médecins généralistes de 65 ans ou moins",
        "consultations par an et par habitant standardisé",
        "index",
        _APL_W,
    ),
    _m("apl_gp_standardised_population", "Population standardisée pour la médecine générale (APL)", "habitants standardisés"),
    _m("apl_gp_population", "Population totale (APL médecine générale)", "habitants"),
    *[
        m
        for prof, label in [
            ("nurse", "infirmiers"),
            ("physio", "masseurs-kinésithérapeutes"),
            ("midwife", "sages-femmes"),
            ("dentist", "chirurgiens-dentistes"),
        ]
        for m in (
            _m(
                f"apl_{prof}",
                f"APL aux {label}",
                "ETP accessibles pour 100 000 habitants standardisés",
                "index",
                f"weighted_mean:apl_{prof}_standardised_population",
            ),
            _m(f"apl_{prof}_standardised_population", f"Population standardisée (APL {label})", "habitants standardisés"),
            _m(f"apl_{prof}_population", f"Population totale (APL {label})", "habitants"),
        )
    ],
    # --- professionals and establishments
    _m("gp_count", "Médecins généralistes libéraux", "médecins", sparse=True),
    _m("nurse_count", "Infirmiers libéraux", "infirmiers", sparse=True),
    _m("physio_count", "Masseurs-kinésithérapeutes libéraux", "kinésithérapeutes", sparse=True),
    _m("dentist_count", "Chirurgiens-dentistes libéraux", "dentistes", sparse=True),
    _m("midwife_count", "Sages-femmes libérales", "sages-femmes", sparse=True),
    _m("pharmacist_count", "Pharmaciens", "pharmaciens", sparse=True),
    _m("pharmacy_count", "Officines de pharmacie (FINESS 620)", "officines", sparse=True),
    _m("ehpad_count", "EHPAD (FINESS 500)", "établissements", sparse=True),
    _m("ssiad_count", "Services de soins infirmiers à domicile (FINESS 354)", "services", sparse=True),
    _m(
        "child_disability_count",
        "Établissements et services pour enfants handicapés (FINESS 182, 183, 186, 188, 192, 194, 195, 196, 238)",
        "établissements",
        sparse=True,
    ),
    _m("msp_count", "Maisons de santé pluriprofessionnelles (FINESS 603)", "établissements", sparse=True),
    _m("health_centre_count", "Centres de santé (FINESS 124)", "établissements", sparse=True),
    _m("hospital_count", "Établissements hospitaliers (FINESS 101, 106, 109, 355, 362, 365, 697…)", "établissements", sparse=True),
    _m("emergency_count", "Services d'urgences", "services", sparse=True),
    _m("ehpad_places", "Places installées en EHPAD", "places", sparse=True),
    _m("ssiad_places", "Places installées de SSIAD", "places", sparse=True),
    _m("child_disability_places", "Places installées pour enfants handicapés", "places", sparse=True),
    # --- SNDS (via the ORS), CNAM, Santé publique France
    _m("insured", "Assurés consommants (SNDS)", "personnes"),
    _m("ald_persons", "Personnes en affection de longue durée (ALD)", "personnes", sparse=True),
    _m("ald_diabetes", "Personnes en ALD pour diabète (ALD 8)", "personnes", sparse=True),
    _m("ald_cancer", "Personnes en ALD pour tumeur maligne (ALD 30)", "personnes", sparse=True),
    _m("ald_psychiatric", "Personnes en ALD pour affection psychiatrique de longue durée (ALD 23)", "personnes", sparse=True),
    _m("ald_cardiovascular", "Personnes en ALD pour maladie cardio-neurovasculaire (ALD 1, 3, 5, 13)", "personnes", sparse=True),
    _m("psychotropic_patients", "Patients sous traitement psychotrope régulier", "personnes", sparse=True),
    _m("c2s_beneficiaries", "Bénéficiaires de la Complémentaire santé solidaire", "personnes"),
    _m("insured_17p", "Assurés de 17 ans ou plus", "personnes"),
    _m("no_gp_17p", "Assurés de 17 ans ou plus sans médecin traitant", "personnes"),
    _m("breast_screening_participants", "Femmes de 50-74 ans dépistées (cancer du sein, 2 ans)", "personnes"),
    _m("breast_screening_target", "Femmes de 50-74 ans éligibles au dépistage du cancer du sein", "personnes"),
    _m("colorectal_screening_participants", "Personnes de 50-74 ans dépistées (cancer colorectal, 2 ans)", "personnes"),
    _m("colorectal_screening_target", "Personnes de 50-74 ans éligibles au dépistage du cancer colorectal", "personnes"),
    _m("cervical_screening_participants", "Femmes de 25-65 ans dépistées (cancer du col de l'utérus, 3 ans)", "personnes"),
    _m("cervical_screening_target", "Femmes de 25-65 ans éligibles au dépistage du cancer du col", "personnes"),
    _m("flu_vaccinated_65p", "Personnes de 65 ans ou plus vaccinées contre la grippe", "personnes"),
    _m("flu_target_65p", "Personnes de 65 ans ou plus ciblées par la vaccination antigrippale", "personnes"),
    _m("hpv_vaccinated", "Jeunes de 16 ans vaccinés contre les HPV (schéma complet)", "personnes"),
    _m("hpv_target", "Jeunes de 16 ans (cible de la vaccination HPV)", "personnes"),
    _m("dental_checkup_children", "Enfants de 6 ans ayant consulté un chirurgien-dentiste dans l'année", "enfants"),
    _m("children_6", "Enfants de 6 ans (assurés)", "enfants"),
    _m("snds_population", "Population de référence de la cartographie des pathologies (SNDS)", "personnes"),
    _m("patients_diabetes", "Patients pris en charge pour diabète (cartographie des pathologies)", "personnes"),
    _m("patients_cancer", "Patients pris en charge pour cancer (cartographie des pathologies)", "personnes"),
    _m("patients_psychiatric", "Patients pris en charge pour maladie psychiatrique (cartographie)", "personnes"),
    _m(
        "patients_cardiovascular",
        "Patients pris en charge pour maladie cardio-neurovasculaire (cartographie)",
        "personnes",
    ),
    _m("patients_psychotropic", "Patients sous traitement psychotrope (cartographie)", "personnes"),
    # --- CAF, ARCEP
    _m("aah_recipients", "Allocataires de l'allocation aux adultes handicapés (AAH)", "allocataires"),
    _m("rsa_recipients", "Allocataires du revenu de solidarité active (RSA)", "allocataires"),
    _m("ftth_premises", "Locaux raccordables à la fibre optique (FttH)", "locaux"),
    _m("premises", "Locaux (logements et locaux professionnels)", "locaux"),
    # --- published rates read as such (Géoclip exports)
    _m("gp_density", "Densité de médecins généralistes libéraux", "pour 10 000 habitants", "rate", "none"),
    _m("nurse_density", "Densité d'infirmiers libéraux", "pour 10 000 habitants", "rate", "none"),
    _m("midwife_density", "Densité de sages-femmes libérales", "pour 10 000 habitants", "rate", "none"),
    _m("pharmacy_density", "Densité de pharmacies", "pour 10 000 habitants", "rate", "none"),
    _m("ald_share", "Part des bénéficiaires en ALD dans la population", "%", "share", "none"),
]

#: The registry, by name.
MEASURES: dict[str, Measure] = {m.name: m for m in _LIST}


def get(name: str) -> Measure:
    """The registry entry of ``name``; measures outside the registry aggregate as ``none``.

    >>> get("deaths").sparse
    True
    """
    found = MEASURES.get(name)
    if found is not None:
        return found
    return Measure(name, name, "", "index", "none", False)


def weight_of(name: str) -> str | None:
    """Weight measure of a ``weighted_mean`` measure, else None.

    >>> weight_of("apl_gp"), weight_of("population")
    ('apl_gp_standardised_population', None)
    """
    rule = get(name).aggregation
    return rule.split(":", 1)[1] if rule.startswith("weighted_mean:") else None


def registry() -> pd.DataFrame:
    """The registry as a table: ``name, label, unit, kind, aggregation, sparse``.

    >>> table = registry()
    >>> list(table.columns)
    ['name', 'label', 'unit', 'kind', 'aggregation', 'sparse']
    >>> bool(table["name"].is_unique)
    True
    """
    return pd.DataFrame([asdict(m) for m in MEASURES.values()])
