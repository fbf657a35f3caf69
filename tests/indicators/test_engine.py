"""The indicator engine on synthetic zone-level observations, checked against the formulas.

Expected values are derived here from the published formulas (Wilson, indirect and direct
standardisation), independently of cls_analysis.stats.
"""

import os

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

from cls_analysis._parallel import can_fork
from cls_analysis.indicators import engine, grid
from cls_analysis.indicators.engine import RESULT_COLUMNS, compute_zone_results

ESP2013 = [5000, 5500, 5500, 5500, 6000, 6000, 6500, 7000, 7000, 7000, 7000, 6500, 6000, 5500, 5000, 4000, 2500, 1500, 1000]
BANDS = [f"{a}-{a + 4}" for a in range(0, 90, 5)] + ["90+"]
COMMUNES = [f"0000{i}" for i in range(1, 10)]
MEMBERS = {
    ("territory", "T1", "Territoire test"): COMMUNES[:3],
    ("departement", "17", "Charente-Maritime"): COMMUNES[:6],
    ("region", "75", "Nouvelle-Aquitaine"): COMMUNES[:8],
    ("france", "FRM", "France métropolitaine"): COMMUNES,
}


def make_zones():
    rows = []
    for (zone_type, code, name), members in MEMBERS.items():
        rows += [(zone_type, code, name, c) for c in members]
    rows += [("commune", c, f"Commune {c}", c) for c in COMMUNES[:3]]
    return pd.DataFrame(rows, columns=["zone_type", "zone_code", "zone_name", "commune"])


