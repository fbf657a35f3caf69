"""Primary and secondary suppression; no hidden count recoverable from the group total."""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pandas as pd
import pytest

from cls_analysis import stats
from cls_analysis.stats import StatsInputError


def recoverable(table: pd.DataFrame, original: pd.Series, group: str) -> list:
    """Hidden counts an attacker gets exactly: group total minus the published counts.

    The attacker knows each group's total (published), every published count, and that a
    published zero is a zero; a hidden count is recovered when it is the only unknown of its
    group.
    """
    found = []
    for _, block in table.groupby(group):
        hidden = block.index[block["status"] == "suppressed"]
        if len(hidden) == 1:
            total = original[block.index].sum()
            known = original[block.index.difference(hidden)].sum()
            found.append((hidden[0], total - known))
    return found


def test_statuses_and_reasons():
    df = pd.DataFrame({"parent": ["E1"] * 5 + ["E2"] * 3,
                       "numerator": [4, 25, 12, 0, np.nan, 30, 40, 50]})
    out = stats.suppress(df, group="parent")
    assert out["status"].tolist() == ["suppressed", "ok", "suppressed", "zero", "missing",
                                      "ok", "ok", "ok"]
    reasons = out["suppression_reason"]
    assert reasons[[0, 2]].tolist() == ["primary", "secondary"] and reasons[1:2].isna().all()
    assert out["numerator"].isna().tolist()[:3] == [True, False, True]
    assert set(out["status"]) <= set(stats.STATUSES)


def test_threshold_is_configurable_and_exclusive():
    df = pd.DataFrame({"g": "x", "numerator": [9, 10, 11, 50, 60]})
    ten = stats.suppress(df, group="g", mask=False)
    assert ten["status"].tolist()[:3] == ["suppressed", "suppressed", "ok"]
    assert ten["suppression_reason"][:2].tolist() == ["primary", "secondary"]
    snds = stats.suppress(df, group="g", threshold=11, mask=False)
    assert snds["status"].tolist()[:3] == ["suppressed", "suppressed", "ok"]
    assert snds["suppression_reason"][:2].tolist() == ["primary", "primary"]
    assert snds["numerator"].tolist() == [9, 10, 11, 50, 60]  # mask=False keeps figures


def test_zero_is_published_unless_asked():
    df = pd.DataFrame({"g": "x", "numerator": [0, 30, 40]})
    assert stats.suppress(df, group="g")["status"].tolist() == ["zero", "ok", "ok"]
    strict = stats.suppress(df, group="g", suppress_zeros=True)
    assert strict["status"].tolist() == ["suppressed", "suppressed", "ok"]


def test_values_and_limits_masked_on_hidden_rows():
    df = pd.DataFrame({"g": "x", "numerator": [3, 20, 30], "value": [1.0, 2.0, 3.0],
                       "lower_ci": [0.5, 1.5, 2.5], "upper_ci": [2.0, 3.0, 4.0],
                       "denominator": [100, 200, 300]})
    out = stats.suppress(df, group="g")
    hidden = out["status"] == "suppressed"
    assert out.loc[hidden, ["numerator", "value", "lower_ci", "upper_ci"]].isna().all().all()
    assert out["denominator"].notna().all()


def test_source_secret_counts_as_hidden():
    df = pd.DataFrame({"g": "x", "numerator": [np.nan, 20, 30],
                       "status": ["secret", "ok", "ok"]})
    out = stats.suppress(df, group="g")
    assert out["status"].tolist() == ["suppressed", "suppressed", "ok"]
    assert out["suppression_reason"][:2].tolist() == ["source", "secondary"]
    assert pd.isna(out["suppression_reason"][2])


@pytest.mark.parametrize("seed", range(6))
def test_no_hidden_count_recoverable_by_subtraction(seed):
    rng = np.random.default_rng(seed)
    n = 400
    df = pd.DataFrame({
        "epci": rng.integers(0, 60, size=n).astype(str),
        "numerator": rng.choice([0, 1, 3, 7, 9, 10, 14, 25, 60, 200], size=n,
                                p=[.1, .1, .08, .07, .05, .1, .15, .15, .1, .1]).astype(float),
    })
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = stats.suppress(df, group="epci")
    primary = (df["numerator"] > 0) & (df["numerator"] < 10)
    assert (out.loc[primary, "status"] == "suppressed").all()
    lonely = [g for g, b in df.groupby("epci")
              if primary[b.index].sum() == 1 and (b["numerator"] >= 10).sum() == 0]
    leaks = recoverable(out, df["numerator"], "epci")
    leaked_groups = {df.loc[i, "epci"] for i, _ in leaks}
    # the only leaks are groups of one row (their total is the row), and they are warned about
    assert leaked_groups <= set(lonely)
    if lonely:
        assert any("Secret secondaire impossible" in str(w.message) for w in caught)


def test_exhaustive_small_groups():
    """Every group of 3 cells over a grid of counts: nothing recoverable, except where the
    hidden count has no positive partner (then the total itself must go: a warning says so)."""
    values = [0, 2, 9, 10, 15]
    rows = [(f"g{k}", v) for k, combo in enumerate(itertools.product(values, repeat=3))
            for v in combo]
    df = pd.DataFrame(rows, columns=["g", "numerator"]).astype({"numerator": float})
    with pytest.warns(UserWarning, match="Secret secondaire impossible"):
        out = stats.suppress(df, group="g")
    leaks = recoverable(out, df["numerator"], "g")
    for index, value in leaks:
        assert value == df.loc[index, "numerator"]  # the leak is real…
        block = df[df["g"] == df.loc[index, "g"]]["numerator"]
        assert (block.drop(index) == 0).all()  # …and only where every other cell is 0
    assert len(leaks) == 2 * 3  # counts 2 or 9 with two zeros, in any of 3 positions


def test_suppress_errors():
    df = pd.DataFrame({"g": "x", "numerator": [1, -2]})
    with pytest.raises(StatsInputError, match="négatives"):
        stats.suppress(df, group="g")
    with pytest.raises(StatsInputError, match="seuil"):
        stats.suppress(df.assign(numerator=[1, 2]), group="g", threshold=0)
    with pytest.raises(StatsInputError, match="'parent'"):
        stats.suppress(df, group="parent")
