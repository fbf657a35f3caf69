"""The estimators against values re-derived here from the published formulas, written
differently (plain Python per group, scipy.stats distributions, closed forms)."""

from __future__ import annotations

import math
from statistics import NormalDist, stdev

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from cls_analysis import stats

ESP = [5000, 5500, 5500, 5500, 6000, 6000, 6500, 7000, 7000, 7000, 7000, 6500, 6000, 5500, 5000,
       4000, 2500, 1500, 1000]
BANDS = [f"{a}-{a + 4}" for a in range(0, 90, 5)] + ["90+"]


def z(level):
    return NormalDist().inv_cdf(0.5 + level / 2)


def exact_by_hand(x, level):
    a = 1 - level
    low = 0.0 if x == 0 else sps.chi2.ppf(a / 2, 2 * x) / 2
    return low, sps.chi2.ppf(1 - a / 2, 2 * x + 2) / 2


def byar_by_hand(x, level):
    zz = z(level)
    low = x * (1 - 1 / (9 * x) - zz / (3 * math.sqrt(x))) ** 3
    up = (x + 1) * (1 - 1 / (9 * (x + 1)) + zz / (3 * math.sqrt(x + 1))) ** 3
    return low, up


@pytest.mark.parametrize("level", [0.95, 0.998])
def test_crude_rate_switches_from_exact_to_byar_at_10_events(level):
    df = pd.DataFrame({"area": ["a", "b", "c", "d"], "x": [0, 9, 10, 11], "n": [500.0] * 4})
    out = stats.crude_rate(df, "x", "n", by="area", confidence=level, multiplier=1000)
    assert out["method"].tolist() == ["Exact", "Exact", "Byars", "Byars"]
    for row in out.itertuples():
        limits = exact_by_hand(row.numerator, level) if row.numerator < 10 else byar_by_hand(
            row.numerator, level)
        np.testing.assert_allclose([row.lower_ci, row.upper_ci],
                                   np.array(limits) / 500 * 1000, rtol=1e-12)
    # closed form for no event: [0, -ln(alpha/2)]
    first = out.iloc[0]
    assert first["lower_ci"] == 0
    assert first["upper_ci"] == pytest.approx(-math.log((1 - level) / 2) * 2, rel=1e-13)


def test_isr_switches_at_10_observed():
    df = pd.DataFrame({"g": ["a", "b"], "age": "all", "x": [9, 10], "n": [1000, 1000],
                       "xr": [1.0, 1.0], "nr": [100.0, 100.0]})
    out = stats.isr(df, "x", "n", "xr", "nr", by="g", reference_value=100)
    assert out["method"].tolist() == ["Exact", "Byars"]
    for row, limits in zip(out.itertuples(), [exact_by_hand(9, 0.95), byar_by_hand(10, 0.95)],
                           strict=True):
        assert row.denominator == pytest.approx(10.0)
        np.testing.assert_allclose([row.lower_ci, row.upper_ci], np.array(limits) / 10 * 100,
                                   rtol=1e-12)


def test_wilson_by_hand():
    df = pd.DataFrame({"g": ["a", "b", "c", "d"], "x": [0, 3, 57, 80], "n": [80, 80, 80, 80]})
    out = stats.proportion(df, "x", "n", by="g", confidence=(0.95, 0.998), multiplier=100)
    for row in out.itertuples():
        zz, p, n = z(row.confidence), row.numerator / row.denominator, row.denominator
        centre = p + zz**2 / (2 * n)
        half = zz * math.sqrt(p * (1 - p) / n + zz**2 / (4 * n * n))
        expected = np.array([centre - half, centre + half]) / (1 + zz**2 / n) * 100
        np.testing.assert_allclose([row.lower_ci, row.upper_ci], expected, rtol=1e-12, atol=1e-13)
        assert row.value == pytest.approx(p * 100)
    assert out.loc[out["g"] == "a", "lower_ci"].eq(0).all()


