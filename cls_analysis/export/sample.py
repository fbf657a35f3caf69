"""A small synthetic diagnostic (results, figures, report) to try the writers without data.

Used by the export tests and ``benchmarks/bench_export.py``; handy in a notebook to preview an
annex. Every value is fictitious and the report says so (``demo=True``).

>>> results = sample_results()
>>> sorted(results["status"].unique())
['missing', 'ok', 'suppressed', 'zero']
>>> results.groupby("indicator").size().to_dict()["apl_mg"]
7
"""

from __future__ import annotations

import datetime as _dt
import math
from pathlib import Path

import numpy as np
import pandas as pd

from cls_analysis._atomic import atomic_path
from cls_analysis.export.report import Chapter, Figure, KeyFigure, Note, Report, Table, Text
from cls_analysis.indicators.catalogue import load_catalogue
from cls_analysis.viz.fmt import format_value

__all__ = ["SAMPLE_ZONES", "sample_figures", "sample_report", "sample_results"]

#: Zones of the synthetic territory (CC Aunis Atlantique and three of its communes).
SAMPLE_ZONES = [
    ("territory", "200041499", "CC Aunis Atlantique"),
    ("commune", "17008", "Andilly"),
    ("commune", "17200", "Marans"),
    ("commune", "17472", "Saint-Sauveur-d'Aunis"),
    ("departement", "17", "Charente-Maritime"),
    ("region", "75", "Nouvelle-Aquitaine"),
    ("france", "FRM", "France métropolitaine"),
]
_PERIODS = {"pop_municipale": "2021", "part_75p": "2021", "taux_pauvrete": "2021",
            "mort_prematuree_icm": "2019-2023", "apl_mg": "2023"}
_BASE = {"pop_municipale": None, "part_75p": 10.2, "taux_pauvrete": 11.8,
         "mort_prematuree_icm": 100.0, "apl_mg": 3.4}
_POPULATION = {"200041499": 31_250, "17008": 2_410, "17200": 4_702, "17472": 1_630,
               "17": 657_500, "75": 6_033_950, "FRM": 65_505_213}
_COMPARISON_BY_POLARITY = {
    ("+", "higher"): "better", ("+", "lower"): "worse",
    ("-", "higher"): "worse", ("-", "lower"): "better",
}


