"""Maps: statuses never dropped, significance hatching, bad input, national map with insets."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from cls_analysis import viz
from cls_analysis.errors import ClsAnalysisError
from cls_analysis.viz.legend import CircleGroup

from .conftest import make_results


def legend_labels(ax) -> list[str]:
    labels = []
    for group in ax.figure._cls_state.legend_groups:
        if isinstance(group, CircleGroup):
            labels += group.labels
        else:
            labels += [entry.label for entry in group.entries]
    return labels


def test_every_status_is_drawn_and_named(rate_results, territory, catalogue):
    ax = viz.choropleth(rate_results, "taux_pauvrete", territory, k=4, catalogue=catalogue)
    labels = legend_labels(ax)
    assert "Non diffusé (secret statistique) (1)" in labels
    assert "Donnée manquante ou absente des résultats (2)" in labels  # 1 missing + 1 absent
    assert "Valeur nulle (aucun cas) (1)" in labels
    state = ax.figure._cls_state
    assert state.legend_groups[0].note == "Classes : quantiles, 4 classes"
    assert state.title == "Taux de pauvreté au seuil de 60 %"
    assert state.source == "Source : Insee, Filosofi (2021)"
    assert state.scale_bar and state.north_arrow
    # 20 communes drawn (16 classed + 4 status fills), none dropped
    classes = [e for e in state.legend_groups[0].entries]
    assert sum(int(e.label.rsplit("(", 1)[1].rstrip(")")) for e in classes) == 16


def test_icm_is_centred_on_100_with_hatching(demo_results, territory, catalogue):
    ax = viz.choropleth(demo_results, "mort_prematuree_icm", territory, scheme="equal_interval",
                        significance=True, catalogue=catalogue)
    state = ax.figure._cls_state
    decimals = int(catalogue.set_index("id").loc["mort_prematuree_icm", "decimals"])
    assert f"centrées sur {viz.fmt.format_number(100, decimals)}" in state.legend_groups[0].note
    assert any(label.startswith("Différence significative avec France métropolitaine (95\u00a0%) (2)")
               for label in legend_labels(ax))
    assert state.demo  # the synthetic results say « Données fictives »


def test_significance_at_998_needs_its_columns(rate_results, territory):
    with pytest.raises(ClsAnalysisError, match="lower_ci_998"):
        viz.choropleth(rate_results, "taux_pauvrete", territory, significance=0.998)


def test_layout_overrides_and_keeps(rate_results, territory):
    ax = viz.choropleth(rate_results, "taux_pauvrete", territory)
    viz.layout(ax, title="Pauvreté", source="Source : Insee, Filosofi 2021 ; traitement ORS",
               champ="ménages fiscaux", north_arrow=False)
    state = ax.figure._cls_state
    assert (state.title, state.champ, state.north_arrow, state.scale_bar) == (
        "Pauvreté", "ménages fiscaux", False, True)
    assert state.subtitle.startswith("CC Aunis Atlantique, par commune")
    texts = [t.get_text() for t in ax.figure.texts]
    assert "Champ : ménages fiscaux" in texts


def test_all_values_missing_gives_a_figure(territory):
    codes = territory.communes["code"]
    table = make_results([{"zone_type": "commune", "zone_code": c, "value": np.nan, "status": "missing"}
                          for c in codes], indicator="apl_mg", unit="consultations/an/hab.")
    ax = viz.choropleth(table, "apl_mg", territory)
    assert legend_labels(ax) == ["Donnée manquante (20)"]
    assert "Aucune valeur disponible" in ax.figure._cls_state.note


def test_single_commune(territory):
    from cls_analysis.territory import Territory

    one = Territory.from_communes(["17008"], name="Andilly")
    table = make_results([{"zone_type": "commune", "zone_code": "17008", "value": 12.5}],
                         indicator="taux_pauvrete")
    ax = viz.choropleth(table, "taux_pauvrete", one)
    assert ax.figure._cls_state.legend_groups[0].note == "Classe unique : une seule valeur"
    assert legend_labels(ax) == ["12,5  (1)"]


def test_bad_input_in_french(rate_results, territory):
    with pytest.raises(ClsAnalysisError, match="« apl_mg » est absent des résultats"):
        viz.choropleth(rate_results, "apl_mg", territory)
    with pytest.raises(ClsAnalysisError, match="demande le territoire"):
        viz.choropleth(rate_results, "taux_pauvrete")
    with pytest.raises(ClsAnalysisError, match="Méthode de classification inconnue"):
        viz.choropleth(rate_results, "taux_pauvrete", territory, scheme="kmeans")
    with pytest.raises(ClsAnalysisError, match="Échelle et flèche du nord"):
        viz.layout(viz.compare_bars(rate_results, "taux_pauvrete", territory), scale_bar=True)


def test_territory_without_geometry(rate_results):
    from cls_analysis.geo.geography import Geography
    from cls_analysis.territory import Territory

    bare = dataclasses.replace(Geography.embedded(), _wkb=None, _boundaries=None)
    territory = Territory.from_epci("200041499", geography=bare)
    with pytest.raises(ClsAnalysisError, match="n'a aucune géométrie de commune"):
        viz.choropleth(rate_results, "taux_pauvrete", territory)
    with pytest.raises(ClsAnalysisError, match="n'a aucune géométrie de commune"):
        viz.commune_map(territory)


def test_symbols_zero_and_nested_circles(demo_results, territory, catalogue):
    ax = viz.symbols(demo_results, "medecins_generalistes", territory, catalogue=catalogue)
    circles = ax.figure._cls_state.legend_groups[0]
    assert isinstance(circles, CircleGroup)
    assert circles.labels == ["6", "2", "1"]
    # area ∝ value: radius ∝ √value
    assert circles.radii[1] / circles.radii[0] == pytest.approx(np.sqrt(2 / 6))
    assert "Aucun (valeur nulle) (4)" in legend_labels(ax)


def test_commune_map_returns_a_figure(territory):
    fig = viz.commune_map(territory)
    assert fig._cls_state.title == "Les communes de CC Aunis Atlantique"
    assert legend_labels(fig.axes[0])[:2] == ["4\u202f000", "1\u202f000"]


def test_national_map_with_overseas_insets(demo_results, territory, catalogue):
    ax = viz.choropleth(demo_results, "densite_mg", territory, zone_type="departement",
                        catalogue=catalogue)
    state = ax.figure._cls_state
    names = [t.get_text() for inset in state.insets for t in inset.texts]
    assert names == ["Guadeloupe", "Martinique", "Guyane", "La Réunion", "Mayotte",
                     "Paris et petite couronne"]
    assert state.subtitle.startswith("France, par département")
    overseas_regions = demo_results["zone_type"].eq("region") & demo_results["zone_code"].isin(
        ["01", "02", "03", "04", "06"])
    metro = viz.choropleth(demo_results.loc[~overseas_regions], "densite_mg", zone_type="region",
                           catalogue=catalogue)
    assert metro.figure._cls_state.insets == []


def test_commune_without_outline_is_named():
    """Conques-en-Rouergue has no outline in the embedded geography: said, not silently lost."""
    from cls_analysis.territory import Territory

    conques = Territory.from_epci("241200641")
    rows = [{"zone_type": "commune", "zone_code": c, "value": 5.0 + i}
            for i, c in enumerate(conques.communes["code"])]
    ax = viz.choropleth(make_results(rows, indicator="taux_pauvrete"), "taux_pauvrete", conques)
    assert "Sans contour dans le fond de carte, non dessiné : Conques-en-Rouergue." in (
        ax.figure._cls_state.note)