def commune_observations(seed=1):
    rng = np.random.default_rng(seed)
    rows = []
    for i, code in enumerate(COMMUNES):
        size = [60, 600, 400][i] if i < 3 else 4000  # small communes in the territory
        for sex in ("M", "F"):
            for b, band in enumerate(BANDS):
                pop = float(rng.integers(size // 30, size // 15))
                rate = 0.0005 * np.exp(0.085 * (5 * b)) * (1.3 if i == 1 else 1.0)
                deaths = float(rng.poisson(min(rate, 0.6) * pop * 5))
                rows.append(("commune", code, "2021", "population", sex, band, pop, "ok"))
                rows.append(("commune", code, "2019-2023", "deaths", sex, band, deaths, "zero" if deaths == 0 else "ok"))
    obs = pd.DataFrame(rows, columns=["zone_type", "zone_code", "period", "measure", "sex", "age", "value", "status"])
    return obs


def to_zones(obs, zones):
    """Sum commune observations to every zone (what observations.aggregate does)."""
    communes = obs.loc[obs["zone_type"] == "commune"]
    merged = communes.merge(zones, left_on="zone_code", right_on="commune", suffixes=("_c", ""))
    summed = merged.groupby(["zone_type", "zone_code", "period", "measure", "sex", "age"], as_index=False)["value"].sum()
    summed["status"] = np.where(summed["value"] == 0, "zero", "ok")
    return summed


@pytest.fixture(scope="module")
def setup():
    zones = make_zones()
    obs = commune_observations()
    zobs = to_zones(obs, zones)
    extra = []
    for zone_type, code in [("territory", "T1"), ("commune", COMMUNES[0]), ("commune", COMMUNES[1]), ("departement", "17"), ("france", "FRM")]:
        extra.append((zone_type, code, "2021", "median_income", "all", "all", 21000.0, "ok"))
    extra.append(("commune", COMMUNES[2], "2021", "median_income", "all", "all", np.nan, "secret"))
    zobs = pd.concat([zobs, pd.DataFrame(extra, columns=zobs.columns)], ignore_index=True)
    results = compute_zone_results(
        zobs, zones, indicators=["part_75p", "mort_generale_icm", "mort_generale_tsm", "revenu_median", "mort_prematuree_icm"]
    )
    return zones, zobs, results


def pick(results, indicator, zone_type, zone_code):
    row = results.loc[(results["indicator"] == indicator) & (results["zone_type"] == zone_type) & (results["zone_code"] == zone_code)]
    assert len(row) == 1, (indicator, zone_type, zone_code, len(row))
    return row.iloc[0]


def wilson(x, n, level):
    z = norm.ppf(1 - (1 - level) / 2)
    p = x / n
    centre = p + z * z / (2 * n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return (centre - half) / (1 + z * z / n), (centre + half) / (1 + z * z / n)


def test_columns_and_statuses(setup):
    _, _, results = setup
    assert list(results.columns) == RESULT_COLUMNS
    assert set(results["status"]) <= {"ok", "suppressed", "missing", "zero"}


def test_text_columns_are_sorted_categoricals_of_the_labels_used(setup):
    """As in observations: each text column is a categorical whose categories are the labels
    its rows use, sorted, and it compares like text."""
    _, _, results = setup
    numbers = {"numerator", "denominator", "value", "lower_ci", "upper_ci", "confidence", "lower_ci_998", "upper_ci_998"}
    for column in [c for c in RESULT_COLUMNS if c not in numbers]:
        values = results[column]
        assert isinstance(values.dtype, pd.CategoricalDtype), column
        categories = [str(c) for c in values.cat.categories]
        assert categories == sorted(set(values.dropna().astype(str))), column
    territory = results.loc[(results["zone_type"] == "territory") & (results["indicator"] == "part_75p")]
    assert len(territory) == 1 and territory["zone_code"].iloc[0] == "T1"


def test_proportion_from_summed_counts(setup):
    _, zobs, results = setup
    row = pick(results, "part_75p", "territory", "T1")
    pop = zobs.loc[(zobs["zone_code"] == "T1") & (zobs["measure"] == "population")]
    n = pop["value"].sum()
    x = pop.loc[pop["age"].isin(["75-79", "80-84", "85-89", "90+"]), "value"].sum()
    assert row["numerator"] == pytest.approx(x) and row["denominator"] == pytest.approx(n)
    assert row["value"] == pytest.approx(100 * x / n, rel=1e-12)
    lo, hi = wilson(x, n, 0.95)
    assert (row["lower_ci"], row["upper_ci"]) == pytest.approx((100 * lo, 100 * hi), rel=1e-9)
    lo, hi = wilson(x, n, 0.998)
    assert (row["lower_ci_998"], row["upper_ci_998"]) == pytest.approx((100 * lo, 100 * hi), rel=1e-9)
    assert row["status"] == "ok" and row["assessment"] == "not judged"  # polarity 0


def byar(x, level):
    z = norm.ppf(1 - (1 - level) / 2)
    lower = x * (1 - 1 / (9 * x) - z / (3 * np.sqrt(x))) ** 3
    upper = (x + 1) * (1 - 1 / (9 * (x + 1)) + z / (3 * np.sqrt(x + 1))) ** 3
    return lower, upper


def _with_births(zobs):
    births = zobs.loc[(zobs["measure"] == "population") & (zobs["sex"] == "F") & (zobs["age"] == "25-29")]
    births = births.assign(period="2017-2021", measure="births", sex="all", age="all",
                           value=(births["value"] * 0.4).round(), status="ok")
    return pd.concat([zobs, births], ignore_index=True)


def test_crude_rate_pooled_over_years_with_byar_limits(setup):
    """Births of 2017-2021 per 1,000 inhabitants of 2021: the population counts five times (the
    years pooled), the limits are Byar's from 10 births (formulas written here)."""
    zones, zobs, _ = setup
    zobs = _with_births(zobs)
    results = compute_zone_results(zobs, zones, indicators=["natalite"])
    for zone_type, code in [("territory", "T1"), ("departement", "17"), ("france", "FRM")]:
        row = pick(results, "natalite", zone_type, code)
        mine = zobs.loc[zobs["zone_code"] == code]
        x = mine.loc[mine["measure"] == "births", "value"].sum()
        n = 5 * mine.loc[(mine["measure"] == "population"), "value"].sum()
        assert x >= 10 and row["numerator"] == pytest.approx(x) and row["denominator"] == pytest.approx(n)
        assert row["value"] == pytest.approx(1000 * x / n, rel=1e-12)
        for level, suffix in ((0.95, ""), (0.998, "_998")):
            lo, hi = byar(x, level)
            assert (row[f"lower_ci{suffix}"], row[f"upper_ci{suffix}"]) == pytest.approx((1000 * lo / n, 1000 * hi / n),
                                                                                         rel=1e-9)
        assert row["method"] == "Byars" and row["statistic"] == "rate per 1000"


def test_negative_counts_make_the_indicator_unavailable_with_a_french_note(setup):
    """A negative count (observations not validated) gives no figure at all, rather than a
    rate or a proportion computed from it: every zone says why."""
    zones, zobs, _ = setup
    zobs = _with_births(zobs)
    negative = (zobs["measure"] == "births") & (zobs["zone_code"] == COMMUNES[1])
    zobs.loc[negative, "value"] = -3.0
    results = compute_zone_results(zobs, zones, indicators=["natalite", "part_75p"])
    rate = results.loc[results["indicator"] == "natalite"]
    assert rate["value"].isna().all() and (rate["status"] == "missing").all()
    assert rate["note"].str.contains("effectifs négatifs dans births ou population").all()
    assert (results.loc[results["indicator"] == "part_75p", "status"] == "ok").any()  # the others go on


def test_icm_by_sex_and_age_against_france(setup):
    _, zobs, results = setup
    france = zobs.loc[zobs["zone_code"] == "FRM"].pivot_table(index=["sex", "age"], columns="measure", values="value")
    rate = france["deaths"] / (france["population"] * 5)
    territory = zobs.loc[zobs["zone_code"] == "T1"].pivot_table(index=["sex", "age"], columns="measure", values="value")
    expected = (territory["population"] * 5 * rate).sum()
    observed = territory["deaths"].sum()
    row = pick(results, "mort_generale_icm", "territory", "T1")
    assert row["numerator"] == pytest.approx(observed)
    assert row["value"] == pytest.approx(100 * observed / expected, rel=1e-9)
    assert pick(results, "mort_generale_icm", "france", "FRM")["value"] == pytest.approx(100.0)
    # the France zone is not compared with itself
    assert pick(results, "mort_generale_icm", "france", "FRM")["comparison"] == "not compared"
    assert pick(results, "mort_generale_icm", "france", "FRM")["comparison_departement"] == "not compared"
    assert pick(results, "mort_generale_icm", "departement", "17")["comparison_region"] != "not compared"
    # Byar limits on the observed count, scaled by 100 / expected
    z = norm.ppf(0.975)
    lower = observed * (1 - 1 / (9 * observed) - z / (3 * np.sqrt(observed))) ** 3
    assert row["lower_ci"] == pytest.approx(100 * lower / expected, rel=1e-9)


def test_dsr_esp2013(setup):
    _, zobs, results = setup
    table = zobs.loc[zobs["zone_code"] == "17"].groupby(["age", "measure"])["value"].sum().unstack()
    table = table.reindex(BANDS)
    rates = table["deaths"] / (table["population"] * 5)
    expected = (np.array(ESP2013) * rates.to_numpy()).sum() / sum(ESP2013) * 100000
    row = pick(results, "mort_generale_tsm", "departement", "17")
    assert row["value"] == pytest.approx(expected, rel=1e-9)
    assert row["comparison_departement"] == "not compared"


def test_dsr_standardised_on_france_population(setup, monkeypatch):
    """A catalogue entry with ``standard = "france"``: the standard is France's population by
    band (formula written here), on the engine's grid and through stats.dsr alike."""
    from cls_analysis.indicators.catalogue import load_catalogue

    zones, zobs, _ = setup
    catalogue = load_catalogue()
    catalogue.loc[catalogue["id"] == "mort_generale_tsm", "standard"] = "france"
    results = compute_zone_results(zobs, zones, catalogue=catalogue, indicators=["mort_generale_tsm"])

    def by_band(code):
        return zobs.loc[zobs["zone_code"] == code].groupby(["age", "measure"])["value"].sum().unstack().reindex(BANDS)

    weights = by_band("FRM")["population"].to_numpy()
    for code, zone_type in (("T1", "territory"), ("17", "departement")):
        table = by_band(code)
        rates = (table["deaths"] / (table["population"] * 5)).to_numpy()
        expected = (weights * rates).sum() / weights.sum() * 100000
        assert pick(results, "mort_generale_tsm", zone_type, code)["value"] == pytest.approx(expected, rel=1e-9)
    monkeypatch.setattr(engine, "_direct", lambda *args: None)  # through stats.dsr
    through_stats = compute_zone_results(zobs, zones, catalogue=catalogue, indicators=["mort_generale_tsm"])
    pd.testing.assert_frame_equal(through_stats, results, check_exact=False, rtol=1e-12)


def test_premature_icm_uses_bands_under_65(setup):
    _, zobs, results = setup
    deaths = zobs.loc[(zobs["zone_code"] == "T1") & (zobs["measure"] == "deaths")]
    young = deaths.loc[deaths["age"].isin(BANDS[:13]), "value"].sum()
    row = pick(results, "mort_prematuree_icm", "territory", "T1")
    if row["status"] == "ok":
        assert row["numerator"] == pytest.approx(young)
    else:
        assert young < 10 and np.isnan(row["value"])


def test_small_counts_suppressed_with_secondary(setup):
    _, zobs, results = setup
    communes = results.loc[(results["indicator"] == "mort_prematuree_icm") & (results["zone_type"] == "commune")]
    deaths = zobs.loc[(zobs["measure"] == "deaths") & (zobs["zone_type"] == "commune") & zobs["age"].isin(BANDS[:13])]
    counts = deaths.groupby("zone_code")["value"].sum()
    for row in communes.itertuples():
        if 0 < counts[row.zone_code] < 10:
            assert row.status == "suppressed" and np.isnan(row.value) and np.isnan(row.numerator)
    hidden = communes.loc[communes["status"] == "suppressed"]
    assert (counts[COMMUNES[0]] < 10) and len(hidden) == 2  # one small count, one more hidden
    second = results.loc[hidden.index[hidden["zone_code"] != COMMUNES[0]][0]]
    assert second["note"].startswith("masqué") and counts[second["zone_code"]] >= 10
    # the territory total stays published
    assert pick(results, "mort_prematuree_icm", "territory", "T1")["status"] == "ok"


def test_a_lone_hidden_commune_is_protected_by_its_parent_being_hidden():
    """A hidden commune whose neighbours count no event has no partner to hide: the territory's
    total is then that commune's small count, hidden by the same rule, so nothing is
    recoverable and no other commune is hidden for nothing."""
    zones = make_zones()
    obs = commune_observations()
    young = (obs["measure"] == "deaths") & obs["age"].isin(BANDS[:13]) & obs["zone_code"].isin(COMMUNES[1:3])
    obs.loc[young, "value"] = 0.0
    results = compute_zone_results(to_zones(obs, zones), zones, indicators=["mort_prematuree_icm"])
    communes = results.loc[results["zone_type"] == "commune"].set_index("zone_code")
    small = obs.loc[(obs["measure"] == "deaths") & obs["age"].isin(BANDS[:13]) & (obs["zone_code"] == COMMUNES[0]), "value"].sum()
    assert 0 < small < 10 and communes.loc[COMMUNES[0], "status"] == "suppressed"
    assert (communes.loc[COMMUNES[1:3], "status"] == "zero").all()
    assert not communes["note"].str.startswith("masqué").any()
    territory = pick(results, "mort_prematuree_icm", "territory", "T1")
    assert territory["status"] == "suppressed" and np.isnan(territory["numerator"])


def test_published_value_and_producer_secret(setup):
    _, _, results = setup
    assert pick(results, "revenu_median", "territory", "T1")["value"] == 21000
    secret = pick(results, "revenu_median", "commune", COMMUNES[2])
    assert secret["status"] == "suppressed" and secret["note"] == "secret statistique du producteur"
    region = results.loc[(results["indicator"] == "revenu_median") & (results["zone_type"] == "region")]
    assert region.empty  # never summed from communes: absent where not published


def test_life_table_bands_and_direct_standardisation_bands(monkeypatch):
    """Deaths at 0 and 1-4: the life table uses them, the DSR sums them into the standard's 0-4.
    The engine's life tables on its grid of zones × bands agree with stats.life_expectancy, the
    checked function, called on the same deaths and populations as a table."""
    zones = make_zones()
    obs = commune_observations()
    extra = []
    rng = np.random.default_rng(3)
    # split the 0-4 band of every commune into 0 and 1-4 (population and deaths)
    first = obs.loc[obs["age"] == "0-4"]
    for row in first.itertuples(index=False):
        if row.measure == "population":
            infants = round(row.value / 5)
            extra += [(row.zone_type, row.zone_code, row.period, row.measure, row.sex, "0", float(infants), "ok"),
                      (row.zone_type, row.zone_code, row.period, row.measure, row.sex, "1-4", row.value - infants, "ok")]
        else:
            infants = float(rng.binomial(int(row.value), 0.8))
            extra += [(row.zone_type, row.zone_code, row.period, row.measure, row.sex, "0", infants, "ok"),
                      (row.zone_type, row.zone_code, row.period, row.measure, row.sex, "1-4", row.value - infants, "ok")]
    deaths_split = pd.DataFrame(extra, columns=obs.columns)
    # population keeps its 0-4 band as well (as the census reader gives both); deaths only the split
    obs2 = pd.concat([obs.loc[~((obs["measure"] == "deaths") & (obs["age"] == "0-4"))], deaths_split], ignore_index=True)
    zobs = to_zones(obs2, zones)
    zobs.loc[zobs["value"] == 0, "status"] = "zero"
    results = compute_zone_results(zobs, zones, indicators=["mort_generale_tsm", "esperance_vie_f"])
    before = compute_zone_results(to_zones(obs, zones), zones, indicators=["mort_generale_tsm"])
    assert pick(results, "mort_generale_tsm", "france", "FRM")["value"] == pytest.approx(
        pick(before, "mort_generale_tsm", "france", "FRM")["value"], rel=1e-12)
    life = pick(results, "esperance_vie_f", "france", "FRM")
    assert life["status"] == "ok" and 40 < life["value"] < 100
    expected = _rows_of(results, ["esperance_vie_f"])
    assert (expected["status"] == "ok").sum() >= 3
    monkeypatch.setattr(engine, "_life_table", lambda *args: None)  # every life table through stats
    through_stats = compute_zone_results(zobs, zones, indicators=["esperance_vie_f"])
    pd.testing.assert_frame_equal(through_stats, expected, check_exact=False, rtol=1e-12)


def test_a_withheld_part_makes_the_figure_secret():
    """A secret cell among the bands summed (deaths of one age band, population of one sex) is
    never read as zero: the standardised rates, the ICM and the proportions are suppressed."""
    zones = make_zones()
    zobs = to_zones(commune_observations(), zones)
    deaths_band = (zobs["zone_code"] == "T1") & (zobs["measure"] == "deaths") & (zobs["age"] == "70-74") & (zobs["sex"] == "F")
    zobs.loc[deaths_band, ["value", "status"]] = [np.nan, "secret"]
    population_band = (zobs["zone_code"] == "17") & (zobs["measure"] == "population") & (zobs["age"] == "80-84") & (zobs["sex"] == "M")
    zobs.loc[population_band, ["value", "status"]] = [np.nan, "secret"]
    results = compute_zone_results(zobs, zones, indicators=["mort_generale_tsm", "mort_generale_icm", "part_75p"])
    for indicator, zone in [("mort_generale_tsm", "T1"), ("mort_generale_icm", "T1"), ("mort_generale_tsm", "17"),
                            ("part_75p", "17")]:
        zone_type = "territory" if zone == "T1" else "departement"
        row = pick(results, indicator, zone_type, zone)
        assert row["status"] == "suppressed" and row["note"] == "secret statistique du producteur", (indicator, zone)
        assert np.isnan(row["value"])
    # the other zones keep their figures
    assert pick(results, "mort_generale_tsm", "region", "75")["status"] == "ok"
    assert pick(results, "part_75p", "territory", "T1")["status"] == "ok"


_INDICATORS = ["part_75p", "mort_generale_icm", "mort_generale_tsm", "revenu_median", "mort_prematuree_icm"]
needs_fork = pytest.mark.skipif(not can_fork(), reason="processus par fork : Linux seulement")


@needs_fork
def test_indicators_shared_with_a_forked_process_give_the_same_results(setup, tmp_path, monkeypatch):
    zones, zobs, results = setup
    pids, original = tmp_path / "pids.txt", engine._indicator_part

    def recorded(position, ind, ctx):
        with open(pids, "a") as out:
            out.write(f"{os.getpid()}\n")
        return original(position, ind, ctx)

    monkeypatch.setattr(engine, "_indicator_part", recorded)
    shared = compute_zone_results(zobs, zones, indicators=_INDICATORS, workers=2)
    pd.testing.assert_frame_equal(shared, results)
    seen = [int(p) for p in pids.read_text().split()]
    assert len(seen) == len(_INDICATORS) and len(set(seen)) == 2 and os.getpid() in seen


@needs_fork
def test_indicators_a_dead_process_left_are_computed_here(setup, monkeypatch):
    zones, zobs, results = setup
    parent, original = os.getpid(), engine._indicator_part

    def dying(position, ind, ctx):
        if os.getpid() != parent:
            os._exit(1)  # the forked process killed (out of memory…) in the middle
        return original(position, ind, ctx)

    monkeypatch.setattr(engine, "_indicator_part", dying)
    pd.testing.assert_frame_equal(compute_zone_results(zobs, zones, indicators=_INDICATORS, workers=2), results)


def test_a_value_left_out_by_a_method_rule_says_why_in_french():
    """A DSR of a commune without any death is not computed (PHE: under 10 events): the note
    users read in the annex says so in French, not in PHE's English statement."""
    zones = make_zones()
    obs = commune_observations()
    none = (obs["zone_code"] == COMMUNES[0]) & (obs["measure"] == "deaths")
    obs.loc[none, ["value", "status"]] = [0.0, "zero"]
    results = compute_zone_results(to_zones(obs, zones), zones, indicators=["mort_generale_tsm", "esperance_vie_m"])
    row = pick(results, "mort_generale_tsm", "commune", COMMUNES[0])
    assert np.isnan(row["value"]) and row["status"] == "missing"
    assert row["note"] == "taux standardisé non calculé : moins de 10 événements au total"
    assert not results["note"].str.contains(r"\bNA\b|life expectancy|dsr ", regex=True).any()


_STANDARDISED = ["mort_generale_icm", "mort_generale_tsm", "mort_prematuree_icm"]


def _rows_of(results: pd.DataFrame, indicators: list[str]) -> pd.DataFrame:
    """The results of some indicators as the engine gives them for those alone (its text
    columns are categoricals of the labels used)."""
    rows = results.loc[results["indicator"].isin(indicators)].reset_index(drop=True)
    text = rows.select_dtypes("category").columns
    rows[text] = rows[text].apply(lambda column: column.cat.remove_unused_categories())
    return rows


def test_standardised_figures_on_the_band_grid_agree_with_the_stats_functions(setup, monkeypatch):
    """The engine computes DSRs and ICMs on its grid of zones × bands (sums over an axis,
    France's rates as a vector); stats.dsr and stats.isr, the checked functions, called on the
    same events and populations as tables, give the same figures (life tables: see
    test_life_table_bands_and_direct_standardisation_bands)."""
    zones, zobs, results = setup
    indicators = _STANDARDISED
    expected = _rows_of(results, indicators)
    assert (expected["status"] == "ok").sum() >= 6 and expected["method"].isin(["Exact", "Byars", "Dobson"]).all()
    monkeypatch.setattr(engine, "_direct", lambda *args: None)  # every DSR through stats.dsr
    monkeypatch.setattr(grid.BandPair, "indirect", lambda *args: None)  # every ICM through stats.isr
    through_stats = compute_zone_results(zobs, zones, indicators=indicators)
    pd.testing.assert_frame_equal(through_stats, expected, check_exact=False, rtol=1e-12)


def test_a_zone_without_any_event_row_gets_no_standardised_figure(setup):
    """A commune absent from the deaths (not covered by the source) gets no ICM or rate, while
    the figures of the zones that have death rows do not move."""
    zones, zobs, results = setup
    uncovered = (zobs["zone_code"] == COMMUNES[0]) & (zobs["measure"] == "deaths")
    assert uncovered.any()
    without = compute_zone_results(zobs.loc[~uncovered], zones, indicators=_STANDARDISED)
    for indicator in _STANDARDISED:
        mine = without.loc[without["indicator"] == indicator]
        assert COMMUNES[0] not in set(mine["zone_code"]), indicator
        assert COMMUNES[1] in set(mine["zone_code"]), indicator
        for zone_type, code in [("territory", "T1"), ("departement", "17"), ("france", "FRM")]:
            before, after = pick(results, indicator, zone_type, code), pick(without, indicator, zone_type, code)
            assert after["value"] == pytest.approx(before["value"], rel=1e-12), (indicator, code)
            assert after["lower_ci"] == pytest.approx(before["lower_ci"], rel=1e-12), (indicator, code)


def test_zone_observations_given_in_parts_give_the_same_results(setup):
    """The national pass hands the engine its zone observations in parts (the communes' rows
    are not copied into one table): they are read as their concatenation, whatever the parts'
    categories, a measure's rows coming from several parts."""
    zones, zobs, _ = setup
    population = (zobs["measure"] == "population").to_numpy()
    commune = (zobs["zone_type"] == "commune").to_numpy()
    own = {c: "category" for c in ("period", "measure", "sex", "age", "status")}  # each part its own categories
    parts = [zobs.loc[population & commune].astype(own), zobs.loc[~population].astype(own),
             zobs.loc[population & ~commune].astype(own)]
    assert [set(p["measure"].cat.categories) for p in parts][:2] == [{"population"}, set(zobs["measure"]) - {"population"}]
    expected = compute_zone_results(pd.concat(parts, ignore_index=True), zones, indicators=_INDICATORS)
    assert (expected["status"] == "ok").sum() > 20
    pd.testing.assert_frame_equal(compute_zone_results(parts, zones, indicators=_INDICATORS), expected)


def test_zero_bands_of_events_may_be_left_out(setup):
    """As the national pass hands them over: a commune's zero bands of deaths left out where its
    deaths at all ages are written. The results are the same: a commune without any death under
    65 keeps its premature mortality (no event), and all-ages rows of a period given without
    bands make no standardised figure."""
    zones, zobs, _ = setup
    indicators = ["mort_generale_icm", "mort_generale_tsm", "mort_prematuree_icm", "mort_prematuree_tsm"]
    zobs = zobs.copy()
    deaths = (zobs["measure"] == "deaths").to_numpy()
    young = zobs["age"].isin([b for b in BANDS if int(b.split("-")[0].rstrip("+")) < 65]).to_numpy()
    first = (zobs["zone_type"] == "commune").to_numpy() & (zobs["zone_code"] == COMMUNES[0]).to_numpy()
    zobs.loc[deaths & young & first, ["value", "status"]] = [0.0, "zero"]  # no death under 65
    by_sex = zobs.loc[deaths].groupby(["zone_type", "zone_code", "period", "sex"], as_index=False)["value"].sum()
    both = by_sex.groupby(["zone_type", "zone_code", "period"], as_index=False)["value"].sum().assign(sex="all")
    all_ages = pd.concat([by_sex, both], ignore_index=True).assign(measure="deaths", age="all")
    later = both.assign(period="2023", measure="deaths", age="all")  # a year given at all ages only
    all_ages = pd.concat([all_ages, later], ignore_index=True)
    all_ages["status"] = np.where(all_ages["value"] == 0, "zero", "ok")
    written = pd.concat([zobs, all_ages[zobs.columns]], ignore_index=True)
    left_out = ((written["zone_type"] == "commune") & (written["measure"] == "deaths") & (written["age"] != "all")
                & (written["status"] == "zero")).to_numpy()
    assert left_out.sum() >= 26
    expected = compute_zone_results(written, zones, indicators=indicators)
    got = compute_zone_results(written.loc[~left_out], zones, indicators=indicators)
    pd.testing.assert_frame_equal(got, expected)
    premature = pick(got, "mort_prematuree_icm", "commune", COMMUNES[0])
    assert premature["numerator"] == 0 and premature["denominator"] > 0
    assert set(got["period"]) == {"2019-2023"}
