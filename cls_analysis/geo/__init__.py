"""Geography of France: commune codes, COG vintages, EPCI composition and boundaries."""

from cls_analysis.geo.codes import (
    PLM_COMMUNES,
    arrondissement_to_commune,
    departement_of_commune,
    fold_text,
    is_arrondissement,
    normalize_commune_code,
    normalize_commune_codes,
    normalize_departement_code,
    normalize_siren,
)

__all__ = [
    "PLM_COMMUNES",
    "arrondissement_to_commune",
    "departement_of_commune",
    "fold_text",
    "is_arrondissement",
    "normalize_commune_code",
    "normalize_commune_codes",
    "normalize_departement_code",
    "normalize_siren",
]