def sample_results(seed: int = 2026, extra_communes: int = 0) -> pd.DataFrame:
    """A results table (``docs/contracts.md``) for the five first catalogue indicators.

    Marans's premature mortality is suppressed (4 deaths), Andilly's poverty rate is missing
    (not published by Insee), Saint-Sauveur-d'Aunis has a true zero for a count. ``extra_communes``
    adds fictitious communes (for the benchmark).
    """
    rng = np.random.default_rng(seed)
    catalogue = load_catalogue().set_index("id")
    zones = list(SAMPLE_ZONES)
    population = dict(_POPULATION)
    for number in range(extra_communes):
        code = f"17{900 + number:03d}"
        zones.insert(4 + number, ("commune", code, f"Commune fictive {number + 1}"))
        population[code] = int(rng.integers(150, 5000))
    rows = []
    for indicator in _PERIODS:
        meta = catalogue.loc[indicator]
        polarity = str(meta["polarity"])
        for zone_type, code, name in zones:
            pop = population[code]
            row = {
                "indicator": indicator, "zone_type": zone_type, "zone_code": code,
                "zone_name": name, "period": _PERIODS[indicator], "sex": "all",
                "numerator": math.nan, "denominator": math.nan, "value": math.nan,
                "lower_ci": math.nan, "upper_ci": math.nan, "confidence": 0.95,
                "statistic": meta["statistic"], "method": "", "unit": meta["unit"] or "",
                "comparator": "France métropolitaine", "comparison": "not compared",
                "assessment": "not judged", "status": "ok", "note": "",
            }
            if indicator == "pop_municipale":
                row.update(numerator=float(pop), value=float(pop), method="somme")
            elif indicator == "part_75p":
                share = _BASE[indicator] * rng.uniform(0.8, 1.3)
                numerator = round(pop * share / 100)
                row.update(numerator=float(numerator), denominator=float(pop),
                           value=100 * numerator / pop, method="Wilson")
                half = 196 * math.sqrt(share / 100 * (1 - share / 100) / pop)
                row.update(lower_ci=row["value"] - half, upper_ci=row["value"] + half)
            elif indicator == "taux_pauvrete":
                row.update(value=_BASE[indicator] * rng.uniform(0.7, 1.4), method="lu")
            elif indicator == "mort_prematuree_icm":
                expected = pop * 0.0011 * 5
                observed = round(expected * rng.uniform(0.8, 1.25))
                value = 100 * observed / expected
                half = 196 * math.sqrt(max(observed, 1)) / expected
                row.update(numerator=float(observed), denominator=round(expected, 1), value=value,
                           lower_ci=max(value - half, 0.0), upper_ci=value + half, method="Byar")
            elif indicator == "apl_mg":
                value = _BASE[indicator] * rng.uniform(0.6, 1.2)
                row.update(value=value, lower_ci=math.nan, upper_ci=math.nan, method="moyenne pondérée")
            if zone_type == "france":
                row.update(comparator="", comparison="not compared")
                if indicator == "mort_prematuree_icm":
                    row.update(value=100.0, lower_ci=99.7, upper_ci=100.3,
                               numerator=row["denominator"])
            rows.append(row)
    results = pd.DataFrame(rows)
    # comparison with France from the confidence interval, assessment from the polarity
    for indicator, group in results.groupby("indicator"):
        polarity = str(catalogue.loc[indicator, "polarity"])
        france = group.loc[group["zone_type"] == "france", "value"].iloc[0]
        for index, row in group[group["zone_type"] != "france"].iterrows():
            if math.isnan(row["lower_ci"]):
                continue
            comparison = ("higher" if row["lower_ci"] > france
                          else "lower" if row["upper_ci"] < france else "similar")
            assessment = _COMPARISON_BY_POLARITY.get((polarity, comparison), "not judged")
            if comparison == "similar" and polarity != "0":
                assessment = "similar"
            results.loc[index, ["comparison", "assessment"]] = [comparison, assessment]
    # the four statuses
    suppressed = (results["indicator"] == "mort_prematuree_icm") & (results["zone_code"] == "17200")
    results.loc[suppressed, ["numerator", "value", "lower_ci", "upper_ci"]] = [4.0, np.nan, np.nan, np.nan]
    results.loc[suppressed, ["status", "comparison", "assessment", "note"]] = [
        "suppressed", "not compared", "not judged", "moins de 10 décès sur la période"]
    missing = (results["indicator"] == "taux_pauvrete") & (results["zone_code"] == "17008")
    results.loc[missing, ["value", "status", "comparison", "assessment", "note"]] = [
        np.nan, "missing", "not compared", "not judged", "non publié par l'Insee (moins de 1 000 ménages)"]
    zero = (results["indicator"] == "part_75p") & (results["zone_code"] == "17472")
    results.loc[zero, ["numerator", "value", "lower_ci", "upper_ci", "status", "comparison",
                       "assessment"]] = [0.0, 0.0, 0.0, 0.24, "zero", "lower", "not judged"]
    # the territory's APL is judged worse than France (the usual finding of a rural CLS)
    territory_apl = (results["indicator"] == "apl_mg") & (results["zone_type"] == "territory")
    results.loc[territory_apl, ["value", "comparison", "assessment"]] = [2.61, "lower", "worse"]
    return results


