"""PHStatsMethods (DHSC's Python port of PHEindicatormethods) as a second opinion.

Where it agrees with the published formulas we assert agreement with it to 1e-9; where it
does not, the test pins the difference and asserts our agreement with the formula:

* ``PHStatsMethods.byars(x, confidence)`` passes ``1 - confidence`` to the limit functions, so
  its 95 % limits for 65 events are about (64.2, 66.2) instead of Byar's (50.16, 82.85);
* its ``byars_lower``/``byars_upper`` switch to the exact method below 10 events, where PHE's
  ``byars_lower`` is Byar's formula itself (published case BW03: 0.01307 for 1 event);
* ``ph_rate``, ``ph_ISRatio`` and ``ph_ISRate`` raise ``ValueError`` for a group with no event
  (``byars_upper`` refuses 0), where PHE gives [0, χ²₀.₉₇₅(2)/2] — common for a commune;
* ``ph_dsr(euro_standard_pops=True)`` matches the standard by the rank of each band's first
  number, not by label (we join on labels); it has no non-independent events option.
"""

from __future__ import annotations

import contextlib
import io
import math
import warnings

import numpy as np
import pandas as pd
import pytest

from cls_analysis import stats
from cls_analysis.stats._poisson import byar_lower, byar_upper, exact_upper

ph = pytest.importorskip("PHStatsMethods", reason="PHStatsMethods (extra 'bench'/'dev') absent")

BANDS = [f"{a}-{a + 4}" for a in range(0, 90, 5)] + ["90+"]
ESP = dict(zip(BANDS, [5000, 5500, 5500, 5500, 6000, 6000, 6500, 7000, 7000, 7000, 7000, 6500,
                       6000, 5500, 5000, 4000, 2500, 1500, 1000], strict=True))


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    rng = np.random.default_rng(2024)
    n_areas = 40
    df = pd.DataFrame({
        "area": np.repeat([f"Z{i:03d}" for i in range(n_areas)], len(BANDS)),
        "age": BANDS * n_areas,
    })
    df["pop"] = rng.integers(50, 4000, size=len(df)).astype(float)
    df["deaths"] = rng.binomial(df["pop"].astype(int), 0.004).astype(float)
    df.loc[df["area"] == "Z000", "deaths"] = np.where(np.arange(19) < 3, 1.0, 0.0)  # 3 events
    df["esp"] = df["age"].map(ESP).astype(float)
    df["ref_deaths"] = df["age"].map({b: 40.0 * (i + 1) for i, b in enumerate(BANDS)})
    df["ref_pop"] = 100000.0
    return df


def _ours_vs_theirs(ours: pd.DataFrame, theirs: pd.DataFrame, value_col: str = "Value"):
    theirs = theirs.set_index("area")
    for level, suffix in ((0.95, "95"), (0.998, "99_8")):
        mine = ours[np.isclose(ours["confidence"], level)].set_index("area").loc[theirs.index]
        for a, b in ((mine["value"], theirs[value_col]),
                     (mine["lower_ci"], theirs[f"lower_{suffix}_ci"]),
                     (mine["upper_ci"], theirs[f"upper_{suffix}_ci"])):
            np.testing.assert_allclose(a.to_numpy(float), b.to_numpy(float), rtol=1e-9)


def test_proportion_agrees(data):
    ours = stats.proportion(data, "deaths", "pop", by="area", confidence=(0.95, 0.998))
    theirs = ph.ph_proportion(data[["area", "deaths", "pop"]], "deaths", "pop", "area",
                              confidence=[0.95, 0.998])
    _ours_vs_theirs(ours, theirs)


def test_rate_agrees(data):
    ours = stats.crude_rate(data, "deaths", "pop", by="area", confidence=(0.95, 0.998))
    theirs = ph.ph_rate(data[["area", "deaths", "pop"]], "deaths", "pop", "area",
                        confidence=[0.95, 0.998])
    _ours_vs_theirs(ours, theirs)
    assert (ours.drop_duplicates("area")["method"].to_numpy() == theirs["Method"].to_numpy()).all()


def test_dsr_agrees(data):
    ours = stats.dsr(data, "deaths", "pop", standard="esp2013", by="area",
                     confidence=(0.95, 0.998))
    theirs = ph.ph_dsr(data[["area", "age", "deaths", "pop", "esp"]], "deaths", "pop", "esp",
                       "area", confidence=[0.95, 0.998], euro_standard_pops=False)
    _ours_vs_theirs(ours, theirs)
    with contextlib.redirect_stdout(io.StringIO()):  # it prints its positional age matching
        theirs_esp = ph.ph_dsr(data[["area", "age", "deaths", "pop"]], "deaths", "pop", "age",
                               "area", confidence=[0.95, 0.998])
    _ours_vs_theirs(ours, theirs_esp)
    assert ours.loc[ours["area"] == "Z000", "value"].isna().all()  # 3 events < 10


@pytest.mark.parametrize("kind", ["ratio", "rate"])
def test_isr_agrees(data, kind):
    cols = data[["area", "deaths", "pop", "ref_deaths", "ref_pop", "age"]]
    if kind == "ratio":
        ours = stats.isr(data, "deaths", "pop", "ref_deaths", "ref_pop", by="area",
                         confidence=(0.95, 0.998), reference_value=100)
        theirs = ph.ph_ISRatio(cols.drop(columns="age"), "deaths", "pop", "ref_deaths",
                               "ref_pop", "area", confidence=[0.95, 0.998], refvalue=100)
    else:
        ours = stats.isr(data, "deaths", "pop", "ref_deaths", "ref_pop", by="area",
                         confidence=(0.95, 0.998), kind="rate")
        theirs = ph.ph_ISRate(cols.drop(columns="age"), "deaths", "pop", "ref_deaths",
                              "ref_pop", "area", confidence=[0.95, 0.998])
    _ours_vs_theirs(ours, theirs)


def test_mean_agrees(data):
    ours = stats.mean(data, "pop", by="area", confidence=(0.95, 0.998))
    theirs = ph.ph_mean(data[["area", "pop"]], "pop", "area", confidence=[0.95, 0.998])
    _ours_vs_theirs(ours, theirs)


def test_documented_disagreements():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # 1. byars(): uses 1 - confidence
        lo, up = ph.byars(65, 0.95)
        assert abs(lo - 64.1647) < 1e-3 and abs(up - 66.1763) < 1e-3
        assert float(byar_lower(65, 0.95)) == pytest.approx(50.163187710459454, rel=1e-12)
        assert float(byar_upper(65, 0.95)) == pytest.approx(82.84913854593984, rel=1e-12)
        # 2. byars_lower(1) is the exact limit there; PHE's published Byar value is 0.01307
        assert ph.byars_lower(1, 0.95) == pytest.approx(0.025317807984289897)
        assert float(byar_lower(1, 0.95)) == pytest.approx(0.01307213290150435, rel=1e-12)
    # 3. no event: PHStatsMethods fails, PHE (and we) give [0, χ²(2)/2]
    zero = pd.DataFrame({"area": ["A"], "x": [0.0], "n": [1000.0]})
    with pytest.raises(ValueError, match="positive"):
        ph.ph_rate(zero, "x", "n", "area")
    out = stats.crude_rate(zero, "x", "n", by="area", multiplier=1000)
    assert out["lower_ci"].iloc[0] == 0
    assert out["upper_ci"].iloc[0] == pytest.approx(float(exact_upper(0, 0.95)))
    assert out["upper_ci"].iloc[0] == pytest.approx(-math.log(0.025), rel=1e-12)
