"""Selecting results rows, metadata overrides, the demo-notice rule."""

from __future__ import annotations

import pandas as pd
import pytest

from cls_analysis.errors import ClsAnalysisError
from cls_analysis.viz.data import indicator_rows, is_demo, resolve_meta, status_label

from .conftest import make_results


def test_latest_period_and_statuses():
    table = make_results([
        {"indicator": "x", "zone_type": "commune", "zone_code": "17008", "value": 4.0, "period": "2015-2019"},
        {"indicator": "x", "zone_type": "commune", "zone_code": "17008", "value": 5.0, "period": "2019-2023"},
        {"indicator": "x", "zone_type": "commune", "zone_code": "17009", "value": 9.0, "period": "2019-2023",
         "status": "suppressed"},
        {"indicator": "x", "zone_type": "commune", "zone_code": "17041", "value": float("nan"),
         "period": "2019-2023", "status": "ok"},
    ])
    rows = indicator_rows(table, "x")
    assert set(rows["period"]) == {"2019-2023"}
    by_code = rows.set_index("zone_code")
    assert pd.isna(by_code.loc["17009", "value"])  # a suppressed value is never shown
    assert by_code.loc["17041", "status"] == "missing"  # « ok » without a number


def test_errors_name_what_is_there():
    table = make_results([{"indicator": "a", "zone_type": "commune", "zone_code": "17008", "value": 1.0}])
    with pytest.raises(ClsAnalysisError, match="« b » est absent des résultats.*indicateurs présents : a"):
        indicator_rows(table, "b")
    with pytest.raises(ClsAnalysisError, match="aucun résultat au niveau departement"):
        indicator_rows(table, "a", zone_type="departement")
    with pytest.raises(ClsAnalysisError, match="colonne\\(s\\) absente\\(s\\) status"):
        indicator_rows(table.drop(columns="status"), "a")
    with pytest.raises(ClsAnalysisError, match="statut\\(s\\) inconnu\\(s\\) secret"):
        indicator_rows(table.assign(status="secret"), "a")


def test_meta_overrides_and_unknown_indicator():
    meta = resolve_meta("taux_pauvrete", unit="pour cent", decimals=0)
    assert (meta["label"], meta["unit"], meta["decimals"], meta["polarity"]) == (
        "Taux de pauvreté au seuil de 60 %", "pour cent", 0, "-")
    with pytest.warns(UserWarning, match="absent du catalogue"):
        meta = resolve_meta("inconnu")
    assert meta["label"] == "inconnu"
    assert resolve_meta("inconnu", label="Mon indicateur")["label"] == "Mon indicateur"


def test_demo_rule():
    assert is_demo(pd.DataFrame({"source": ["Insee", "Données fictives de démonstration"]}))
    assert not is_demo(pd.DataFrame({"source": ["Insee, RP 2021"]}))
    assert not is_demo(pd.DataFrame({"value": [1.0]}))
    flagged = pd.DataFrame({"value": [1.0]})
    flagged.attrs["demo"] = True
    assert is_demo(flagged)
    assert not is_demo(flagged, demo=False)
    assert is_demo(None, demo=True)


def test_status_labels():
    assert status_label("suppressed", {"statistic": "isr", "min_count": 11}) == "Non diffusé (moins de 11 cas)"
    assert status_label("suppressed", {"statistic": "read"}) == "Non diffusé (secret statistique)"
    assert status_label("missing", {}) == "Donnée manquante"
