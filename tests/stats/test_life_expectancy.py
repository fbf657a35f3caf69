"""Life expectancy (Chiang II, Silcocks CI) against PHEindicatormethods' published answers,
a plain-Python re-derivation, and PHE's suppression rules."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from cls_analysis import stats
from cls_analysis.stats import LIFE_TABLE_BANDS, StatsInputError

START = [0, 1, *range(5, 95, 5)]
POPS = [7060, 35059, 46974, 48489, 43219, 38561, 46009, 57208, 61435, 55601, 50209, 56416,
        46411, 39820, 37978, 37039, 33288, 23306, 11936, 11936]
DEATHS = [17, 9, 4, 8, 20, 15, 24, 33, 50, 71, 100, 163, 263, 304, 536, 872, 1390, 1605, 1936,
          1937]
# PHEindicatormethods tests/testthat/testLifeExpectancy.R, `answer1` (LE at each start age)
VALUE = [80.16960813, 79.36245674, 75.44193645, 70.47299936, 65.52909542, 60.67510088,
         55.78835987, 50.92752727, 46.06740425, 41.24505636, 36.49322717, 31.83343842,
         27.26027992, 22.9719144, 18.76856852, 14.95858336, 11.51684445, 8.618849241, 6.163942934,
         6.16210635]
LOWER = [79.88268548, 79.0898816, 75.17407307, 70.20675732, 65.26548673, 60.41876577,
         55.53801579, 50.68279939, 45.82666794, 41.00842831, 36.26223216, 31.60996318,
         27.04337271, 22.76653134, 18.57570352, 14.77985004, 11.34831778, 8.451134045,
         5.978358351, 5.887683386]
UPPER = [80.45653078, 79.63503188, 75.70979983, 70.7392414, 65.79270412, 60.931436, 56.03870395,
         51.17225516, 46.30814055, 41.48168441, 36.72422219, 32.05691365, 27.47718713,
         23.17729746, 18.96143352, 15.13731667, 11.68537112, 8.786564437, 6.349527517,
         6.436529314]


def base_frame(**changes) -> pd.DataFrame:
    df = pd.DataFrame({"age": list(LIFE_TABLE_BANDS), "deaths": DEATHS, "pop": POPS})
    for col, (i, v) in changes.items():
        df.loc[i, col] = v
    return df


def test_published_answers():
    out = stats.life_expectancy(base_frame(), "deaths", "pop", at_age=None)
    assert out["age"].tolist() == list(LIFE_TABLE_BANDS)
    np.testing.assert_allclose(out["value"], VALUE, rtol=1e-9)
    # PHE's answers were produced with z = 1.96 (the Excel calculator); the R function, like
    # this one, uses the exact quantile qnorm(0.975) = 1.959964…: same standard errors…
    se = (out["upper_ci"] - out["lower_ci"]) / 2 / 1.959963984540054
    np.testing.assert_allclose(out["value"] - 1.96 * se, LOWER, rtol=1e-9)
    np.testing.assert_allclose(out["value"] + 1.96 * se, UPPER, rtol=1e-9)
    # …so the reported limits agree to the 4 decimals PHE's own test checks.
    np.testing.assert_allclose(out["lower_ci"], LOWER, atol=5e-5)
    np.testing.assert_allclose(out["upper_ci"], UPPER, atol=5e-5)
    assert out["statistic"].tolist() == [f"life expectancy at {b}" for b in LIFE_TABLE_BANDS]
    assert set(out["method"]) == {"Chiang, using Silcocks et al for confidence limits"}
    assert out["numerator"].iloc[0] == sum(DEATHS) and out["denominator"].iloc[-1] == POPS[-1]


def test_order_labels_and_start_ages_do_not_matter():
    ref = stats.life_expectancy(base_frame(), "deaths", "pop")["value"].iloc[0]
    shuffled = base_frame().sample(frac=1, random_state=1)
    assert stats.life_expectancy(shuffled, "deaths", "pop")["value"].iloc[0] == ref
    starts = base_frame().assign(age=START).sample(frac=1, random_state=2)
    assert stats.life_expectancy(starts, "deaths", "pop")["value"].iloc[0] == ref
    phe_labels = ["0", "1-4", "5-9"] + [f"{a} – {a + 4}" for a in range(10, 90, 5)] + ["90 +"]
    spelled = base_frame().assign(age=phe_labels)
    assert stats.life_expectancy(spelled, "deaths", "pop")["value"].iloc[0] == ref


def _life_table_by_hand(deaths, pops, z):
    """Chiang II with Silcocks' last-interval variance, one plain loop per age."""
    k = len(deaths)
    alive, q, e = [100000.0], [], [0.0] * k
    widths = [1, 4] + [5] * 17
    for i in range(k - 1):
        m, a = deaths[i] / pops[i], 0.1 if i == 0 else 0.5
        q.append(m * widths[i] / (1 + (1 - a) * widths[i] * m))
        alive.append(alive[i] * (1 - q[i]))
    big_l = [widths[i] * (alive[i + 1] + (0.1 if i == 0 else 0.5) * (alive[i] - alive[i + 1]))
             for i in range(k - 1)]
    big_l.append(alive[-1] * pops[-1] / deaths[-1])
    var_terms = []
    for i in range(k - 1):
        a = 0.1 if i == 0 else 0.5
        e_next = sum(big_l[i + 1:]) / alive[i + 1]
        var_q = q[i] ** 2 * (1 - q[i]) / deaths[i] if deaths[i] else 0.0
        var_terms.append(alive[i] ** 2 * ((1 - a) * widths[i] + e_next) ** 2 * var_q)
    m_last = deaths[-1] / pops[-1]
    var_terms.append((alive[-1] / 2) ** 2 * 4 / (deaths[-1] * m_last**2))
    out = []
    for i in range(k):
        e[i] = sum(big_l[i:]) / alive[i]
        se = math.sqrt(sum(var_terms[i:]) / alive[i] ** 2)
        out.append((e[i], e[i] - z * se, e[i] + z * se))
    return out


