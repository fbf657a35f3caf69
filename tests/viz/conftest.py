"""Fixtures of the figure tests: the real territory of CC Aunis Atlantique (embedded geography)
and small synthetic results tables built in code (the indicator engine is written in parallel).
"""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

matplotlib.use("Agg")

AUNIS = "200041499"
RESULT_COLUMNS = [
    "indicator", "zone_type", "zone_code", "zone_name", "period", "sex", "numerator",
    "denominator", "value", "lower_ci", "upper_ci", "confidence", "statistic", "method", "unit",
    "comparator", "comparison", "assessment", "status",
]


def make_results(rows: list[dict], **defaults) -> pd.DataFrame:
    """A results table (contract columns) from a few dicts; missing keys take defaults."""
    base = {"period": "2021", "sex": "all", "numerator": np.nan, "denominator": np.nan,
            "lower_ci": np.nan, "upper_ci": np.nan, "confidence": 0.95, "statistic": "proportion",
            "method": "Wilson", "unit": "%", "comparator": "France métropolitaine",
            "comparison": "not compared", "assessment": "not judged", "status": "ok",
            "zone_name": None}
    base.update(defaults)
    table = pd.DataFrame([{**base, **row} for row in rows])
    table["zone_name"] = table["zone_name"].fillna(table["zone_code"])
    return table[RESULT_COLUMNS + [c for c in table.columns if c not in RESULT_COLUMNS]]


@pytest.fixture(scope="session")
def territory():
    from cls_analysis.territory import Territory

    return Territory.from_epci(AUNIS)


@pytest.fixture(scope="session")
def catalogue():
    from cls_analysis.viz.gallery import gallery_catalogue

    return gallery_catalogue()


@pytest.fixture(scope="session")
def demo_results(territory, catalogue):
    from cls_analysis.viz.gallery import synthetic_results

    return synthetic_results(territory, catalogue)


@pytest.fixture(scope="session")
def demo_observations(territory):
    from cls_analysis.viz.gallery import synthetic_observations

    return synthetic_observations(territory)


@pytest.fixture
def rate_results(territory):
    """Poverty rate by commune: every status once, one commune absent, France and comparators."""
    codes = territory.communes["code"].tolist()
    rows = []
    for i, code in enumerate(codes[:-1]):  # the last commune is absent from the results
        status = {0: "suppressed", 1: "missing", 2: "zero"}.get(i, "ok")
        value = {"ok": 5.0 + i, "zero": 0.0}.get(status, np.nan)
        rows.append({"zone_type": "commune", "zone_code": code, "value": value, "status": status})
    rows += [
        {"zone_type": "territory", "zone_code": AUNIS, "zone_name": "CC Aunis Atlantique", "value": 9.0},
        {"zone_type": "departement", "zone_code": "17", "zone_name": "Charente-Maritime", "value": 10.8},
        {"zone_type": "region", "zone_code": "75", "zone_name": "Nouvelle-Aquitaine", "value": 13.1},
        {"zone_type": "france", "zone_code": "FRM", "zone_name": "France métropolitaine", "value": 14.5},
    ]
    return make_results(rows, indicator="taux_pauvrete", statistic="read", method="lu")


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")
