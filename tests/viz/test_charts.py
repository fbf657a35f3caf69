"""Charts: pyramid, comparison bars, spine chart (range rule), trends; bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cls_analysis import viz
from cls_analysis.errors import ClsAnalysisError

from .conftest import make_results

NBSP, NNBSP = "\u00a0", "\u202f"


def texts(ax) -> list[str]:
    return [t.get_text() for t in ax.texts]


def test_pyramid_shares_and_comparator(demo_observations, territory):
    ax = viz.pyramid(demo_observations, territory, comparator="departement")
    from matplotlib.patches import Rectangle

    bars = [p for p in ax.patches if isinstance(p, Rectangle)]
    shares = [abs(p.get_width()) for p in bars]
    assert sum(shares) == pytest.approx(100.0)  # percent of the whole population, both sexes
    assert len(bars) == 2 * 19  # 0-4 … 90+
    assert [t.get_text() for t in ax.get_yticklabels()][-1] == "90 et +"
    state = ax.figure._cls_state
    assert state.title == "Pyramide des âges : CC Aunis Atlantique et Charente-Maritime"
    assert [h.get_label() for h in state.chart_legend["handles"]][-1] == "Charente-Maritime"
    assert state.lecture.startswith("Lecture : ")
    assert state.demo


def test_pyramid_ignores_overlapping_census_bands(demo_observations, territory):
    """The census gives broad bands (0-14, 75+…) and the life table's 0 and 1-4 beside the
    five-year bands: the pyramid draws the five-year ones only, each person counted once."""
    from matplotlib.patches import Rectangle

    five_year = demo_observations.loc[demo_observations["age"].astype(str) != "all"]
    extra = []
    for broad, members in {"0-14": ["0-4", "5-9", "10-14"], "75+": ["75-79", "80-84", "85-89", "90+"],
                           "0": ["0-4"], "1-4": ["0-4"]}.items():
        rows = five_year.loc[five_year["age"].astype(str).isin(members)]
        keys = [c for c in rows.columns if c not in ("age", "value")]
        summed = rows.groupby(keys, dropna=False, observed=True)["value"].sum().reset_index().assign(age=broad)
        extra.append(summed)
    mixed = pd.concat([demo_observations, *extra], ignore_index=True)
    ax = viz.pyramid(mixed, territory, comparator="departement")
    bars = [p for p in ax.patches if isinstance(p, Rectangle)]
    assert len(bars) == 2 * 19
    assert sum(abs(p.get_width()) for p in bars) == pytest.approx(100.0)
    reference = viz.pyramid(demo_observations, territory, comparator="departement")
    assert ax.figure._cls_state.subtitle == reference.figure._cls_state.subtitle  # same total population


def test_pyramid_from_communes_without_comparator(demo_observations, territory):
    communes_only = demo_observations.loc[demo_observations["zone_type"] == "commune"]
    with pytest.warns(UserWarning, match="pas d'observations pour Charente-Maritime"):
        ax = viz.pyramid(communes_only, territory)
    assert "Comparaison impossible" in ax.figure._cls_state.note
    with pytest.raises(ClsAnalysisError, match="aucune observation « population »"):
        viz.pyramid(communes_only.assign(measure="deaths"), territory)


def test_compare_bars(demo_results, territory, catalogue):
    ax = viz.compare_bars(demo_results, "mort_prematuree_icm", territory, catalogue=catalogue)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[0] == "CC Aunis Atlantique" and len(labels) == 21
    assert "Non diffusé : moins de 10 cas" in texts(ax)  # the reason given in « note »
    legend = [h.get_label() for h in ax.figure._cls_state.chart_legend["handles"]]
    decimals = int(catalogue.set_index("id").loc["mort_prematuree_icm", "decimals"])
    assert legend[:3] == [f"Charente-Maritime : {viz.fmt.format_number(93.3, decimals)}",
                          f"Nouvelle-Aquitaine : {viz.fmt.format_number(106.1, decimals)}",
                          f"France métropolitaine : {viz.fmt.format_number(100.0, decimals)}"]
    assert "Moins favorable" in legend and "Plus favorable" in legend
    assert "intervalles de confiance à 95 %" in ax.figure._cls_state.subtitle


def test_compare_bars_lists_absent_communes(rate_results, territory):
    ax = viz.compare_bars(rate_results, "taux_pauvrete", territory)
    assert "absente des résultats" in texts(ax)
    assert "Donnée manquante" in texts(ax)
    legend = [h.get_label() for h in ax.figure._cls_state.chart_legend["handles"]]
    assert legend == [f"Charente-Maritime : 10,8{NBSP}%", f"Nouvelle-Aquitaine : 13,1{NBSP}%",
                      f"France métropolitaine : 14,5{NBSP}%"]


def _spine_results():
    """An indicator with every département, France, the territory (polarity « - »)."""
    rows = [{"zone_type": "departement", "zone_code": f"{i:02d}", "value": float(v)}
            for i, v in zip(range(1, 96), np.linspace(5, 25, 95), strict=True)]
    rows += [{"zone_type": "departement", "zone_code": "971", "value": 60.0},  # left out of FRM's range
             {"zone_type": "france", "zone_code": "FRM", "zone_name": "France métropolitaine", "value": 14.5},
             {"zone_type": "territory", "zone_code": "200041499", "zone_name": "CC Aunis Atlantique",
              "value": 9.0, "comparison": "lower", "assessment": "better"}]
    return make_results(rows, indicator="taux_pauvrete")


def test_spine_range_rule(territory):
    ax = viz.spine(_spine_results(), indicators=["taux_pauvrete"], territory=territory)
    table_ax = ax.figure.axes[0]
    values = [t.get_text() for t in table_ax.texts]
    assert values[-4:] == ["9,0", "14,5", "5,0", "25,0"]  # territory, France, min, max (no 971)
    marker = ax.lines[-1]
    assert marker.get_color() == viz.PALETTE["better"]
    position = marker.get_xdata()[0]
    assert position > 0.5  # better is on the right: polarity « - » is flipped
    half = 10.5 * 1.06  # farthest of the range from France (25 - 14.5)
    assert position == pytest.approx(0.5 + (14.5 - 9.0) / (2 * half))


def test_spine_per_axis(demo_results, territory, catalogue):
    ax = viz.spine(demo_results, axis="determinants_sociaux", territory=territory, catalogue=catalogue)
    state = ax.figure._cls_state
    assert state.title.startswith("Déterminants socio-économiques : CC Aunis Atlantique")
    counts = catalogue.loc[(catalogue["axis"] == "determinants_sociaux") & (catalogue["statistic"] == "count")]
    assert f"Effectifs non représentés : {', '.join(counts['short_label'])}." in state.note
    with pytest.raises(ClsAnalysisError, match="Axe du CLS inconnu"):
        viz.spine(demo_results, axis="bien_etre")
    with pytest.raises(ClsAnalysisError, match="aucun indicateur de l'axe « Santé mentale »"):
        viz.spine(demo_results.loc[demo_results["indicator"] == "apl_mg"], axis="sante_mentale",
                  catalogue=catalogue)


def test_trend(demo_results, territory, catalogue):
    ax = viz.trend(demo_results, "mort_prematuree_icm", territory, catalogue=catalogue)
    assert [t.get_text() for t in ax.get_xticklabels()] == [
        "2011-2015", "2013-2017", "2015-2019", "2017-2021", "2019-2023"]
    ends = [t.get_text() for t in ax.texts]
    decimals = int(catalogue.set_index("id").loc["mort_prematuree_icm", "decimals"])
    assert f"CC Aunis Atlantique : {viz.fmt.format_number(90.0, decimals)}" in ends
    assert f"France métropolitaine : {viz.fmt.format_number(100.0, decimals)}" in ends
    assert "intervalle de confiance à 95 %" in ax.figure._cls_state.note
    # end labels never overlap
    ax.figure.canvas.draw()
    boxes = sorted((t.get_window_extent() for t in ax.texts), key=lambda b: b.y0)
    assert all(a.y1 <= b.y0 + 0.5 for a, b in zip(boxes, boxes[1:], strict=False))


def test_trend_single_period(rate_results, territory):
    ax = viz.trend(rate_results, "taux_pauvrete", territory)
    assert "Une seule période disponible." in ax.figure._cls_state.note


def test_without_territory_no_arbitrary_comparator(demo_results, catalogue):
    """A national table holds every département: without the territory, none is picked."""
    ax = viz.compare_bars(demo_results, "taux_pauvrete", catalogue=catalogue)
    legend = [h.get_label() for h in ax.figure._cls_state.chart_legend["handles"]]
    assert legend == [f"France métropolitaine : 14,5{NBSP}%"]
    ax = viz.trend(demo_results, "apl_mg", catalogue=catalogue)
    assert texts(ax) == ["CC Aunis Atlantique : 2,92", "France métropolitaine : 3,40"]