def test_mean_by_hand():
    values = [3.5, 7.25, 1.0, 9.5, 4.75]
    big = [1e9 + v for v in values]  # a large offset must not cost precision
    df = pd.DataFrame({"g": ["s"] * 5 + ["b"] * 5, "v": values + big})
    out = stats.mean(df, "v", by="g", confidence=(0.95, 0.998))
    for row in out.itertuples():
        data = values if row.g == "s" else big
        half = sps.t.ppf(0.5 + row.confidence / 2, len(data) - 1) * stdev(data) / math.sqrt(len(data))
        m = sum(data) / len(data)
        np.testing.assert_allclose([row.value, row.lower_ci, row.upper_ci],
                                   [m, m - half, m + half], rtol=1e-13)


def _dsr_data(seed=7, groups=("A", "B")):
    rng = np.random.default_rng(seed)
    rows = []
    for g in groups:
        for band in BANDS:
            rows.append((g, band, int(rng.integers(0, 60)), int(rng.integers(200, 5000))))
    return pd.DataFrame(rows, columns=["area", "age", "deaths", "pop"])


def _dobson_by_hand(deaths, pop, weights, level, mult):
    total_w = sum(weights)
    dsr = sum(d * w / p for d, w, p in zip(deaths, weights, pop, strict=True)) / total_w
    var = sum(d * (w / p) ** 2 for d, w, p in zip(deaths, weights, pop, strict=True)) / total_w**2
    o = sum(deaths)
    low, up = byar_by_hand(o, level) if o >= 10 else exact_by_hand(o, level)
    k = math.sqrt(var / o)
    return dsr * mult, (dsr + k * (low - o)) * mult, (dsr + k * (up - o)) * mult


@pytest.mark.parametrize("level", [0.95, 0.998])
def test_dsr_dobson_by_hand(level):
    df = _dsr_data()
    out = stats.dsr(df, "deaths", "pop", standard="esp2013", by="area", confidence=level)
    for row in out.itertuples():
        part = df[df["area"] == row.area]
        expected = _dobson_by_hand(part["deaths"].tolist(), part["pop"].tolist(), ESP, level, 1e5)
        np.testing.assert_allclose([row.value, row.lower_ci, row.upper_ci], expected, rtol=1e-12)


def test_dsr_gamma_by_hand():
    df = _dsr_data(seed=11)
    out = stats.dsr(df, "deaths", "pop", by="area", confidence=(0.95, 0.998), method="gamma")
    for row in out.itertuples():
        part = df[df["area"] == row.area]
        w = np.array(ESP) / sum(ESP)
        d, p = part["deaths"].to_numpy(), part["pop"].to_numpy()
        y, v, wm = (w * d / p).sum(), (w**2 * d / p**2).sum(), (w / p).max()
        a = 1 - row.confidence
        low = sps.gamma.ppf(a / 2, y**2 / v, scale=v / y)
        up = sps.gamma.ppf(1 - a / 2, (y + wm) ** 2 / (v + wm**2), scale=(v + wm**2) / (y + wm))
        np.testing.assert_allclose([row.value, row.lower_ci, row.upper_ci],
                                   np.array([y, low, up]) * 1e5, rtol=1e-10)


