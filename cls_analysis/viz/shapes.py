"""Outlines of the départements and régions of France, for national maps.

The embedded geography holds commune boundaries only; départements and régions are their union
(about two seconds, once per process), simplified for a map of France. Metropolitan zones are
in Lambert-93; each overseas département is in its own official projection, for its inset.
"""

from __future__ import annotations

import functools

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from cls_analysis.geo.geography import LAMBERT_93, Geography, crs_for_departements

__all__ = ["OVERSEAS", "france_shapes"]

#: Overseas départements (code → name), in the order of their insets.
OVERSEAS = {
    "971": "Guadeloupe",
    "972": "Martinique",
    "973": "Guyane",
    "974": "La Réunion",
    "976": "Mayotte",
}
#: Régions made of one overseas département.
OVERSEAS_REGIONS = {"01": "971", "02": "972", "03": "973", "04": "974", "06": "976"}


def _union(geometries: np.ndarray):
    try:
        return shapely.coverage_union_all(geometries)
    except shapely.errors.GEOSException:
        return shapely.union_all(shapely.make_valid(geometries), grid_size=1e-6)


def _polygons(geometry) -> list:
    if geometry.geom_type == "Polygon":
        return [geometry]
    return [p for g in getattr(geometry, "geoms", []) for p in _polygons(g)]


def _fill_holes(geometries: list) -> list:
    """Fill the holes of each zone unless another zone fills them (an enclave).

    The simplified commune outlines do not tile exactly, and a few communes have no outline:
    both leave holes inside a département that are not real.
    """
    tree = shapely.STRtree(geometries)
    filled = []
    for index, geometry in enumerate(geometries):
        parts = []
        for polygon in _polygons(geometry):
            kept = []
            for ring in polygon.interiors:
                hole = shapely.Polygon(ring)
                others = [j for j in tree.query(hole, predicate="intersects") if j != index]
                covered = sum(shapely.intersection(geometries[j], hole).area for j in others)
                if covered > 0.5 * hole.area:
                    kept.append(ring)
            parts.append(shapely.Polygon(polygon.exterior, kept))
        filled.append(parts[0] if len(parts) == 1 else shapely.MultiPolygon(parts))
    return filled


@functools.cache
def _departements_wgs84(geography_id: int) -> gpd.GeoDataFrame:
    geography = _GEOGRAPHIES[geography_id]
    communes = geography.communes[["code", "departement"]]
    boundaries = geography.geometry(communes["code"], crs="EPSG:4326")
    frame = pd.DataFrame({"departement": communes["departement"].to_numpy(),
                          "geometry": boundaries.to_numpy()})
    frame = frame.loc[frame["geometry"].notna() & ~shapely.is_empty(frame["geometry"].to_numpy())]
    rows = []
    for code, group in frame.groupby("departement", sort=True):
        rows.append((str(code), _union(group["geometry"].to_numpy())))
    names = geography.departements.set_index("code")
    rows = list(zip([r[0] for r in rows], _fill_holes([r[1] for r in rows]), strict=True))
    return gpd.GeoDataFrame(
        {
            "code": [r[0] for r in rows],
            "name": [str(names["name"].get(r[0], r[0])) for r in rows],
            "region": [str(names["region"].get(r[0], "")) for r in rows],
        },
        geometry=[r[1] for r in rows],
        crs="EPSG:4326",
    )


_GEOGRAPHIES: dict[int, Geography] = {}


def france_shapes(level: str = "departement", geography: Geography | None = None) -> gpd.GeoDataFrame:
    """Départements or régions of France: ``code, name, overseas, crs, geometry``.

    Each row's geometry is in its own projection (``crs`` column): Lambert-93 in metropolitan
    France, the official UTM projection overseas. The GeoDataFrame's own CRS is unset for that
    reason: draw metropolitan and overseas rows on separate axes.
    """
    geography = geography or Geography.embedded()
    _GEOGRAPHIES[id(geography)] = geography
    deps = _departements_wgs84(id(geography))
    if level == "region":
        regions = geography.regions.set_index("code")["name"]
        rows = []
        for code, group in deps.groupby("region", sort=True):
            rows.append((str(code), str(regions.get(code, code)), _union(group.geometry.to_numpy()),
                         OVERSEAS_REGIONS.get(str(code))))
        base = gpd.GeoDataFrame(
            {"code": [r[0] for r in rows], "name": [r[1] for r in rows],
             "departement": [r[3] for r in rows]},
            geometry=[r[2] for r in rows], crs="EPSG:4326",
        )
    else:
        base = deps.assign(departement=deps["code"])
    projected, crs_list, overseas = [], [], []
    for row in base.itertuples(index=False):
        dep = row.departement if isinstance(row.departement, str) else None
        is_overseas = dep in OVERSEAS
        crs = crs_for_departements([dep]) if is_overseas else LAMBERT_93
        geometry = gpd.GeoSeries([row.geometry], crs="EPSG:4326").to_crs(crs).iloc[0]
        tolerance = 300.0 if not is_overseas else 80.0
        projected.append(shapely.simplify(geometry, tolerance, preserve_topology=True))
        crs_list.append(crs)
        overseas.append(is_overseas)
    out = pd.DataFrame({"code": base["code"].to_numpy(), "name": base["name"].to_numpy(),
                        "overseas": overseas, "crs": crs_list,
                        "inset": [OVERSEAS.get(d) if isinstance(d, str) else None
                                  for d in base["departement"]]})
    return gpd.GeoDataFrame(out, geometry=projected)
