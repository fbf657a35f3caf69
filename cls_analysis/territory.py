"""The territory of a Contrat Local de Santé: its communes, comparators and geometry.

A CLS territory is one EPCI, several EPCIs (one CLS over two intercommunalities), or any list
of communes. It is always compared with its département(s), its région(s) and France.

>>> t = Territory.from_epci("200041499")
>>> t.name, len(t.communes), t.communes.crs.to_epsg()
('CC Aunis Atlantique', 20, 2154)
>>> t.comparators[["zone_type", "zone_code", "zone_name"]].values.tolist()
[['departement', '17', 'Charente-Maritime'], ['region', '75', 'Nouvelle-Aquitaine'], ['france', 'FRM', 'France métropolitaine']]
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from pathlib import Path

import geopandas as gpd
import pandas as pd

from cls_analysis.errors import ClsAnalysisError, TerritoryError
from cls_analysis.geo.codes import fold_text, normalize_siren
from cls_analysis.geo.geography import Geography, crs_for_departements

__all__ = ["COMPARATOR_LEVELS", "FRANCE_ZONES", "Territory", "short_epci_name"]

#: Comparator levels, in the order they are shown.
COMPARATOR_LEVELS = ("departement", "region", "france")
#: The two France comparators: code and name.
FRANCE_ZONES = {"metropole": ("FRM", "France métropolitaine"), "entiere": ("FR", "France entière")}

_LONG_NATURES = [
    ("communauté de communes", "CC"),
    ("communauté d'agglomération", "CA"),
    ("communauté urbaine", "CU"),
]


def short_epci_name(name: str) -> str:
    """Usual short form of an EPCI name.

    >>> short_epci_name("Communauté de communes Aunis Atlantique")
    'CC Aunis Atlantique'
    >>> short_epci_name("Communauté d'agglomération Royan Atlantique")
    'CA Royan Atlantique'
    >>> short_epci_name("Communauté de communes du Pays de Pontchâteau")
    'CC du Pays de Pontchâteau'
    """
    lowered = name.lower()
    for long, short in _LONG_NATURES:
        if lowered.startswith(long):
            return short + name[len(long) :]
    return name


class Territory:
    """A CLS territory resolved against a :class:`~cls_analysis.geo.geography.Geography`.

    Build it with :meth:`from_epci`, :meth:`from_communes` or :meth:`from_config`.

    Attributes
    ----------
    name : str
        Name shown in every output.
    code : str
        Zone code of the territory in observations and results: the SIREN of a single EPCI,
        the SIRENs joined by ``+`` for several, else a slug of the name.
    slug : str
        File-system name (``reports/<slug>/``).
    epcis : list of str
        SIRENs the territory was built from (empty for a commune list).
    geography : Geography
    france : {'metropole', 'entiere'}
        Which France is the national comparator.
    code_changes : DataFrame
        ``old_code, code`` for commune codes converted from another COG vintage.
    data_dir : Path or None
        Folder of the raw data files (from the configuration).
    """

    def __init__(
        self,
        communes: Sequence[str],
        *,
        name: str,
        geography: Geography | None = None,
        epcis: Sequence[str] = (),
        code: str | None = None,
        comparator_levels: Sequence[str] = COMPARATOR_LEVELS,
        france: str | None = None,
        code_changes: pd.DataFrame | None = None,
        data_dir: str | Path | None = None,
    ):
        self.geography = geography or Geography.embedded()
        codes = sorted(dict.fromkeys(communes))
        if not codes:
            raise TerritoryError(f"Le territoire « {name} » n'a aucune commune.")
        self._codes = codes
        self.name = name
        self.epcis = list(epcis)
        self.slug = fold_text(name).replace(" ", "_") or "territoire"
        self.code = code or ("+".join(self.epcis) if self.epcis else self.slug)
        unknown = [lvl for lvl in comparator_levels if lvl not in COMPARATOR_LEVELS]
        if unknown:
            raise TerritoryError(
                f"Niveau de comparaison inconnu : {', '.join(unknown)} ; niveaux possibles : "
                f"{', '.join(COMPARATOR_LEVELS)}."
            )
        self.comparator_levels = tuple(comparator_levels)
        table = self.geography.commune_table(codes)
        self._table = table
        self.crs = crs_for_departements(table["departement"])
        overseas = self.crs != "EPSG:2154"
        self.france = france or ("entiere" if overseas else "metropole")
        if self.france not in FRANCE_ZONES:
            raise TerritoryError(
                f"Valeur de « france » inconnue : {self.france!r} ; attendu « metropole » ou "
                "« entiere »."
            )
        if overseas and self.france == "metropole":
            raise TerritoryError(
                "Un territoire d'outre-mer ne peut pas être comparé à la France métropolitaine : "
                "choisissez france = \"entiere\"."
            )
        self.code_changes = (
            code_changes
            if code_changes is not None
            else pd.DataFrame(columns=["old_code", "code"], dtype="string")
        )
        self.data_dir = Path(data_dir) if data_dir is not None else None

    # ------------------------------------------------------------------ builders
    @classmethod
    def from_epci(
        cls,
        sirens: str | int | Iterable[str | int],
        name: str | None = None,
        *,
        geography: Geography | None = None,
        **options,
    ) -> Territory:
        """Territory of one EPCI or of several (one CLS over several intercommunalities).

        Parameters
        ----------
        sirens : str or list of str
            SIREN(s) of the EPCI(s).
        name : str, optional
            Name of the territory; by default the EPCI's short name (``CC …``), or the names
            joined by `` + ``.
        geography : Geography, optional
            Geography to resolve against; the embedded one (COG 2025) by default.
        **options
            ``comparator_levels``, ``france``, ``data_dir``, ``code``: see :class:`Territory`.

        Examples
        --------
        >>> t = Territory.from_epci(["200071629", "248500258"], name="CLS Nord-Ouest Vendée")
        >>> len(t.communes), t.code
        (16, '200071629+248500258')
        """
        geography = geography or Geography.embedded()
        if isinstance(sirens, (str, int)):
            sirens = [sirens]
        codes = [normalize_siren(s) for s in sirens]
        if not codes:
            raise TerritoryError("Aucun SIREN d'EPCI donné.")
        communes: list[str] = []
        for siren in codes:
            communes.extend(geography.epci_communes(siren))
        if name is None:
            name = " + ".join(short_epci_name(geography.epci_name(s)) for s in codes)
        return cls(communes, name=name, geography=geography, epcis=codes, **options)

    @classmethod
    def from_communes(
        cls,
        communes: Iterable[str | int],
        name: str,
        *,
        geography: Geography | None = None,
        **options,
    ) -> Territory:
        """Territory made of a list of communes (every problem of the list reported at once).

        Examples
        --------
        >>> Territory.from_communes(["17008", 17142], name="Deux communes").communes["name"].tolist()
        ['Andilly', 'Dompierre-sur-Mer']
        """
        geography = geography or Geography.embedded()
        codes, problems = [], []
        for value in communes:
            try:
                codes.append(geography.check_commune(value))
            except ClsAnalysisError as exc:
                problems.append(str(exc))
        if problems:
            raise TerritoryError(
                f"Territoire « {name} » : {len(problems)} code(s) commune à corriger :\n- "
                + "\n- ".join(problems)
            )
        return cls(codes, name=name, geography=geography, **options)

    @classmethod
    def from_config(cls, path: str | Path) -> Territory:
        """Territory described by a TOML file (see ``territoires/*.toml`` and the README).

        Examples
        --------
        >>> import tempfile, pathlib
        >>> folder = pathlib.Path(tempfile.mkdtemp())
        >>> _ = (folder / "t.toml").write_text('nom = "Aunis"\\nepci = ["200041499"]\\n', encoding="utf-8")
        >>> Territory.from_config(folder / "t.toml").name
        'Aunis'
        """
        from cls_analysis.config import territory_from_config

        return territory_from_config(path)

    # ------------------------------------------------------------------ content
    @functools.cached_property
    def communes(self) -> gpd.GeoDataFrame:
        """Communes: ``code, name, departement, region, epci, population, geometry``.

        ``population`` is that of the geography (:attr:`population_label` says which: the
        embedded one is the population municipale 2017).
        """
        table = self._table[["code", "name", "departement", "region", "epci", "population"]]
        geometry = self.geography.geometry(table["code"], crs=self.crs)
        frame = gpd.GeoDataFrame(
            table.reset_index(drop=True), geometry=geometry.to_numpy(), crs=self.crs
        )
        frame.attrs["population_label"] = self.population_label
        return frame

    @property
    def commune_codes(self) -> list[str]:
        """Codes of the communes, sorted."""
        return list(self._codes)

    @property
    def population_label(self) -> str:
        """What the ``population`` column is (kind and vintage)."""
        return self.geography.population_label

    @property
    def cog_year(self) -> int:
        """COG vintage of the commune codes."""
        return self.geography.cog_year

    @functools.cached_property
    def boundary(self) -> gpd.GeoSeries:
        """Outline of the territory (communes dissolved), in :attr:`crs`."""
        valid = self.communes.geometry[~self.communes.geometry.is_empty & self.communes.geometry.notna()]
        return gpd.GeoSeries([valid.union_all()], index=[self.code], crs=self.crs, name=self.name)

    @functools.cached_property
    def comparators(self) -> pd.DataFrame:
        """Comparator zones: ``zone_type, zone_code, zone_name, n_communes, communes``.

        All the départements and régions the territory touches, then France (métropolitaine
        or entière, see :attr:`france`); ``communes`` lists each zone's commune codes.
        """
        all_communes = self.geography.communes
        rows = []
        if "departement" in self.comparator_levels:
            for dep in sorted(set(self._table["departement"])):
                members = all_communes.loc[all_communes["departement"] == dep, "code"].tolist()
                rows.append(("departement", dep, self.geography.departement_name(dep), members))
        if "region" in self.comparator_levels:
            for reg in sorted(set(self._table["region"])):
                members = all_communes.loc[all_communes["region"] == reg, "code"].tolist()
                rows.append(("region", reg, self.geography.region_name(reg), members))
        if "france" in self.comparator_levels:
            code, label = FRANCE_ZONES[self.france]
            if self.france == "metropole":
                members = all_communes.loc[
                    ~all_communes["departement"].str.startswith("97"), "code"
                ].tolist()
            else:
                members = all_communes["code"].tolist()
            rows.append(("france", code, label, members))
        return pd.DataFrame(
            {
                "zone_type": [r[0] for r in rows],
                "zone_code": [r[1] for r in rows],
                "zone_name": [r[2] for r in rows],
                "n_communes": [len(r[3]) for r in rows],
                "communes": [r[3] for r in rows],
            }
        )

    def zones(self, include_comparators: bool = True) -> pd.DataFrame:
        """Membership of communes in every zone of the diagnostic (long table).

        Columns ``zone_type, zone_code, zone_name, commune``: the territory, each of its
        EPCIs when there are several, each of its communes, then each comparator. This is
        what observations are aggregated with (counts summed per zone).

        >>> z = Territory.from_epci("200041499").zones()
        >>> z.groupby("zone_type", sort=False).size().to_dict()
        {'territory': 20, 'commune': 20, 'departement': 462, 'region': 4293, 'france': 34746}
        """
        codes = self._codes
        names = self._table.set_index("code")["name"]
        parts = [
            pd.DataFrame(
                {"zone_type": "territory", "zone_code": self.code, "zone_name": self.name, "commune": codes}
            )
        ]
        if len(self.epcis) > 1:
            epci_of = self._table.set_index("code")["epci"]
            for siren in self.epcis:
                members = [c for c in codes if epci_of[c] == siren]
                parts.append(
                    pd.DataFrame(
                        {
                            "zone_type": "epci",
                            "zone_code": siren,
                            "zone_name": short_epci_name(self.geography.epci_name(siren)),
                            "commune": members,
                        }
                    )
                )
        parts.append(
            pd.DataFrame(
                {
                    "zone_type": "commune",
                    "zone_code": codes,
                    "zone_name": [names[c] for c in codes],
                    "commune": codes,
                }
            )
        )
        if include_comparators:
            for row in self.comparators.itertuples(index=False):
                parts.append(
                    pd.DataFrame(
                        {
                            "zone_type": row.zone_type,
                            "zone_code": row.zone_code,
                            "zone_name": row.zone_name,
                            "commune": row.communes,
                        }
                    )
                )
        return pd.concat(parts, ignore_index=True).astype("string")

    def summary_table(self) -> pd.DataFrame:
        """The territory, its communes and its comparators, as a table for users (French headers).

        The population column is named by :attr:`population_label` (kind and vintage).
        """
        communes = self.communes
        label = self.population_label
        population = self.geography.communes.set_index("code")["population"]
        head = pd.DataFrame({
            "Niveau": ["Territoire"], "Code": [self.code], "Nom": [self.name],
            "Département": [", ".join(sorted(set(communes["departement"])))],
            "EPCI": [", ".join(self.epcis)], "Nombre de communes": [len(communes)],
            label: [communes["population"].sum(min_count=1)],
        })
        rows = pd.DataFrame({
            "Niveau": "Commune", "Code": communes["code"], "Nom": communes["name"],
            "Département": communes["departement"], "EPCI": communes["epci"],
            "Nombre de communes": 1, label: communes["population"],
        })
        levels = {"departement": "Département", "region": "Région", "france": "France"}
        comparators = pd.DataFrame({
            "Niveau": self.comparators["zone_type"].map(levels),
            "Code": self.comparators["zone_code"], "Nom": self.comparators["zone_name"],
            "Département": "", "EPCI": "", "Nombre de communes": self.comparators["n_communes"],
            label: [population.reindex(codes).sum(min_count=1) for codes in self.comparators["communes"]],
        })
        return pd.concat([head, rows, comparators], ignore_index=True)

    def neighbours(self, distance: float = 5_000) -> gpd.GeoDataFrame:
        """Communes outside the territory within ``distance`` metres of it, for map context."""
        outline = self.boundary.iloc[0]
        near = self.geography.communes_near(outline, distance, crs=self.crs)
        outside = [c for c in near if c not in set(self._codes)]
        table = self.geography.commune_table(outside)[["code", "name", "departement", "population"]]
        geometry = self.geography.geometry(outside, crs=self.crs)
        return gpd.GeoDataFrame(table, geometry=geometry.to_numpy(), crs=self.crs)

    def convert_to(self, geography: Geography, passage: pd.DataFrame | None = None) -> Territory:
        """The same territory with its commune codes converted to another COG vintage.

        Former codes go through ``passage`` (``old_code, code``: an INSEE table de passage read
        with :func:`~cls_analysis.geo.insee.read_table_passage`) or, by default, ``geography``'s
        own links (communes déléguées → communes nouvelles); :attr:`code_changes` records each
        conversion.

        Examples
        --------
        A commune list in COG 2024 with Saraz (merged on 1 January 2025):

        >>> t = Territory.from_communes(["25223"], name="x")
        >>> t.code_changes.empty
        True
        """
        mapping = geography.convert_codes(self._codes, passage)
        changes = mapping.loc[mapping["changed"], ["old_code", "code"]].reset_index(drop=True)
        return Territory(
            mapping["code"].tolist(),
            name=self.name,
            geography=geography,
            epcis=self.epcis,
            code=self.code,
            comparator_levels=self.comparator_levels,
            france=self.france,
            code_changes=changes.astype("string"),
            data_dir=self.data_dir,
        )

    def __repr__(self) -> str:
        return (
            f"Territory({self.name!r}, code={self.code!r}, communes={len(self._codes)}, "
            f"COG {self.cog_year})"
        )