def sample_figures(directory: str | Path, results: pd.DataFrame | None = None) -> dict[str, Figure]:
    """Draw three figures (CI bars, a small choropleth of squares, a histogram) in PNG and SVG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Polygon

    from cls_analysis.viz.fmt import tick_formatter
    from cls_analysis.viz.theme import PALETTE, add_footer, apply_theme

    apply_theme()
    results = sample_results() if results is None else results
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    figures = {}

    def save(fig, name: str) -> tuple[Path, Path]:
        paths = []
        for extension in ("png", "svg"):
            path = out / f"{name}.{extension}"
            with atomic_path(path) as tmp:
                fig.savefig(tmp, format=extension, dpi=110)
            paths.append(path)
        plt.close(fig)
        return paths[0], paths[1]

    # 1. ICM with confidence intervals
    icm = results[(results["indicator"] == "mort_prematuree_icm")]
    fig, ax = plt.subplots(figsize=(8, 4.5))
    fig.subplots_adjust(left=0.3, bottom=0.2)
    labels, values, errors, colours = [], [], [], []
    for record in icm.itertuples():
        labels.append(record.zone_name)
        ok = record.status == "ok"
        values.append(record.value if ok else 0)
        errors.append([record.value - record.lower_ci, record.upper_ci - record.value] if ok else [0, 0])
        colours.append(PALETTE.get(record.zone_type, PALETTE["commune"]) if ok else PALETTE["suppressed"])
    y = np.arange(len(labels))[::-1]
    ax.barh(y, values, color=colours, xerr=np.array(errors).T, ecolor="#333333", capsize=3)
    for position, record in zip(y, icm.itertuples(), strict=True):
        if record.status != "ok":
            ax.text(2, position, "secret statistique", va="center", fontsize=8, color="#333333")
    ax.axvline(100, color="#1a1a1a", linewidth=1, linestyle="--")
    ax.set_yticks(y, labels)
    ax.xaxis.set_major_formatter(tick_formatter(0))
    ax.set_title("Mortalité prématurée (France = 100)")
    add_footer(fig, "Inserm-CépiDc, Insee RP, 2019-2023", demo=True)
    png, svg = save(fig, "icm_ic")
    figures["icm"] = Figure(png, svg, "Mortalité prématurée (avant 65 ans), 2019-2023 : indice "
                            "comparatif et intervalle de confiance à 95 %",
                            "Inserm-CépiDc ; Insee, RP – 2019-2023",
                            "Barres horizontales de l'indice comparatif de mortalité prématurée "
                            "par zone, avec leur intervalle de confiance ; Marans est en secret "
                            "statistique.")

    # 2. a small "map": communes drawn as polygons, coloured by the share of 75+
    share = results[(results["indicator"] == "part_75p") & (results["zone_type"] == "commune")]
    fig, ax = plt.subplots(figsize=(7, 5))
    fig.subplots_adjust(bottom=0.12)
    cmap = plt.get_cmap("Blues")
    for position, record in enumerate(share.itertuples()):
        x0 = (position % 3) * 1.1
        y0 = (position // 3) * 1.1
        polygon = Polygon([(x0, y0), (x0 + 1, y0 + 0.1), (x0 + 0.9, y0 + 1), (x0 - 0.05, y0 + 0.9)],
                          facecolor=cmap(0.2 + record.value / 20), edgecolor="white")
        ax.add_patch(polygon)
        ax.text(x0 + 0.47, y0 + 0.5, f"{record.zone_name}\n{format_value(record.value, '%')}",
                ha="center", va="center", fontsize=8)
    ax.set_xlim(-0.2, 3.4)
    ax.set_ylim(-0.2, 1.4 + 1.1 * (len(share) // 3))
    ax.set_aspect("equal")
    ax.set_axis_off()
    ax.set_title("Part des 75 ans et plus par commune")
    add_footer(fig, "Insee, RP 2021", demo=True)
    png, svg = save(fig, "carte_75p")
    figures["carte"] = Figure(png, svg, "Part des 75 ans et plus par commune en 2021",
                              "Insee, RP 2021", "Carte des communes colorées selon la part des "
                              "75 ans et plus, de 0 % à 13 %.")

    # 3. APL of the zones (PNG only: the writers fall back on it)
    apl = results[results["indicator"] == "apl_mg"]
    fig, ax = plt.subplots(figsize=(8, 4.5))
    fig.subplots_adjust(bottom=0.3)
    ax.bar(range(len(apl)), apl["value"], color=[PALETTE.get(z, PALETTE["commune"]) for z in apl["zone_type"]])
    ax.set_xticks(range(len(apl)), apl["zone_name"], rotation=25, ha="right", fontsize=8)
    ax.yaxis.set_major_formatter(tick_formatter(1))
    ax.set_title("Accessibilité potentielle localisée aux médecins généralistes")
    add_footer(fig, "DREES, APL 2023", demo=True)
    path = out / "apl_mg.png"
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=110)
    plt.close(fig)
    figures["apl"] = Figure(path, None, "APL aux médecins généralistes en 2023 "
                            "(consultations accessibles par habitant et par an)", "DREES, APL 2023",
                            "Diagramme en barres de l'APL par zone : le territoire est sous la "
                            "moyenne de la France métropolitaine.")
    return figures


def _zone_table(results: pd.DataFrame, indicator: str, decimals: int) -> Table:
    rows = results[results["indicator"] == indicator]
    frame = pd.DataFrame({
        "Zone": rows["zone_name"].to_numpy(),
        "Valeur": [v if s in {"ok", "zero"} else ("secret statistique" if s == "suppressed"
                                                   else "non disponible")
                   for v, s in zip(rows["value"], rows["status"], strict=True)],
        "Borne basse IC 95 %": rows["lower_ci"].where(rows["status"].isin(["ok", "zero"])).to_numpy(),
        "Borne haute IC 95 %": rows["upper_ci"].where(rows["status"].isin(["ok", "zero"])).to_numpy(),
    })
    return Table(frame, caption="", source="", number_formats={
        "Valeur": decimals, "Borne basse IC 95 %": decimals, "Borne haute IC 95 %": decimals})


def sample_report(directory: str | Path, results: pd.DataFrame | None = None, *,
                  date: _dt.date = _dt.date(2026, 11, 23)) -> Report:
    """A demo :class:`Report` with three chapters, figures saved under ``directory``."""
    results = sample_results() if results is None else results
    figures = sample_figures(directory, results)
    share = _zone_table(results, "part_75p", 1)
    share.caption, share.source = "Part des 75 ans et plus (%) par zone en 2021", "Insee, RP 2021"
    icm = _zone_table(results, "mort_prematuree_icm", 1)
    icm.caption = "Mortalité prématurée, indice comparatif (France = 100), 2019-2023"
    icm.source = "Inserm-CépiDc ; Insee, RP"
    population = results[(results["indicator"] == "pop_municipale")]
    pop_table = Table(
        pd.DataFrame({"Zone": population["zone_name"].to_numpy(),
                      "Population municipale": population["value"].to_numpy()}),
        caption="Population municipale en 2021", source="Insee, RP 2021",
    )
    territory = results[results["zone_type"] == "territory"].set_index("indicator")
    france = results[results["zone_type"] == "france"].set_index("indicator")
    chapters = [
        Chapter("population", "Population et modes de vie", [
            KeyFigure("Habitants en 2021", format_value(territory.at["pop_municipale", "value"], None, 0),
                      "20 communes", "Insee, RP 2021"),
            KeyFigure("Part des 75 ans et plus", format_value(territory.at["part_75p", "value"], "%"),
                      f"France métropolitaine : {format_value(france.at['part_75p', 'value'], '%')}",
                      "Insee, RP 2021", "not judged"),
            Text("Le territoire compte **31 250 habitants** répartis dans 20 communes. "
                 "La population est *plutôt jeune*, mais vieillit.\n\n"
                 "### Points d'attention\n- la part des 75 ans et plus progresse ;\n"
                 "- les communes du marais sont les plus âgées."),
            figures["carte"],
            pop_table,
            share,
        ]),
        Chapter("etat_de_sante", "État de santé", [
            KeyFigure("Mortalité prématurée (ICM)", format_value(territory.at["mort_prematuree_icm", "value"], None, 0),
                      "France = 100 ; écart non significatif", "Inserm-CépiDc ; Insee, RP", "similar"),
            Text("La mortalité avant 65 ans ne se distingue pas de celle de la France. "
                 "À Marans, l'effectif est trop faible pour être diffusé."),
            figures["icm"],
            icm,
        ]),
        Chapter("offre_et_recours", "Offre et recours aux soins, prévention", [
            KeyFigure("APL aux médecins généralistes", format_value(2.61, None, 2),
                      f"France métropolitaine : {format_value(france.at['apl_mg', 'value'], None, 2)}",
                      "DREES, APL 2023", "worse"),
            Text("L'accessibilité aux médecins généralistes est **plus faible** qu'en France."),
            figures["apl"],
        ]),
    ]
    notes = [
        Note("Indice comparatif de mortalité", "Décès observés rapportés aux décès attendus avec les "
             "taux par âge et sexe de la France ; intervalle de confiance de Byar.", "Méthode"),
        Note("Secret statistique", "Résultats calculés sur moins de 10 cas non diffusés.", "Seuils"),
        Note("Millésimes", "Recensement 2021 (COG 2024) ; décès 2019-2023 ; APL 2023.", "Millésimes"),
    ]
    sources = pd.DataFrame({
        "Source": ["Recensement de la population", "Statistiques des causes de décès",
                   "Accessibilité potentielle localisée"],
        "Producteur": ["Insee", "Inserm-CépiDc", "DREES"],
        "Millésime": ["2021", "2019-2023", "2023"],
    })
    return Report(
        title="Diagnostic local de santé", territory_name="CC Aunis Atlantique",
        subtitle="Contrat local de santé 2027-2031 – annexe statistique", date=date,
        author="Observatoire régional de la santé (exemple)", demo=True, chapters=chapters,
        notes=notes, sources=sources,
        missing=["Taux de pauvreté d'Andilly : non publié par l'Insee (moins de 1 000 ménages).",
                 "Enquête auprès des habitants : pas encore réalisée."],
    )