def test_dsr_non_independent_events_by_hand():
    """x counts persons by event frequency; variance Σ f² Σ x_f (w/n)² / W²."""
    base = _dsr_data(seed=5, groups=("A",))
    rng = np.random.default_rng(1)
    rows = []
    for r in base.itertuples():
        for f in (1, 2, 3):
            rows.append((r.area, r.age, f, int(rng.integers(0, 12)), r.pop))
    df = pd.DataFrame(rows, columns=["area", "age", "freq", "persons", "pop"])
    out = stats.dsr(df, "persons", "pop", by="area", event_frequency="freq", confidence=0.95)
    row = out.iloc[0]
    w, total_w = dict(zip(BANDS, ESP, strict=True)), sum(ESP)
    pops = dict(zip(base["age"], base["pop"], strict=True))
    events = {b: 0.0 for b in BANDS}
    var = 0.0
    for r in df.itertuples():
        events[r.age] += r.freq * r.persons
        var += r.freq**2 * r.persons * (w[r.age] / pops[r.age]) ** 2
    var /= total_w**2
    dsr = sum(events[b] * w[b] / pops[b] for b in BANDS) / total_w
    o = sum(events.values())
    low, up = byar_by_hand(o, 0.95)
    k = math.sqrt(var / o)
    np.testing.assert_allclose(
        [row["value"], row["lower_ci"], row["upper_ci"]],
        np.array([dsr, dsr + k * (low - o), dsr + k * (up - o)]) * 1e5, rtol=1e-12)
    assert row["numerator"] == o
    # the same events as independent events: same value, narrower interval
    flat = (df.assign(events=df["freq"] * df["persons"])
            .groupby(["area", "age"], as_index=False).agg(events=("events", "sum"), pop=("pop", "first")))
    indep = stats.dsr(flat, "events", "pop", by="area", confidence=0.95).iloc[0]
    assert indep["value"] == pytest.approx(row["value"], rel=1e-12)
    assert indep["upper_ci"] - indep["lower_ci"] < row["upper_ci"] - row["lower_ci"]


def test_isr_by_hand_with_reference_values():
    df = _dsr_data(seed=3)
    ref = _dsr_data(seed=4, groups=("FR",)).assign(pop=lambda d: d["pop"] * 100,
                                                  deaths=lambda d: d["deaths"] * 90)
    out = stats.isr(df, "deaths", "pop", by="area", reference=ref.drop(columns="area"),
                    confidence=(0.95, 0.998))
    rate = stats.isr(df, "deaths", "pop", by="area", reference=ref.drop(columns="area"),
                     kind="rate", multiplier=1000)
    for row in out.itertuples():
        part = df[df["area"] == row.area].set_index("age")
        r = ref.set_index("age")
        expected = sum(part.loc[b, "pop"] * r.loc[b, "deaths"] / r.loc[b, "pop"] for b in BANDS)
        o = part["deaths"].sum()
        low, up = byar_by_hand(o, row.confidence)
        np.testing.assert_allclose(
            [row.numerator, row.denominator, row.value, row.lower_ci, row.upper_ci],
            [o, expected, o / expected * 100, low / expected * 100, up / expected * 100],
            rtol=1e-12)
        crude = r["deaths"].sum() / r["pop"].sum() * 1000
        got = rate[rate["area"] == row.area].iloc[0]
        assert got["value"] == pytest.approx(o / expected * crude, rel=1e-12)
        assert got["statistic"] == "indirectly standardised rate per 1000"


def test_dsr_zero_events_with_min_count_zero():
    df = pd.DataFrame({"age": BANDS, "deaths": 0.0, "pop": 1000.0})
    dob = stats.dsr(df, "deaths", "pop", min_count=0).iloc[0]
    assert dob["value"] == 0 and np.isnan(dob["lower_ci"]) and np.isnan(dob["upper_ci"])
    gam = stats.dsr(df, "deaths", "pop", min_count=0, method="gamma").iloc[0]
    wm = max(ESP) / sum(ESP) / 1000  # max w_i / (W n_i)
    assert gam["lower_ci"] == 0
    assert gam["upper_ci"] == pytest.approx(sps.gamma.ppf(0.975, 1, scale=wm) * 1e5, rel=1e-12)
    assert stats.dsr(df, "deaths", "pop").iloc[0]["statistic"] == "dsr NA for total count < 10"


def test_mean_with_a_missing_value_and_a_single_value():
    df = pd.DataFrame({"g": ["a", "a", "b", "c", "c"], "v": [1.0, np.nan, 4.0, 2.0, 6.0]})
    out = stats.mean(df, "v", by="g").set_index("g")
    assert np.isnan(out.loc["a", "value"])  # PHE keeps NA
    assert out.loc["b", "value"] == 4 and np.isnan(out.loc["b", "lower_ci"])
    assert out.loc["c", "denominator"] == 2 and out.loc["c", "value"] == 4
