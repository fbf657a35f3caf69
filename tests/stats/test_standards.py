"""Age bands, standard populations (joined on labels, never by position), output layout."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cls_analysis import stats
from cls_analysis.stats import OUTPUT_COLUMNS, normalize_age_band

BANDS = [f"{a}-{a + 4}" for a in range(0, 90, 5)] + ["90+"]


def frame(area="A", seed=0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"area": area, "age": BANDS, "deaths": rng.integers(0, 40, 19) * 1.0,
                         "pop": rng.integers(500, 3000, 19) * 1.0})


@pytest.mark.parametrize(("raw", "label"), [
    ("00-04", "0-4"), ("05-09", "5-9"), ("10 – 14", "10-14"), ("90 ans et plus", "90+"),
    ("90 ans ou plus", "90+"), ("90+", "90+"), ("90 +", "90+"), ("90-…", "90+"), ("90-120", "90+"),
    ("De 5 à 9 ans", "5-9"), ("0", "0"), ("01-04", "1-4"), ("moins de 1 an", "0"), (90, "90"),
    ("85-89", "85-89"), ("total", "total"),
])
def test_normalize_age_band(raw, label):
    assert normalize_age_band(raw) == label


def test_esp2013_embedded_with_source():
    esp = stats.esp2013()
    assert list(esp.index) == BANDS
    assert esp.sum() == 100_000
    assert esp["55-59"] == 6500 and esp["85-89"] == 1500
    from importlib import resources
    text = resources.files("cls_analysis.stats").joinpath("esp2013.csv").read_text()
    assert "Eurostat" in text and "10.2785/11470" in text


def test_standard_joined_on_labels_not_position():
    df = pd.concat([frame("A", 1), frame("B", 2)], ignore_index=True)
    ref = stats.dsr(df, "deaths", "pop", standard="esp2013", by="area")
    shuffled = df.sample(frac=1, random_state=5)
    padded = shuffled.assign(age=shuffled["age"].map(
        lambda b: "-".join(f"{int(p):02d}" for p in b.split("-")) if "-" in b else "90 ans et plus"))
    def same(out):  # groups come in order of first appearance
        out = out.sort_values("area").reset_index(drop=True)
        pd.testing.assert_frame_equal(out, ref, check_exact=False, rtol=1e-14)

    for other in (shuffled, padded):
        same(stats.dsr(other, "deaths", "pop", standard="esp2013", by="area"))
    as_column = df.assign(std=df["age"].map(stats.esp2013()))
    same(stats.dsr(as_column.sample(frac=1, random_state=9), "deaths", "pop", standard="std",
                   by="area"))
    as_mapping = stats.dsr(df, "deaths", "pop", standard=stats.esp2013().to_dict(), by="area")
    np.testing.assert_allclose(as_mapping["value"], ref["value"], rtol=1e-14)


def test_coarser_data_bands_sum_the_standard_bands():
    df = frame(seed=3)
    coarse = df.assign(age=df["age"].replace({"85-89": "85+", "90+": "85+"}))
    out = stats.dsr(coarse, "deaths", "pop")
    manual = {b: w for b, w in stats.esp2013().items() if b not in ("85-89", "90+")}
    manual["85+"] = 2500.0
    expected = stats.dsr(coarse, "deaths", "pop", standard=manual)
    assert out["value"].iloc[0] == pytest.approx(expected["value"].iloc[0], rel=1e-14)
    under65 = df[df["age"].isin(BANDS[:13])]
    premature = stats.dsr(under65, "deaths", "pop")  # a truncated standard, summing 77 500
    weights = stats.esp2013()[BANDS[:13]]
    rates = (under65.set_index("age")["deaths"] / under65.set_index("age")["pop"])[BANDS[:13]]
    assert premature["value"].iloc[0] == pytest.approx(
        (rates * weights).sum() / weights.sum() * 1e5, rel=1e-12)


def test_france_standard_rule():
    communes = pd.concat([frame("17008", 1), frame("17182", 2)]).assign(zone_type="commune")
    france = frame("FR", 7).assign(zone_type="france", pop=lambda d: d["pop"] * 1000)
    df = pd.concat([communes, france], ignore_index=True)
    out = stats.dsr(df, "deaths", "pop", standard="france", by="area")
    weights = dict(zip(france["age"], france["pop"], strict=True))
    explicit = stats.dsr(df, "deaths", "pop", standard=weights, by="area")
    np.testing.assert_allclose(out["value"], explicit["value"], rtol=1e-14)
    # without zone_type == "france": the population of all the rows passed
    allrows = stats.dsr(communes.drop(columns="zone_type"), "deaths", "pop", standard="france",
                        by="area")
    summed = communes.groupby("age")["pop"].sum().to_dict()
    np.testing.assert_allclose(
        allrows["value"],
        stats.dsr(communes, "deaths", "pop", standard=summed, by="area")["value"], rtol=1e-14)


def test_rows_of_a_group_and_band_are_summed_first():
    """Communes → EPCI: passing the communes with by='epci' equals passing the EPCI sums."""
    a, b = frame("c1", 1), frame("c2", 2)
    communes = pd.concat([a, b], ignore_index=True).assign(epci="E")
    summed = communes.groupby(["epci", "age"], as_index=False)[["deaths", "pop"]].sum()
    for function in (stats.dsr, stats.crude_rate):
        kw = {"age": "age"} if function is stats.dsr else {}
        one = function(communes, x="deaths", n="pop", by="epci", **kw)
        two = function(summed, x="deaths", n="pop", by="epci", **kw)
        pd.testing.assert_frame_equal(one, two)


def test_output_layout_by_list_and_levels():
    df = pd.concat([frame("A", 1).assign(sex="F"), frame("A", 2).assign(sex="M"),
                    frame("B", 3).assign(sex="F")], ignore_index=True)
    out = stats.dsr(df, "deaths", "pop", by=["area", "sex"], confidence=(0.95, 0.998))
    assert list(out.columns) == ["area", "sex", *OUTPUT_COLUMNS]
    assert out[["area", "sex"]].drop_duplicates().values.tolist() == [["A", "F"], ["A", "M"],
                                                                      ["B", "F"]]
    assert out["confidence"].tolist() == [0.95, 0.998] * 3
    wide, narrow = out.iloc[1], out.iloc[0]
    assert wide["lower_ci"] < narrow["lower_ci"] < narrow["value"] < narrow["upper_ci"] < wide["upper_ci"]
    single = stats.dsr(df, "deaths", "pop")
    assert list(single.columns) == list(OUTPUT_COLUMNS) and len(single) == 1
    for function in (stats.proportion, stats.crude_rate):
        res = function(df.assign(deaths=1.0), x="deaths", n="pop", by="area")
        assert list(res.columns) == ["area", *OUTPUT_COLUMNS]
    assert list(stats.mean(df, "pop", by="sex").columns) == ["sex", *OUTPUT_COLUMNS]