def test_life_table_by_hand_on_other_data():
    rng = np.random.default_rng(4)
    pops = rng.integers(2000, 9000, size=20).astype(float)
    rates = np.array([0.004, 0.0003] + [0.0004 * 1.09 ** (5 * i) for i in range(18)])
    deaths = np.maximum(rng.poisson(pops * rates), 1).astype(float)
    deaths[3] = 0  # a band with no death
    df = pd.DataFrame({"age": LIFE_TABLE_BANDS, "d": deaths, "p": pops})
    out = stats.life_expectancy(df, "d", "p", at_age=None, confidence=0.998)
    expected = np.array(_life_table_by_hand(deaths, pops, 3.090232306167813))
    np.testing.assert_allclose(out[["value", "lower_ci", "upper_ci"]].to_numpy(), expected,
                               rtol=1e-11)


def test_grouped_with_phe_rules():
    good = base_frame().assign(area="good")
    zero_pop = base_frame(pop=(5, 0)).assign(area="zero pop")
    more_deaths = base_frame(pop=(18, 119)).assign(area="deaths > pop")
    low = base_frame().assign(area="low", pop=100, deaths=[5] * 20)
    missing = base_frame().iloc[:-1].assign(area="missing band")
    no_last = base_frame(deaths=(19, 0)).assign(area="no 90+ death")
    df = pd.concat([good, zero_pop, more_deaths, low, missing, no_last], ignore_index=True)
    out = stats.life_expectancy(df, "deaths", "pop", by="area", confidence=(0.95, 0.998))
    assert len(out) == 6 * 2
    reasons = out.drop_duplicates("area").set_index("area")["statistic"]
    assert reasons["good"] == "life expectancy at 0"
    assert reasons["zero pop"] == "life expectancy NA: population of zero or missing in an age band"
    assert reasons["deaths > pop"] == "life expectancy NA: more deaths than population in an age band"
    assert reasons["low"] == "life expectancy NA for total population <= 5000"
    assert reasons["missing band"].startswith("life expectancy NA: the 20 age bands")
    assert reasons["no 90+ death"] == "life expectancy NA: no death in the 90+ band"
    bad = out[out["area"] != "good"]
    assert bad[["value", "lower_ci", "upper_ci"]].isna().all().all()
    first = out[(out["area"] == "good")].iloc[0]
    assert first["value"] == pytest.approx(VALUE[0], rel=1e-9)


def test_total_population_threshold_is_inclusive():
    at = base_frame().assign(pop=250, deaths=[2] * 20)  # 20 × 250 = 5000
    above = at.assign(pop=[251] + [250] * 19)
    small = "life expectancy NA for total population <= 5000"
    assert stats.life_expectancy(at, "deaths", "pop")["statistic"].iloc[0] == small
    assert stats.life_expectancy(above, "deaths", "pop")["statistic"].iloc[0] != small


def test_value_hidden_when_95_interval_wider_than_20_years():
    df = base_frame().assign(pop=300, deaths=[0] * 19 + [2])
    out = stats.life_expectancy(df, "deaths", "pop", at_age=None)
    wide = out["upper_ci"] - out["lower_ci"] > 20
    assert wide.any()
    assert out.loc[wide, "value"].isna().all()
    assert out.loc[wide, ["lower_ci", "upper_ci"]].notna().all().all()
    assert (out.loc[wide, "statistic"]
            == "life expectancy NA: 95% confidence interval wider than 20 years").all()


def test_bad_inputs():
    with pytest.raises(StatsInputError, match="négatives"):
        stats.life_expectancy(base_frame(deaths=(3, -5)), "deaths", "pop")
    with pytest.raises(StatsInputError, match="0-4"):
        stats.life_expectancy(base_frame().assign(age=["0-4"] + list(LIFE_TABLE_BANDS[1:])),
                              "deaths", "pop")
    with pytest.raises(StatsInputError, match="at_age"):
        stats.life_expectancy(base_frame(), "deaths", "pop", at_age="4")
    with pytest.raises(StatsInputError, match="at_age"):
        stats.life_expectancy(base_frame(), "deaths", "pop", at_age=4)


def test_at_age_as_start_ages():
    out = stats.life_expectancy(base_frame(), "deaths", "pop", at_age=[5, 25])
    assert out["age"].tolist() == ["5-9", "25-29"]
    np.testing.assert_allclose(out["value"], [VALUE[2], VALUE[6]], rtol=1e-9)
