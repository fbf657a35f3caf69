"""The ``cls-analysis`` command (messages in French).

::

    cls-analysis territoires "aunis"            # find an EPCI's SIREN by its name
    cls-analysis build territoires/aunis.toml   # build a territory's diagnostic
    cls-analysis build --epci 200041499
    cls-analysis build --demo                   # what `make demo` runs
    cls-analysis batch --region 75 --data data/raw  # every EPCI of a région, in parallel, resumable
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
        if args.config or args.epci:
            raise ClsAnalysisError("--demo construit la démonstration (CC Aunis Atlantique) : sans fichier ni --epci.")
        output = Path(args.sortie or "reports/demo")
        result = pipeline.build_demo(output, progress=not args.silencieux)
    else:
        territory = _territory_from_args(args)
        output = Path(args.sortie or Path("reports") / territory.slug)
        result = pipeline.build(territory, output, data_dir=args.data, compare_with=args.compare_with,
                                progress=not args.silencieux)
    print(f"Diagnostic de « {result.territory.name} » écrit dans {result.output_dir}/ "
          f"en {result.seconds:.0f} s :")
    for path in result.files:
        relative = path.relative_to(result.output_dir)
        if len(relative.parts) == 1:
            print(f"  {relative}")
    print("  figures/, donnees/, notebooks/")
    if result.missing:
        print(f"\nÀ compléter ({len(result.missing)}), également signalé dans le rapport :")
        for line in result.missing:
            print(f"  - {line}")
    return 0


def _cmd_batch(args: argparse.Namespace) -> int:
    from cls_analysis import pipeline
    from cls_analysis.geo.codes import normalize_departement_code
    from cls_analysis.geo.geography import Geography

    geography = Geography.embedded()
    communes = geography.communes
    if args.region:
        region = str(args.region).zfill(2)
        if region not in set(geography.regions["code"]):
            raise ClsAnalysisError(f"Région inconnue : « {args.region} » (codes : {', '.join(geography.regions['code'])}).")
        members = communes.loc[communes["region"] == region]
        where = geography.region_name(region)
    elif args.departement:
        dep = normalize_departement_code(args.departement)
        members = communes.loc[communes["departement"] == dep]
        where = geography.departement_name(dep)
    else:
        raise ClsAnalysisError("Indiquez --region CODE ou --departement CODE (ex. --region 75).")
    sirens = sorted(members["epci"].dropna().unique())
    if args.max:
        sirens = sirens[: args.max]
    if not args.demo and not args.data:
        raise ClsAnalysisError("Indiquez le dossier des données (--data data/raw) ou --demo.")
    print(f"{len(sirens)} EPCI ({where}) : construction dans {args.sortie}/ …")
    summary = pipeline.batch(sirens, args.sortie, data_dir=args.data, demo=args.demo, force=args.force,
                             workers=args.processus, progress=not args.silencieux)
    counts = summary["statut"].value_counts()
    print(", ".join(f"{n} {status}" for status, n in counts.items()))
    print(f"Synthèse : {Path(args.sortie) / 'synthese_batch.csv'}")
    for row in summary.loc[summary["statut"] == "échec"].itertuples():
        print(f"  échec {row.siren} {row.territoire} : {row.message.splitlines()[-1] if row.message else ''}")
    return 0 if "échec" not in counts else 1


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
    build.add_argument("--data", help="dossier des fichiers de données (défaut : celui du fichier du territoire)")
    build.add_argument("--compare-with", dest="compare_with", metavar="DOSSIER",
                       help="édition précédente à mettre en regard (suivi et évaluation du contrat)")
    build.add_argument("--silencieux", action="store_true", help="sans barre de progression")
    build.set_defaults(func=_cmd_build)

    many = commands.add_parser("batch", help="construire les diagnostics de tous les EPCI d'une région ou d'un département")
    many.add_argument("--region", help="code de la région (ex. 75 : Nouvelle-Aquitaine)")
    many.add_argument("--departement", help="code du département (ex. 17)")
    many.add_argument("--data", help="dossier des fichiers de données")
    many.add_argument("--demo", action="store_true", help="données fictives de démonstration")
    many.add_argument("--sortie", default="reports", help="dossier racine des sorties (défaut : reports/)")
    many.add_argument("--force", action="store_true", help="reconstruire les territoires déjà construits")
    many.add_argument("--processus", type=int, default=None, help="nombre de territoires construits en parallèle")
    many.add_argument("--max", type=int, default=None, help="au plus ce nombre d'EPCI (essai)")
    many.add_argument("--silencieux", action="store_true", help="sans barre de progression")
    many.set_defaults(func=_cmd_batch)

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
