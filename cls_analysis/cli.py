"""The ``cls-analysis`` command (messages in French).

::

    cls-analysis territoires "aunis"            # find an EPCI's SIREN by its name
    cls-analysis build territoires/aunis.toml   # build a territory's diagnostic
    cls-analysis build --epci 200041499
    cls-analysis build --demo                   # what `make demo` runs
    cls-analysis verifier data/raw/             # what each data file is, and its problems
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cls_analysis.errors import ClsAnalysisError

__all__ = ["main"]


def _cmd_territoires(args: argparse.Namespace) -> int:
    from cls_analysis.geo.geography import Geography

    found = Geography.embedded().search_epci(args.recherche)
    if found.empty:
        print(f"Aucun EPCI dont le nom contient « {args.recherche} ».")
        return 1
    width = max(len(n) for n in found["name"])
    print(f"{'SIREN':<10} {'Nom':<{width}} {'Communes':>8}  Département(s)")
    for row in found.itertuples(index=False):
        print(f"{row.siren:<10} {row.name:<{width}} {row.n_communes:>8}  {row.departements}")
    print(f"\n{len(found)} EPCI trouvé(s) (COG 2025, géographie intégrée).")
    return 0


def _territory_from_args(args: argparse.Namespace):
    from cls_analysis.territory import Territory

    if args.config and args.epci:
        raise ClsAnalysisError("Donnez soit un fichier de configuration, soit --epci, pas les deux.")
    if args.config:
        return Territory.from_config(args.config)
    if args.epci:
        return Territory.from_epci(args.epci, name=args.nom)
    raise ClsAnalysisError(
        "Indiquez le territoire : un fichier de configuration (territoires/….toml), "
        "--epci SIREN, ou --demo."
    )


def _cmd_build(args: argparse.Namespace) -> int:
    from cls_analysis import pipeline

    if args.demo:
        output = Path(args.sortie or "reports/demo")
        result = pipeline.build_demo(output)
    else:
        territory = _territory_from_args(args)
        output = Path(args.sortie or Path("reports") / territory.slug)
        result = pipeline.build(territory, output)
    print(f"Diagnostic de « {result.territory.name} » écrit dans {result.output_dir}/ :")
    for path in result.files:
        print(f"  {path.relative_to(result.output_dir)}")
    return 0


def _cmd_verifier(args: argparse.Namespace) -> int:
    from cls_analysis.sources.folder import format_report, read_folder

    obs = read_folder(args.dossier, recursive=args.recursif)
    report = obs.attrs["report"]
    print(format_report(report))
    return 0 if report.ok else 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cls-analysis",
        description="Diagnostic local de santé pour les Contrats Locaux de Santé.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="commande")

    search = commands.add_parser("territoires", help="chercher un EPCI par son nom (SIREN, communes)")
    search.add_argument("recherche", help="mot(s) du nom de l'EPCI ; accents et casse ignorés")
    search.set_defaults(func=_cmd_territoires)

    build = commands.add_parser("build", help="construire le diagnostic d'un territoire")
    build.add_argument("config", nargs="?", help="fichier de configuration du territoire (.toml)")
    build.add_argument("--epci", nargs="+", help="SIREN du ou des EPCI")
    build.add_argument("--nom", help="nom du territoire (avec --epci)")
    build.add_argument("--demo", action="store_true", help="diagnostic de démonstration (CC Aunis Atlantique)")
    build.add_argument("--sortie", help="dossier de sortie (défaut : reports/<territoire>/)")
    build.set_defaults(func=_cmd_build)

    check = commands.add_parser(
        "verifier", help="vérifier les fichiers de données d'un dossier (reconnaissance, millésimes, problèmes)"
    )
    check.add_argument("dossier", help="dossier des fichiers de données (ex. data/raw/)")
    check.add_argument("--recursif", action="store_true", help="lire aussi les sous-dossiers")
    check.set_defaults(func=_cmd_verifier)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``cls-analysis``; returns the exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except ClsAnalysisError as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
