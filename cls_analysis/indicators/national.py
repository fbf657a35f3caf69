"""The national pass: the whole catalogue for every commune, EPCI, département and région of France.

Used for the ranges of the spine charts (where the territory stands among the départements),
for maps of France, and for the batch of a whole région. One aggregation of the commune
observations to every zone, then one computation of each indicator over all zones at once.
"""

from __future__ import annotations

import pandas as pd

from cls_analysis.geo.geography import Geography
from cls_analysis.territory import FRANCE_ZONES

__all__ = ["NationalZones", "TerritoryAndFrance", "aggregate_national", "compute_national", "compute_with_france",
           "national_classified_communes", "national_observation_parts"]


class NationalZones:
    """Every commune, EPCI, département and région of France, and France, as aggregation zones.

    It offers what aggregation needs of a territory (:meth:`zones`, ``geography``, ``code``,
    ``epcis``), so the same aggregation rules apply to the national pass.

    Parameters
    ----------
    geography : Geography, optional
        The embedded geography by default.
    levels : sequence of str
        Zone types to include among ``commune``, ``epci``, ``departement``, ``region``
        (France is always included).
    france : {'metropole', 'entiere'}
    regions : list of str, optional
        Only the communes, EPCIs, départements and régions of these régions (France stays
        whole): the pass for one région, as a batch of its EPCIs needs.
    """

    def __init__(self, geography: Geography | None = None,
                 levels=("commune", "epci", "departement", "region"), france: str = "metropole",
                 regions=None):
        self.geography = geography or Geography.embedded()
        self.levels = tuple(levels)
        self.regions = None if regions is None else {str(r).zfill(2) for r in regions}
        self.france = france
        self.code = FRANCE_ZONES[france][0]
        self.name = FRANCE_ZONES[france][1]
        self.epcis: list[str] = []
        self._zones: pd.DataFrame | None = None

    def zones(self) -> pd.DataFrame:
        """Membership ``zone_type, zone_code, zone_name, commune`` of every zone."""
        if self._zones is None:
            self._zones = self._build_zones()
        return self._zones

    def _build_zones(self) -> pd.DataFrame:
        communes = self.geography.communes
        if self.france == "metropole":
            communes = communes.loc[~communes["departement"].str.startswith("97")]
        everything = communes
        if self.regions is not None:
            communes = communes.loc[communes["region"].isin(self.regions)]
        parts = []
        if "commune" in self.levels:
            parts.append(pd.DataFrame({"zone_type": "commune", "zone_code": communes["code"],
                                       "zone_name": communes["name"], "commune": communes["code"]}))
        if "epci" in self.levels:
            from cls_analysis.territory import short_epci_name

            names = self.geography.epcis.set_index("code")["name"].map(short_epci_name)
            with_epci = communes.loc[communes["epci"].notna()]
            parts.append(pd.DataFrame({"zone_type": "epci", "zone_code": with_epci["epci"],
                                       "zone_name": with_epci["epci"].map(names), "commune": with_epci["code"]}))
        for level, table in (("departement", self.geography.departements), ("region", self.geography.regions)):
            if level in self.levels:
                names = table.set_index("code")["name"]
                parts.append(pd.DataFrame({"zone_type": level, "zone_code": communes[level],
                                           "zone_name": communes[level].map(names), "commune": communes["code"]}))
        parts.append(pd.DataFrame({"zone_type": "france", "zone_code": self.code, "zone_name": self.name,
                                   "commune": everything["code"]}))
        return pd.concat(parts, ignore_index=True).astype("string")


def aggregate_national(obs: pd.DataFrame, national: NationalZones) -> pd.DataFrame:
    """Observations of every zone of France, in one aggregation (rows not sorted).

    Every zone type is a partition of the communes, so the aggregation combines each type in
    one pass over the commune observations (see :func:`cls_analysis.observations.aggregate`).
    """
    from cls_analysis import observations

    out = observations.aggregate(obs, national, sort=False)
    out.attrs = {}
    return out


def national_observation_parts(obs: pd.DataFrame, national: NationalZones,
                               catalogue: pd.DataFrame | None = None) -> list[pd.DataFrame]:
    """:func:`aggregate_national` in two parts, as the engine takes them: the rows of the
    EPCIs, départements, régions and France, then those of every commune (without ``cog``).
    Their concatenation, which would copy tens of millions of rows once more, is not made.

    For the commune zones, the zero age bands of sparse measures that only standardised
    indicators of ``catalogue`` read by band (deaths: most communes have none in most bands)
    are left out when the same period and sex at all ages is written: the engine reads the
    band as zero (:func:`~cls_analysis.indicators.engine.implicit_zero_measures`). The
    results are the same, from half the rows.
    """
    from cls_analysis._parallel import can_fork, free_processors
    from cls_analysis.indicators.engine import PARALLEL_MIN_ZONES, implicit_zero_measures
    from cls_analysis.observations import _aggregate_parts

    # the communes here, the other zones in a second process when a processor is free (as the
    # engine shares the indicators: from as many zones)
    zone_count = len(national.zones().drop_duplicates(["zone_type", "zone_code"]))
    workers = min(2, free_processors()) if can_fork() and zone_count >= PARALLEL_MIN_ZONES else 1
    return _aggregate_parts(obs, national, implicit_zeros=implicit_zero_measures(catalogue), workers=workers)[0]


