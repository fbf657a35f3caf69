"""Selection helpers of the engine: integer keys shared by several tables, sums by group."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cls_analysis.indicators.select import grouped_sums, shared_codes


def _frame(seed: int, n: int = 5000) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    value = rng.integers(0, 50, n).astype(float)
    status = rng.choice(["ok", "zero", "secret", "missing"], n, p=[0.7, 0.1, 0.1, 0.1])
    value[np.isin(status, ["secret", "missing"])] = np.nan
    frame = pd.DataFrame({
        "zone_type": rng.choice(["commune", "epci"], n),
        "zone_code": rng.choice([f"{17000 + i}" for i in range(40)], n),
        "period": rng.choice(["2015", "2021"], n),
        "age": rng.choice(["0-4", "5-9", "90+"], n),
        "value": value,
        "status": status,
    })
    return frame


def test_grouped_sums_match_pandas_groupby():
    rows = _frame(0)
    rows["zone_code"] = rows["zone_code"].astype("category")  # categoricals and plain text mixed
    group = ["zone_type", "zone_code", "period", "age"]
    ours = grouped_sums(rows, group)
    expected = (
        rows.assign(n_ok=rows["status"].isin(["ok", "zero"]).astype(int), n_secret=(rows["status"] == "secret").astype(int))
        .groupby(group, sort=False, observed=True)[["value", "n_ok", "n_secret"]]
        .sum(min_count=1)
        .reset_index()
    )
    ours = ours.astype({"zone_code": str}).set_index(group).sort_index()
    expected = expected.astype({"zone_code": str}).set_index(group).sort_index()
    pd.testing.assert_frame_equal(ours, expected, check_dtype=False)
    # a group whose values are all missing has no value (not 0)
    only_missing = pd.DataFrame({"g": ["a", "a", "b"], "value": [np.nan, np.nan, 1.0], "status": ["missing", "secret", "ok"]})
    out = grouped_sums(only_missing, ["g"]).set_index("g")
    assert np.isnan(out.loc["a", "value"]) and out.loc["a", "n_secret"] == 1 and out.loc["b", "value"] == 1.0


def test_shared_codes_match_rows_across_tables_with_different_categories():
    left, right = _frame(1, 300), _frame(2, 300)
    left["zone_code"] = left["zone_code"].astype("category")
    right["zone_code"] = pd.Categorical(right["zone_code"], categories=sorted(set(right["zone_code"]), reverse=True))
    columns = ["zone_type", "zone_code", "period"]
    a, b = shared_codes([left, right], columns)
    same = a[:, None] == b[None, :]
    text_l = left[columns].astype(str).agg("|".join, axis=1).to_numpy()
    text_r = right[columns].astype(str).agg("|".join, axis=1).to_numpy()
    np.testing.assert_array_equal(same, text_l[:, None] == text_r[None, :])


def test_positions_by_lookup_and_by_hashing_agree():
    from cls_analysis._keys import positions

    rng = np.random.default_rng(3)
    keys = rng.choice(50_000, 20_000, replace=False)
    wanted = rng.integers(0, 60_000, 30_000)
    expected = pd.Index(keys).get_indexer(wanted)
    assert (positions(wanted, keys) == expected).all()  # small keys: lookup array
    far = keys.astype(np.int64) * 10**9  # keys too large for a lookup array: hashing
    assert (positions(wanted.astype(np.int64) * 10**9, far) == expected).all()
    assert (positions(wanted, keys) >= 0).sum() > 1000  # the case tests something


def test_shared_codes_ignore_unused_categories_and_match_integers():
    a = pd.DataFrame({"zone": [3, 7, 3], "age": pd.Categorical(["0-4", "5-9", "5-9"], categories=[f"c{i}" for i in range(500)] + ["0-4", "5-9"])})
    b = pd.DataFrame({"zone": [7, 3], "age": pd.Categorical(["5-9", "5-9"], categories=a["age"].cat.categories)})
    ka, kb = shared_codes([a, b], ["zone", "age"])
    assert ka[1] == kb[0] and ka[2] == kb[1] and len({*ka, *kb}) == 3
    assert max(ka.max(), kb.max()) < 30  # 500 unused categories take no room in the key
