"""Build the diagnostic of a territory: tables, figures and annexes under ``reports/<territoire>/``.

Every file is written atomically, so an interrupted build leaves the previous outputs intact.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd

from cls_analysis._atomic import atomic_path
from cls_analysis.export.csv import write_csv_fr
from cls_analysis.territory import Territory
from cls_analysis.viz.maps import commune_map

__all__ = ["BuildResult", "DEMO_EPCI", "build", "build_demo", "territory_table"]

#: The demo territory: CC Aunis Atlantique (Charente-Maritime), 20 communes.
DEMO_EPCI = "200041499"


@dataclass
class BuildResult:
    """What a build wrote."""

    territory: Territory
    output_dir: Path
    files: list[Path] = field(default_factory=list)


def territory_table(territory: Territory) -> pd.DataFrame:
    """The communes and comparators of a territory, as a table for users (French headers)."""
    communes = territory.communes
    rows = pd.DataFrame(
        {
            "Niveau": "Commune",
            "Code": communes["code"],
            "Nom": communes["name"],
            "Département": communes["departement"],
            "EPCI": communes["epci"],
            "Nombre de communes": 1,
            territory.population_label: communes["population"],
        }
    )
    head = pd.DataFrame(
        {
            "Niveau": ["Territoire"],
            "Code": [territory.code],
            "Nom": [territory.name],
            "Département": [", ".join(sorted(set(communes["departement"])))],
            "EPCI": [", ".join(territory.epcis)],
            "Nombre de communes": [len(communes)],
            territory.population_label: [communes["population"].sum(min_count=1)],
        }
    )
    population = territory.geography.communes.set_index("code")["population"]
    levels = {"departement": "Département", "region": "Région", "france": "France"}
    comparators = pd.DataFrame(
        {
            "Niveau": territory.comparators["zone_type"].map(levels),
            "Code": territory.comparators["zone_code"],
            "Nom": territory.comparators["zone_name"],
            "Département": "",
            "EPCI": "",
            "Nombre de communes": territory.comparators["n_communes"],
            territory.population_label: [
                population.reindex(codes).sum(min_count=1) for codes in territory.comparators["communes"]
            ],
        }
    )
    return pd.concat([head, rows, comparators], ignore_index=True)


def _save_figure(fig, target: Path, formats=("png", "svg")) -> list[Path]:
    written = []
    for extension in formats:
        path = target.with_suffix(f".{extension}")
        with atomic_path(path) as tmp:
            fig.savefig(tmp, format=extension, dpi=150)
        written.append(path)
    plt.close(fig)
    return written


def build(territory: Territory, output_dir: str | Path, *, demo: bool = False) -> BuildResult:
    """Build the outputs of a territory into ``output_dir``.

    Writes ``territoire_communes.csv`` (communes and comparators, CSV for French Excel) and
    ``figures/carte_communes.{png,svg}``.
    """
    out = Path(output_dir)
    result = BuildResult(territory=territory, output_dir=out)
    table = territory_table(territory)
    result.files.append(write_csv_fr(table, out / "donnees" / "territoire_communes.csv"))
    fig = commune_map(territory, demo=demo)
    result.files.extend(_save_figure(fig, out / "figures" / "carte_communes"))
    return result


def build_demo(output_dir: str | Path = "reports/demo") -> BuildResult:
    """Build the demo diagnostic (CC Aunis Atlantique) into ``output_dir``."""
    territory = Territory.from_epci(DEMO_EPCI)
    return build(territory, output_dir, demo=True)
