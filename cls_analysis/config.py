"""Territory configuration files (TOML, keys in French).

A configuration names the territory, says how it is made (EPCIs or communes), which COG
vintage and comparators to use, and where the data files are. Example::

    nom = "CC Aunis Atlantique"
    epci = ["200041499"]          # or: communes = ["17008", "17009", ...]
    cog = 2025                    # optional: COG vintage of the analysis
    comparateurs = ["departement", "region", "france"]
    france = "metropole"          # or "entiere"
    donnees = "../data/raw"       # optional, relative to this file

    [geographie]                  # optional: real files instead of the embedded geography
    epci = "EPCI_au_01-01-2024.xlsx"
    admin_express = "ADMIN-EXPRESS-COG/COMMUNE.shp"
    table_passage = "table_passage_annuelle_2025.xlsx"

Unknown keys are errors (a typo would otherwise be silently ignored), with the closest valid
key suggested.
"""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Mapping
from pathlib import Path

from cls_analysis.errors import ConfigError

__all__ = ["TERRITORY_KEYS", "load_config", "territory_from_config"]

#: Keys of a territory configuration and what they hold.
TERRITORY_KEYS = {
    "nom": "nom du territoire (texte)",
    "code": "code du territoire dans les résultats (facultatif)",
    "epci": "SIREN du ou des EPCI (liste de textes)",
    "communes": "codes des communes (liste de textes)",
    "cog": "millésime du COG de l'analyse (entier, ex. 2025)",
    "comparateurs": "niveaux de comparaison : departement, region, france",
    "france": "« metropole » ou « entiere »",
    "donnees": "dossier des fichiers de données (chemin relatif au fichier)",
    "description": "texte libre",
    "geographie": "table [geographie] : fichiers réels (epci, admin_express, table_passage)",
}
GEOGRAPHY_KEYS = {
    "epci": "classeur EPCI_au_01-01-AAAA.xlsx de l'Insee",
    "admin_express": "couche des communes d'IGN ADMIN EXPRESS (.shp ou .gpkg)",
    "table_passage": "table de passage annuelle des communes de l'Insee",
}


def _check_keys(table: Mapping, allowed: Mapping[str, str], where: str, path: Path) -> None:
    for key in table:
        if key not in allowed:
            close = difflib.get_close_matches(key, list(allowed), n=1)
            hint = f" Vouliez-vous dire « {close[0]} » ?" if close else ""
            raise ConfigError(
                f"{path.name} : clé inconnue « {key} »{where}.{hint} Clés possibles : "
                f"{', '.join(allowed)}."
            )


def load_config(path: str | Path) -> dict:
    """Read and check a territory configuration; paths are made absolute.

    Returns the configuration as a dict with the keys of :data:`TERRITORY_KEYS`.
    """
    file = Path(path)
    if not file.is_file():
        raise ConfigError(f"Fichier de configuration introuvable : {file}.")
    try:
        config = tomllib.loads(file.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{file.name} : le fichier doit être encodé en UTF-8 ({exc}).") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{file.name} : TOML invalide ({exc}).") from exc
    _check_keys(config, TERRITORY_KEYS, "", file)
    geography = config.get("geographie", {})
    if not isinstance(geography, dict):
        raise ConfigError(f"{file.name} : « geographie » doit être une table [geographie].")
    _check_keys(geography, GEOGRAPHY_KEYS, " dans [geographie]", file)
    if "nom" not in config or not str(config["nom"]).strip():
        raise ConfigError(f"{file.name} : la clé « nom » (nom du territoire) est obligatoire.")
    has_epci, has_communes = "epci" in config, "communes" in config
    if has_epci == has_communes:
        raise ConfigError(
            f"{file.name} : donnez soit « epci » (liste de SIREN), soit « communes » (liste de "
            "codes commune), et pas les deux."
        )
    for key in ("epci", "communes", "comparateurs"):
        if key in config:
            value = config[key]
            if isinstance(value, (str, int)):
                config[key] = [value]
            elif not isinstance(value, list) or not value:
                raise ConfigError(f"{file.name} : « {key} » doit être une liste non vide.")
    if "cog" in config and not isinstance(config["cog"], int):
        raise ConfigError(f"{file.name} : « cog » doit être une année (entier), pas {config['cog']!r}.")
    base = file.parent
    if "donnees" in config:
        config["donnees"] = (base / config["donnees"]).resolve()
    config["geographie"] = {k: (base / v).resolve() for k, v in geography.items()}
    config["_path"] = file.resolve()
    return config


def territory_from_config(path: str | Path):
    """Build the :class:`~cls_analysis.territory.Territory` a configuration describes."""
    from cls_analysis.geo.geography import Geography
    from cls_analysis.territory import COMPARATOR_LEVELS, Territory

    config = load_config(path)
    files = config["geographie"]
    embedded = Geography.embedded()
    if "epci" in files:
        geography = Geography.from_insee(
            files["epci"], boundaries=files.get("admin_express"), passage=files.get("table_passage")
        )
    else:
        unused = [k for k in ("admin_express", "table_passage") if k in files]
        if unused:
            raise ConfigError(
                f"{Path(path).name} : [geographie] {', '.join(unused)} demande aussi « epci » "
                "(le classeur EPCI de l'Insee du même millésime)."
            )
        geography = embedded
    options = {
        "comparator_levels": config.get("comparateurs", COMPARATOR_LEVELS),
        "france": config.get("france"),
        "data_dir": config.get("donnees"),
        "code": config.get("code"),
    }
    name = str(config["nom"]).strip()
    if "epci" in config:
        territory = Territory.from_epci(config["epci"], name=name, geography=geography, **options)
    else:
        territory = Territory.from_communes(config["communes"], name=name, geography=geography, **options)
    target = config.get("cog")
    if target is not None and target != territory.cog_year:
        if target != embedded.cog_year:
            raise ConfigError(
                f"{Path(path).name} : cog = {target}, mais la géographie disponible est celle du "
                f"COG {territory.cog_year} (et la géographie intégrée celle du COG "
                f"{embedded.cog_year}) ; fournissez le classeur EPCI du COG {target} dans "
                "[geographie]."
            )
        passage = None
        if "table_passage" in files:
            from cls_analysis.geo.insee import read_table_passage

            passage = read_table_passage(files["table_passage"], to_year=target)
        territory = territory.convert_to(embedded, passage)
    return territory