def compute_national(obs: pd.DataFrame, *, geography: Geography | None = None,
                     levels=("commune", "epci", "departement", "region"), france: str = "metropole",
                     regions=None, catalogue: pd.DataFrame | None = None, indicators=None,
                     workers: int | None = None) -> pd.DataFrame:
    """The results table for every zone of France (or of some régions) at the requested levels.

    Communes are protected by secondary suppression within their EPCI. ``workers``: see
    :func:`~cls_analysis.indicators.engine.compute_zone_results` (by default the indicators
    are shared with a second process when a processor is free).
    """
    from cls_analysis.indicators.engine import compute_zone_results

    national = NationalZones(geography, levels, france, regions)
    zones = national.zones()
    communes = national_classified_communes(obs, national, catalogue)
    # the zone observations are handed on, not kept here: the engine frees them when done
    return compute_zone_results(national_observation_parts(obs, national, catalogue), zones, catalogue=catalogue,
                                indicators=indicators, secondary_within=("epci",), commune_observations=communes,
                                workers=workers)


def national_classified_communes(obs: pd.DataFrame, national: NationalZones,
                                 catalogue: pd.DataFrame | None = None) -> pd.DataFrame | None:
    """The commune observations that ``share_below`` indicators need besides the zones' own.

    None when the pass has every commune of France as a zone (its zone observations hold every
    commune's value already); otherwise :func:`~cls_analysis.indicators.engine.classified_communes`.
    """
    from cls_analysis.indicators.engine import classified_communes

    if "commune" in national.levels and national.regions is None:
        return None
    return classified_communes(obs, national.geography, catalogue)


class TerritoryAndFrance:
    """A territory's zones plus every département and région of France, for one aggregation.

    The territory's comparators are among the départements and régions anyway: aggregating
    both sets at once costs one pass over the national observations instead of two. It offers
    what aggregation needs of a territory (``zones()``, ``geography``, ``code``, ``epcis``).
    """

    def __init__(self, territory, levels=("departement", "region")):
        self.territory = territory
        self.geography = territory.geography
        self.code = territory.code
        self.epcis = territory.epcis
        self.national = NationalZones(territory.geography, levels, territory.france)
        self._zones: pd.DataFrame | None = None

    def zones(self) -> pd.DataFrame:
        if self._zones is None:
            own = self.territory.zones()
            national = self.national.zones()
            known = set(zip(own["zone_type"], own["zone_code"], strict=True))
            extra = national.loc[[k not in known for k in zip(national["zone_type"], national["zone_code"], strict=True)]]
            self._zones = pd.concat([own, extra], ignore_index=True)
        return self._zones


def compute_with_france(obs: pd.DataFrame, territory, *, catalogue: pd.DataFrame | None = None,
                        indicators=None) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Results of a territory and of every département and région of France, in one pass.

    Returns ``(results, national, zone_observations)``: the territory's results (itself, its
    EPCIs and communes, its comparators), the results of the other départements and régions
    (ranges of the spine charts), and the aggregated observations of the territory's zones.
    """
    from cls_analysis import observations
    from cls_analysis.indicators.engine import classified_communes, compute_zone_results

    both = TerritoryAndFrance(territory)
    zones = both.zones()
    zobs = observations.aggregate(obs, both)
    communes = classified_communes(obs, territory.geography, catalogue)
    results = compute_zone_results(zobs, zones, catalogue=catalogue, indicators=indicators,
                                   secondary_within=("territory", "epci"), commune_observations=communes)
    own = territory.zones()[["zone_type", "zone_code"]].drop_duplicates()
    own_keys = set(zip(own["zone_type"], own["zone_code"], strict=True))
    mine = [k in own_keys for k in zip(results["zone_type"], results["zone_code"], strict=True)]
    mine_obs = [k in own_keys for k in zip(zobs["zone_type"], zobs["zone_code"], strict=True)]
    return (results.loc[mine].reset_index(drop=True), results.loc[[not m for m in mine]].reset_index(drop=True),
            zobs.loc[mine_obs].reset_index(drop=True))
