"""Comparison with a comparator (Fingertips convention) and polarity."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cls_analysis import stats
from cls_analysis.stats import StatsInputError


def results() -> pd.DataFrame:
    """A long results table: 3 communes + France, one indicator, 95 % and 99.8 % rows."""
    rows = []
    spec = {  # zone: (value, 95 % limits, 99.8 % limits)
        "17008": (130.0, (112.0, 150.0), (104.0, 162.0)),   # above at 95 and 99.8
        "17182": (112.0, (101.0, 124.0), (96.0, 131.0)),    # above at 95 only
        "17200": (80.0, (70.0, 95.0), (66.0, 101.0)),       # below at 95 only
        "FR": (100.0, (99.6, 100.4), (99.3, 100.7)),
    }
    for code, (value, l95, l998) in spec.items():
        for level, (lo, up) in ((0.95, l95), (0.998, l998)):
            rows.append({"indicator": "mort_icm", "period": "2019-2023",
                         "zone_type": "france" if code == "FR" else "commune", "zone_code": code,
                         "zone_name": "France" if code == "FR" else f"C{code}", "value": value,
                         "lower_ci": lo, "upper_ci": up, "confidence": level})
    return pd.DataFrame(rows)


def get(out, code, level, col):
    return out[(out["zone_code"] == code) & np.isclose(out["confidence"], level)][col].iloc[0]


def test_levels_and_polarity_minus():
    out = stats.compare(results(), {"zone_type": "france"}, polarity="-")
    assert [get(out, "17008", lv, "comparison") for lv in (0.95, 0.998)] == ["higher", "higher"]
    assert [get(out, "17182", lv, "comparison") for lv in (0.95, 0.998)] == ["higher", "similar"]
    assert [get(out, "17200", lv, "comparison") for lv in (0.95, 0.998)] == ["lower", "similar"]
    assert get(out, "17008", 0.95, "assessment") == "worse"
    assert get(out, "17200", 0.95, "assessment") == "better"
    assert get(out, "17182", 0.998, "assessment") == "similar"
    assert (out.loc[out["zone_code"] != "FR", "comparator"] == "France").all()
    france = out[out["zone_code"] == "FR"]
    assert france["comparison"].isna().all() and (france["assessment"] == "not judged").all()
    assert list(out.columns[-3:]) == ["comparator", "comparison", "assessment"]
    assert len(out) == len(results())


def test_polarity_plus_zero_and_mapping():
    plus = stats.compare(results(), {"zone_type": "france"}, polarity="+")
    assert get(plus, "17008", 0.95, "assessment") == "better"
    assert get(plus, "17200", 0.95, "assessment") == "worse"
    zero = stats.compare(results(), {"zone_type": "france"}, polarity="0")
    assert set(zero["assessment"]) == {"not judged"}
    assert get(zero, "17008", 0.95, "comparison") == "higher"
    mapped = stats.compare(results(), {"zone_type": "france"}, polarity={"mort_icm": "−"})
    assert get(mapped, "17008", 0.95, "assessment") == "worse"  # typographic minus accepted
    column = stats.compare(results().assign(polarity=-1), {"zone_type": "france"})
    assert get(column, "17008", 0.95, "assessment") == "worse"


def test_comparator_on_the_value_not_the_interval():
    """Fingertips: the zone's interval against the comparator's value, strict inequalities."""
    df = pd.DataFrame({"zone_code": ["a", "b", "c"], "value": [1.0, 1.0, 1.0],
                       "lower_ci": [100.0, 99.0, 90.0], "upper_ci": [110.0, 101.0, 100.0],
                       "confidence": 0.95})
    out = stats.compare(df, 100, polarity="+")
    assert out["comparison"].tolist() == ["similar", "similar", "similar"]  # touching = similar
    out = stats.compare(df, 99.99, polarity="+", label="France = 100")
    assert out["comparison"].tolist() == ["higher", "similar", "similar"]
    assert (out["comparator"] == "France = 100").all()


def test_comparator_table_matched_on_indicator_and_period():
    res = pd.concat([results(), results().assign(period="2014-2018", value=1.0)], ignore_index=True)
    res = res[res["zone_type"] == "commune"]
    table = pd.DataFrame({"indicator": ["mort_icm", "mort_icm"], "period": ["2019-2023", "2014-2018"],
                          "zone_name": ["Charente-Maritime", "Charente-Maritime"],
                          "value": [125.0, 75.0]})
    out = stats.compare(res, table, polarity="-")
    recent = out[out["period"] == "2019-2023"]
    old = out[out["period"] == "2014-2018"]
    assert get(recent, "17008", 0.95, "comparison") == "similar"  # 112-150 contains 125
    assert get(old, "17200", 0.95, "comparison") == "similar"     # 70-95 contains 75
    assert get(old, "17182", 0.95, "comparison") == "higher"      # 101 > 75
    assert (out["comparator"] == "Charente-Maritime").all()


def test_missing_limits_are_not_judged():
    res = results()
    res.loc[res["zone_code"] == "17008", ["lower_ci", "upper_ci"]] = np.nan
    out = stats.compare(res, {"zone_type": "france"}, polarity="-")
    rows = out[out["zone_code"] == "17008"]
    assert rows["comparison"].isna().all() and (rows["assessment"] == "not judged").all()


def test_compare_errors():
    with pytest.raises(StatsInputError, match="Aucune ligne"):
        stats.compare(results(), {"zone_type": "region"}, polarity="-")
    with pytest.raises(StatsInputError, match="Polarité"):
        stats.compare(results(), {"zone_type": "france"}, polarity="bad")
    with pytest.raises(StatsInputError, match="polarité"):
        stats.compare(results(), {"zone_type": "france"})
    two = pd.DataFrame({"indicator": ["mort_icm"] * 2, "period": ["2019-2023"] * 2,
                        "value": [1.0, 2.0]})
    with pytest.raises(StatsInputError, match="plusieurs valeurs"):
        stats.compare(results(), two, polarity="-")
    with pytest.raises(StatsInputError, match="lower_ci"):
        stats.compare(results().drop(columns="lower_ci"), 100, polarity="-")
