"""Reader for IGN ADMIN EXPRESS (COG, COG CARTO) commune boundaries.

Two generations (https://geoservices.ign.fr/adminexpress):

- 2017–2024 (v3.x): shapefiles with upper-case attributes, ``COMMUNE.shp`` with
  ``INSEE_COM, NOM, INSEE_DEP, INSEE_REG, SIREN_EPCI, POPULATION`` (Latin-1);
- 2025+ (v4.0): GeoPackage, layer ``commune`` with lower-case BD TOPO-style attributes
  ``code_insee, nom_officiel, code_insee_du_departement, code_insee_de_la_region,
  codes_siren_des_epci, population``.

Both are returned in one shape: ``code, name, departement, region, epci, population,
geometry`` in the file's CRS (Lambert-93 for the ``LAMB93_FXX`` editions).
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from cls_analysis.errors import FileFormatError
from cls_analysis.geo.codes import normalize_commune_codes

__all__ = ["read_admin_express"]

_UPPER = {
    "INSEE_COM": "code",
    "NOM": "name",
    "INSEE_DEP": "departement",
    "INSEE_REG": "region",
    "SIREN_EPCI": "epci",
    "POPULATION": "population",
}
_LOWER = {
    "code_insee": "code",
    "nom_officiel": "name",
    "code_insee_du_departement": "departement",
    "code_insee_de_la_region": "region",
    "codes_siren_des_epci": "epci",
    "population": "population",
}


def _locate(path: Path) -> tuple[Path, str | None]:
    """The commune layer: a .shp, a folder holding COMMUNE.shp, or a .gpkg (layer commune)."""
    if path.is_dir():
        found = sorted(path.rglob("COMMUNE.shp")) or sorted(path.rglob("*.gpkg"))
        if not found:
            raise FileFormatError(
                "dossier sans COMMUNE.shp ni GeoPackage : ce n'est pas une livraison "
                "ADMIN EXPRESS de l'IGN.",
                path,
            )
        path = found[0]
    if path.suffix.lower() == ".gpkg":
        import pyogrio

        layers = [name for name, _ in pyogrio.list_layers(path)]
        layer = next((name for name in layers if name.lower() == "commune"), None)
        if layer is None:
            raise FileFormatError(
                f"couche « commune » absente du GeoPackage (couches : {', '.join(layers)}).", path
            )
        return path, layer
    if path.suffix.lower() == ".shp":
        return path, None
    raise FileFormatError(
        "format non reconnu pour ADMIN EXPRESS : attendu COMMUNE.shp (≤ 2024) ou un "
        "GeoPackage .gpkg (≥ 2025).",
        path,
    )


def read_admin_express(path: str | Path) -> gpd.GeoDataFrame:
    """Read the commune layer of an ADMIN EXPRESS delivery.

    Parameters
    ----------
    path : path
        ``COMMUNE.shp``, a folder containing it, or an ADMIN EXPRESS GeoPackage.

    Returns
    -------
    GeoDataFrame
        ``code, name, departement, region, epci, population, geometry``; ``epci`` keeps the
        first SIREN when several are given (Grand Paris: MGP/EPT) and is empty for ``NR``.
        ``attrs["edition"]`` names the file.
    """
    file = Path(path)
    if not file.exists():
        raise FileFormatError(f"fichier introuvable ({file}).", file)
    file, layer = _locate(file)
    try:
        frame = gpd.read_file(file, layer=layer) if layer else gpd.read_file(file)
    except Exception as exc:
        raise FileFormatError(f"lecture impossible par GDAL ({exc}).", file) from exc
    mapping = _LOWER if "code_insee" in frame.columns else _UPPER
    missing = [c for c in mapping if c not in frame.columns]
    if missing:
        raise FileFormatError(
            f"colonnes manquantes {', '.join(missing)} (trouvées : "
            f"{', '.join(c for c in frame.columns if c != 'geometry')}). "
            "Ce n'est pas la couche des communes d'ADMIN EXPRESS.",
            file,
        )
    if frame.crs is None:
        raise FileFormatError(
            "projection inconnue (fichier .prj absent ?) : fournissez la livraison complète.", file
        )
    out = frame.rename(columns=mapping)[[*mapping.values(), "geometry"]]
    out["code"] = normalize_commune_codes(out["code"], where=f"{file.name}, code commune").to_numpy()
    epci = out["epci"].astype("string").str.split("/").str[0].str.strip()
    out["epci"] = epci.where(~epci.isin(["NR", "", "ZZZZZZZZZ"]))
    out["population"] = pd.to_numeric(out["population"], errors="coerce")
    for column in ("name", "departement", "region"):
        out[column] = out[column].astype("string")
    out = gpd.GeoDataFrame(out, geometry="geometry", crs=frame.crs)
    out.attrs["edition"] = f"IGN ADMIN EXPRESS, {file.name}"
    return out
