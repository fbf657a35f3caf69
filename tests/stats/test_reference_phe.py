"""Every published PHEindicatormethods test case (shared/reference/phe/tidy), at 95 % and
99.8 %, to a relative error of 1e-9; statistic and method labels too."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cls_analysis import stats
from cls_analysis.stats._poisson import byar_lower, byar_upper

pytestmark = pytest.mark.shared

RTOL = 1e-9


def close(actual, expected, rtol=RTOL):
    """Element-wise relative closeness, NaN only where NaN is expected."""
    actual = np.asarray(actual, dtype=float)
    expected = np.asarray(expected, dtype=float)
    assert np.array_equal(np.isnan(actual), np.isnan(expected)), (actual, expected)
    ok = ~np.isnan(expected)
    np.testing.assert_allclose(actual[ok], expected[ok], rtol=rtol, atol=0)


def pick(out: pd.DataFrame, area: str, confidence: float) -> pd.Series:
    row = out[(out["area"] == area) & np.isclose(out["confidence"], confidence)]
    assert len(row) == 1, (area, confidence)
    return row.iloc[0]


# --- Byar's and Wilson limits ------------------------------------------------------------


def test_byars_and_wilson_cases(tidy):
    cases = tidy("byars_wilson_cases.csv")
    assert len(cases) == 13
    for case in cases.itertuples():
        if case.method == "Byars":
            lower = byar_lower(case.x, case.confidence)
            upper = byar_upper(case.x, case.confidence)
        else:
            lower, upper = stats.wilson_limits(case.x, case.n, case.confidence)
        close([lower, upper], [case.expected_lower, case.expected_upper])


# --- proportions and crude rates ---------------------------------------------------------


@pytest.mark.parametrize(
    ("file", "function", "method_col"),
    [("proportion_cases.csv", stats.proportion, False), ("rate_cases.csv", stats.crude_rate, True)],
)
def test_proportion_and_rate_cases(tidy, file, function, method_col):
    cases = tidy(file)
    checked = 0
    for (grouping, mult), block in cases.groupby(["grouping", "multiplier"]):
        one = block.drop_duplicates("area")
        if grouping == "ungrouped":
            data = one[["area", "x", "n"]]
        else:  # the published grouped cases are each the sum of 2 identical rows
            half = one[["area", "x", "n"]].assign(x=one["x"] / 2, n=one["n"] / 2)
            data = pd.concat([half, half], ignore_index=True)
        levels = sorted(block["confidence"].unique())
        out = function(data, x="x", n="n", by="area", confidence=levels, multiplier=mult)
        for case in block.itertuples():
            row = pick(out, case.area, case.confidence)
            close(
                [row["value"], row["lower_ci"], row["upper_ci"]],
                [case.expected_value, case.expected_lower, case.expected_upper],
            )
            assert row["statistic"] == case.statistic
            if method_col or not pd.isna(case.method):
                assert (pd.isna(row["method"]) and pd.isna(case.method)) or (
                    row["method"] == case.method
                ), (case.case_id, row["method"], case.method)
            checked += 1
    assert checked == len(cases)


# --- means ----------------------------------------------------------------------------------


def test_mean_cases(tidy):
    data = tidy("mean_inputs.csv")
    expected = tidy("mean_expected.csv")
    grouped = stats.mean(data, "values", by="area", confidence=(0.95, 0.998))
    ungrouped = stats.mean(data, "values", confidence=(0.95, 0.998)).assign(area="ALL")
    out = pd.concat([grouped, ungrouped], ignore_index=True)
    for case in expected.itertuples():
        row = pick(out, case.area, case.confidence)
        close(
            [row["numerator"], row["denominator"], row["value"], row["lower_ci"], row["upper_ci"]],
            [case.expected_sum, case.expected_count, case.expected_value, case.expected_lower,
             case.expected_upper],
        )
        assert (row["statistic"], row["method"]) == (case.statistic, case.method)


# --- directly standardised rates ------------------------------------------------------------


def test_dsr_cases(tidy, fix_typo):
    expected = tidy("dsr_expected.csv")
    for (file, independent, mult), block in expected.groupby(
        ["input_file", "independent_events", "multiplier"]
    ):
        data = fix_typo(tidy(file))
        std = block["stdpop_column"].iloc[0]
        if independent:
            out = stats.dsr(data, "count", "pop", standard=std, age="ageband", by="area",
                            confidence=(0.95, 0.998), multiplier=mult)
        else:
            out = stats.dsr(data, "persons", "pop", standard=std, age="ageband", by="area",
                            confidence=(0.95, 0.998), multiplier=mult, event_frequency="freq")
        for case in block.itertuples():
            row = pick(out, case.area, case.confidence)
            close([row["numerator"], row["denominator"]],
                  [case.expected_total_count, case.expected_total_pop])
            close(
                [row["value"], row["lower_ci"], row["upper_ci"]],
                [case.expected_value, case.expected_lower, case.expected_upper],
            )
            assert row["statistic"] == case.statistic
            assert row["method"] == case.method


def test_dsr_gamma_against_epitools(phe_dir, tidy, fix_typo):
    """Fay-Feuer gamma limits as epitools::ageadjust.direct (shared/reference/phe/extra)."""
    expected = pd.read_csv(phe_dir / "extra" / "dsr_expected_fay_feuer_gamma_epitools.csv")
    files = {"esp2013": "dsr_inputs_multiarea_esp2013.csv", "esp1976": "dsr_inputs_esp1976.csv"}
    for std, block in expected.groupby("stdpop_column"):
        data = fix_typo(tidy(files[std]))
        out = stats.dsr(data, "count", "pop", standard=std, age="ageband", by="area",
                        confidence=(0.95, 0.998), method="gamma", min_count=0)
        for case in block.itertuples():
            row = pick(out, case.area, case.confidence)
            assert row["numerator"] == case.total_count
            close([row["value"], row["lower_ci"], row["upper_ci"]],
                  [case.expected_value, case.expected_lower_gamma, case.expected_upper_gamma])
            assert row["method"] == "Fay-Feuer gamma"


# --- indirectly standardised ratios and rates -----------------------------------------------


def _isr_for(case_function, data, refvalue, **kw):
    if case_function == "ISRate":
        return stats.isr(data, "count", "pop", "refcount", "refpop", age="ageband", by="area",
                         confidence=(0.95, 0.998), kind="rate", multiplier=refvalue, **kw)
    return stats.isr(data, "count", "pop", "refcount", "refpop", age="ageband", by="area",
                     confidence=(0.95, 0.998), reference_value=refvalue, **kw)


def _check_isr(out, block):
    for case in block.itertuples():
        row = pick(out, case.area, case.confidence)
        close([row["numerator"], row["denominator"]], [case.expected_observed, case.expected_expected])
        close([row["value"], row["lower_ci"], row["upper_ci"]],
              [case.expected_value, case.expected_lower, case.expected_upper])
        assert (row["statistic"], row["method"]) == (case.statistic, case.method)


def test_isr_cases(tidy, fix_typo):
    expected = tidy("isr_expected.csv")
    assert len(expected) == 28
    for (file, function, refvalue), block in expected.groupby(
        ["input_file", "function", "multiplier_or_refvalue"]
    ):
        out = _isr_for(function, fix_typo(tidy(file)), refvalue)
        _check_isr(out, block)


def test_isr_with_reference_table_and_observed_totals(tidy, fix_typo):
    """Same cases with the reference as a table joined on the age band (PHE's ref_df) and
    with observed totals instead of deaths by age (PHE's observed_totals)."""
    expected = tidy("isr_expected.csv").query("input_file == 'isr_inputs_multiarea.csv'")
    data = fix_typo(tidy("isr_inputs_multiarea.csv")).drop(columns=["refcount", "refpop"])
    ref = fix_typo(tidy("isr_refdata.csv"))
    shuffled = ref.sample(frac=1, random_state=3)  # order must not matter: joined on labels
    totals = tidy("isr_observed_totals.csv").rename(columns={"total_count": "count"})
    for (function, refvalue), block in expected.groupby(["function", "multiplier_or_refvalue"]):
        _check_isr(_isr_for(function, data, refvalue, reference=shuffled), block)
        _check_isr(
            _isr_for(function, data.drop(columns="count"), refvalue, reference=ref, observed=totals),
            block,
        )


def test_isr_significance_cases_through_compare(tidy):
    """PHE's 300 ratio significance cases (funnel ratio test): the ISR's 95 % and 99.8 %
    intervals against 1 reproduce 'High (0.001)', 'High (0.025)', 'Low …', 'Not significant'."""
    cases = tidy("isr_significance_cases.csv")
    data = cases.assign(x_ref=1.0, n_ref=1.0, age="all")
    out = stats.isr(data, "obs", "expected", "x_ref", "n_ref", by="case_id",
                    confidence=(0.95, 0.998), reference_value=1)
    judged = stats.compare(out, comparator=1, polarity="0")
    wide = judged[np.isclose(judged["confidence"], 0.998)].set_index("case_id")["comparison"]
    narrow = judged[np.isclose(judged["confidence"], 0.95)].set_index("case_id")["comparison"]
    label = np.select(
        [wide == "higher", narrow == "higher", wide == "lower", narrow == "lower"],
        ["High (0.001)", "High (0.025)", "Low (0.001)", "Low (0.025)"],
        "Not significant",
    )
    got = pd.Series(label, index=wide.index).reindex(cases["case_id"]).to_numpy()
    assert (got == cases["expected_significance"].to_numpy()).all()
    assert set(judged["assessment"]) == {"not judged"}
