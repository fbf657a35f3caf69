"""The observations contract: schema, categoricals, and aggregation to the zones of a territory."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pytest

from cls_analysis import observations
from cls_analysis._parallel import can_fork
from cls_analysis.errors import FileFormatError
from cls_analysis.geo.geography import Geography
from cls_analysis.territory import Territory

TWO = ["17008", "17009"]


def make(rows: list[dict]) -> pd.DataFrame:
    """Observations from partial rows (defaults: commune, 2021, all, all, ok, cog 2025)."""
    full = []
    for row in rows:
        r = {"zone_type": "commune", "period": "2021", "sex": "all", "age": "all", "status": "ok",
             "source": "test", "cog": 2025, **row}
        if r["zone_type"] not in ("commune", "arrondissement"):
            r["cog"] = None
        if r["status"] in ("secret", "missing"):
            r["value"] = np.nan
        full.append(r)
    frame = pd.DataFrame(full)[observations.COLUMNS]
    frame["cog"] = pd.array(frame["cog"].astype(float), dtype="Float64").astype("Int64")
    return observations.concat([frame.astype({"value": float})])


def national(measure: str, value_of, *, period: str = "2021", status_of=None, departements=None) -> pd.DataFrame:
    """One row per commune of France (or of some départements)."""
    communes = Geography.embedded().communes
    if departements:
        communes = communes.loc[communes["departement"].isin(departements)]
    codes = communes["code"].tolist()
    values = [value_of(c) for c in codes]
    statuses = [status_of(c) if status_of else "ok" for c in codes]
    return make([{"zone_code": c, "measure": measure, "period": period, "value": v, "status": s}
                 for c, v, s in zip(codes, values, statuses, strict=True)])


@pytest.fixture(scope="module")
def territory():
    return Territory.from_communes(TWO, name="Deux communes")


def pick(out, zone_type, measure, **keys):
    rows = out.loc[(out["zone_type"] == zone_type) & (out["measure"] == measure)]
    for k, v in keys.items():
        rows = rows.loc[rows[k] == v]
    return rows


# ----------------------------------------------------------------------------- schema
def test_validate_reports_every_problem_in_french():
    bad = make([{"zone_code": "17008", "measure": "population", "value": 10}]).astype(object)
    bad.loc[1] = ["commune", "1700", "2021", "population", "X", "9 ans", -3.0, "ok", "", None]
    bad.loc[2] = ["planète", "17008", "21", "Population", "all", "all", np.nan, "ok", "s", 2025]
    bad = bad.astype({"value": float}).astype({"cog": "Int64"})
    with pytest.raises(FileFormatError) as error:
        observations.validate(bad, path="essai.csv")
    message = str(error.value)
    assert message.startswith("essai.csv : observations invalides")
    for expected in [
        "colonne « niveau » : type de zone inconnu",
        "colonne « période » : période attendue",
        "colonne « mesure » : nom de mesure attendu en minuscules",
        "colonne « sexe » : sexe attendu",
        "colonne « âge » : classe d'âge attendue",
        "colonne « source » : source vide",
        "code de zone invalide pour son type de zone — ligne(s) 1 : commune 1700",
        "valeur incohérente avec le statut",
        "millésime du COG (cog) manquant",
        "effectif négatif",
    ]:
        assert expected in message, expected


def test_missing_and_extra_columns():
    frame = observations.empty().drop(columns="cog").assign(extra=1)
    with pytest.raises(FileFormatError) as error:
        observations.validate(frame)
    assert "colonne(s) absente(s) : cog" in str(error.value)
    assert "colonne(s) en trop : extra" in str(error.value)


def test_text_columns_are_sorted_categoricals_usable_as_strings():
    obs = make([{"zone_code": c, "measure": "births", "value": 1.0} for c in ["17009", "17008"]])
    assert isinstance(obs["zone_code"].dtype, pd.CategoricalDtype)
    assert list(obs["zone_code"].cat.categories) == ["17008", "17009"]
    assert obs.loc[obs["zone_code"] == "17008", "value"].tolist() == [1.0]
    assert observations.as_text(obs)["zone_code"].dtype == "str"
    both = observations.concat([obs, make([{"zone_code": "2A004", "measure": "deaths", "value": 2.0}])])
    assert list(both["measure"].cat.categories) == ["births", "deaths"]


@pytest.mark.parametrize(
    ("label", "expected"),
    [("00-04", "0-4"), ("90 ans et plus", "90+"), ("de 30 à 34 ans", "30-34"), ("95et+", "95+"),
     ("Tout âge", "all"), ("moins de 30 ans", "0-29"), ("75P", "75+"), ("16", "16")],
)
def test_age_labels(label, expected):
    assert observations.normalize_age(label) == expected


# ----------------------------------------------------------------------------- sums and statuses
def test_counts_summed_and_secret_rule(territory):
    obs = national("births", lambda c: 1.0)
    out = observations.aggregate(obs, territory)
    assert pick(out, "territory", "births")["value"].tolist() == [2.0]
    assert pick(out, "departement", "births")["value"].tolist() == [462.0]
    assert pick(out, "france", "births")["value"].tolist() == [34746.0]
    # one secret member: the territory is secret (NaN), the known part is reported
    secret = national("births", lambda c: 1.0, status_of=lambda c: "secret" if c == "17009" else "ok")
    out = observations.aggregate(secret, territory)
    row = pick(out, "territory", "births")
    assert row["status"].tolist() == ["secret"] and np.isnan(row["value"].iloc[0])
    assert pick(out, "departement", "births")["status"].tolist() == ["secret"]
    partial = pd.DataFrame(out.attrs["secret_partial"])
    known = partial.loc[partial["zone_type"] == "territory"]
    assert known[["n_secret", "known_sum"]].values.tolist() == [[1, 1.0]]


def test_zero_status_and_missing_rules(territory):
    obs = national("births", lambda c: 0.0)
    out = observations.aggregate(obs, territory)
    assert pick(out, "territory", "births")["status"].tolist() == ["zero"]
    # a member of the territory without value: the territory is missing, comparators tolerate it
    gap = obs.loc[obs["zone_code"] != "17009"]
    gap = observations.concat([gap, national("births", lambda c: 1.0).loc[lambda f: f["zone_code"] != "17009"]
                               .assign(period="2022")])
    out = observations.aggregate(gap, territory)
    assert pick(out, "territory", "births", period="2021")["status"].tolist() == ["missing"]
    assert pick(out, "commune", "births", period="2021", zone_code="17008")["status"].tolist() == ["zero"]
    assert pick(out, "departement", "births", period="2022")[["value", "status"]].values.tolist() == [[461.0, "ok"]]
    incomplete = pd.DataFrame(out.attrs["incomplete"])
    assert set(incomplete["zone_type"]) >= {"departement", "region", "france"}
    # most of the département missing: missing
    few = national("births", lambda c: 1.0, departements=["79"])
    out = observations.aggregate(observations.concat([few, obs.loc[obs["zone_code"].isin(TWO)]]), territory)
    assert pick(out, "departement", "births")["status"].tolist() == ["missing"]


def test_weighted_mean_of_apl(territory):
    apl = {"17008": 2.0, "17009": 4.0}
    weight = {"17008": 3000.0, "17009": 1000.0}
    obs = observations.concat([
        national("apl_gp", lambda c: apl.get(c, 3.0), period="2023"),
        national("apl_gp_standardised_population", lambda c: weight.get(c, 1000.0), period="2023"),
    ])
    out = observations.aggregate(obs, territory)
    value = pick(out, "territory", "apl_gp")["value"].iloc[0]
    assert value == pytest.approx((2 * 3000 + 4 * 1000) / 4000)
    assert pick(out, "commune", "apl_gp", zone_code="17009")["value"].tolist() == [4.0]


def test_medians_never_summed_published_values_kept(territory):
    obs = observations.concat([
        national("median_income", lambda c: 20000.0),
        make([
            {"zone_type": "departement", "zone_code": "17", "measure": "median_income", "value": 22500.0},
            {"zone_type": "france", "zone_code": "FRM", "measure": "median_income", "value": 22000.0},
            {"zone_type": "departement", "zone_code": "17", "measure": "births", "value": 5000.0},
        ]),
        national("births", lambda c: 1.0),
    ])
    out = observations.aggregate(obs, territory)
    assert pick(out, "territory", "median_income").empty  # a median is not computed from communes
    assert pick(out, "commune", "median_income", zone_code="17008")["value"].tolist() == [20000.0]
    assert pick(out, "departement", "median_income")["value"].tolist() == [22500.0]
    assert pick(out, "france", "median_income")["value"].tolist() == [22000.0]
    assert pick(out, "region", "median_income").empty
    # a published count wins over the sum of communes
    assert pick(out, "departement", "births")["value"].tolist() == [5000.0]


def test_epci_value_is_the_territory_value():
    territory = Territory.from_epci("200041499")
    obs = make([{"zone_type": "epci", "zone_code": "200041499", "measure": "median_income", "value": 24000.0}])
    out = observations.aggregate(obs, territory)
    assert pick(out, "territory", "median_income")["value"].tolist() == [24000.0]


def test_departements_summed_to_region_and_france(territory):
    geo = Geography.embedded()
    deps = sorted(set(geo.communes["departement"]))
    obs = make([{"zone_type": "departement", "zone_code": d, "measure": "gp_count", "period": "2023", "value": 10.0}
                for d in deps])
    out = observations.aggregate(obs, territory)
    n_region = geo.communes.loc[geo.communes["region"] == "75", "departement"].nunique()
    assert pick(out, "region", "gp_count")["value"].tolist() == [10.0 * n_region]
    metro = len([d for d in deps if not d.startswith("97")])
    assert pick(out, "france", "gp_count")["value"].tolist() == [10.0 * metro]
    # one département missing: the région is missing, never under-counted
    out = observations.aggregate(obs.loc[obs["zone_code"] != "79"], territory)
    assert pick(out, "region", "gp_count")["status"].tolist() == ["missing"]


def test_sparse_counts_absent_is_zero_where_covered(territory):
    deaths = make([{"zone_code": "17008", "measure": "deaths", "period": "2019-2023", "value": 12.0},
                   {"zone_code": "17300", "measure": "deaths_suicide", "period": "2019-2023", "value": 1.0}])
    out = observations.aggregate(deaths, territory)
    assert pick(out, "territory", "deaths")[["value", "status"]].values.tolist() == [[12.0, "ok"]]
    assert pick(out, "territory", "deaths_suicide")["status"].tolist() == ["zero"]
    assert pick(out, "commune", "deaths", zone_code="17009")["status"].tolist() == ["zero"]
    assert pick(out, "departement", "deaths")["value"].tolist() == [12.0]
    # the source covers département 17 only: région and France are missing
    assert pick(out, "region", "deaths")["status"].tolist() == ["missing"]
    assert pick(out, "france", "deaths")["status"].tolist() == ["missing"]


# ----------------------------------------------------------------------------- Paris, Lyon, Marseille
def test_plm_commune_and_arrondissements_not_double_counted():
    lyon = Territory.from_communes(["69123"], name="Lyon")
    rows = [{"zone_code": "69123", "measure": "population", "value": 500.0}]
    rows += [{"zone_code": f"6938{i}", "measure": "population", "value": 50.0} for i in range(1, 10)]
    obs = observations.resolve_arrondissements(make(rows))
    assert set(obs.loc[obs["zone_code"] != "69123", "zone_type"]) == {"arrondissement"}
    out = observations.aggregate(obs, lyon)
    assert pick(out, "territory", "population")["value"].tolist() == [500.0]


def test_plm_commune_derived_from_arrondissements_only():
    rows = [{"zone_code": f"6938{i}", "measure": m, "period": "2023", "value": v}
            for i in range(1, 10) for m, v in (("apl_gp", float(i)), ("apl_gp_standardised_population", 100.0 * i))]
    obs = observations.resolve_arrondissements(make(rows))
    lyon = obs.loc[(obs["zone_type"] == "commune") & (obs["measure"] == "apl_gp"), "value"]
    weights = np.arange(1, 10) * 100.0
    assert lyon.tolist() == [pytest.approx((np.arange(1, 10) * weights).sum() / weights.sum())]


# ----------------------------------------------------------------------------- COG vintages
def test_codes_of_an_older_vintage_are_converted():
    rows = make([
        {"zone_code": "25533", "measure": "population", "value": 40.0, "cog": 2024},
        {"zone_code": "25223", "measure": "population", "value": 300.0, "cog": 2024},
        {"zone_code": "25533", "measure": "median_income", "value": 21000.0, "cog": 2024},
        {"zone_code": "25223", "measure": "median_income", "value": 23000.0, "cog": 2024},
        {"zone_code": "99999", "measure": "population", "value": 1.0, "cog": 2024},
        {"zone_code": "17008", "measure": "population", "value": 2000.0, "cog": 2024},
    ])
    out = observations.to_cog(rows)
    merged = out.loc[out["zone_code"] == "25223"].set_index("measure")
    assert merged.loc["population", "value"] == 340.0
    assert merged.loc["median_income", "status"] == "missing"  # a median of merged communes is unknown
    assert out.attrs["unknown_codes"] == ["99999"]
    assert out.attrs["converted_codes"] == [{"old_code": "25533", "code": "25223"}]
    assert set(out["cog"].dropna()) == {2025}
    territory = Territory.from_epci("200068070")  # Loue-Lison, 71 communes in COG 2025
    aggregated = observations.aggregate(rows, territory)
    assert pick(aggregated, "commune", "population", zone_code="25223")["value"].tolist() == [340.0]


# ----------------------------------------------------------------------------- national pass
def _national_rows() -> pd.DataFrame:
    """Births of every commune of 17 and 79 (one secret), deaths of some communes of 17 by age
    (a sparse source covering 17 only), and APL with its weights."""
    communes = Geography.embedded().communes
    codes = communes.loc[communes["departement"].isin(["17", "79"]), "code"].tolist()
    rows = []
    for i, code in enumerate(codes):
        births = {"zone_code": code, "measure": "births", "value": float(i % 7)}
        if i == 5:
            births = {**births, "status": "secret"}
        rows.append(births)
        rows.append({"zone_code": code, "measure": "apl_gp", "period": "2023", "value": 1.0 + (i % 5) / 2})
        rows.append({"zone_code": code, "measure": "apl_gp_standardised_population", "period": "2023",
                     "value": 100.0 + i})
        if code.startswith("17") and i % 3 == 0:
            for age in ("0-4", "65-69", "90+"):
                rows.append({"zone_code": code, "measure": "deaths", "period": "2019-2023", "age": age,
                             "value": float(1 + i % 4), "source": "décès"})
    return make(rows)


def test_national_aggregation_in_key_blocks_is_the_same_and_right(monkeypatch):
    from cls_analysis.indicators.national import NationalZones, aggregate_national

    obs = _national_rows()
    zones = NationalZones(regions=["75"])
    whole = aggregate_national(obs, zones)
    monkeypatch.setattr(observations, "_BLOCK_CELLS", 500)  # every commune level in many key blocks
    blocks = aggregate_national(obs, zones)
    key = ["zone_type", "zone_code", "period", "measure", "sex", "age"]
    a = observations.as_text(whole).sort_values(key).reset_index(drop=True)
    b = observations.as_text(blocks).sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)
    monkeypatch.setattr(observations, "_SCANNED_BLOCKS", 0)  # the blocks' rows found by sorting, not scanning
    pd.testing.assert_frame_equal(aggregate_national(obs, zones), blocks)

    # against sums computed independently, EPCI by EPCI
    communes = Geography.embedded().communes.set_index("code")
    plain = observations.as_text(obs)
    births = plain.loc[plain["measure"] == "births"].set_index("zone_code")
    epci_of = communes["epci"].reindex(births.index)
    inside = communes.loc[communes["epci"].isin(set(epci_of.dropna()))]
    complete = inside.groupby("epci")["departement"].agg(lambda d: set(d) <= {"17", "79"})
    secret_epci = epci_of.iloc[5]
    expected = births["value"].groupby(epci_of).sum()
    got = a.loc[(a["zone_type"] == "epci") & (a["measure"] == "births")].set_index("zone_code")
    for epci, ok in complete.items():
        if not ok:
            assert got.loc[epci, "status"] == "missing"
        elif epci == secret_epci:
            assert got.loc[epci, "status"] == "secret" and np.isnan(got.loc[epci, "value"])
        else:
            assert got.loc[epci, "value"] == pytest.approx(expected[epci])

    # APL of each EPCI: Σ APL × weight / Σ weight over its communes
    apl = plain.loc[plain["measure"] == "apl_gp"].set_index("zone_code")["value"]
    weight = plain.loc[plain["measure"] == "apl_gp_standardised_population"].set_index("zone_code")["value"]
    mean = (apl * weight).groupby(epci_of).sum() / weight.groupby(epci_of).sum()
    got_apl = a.loc[(a["zone_type"] == "epci") & (a["measure"] == "apl_gp")].set_index("zone_code")
    for epci in [e for e, ok in complete.items() if ok][:20]:
        assert got_apl.loc[epci, "value"] == pytest.approx(mean[epci], rel=1e-12)

    # deaths: every commune of 17 and every age band; zero where absent (17 is covered), missing in 79
    deaths = a.loc[(a["zone_type"] == "commune") & (a["measure"] == "deaths")]
    in_17 = deaths.loc[deaths["zone_code"].str.startswith("17")]
    assert in_17.groupby("age").size().nunique() == 1 and set(in_17["age"]) == {"0-4", "65-69", "90+"}
    listed = set(plain.loc[plain["measure"] == "deaths", "zone_code"])
    assert (in_17.loc[~in_17["zone_code"].isin(listed), "status"] == "zero").all()
    assert (deaths.loc[deaths["zone_code"].str.startswith("79"), "status"] == "missing").all()


def test_national_pass_may_leave_out_the_zero_bands_of_sparse_events():
    """For the engine's standardised indicators, the national pass does not write a commune's
    zero age bands of deaths when the same period and sex at all ages is written (covered): the
    other rows are the same; bands of a measure without an all-ages key, and bands where the
    source does not cover the commune (missing), stay."""
    from cls_analysis.indicators.national import NationalZones

    obs = _national_rows()  # deaths by band for a third of the communes of 17, a source covering 17
    plain = observations.as_text(obs)
    deaths = plain.loc[plain["measure"] == "deaths"]
    totals = deaths.groupby("zone_code")["value"].sum()
    extra = [{"zone_code": c, "measure": "deaths", "period": "2019-2023", "value": v, "source": "décès"}
             for c, v in totals.items()]
    extra += [{"zone_code": c, "measure": "deaths_suicide", "period": "2019-2023", "age": "65-69", "value": 1.0,
               "source": "décès"} for c in totals.index[:3]]  # by band only: no all-ages key
    obs = observations.concat([obs, make(extra)])
    zones = NationalZones(regions=["75"])
    (others, fine), _ = observations._aggregate_parts(obs, zones)
    (others_implicit, fine_implicit), _ = observations._aggregate_parts(
        obs, zones, implicit_zeros=["deaths", "deaths_suicide"])
    pd.testing.assert_frame_equal(observations.as_text(others_implicit), observations.as_text(others))

    key = ["zone_type", "zone_code", "period", "measure", "sex", "age"]
    every = observations.as_text(fine).merge(observations.as_text(fine_implicit), how="left", on=key,
                                             suffixes=("", "_implicit"), indicator=True)
    kept = every["_merge"] == "both"
    assert kept.sum() == len(fine_implicit)  # nothing new
    assert every.loc[kept, "value"].equals(every.loc[kept, "value_implicit"].rename("value"))
    assert (every.loc[kept, "status"] == every.loc[kept, "status_implicit"]).all()
    left_out = every.loc[~kept]
    is_band = (every["measure"] == "deaths") & (every["age"] != "all") & every["zone_code"].str.startswith("17")
    assert left_out.index.equals(every.index[is_band & (every["status"] == "zero")])
    assert len(left_out) > 400
    # every commune of 17 keeps its all-ages row: zero where it had no death
    in_17 = every["zone_code"].str.startswith("17")
    all_ages = every.loc[kept & in_17 & (every["measure"] == "deaths") & (every["age"] == "all")]
    assert set(all_ages["zone_code"]) == set(every.loc[in_17, "zone_code"])
    assert (all_ages.loc[~all_ages["zone_code"].isin(totals.index), "status"] == "zero").all()
    assert set(every.loc[kept & (every["measure"] == "deaths_suicide"), "age"]) == {"65-69"}
    assert (every.loc[every["zone_code"].str.startswith("79") & (every["measure"] == "deaths"), "_merge"] == "both").all()


@pytest.mark.skipif(not can_fork(), reason="processes started by fork (Linux) only")
def test_national_aggregation_with_a_second_process_is_the_same(monkeypatch, tmp_path):
    """The national pass combines the EPCIs, départements, régions and France in a forked
    process, and completes them there (published values, medians, sums from départements),
    while this one combines the communes: the same tables and reports as in one."""
    from cls_analysis.indicators.national import NationalZones

    obs = _commune_rows(repeated=True)  # secrets, missing values, partial secrets: reports
    zones = NationalZones(regions=["75"])
    (fine, others), attrs = observations._aggregate_parts(obs, zones)
    combined = observations._combined

    def marked(p, groups, *args):  # which process combined which zone types
        (tmp_path / groups[0][0]).write_text(str(os.getpid()))
        return combined(p, groups, *args)

    prioritise = observations._prioritise

    def marked_completion(frames):
        (tmp_path / "completed").write_text(str(os.getpid()))
        return prioritise(frames)

    monkeypatch.setattr(observations, "_combined", marked)
    monkeypatch.setattr(observations, "_prioritise", marked_completion)
    (fine_2, others_2), attrs_2 = observations._aggregate_parts(obs, zones, workers=2)
    assert int((tmp_path / "commune").read_text()) == os.getpid()
    assert int((tmp_path / "epci").read_text()) != os.getpid()
    assert int((tmp_path / "completed").read_text()) == int((tmp_path / "epci").read_text())
    pd.testing.assert_frame_equal(fine_2, fine)
    pd.testing.assert_frame_equal(others_2, others)
    assert len(attrs["secret_partial"]) > 1 and set(pd.DataFrame(attrs["secret_partial"])["zone_type"]) > {"commune"}
    assert attrs_2 == attrs


def _commune_rows(*, repeated: bool) -> pd.DataFrame:
    """Rows of every commune of 17 and 79 with what commune cells meet: a secret, a missing and
    zero births, an APL of -0.0 and one without its weight, households absent in one commune,
    deaths by age from a source covering 17 only (79 uncovered), and if ``repeated`` births
    counted twice for two communes (a second source: summed; one of them withheld)."""
    communes = Geography.embedded().communes
    codes = communes.loc[communes["departement"].isin(["17", "79"]), "code"].tolist()
    rows = []
    for i, code in enumerate(codes):
        status = "secret" if i == 5 else "missing" if i == 9 else "zero" if i % 11 == 0 else "ok"
        births = 0.0 if status == "zero" else float(i % 7) + 0.25
        rows.append({"zone_code": code, "measure": "births", "value": births, "status": status})
        rows.append({"zone_code": code, "measure": "apl_gp", "period": "2023", "value": -0.0 if i == 3 else 1 + (i % 5) / 3})
        if i != 4:  # commune 4: an APL without its weight
            rows.append({"zone_code": code, "measure": "apl_gp_standardised_population", "period": "2023",
                         "value": 100.0 + i})
        if i != 8:
            rows.append({"zone_code": code, "measure": "households", "value": float(i % 13)})
        if code.startswith("17") and i % 3 == 0:
            for age in ("0-4", "65-69"):
                rows.append({"zone_code": code, "measure": "deaths", "period": "2019-2023", "age": age,
                             "value": float(1 + i % 4), "source": "décès"})
    if repeated:
        rows.append({"zone_code": codes[1], "measure": "births", "value": 2.5, "source": "second"})
        rows.append({"zone_code": codes[2], "measure": "births", "status": "secret", "source": "second"})
    return make(rows)


@pytest.mark.parametrize(("repeated", "block_cells", "from_rows"), [
    (False, None, 2 * 700),  # total and weight of every cell of the communes of 17 and 79
    (True, None, 0),  # two rows in a cell: the level counted as any other
    (True, 500, 2 * 600),  # one key per block: births counted, the other keys taken from rows
])
def test_commune_cells_taken_from_their_rows_are_the_sums(monkeypatch, repeated, block_cells, from_rows):
    """Where each zone has one member (communes) and each cell one row at most, a cell's sums
    are taken from its row, not counted: the result is the general one, to the sign of zeros
    and the reports' order."""
    from cls_analysis.indicators.national import NationalZones

    obs = _commune_rows(repeated=repeated)
    zones = NationalZones(regions=["75"])
    if block_cells:
        monkeypatch.setattr(observations, "_BLOCK_CELLS", block_cells)
    taken = []
    plus_zero = observations._plus_zero
    monkeypatch.setattr(observations, "_plus_zero", lambda values: taken.append(len(values)) or plus_zero(values))
    fast = observations.aggregate(obs, zones, sort=False)
    assert sum(taken) >= from_rows and (sum(taken) > 0) == (from_rows > 0)
    general = observations._cell_sums
    monkeypatch.setattr(observations, "_cell_sums", lambda *a, **k: general(*a, **{**k, "singletons": False}))
    counted = observations.aggregate(obs, zones, sort=False)

    pd.testing.assert_frame_equal(fast, counted, check_exact=True)
    assert (np.signbit(fast["value"]) == np.signbit(counted["value"])).all()
    for name in ("secret_partial", "incomplete"):
        pd.testing.assert_frame_equal(pd.DataFrame(fast.attrs[name]), pd.DataFrame(counted.attrs[name]))
    communes = fast.loc[fast["zone_type"] == "commune"].set_index(["measure", "zone_code"])
    assert communes.loc[("deaths", "79005"), "status"].unique().tolist() == ["missing"]  # 79 not covered
    codes = obs["zone_code"].cat.categories
    if repeated:
        assert communes.loc[("births", codes[1]), "value"] == 1.25 + 2.5
        assert pd.DataFrame(fast.attrs["secret_partial"]).query("zone_type == 'commune'")["zone_code"].tolist() == [codes[2]]


def test_converted_rows_are_those_of_to_cog():
    """The commune rows aggregate uses are taken from the observations and the conversions
    (renamed, merged, unknown communes), never from the whole converted table: the same rows,
    in the same order, with the same categories, as those of ``to_cog``."""
    old = make([
        {"zone_code": "17001", "measure": "births", "value": 3.0, "cog": 2024},
        {"zone_code": "17123", "measure": "births", "value": 4.0, "cog": 2024},
        {"zone_code": "17001", "measure": "median_income", "value": 21000.0, "cog": 2024},
        {"zone_code": "17123", "measure": "median_income", "value": 22000.0, "cog": 2024},
        {"zone_code": "17144", "measure": "births", "value": 5.0, "cog": 2024, "source": "other"},
        {"zone_code": "17999", "measure": "births", "value": 5.0, "cog": 2024},
        {"zone_code": "17026", "measure": "births", "value": 1.0, "cog": 2024},
        {"zone_code": "17008", "measure": "births", "value": 2.0},
        {"zone_type": "departement", "zone_code": "17", "measure": "births", "value": 9.0},
    ])
    geography = Geography.embedded()
    selections = [lambda f: observations._is_in(f["measure"], ["births"]), lambda f: None]
    for obs in (old, observations.as_text(old)):  # categoricals, or plain text (labels of the rows)
        is_commune = np.asarray(obs["zone_type"] == "commune")
        for among in (None, is_commune):
            converted = observations.to_cog(obs if among is None else obs.loc[among], geography)
            assert converted.attrs["unknown_codes"] == ["17999"] and len(converted.attrs["converted_codes"]) == 3
            conversion = observations._Conversion(obs, geography, None)
            for select in selections:
                rows = conversion.rows(obs, select, observations.COLUMNS[:-1], among=among)
                mask = select(converted)
                expected = (converted if mask is None else converted.loc[mask]).drop(columns="cog")
                pd.testing.assert_frame_equal(rows, expected.reset_index(drop=True), check_exact=True)
                for column in observations.TEXT_COLUMNS:
                    assert list(rows[column].cat.categories) == list(expected[column].cat.categories), column
    births = observations._Conversion(old, geography, None).rows(old, selections[0])
    # 17001 and 17123 merged into 17397, 17144 into 17026; 17999 unknown; 17008 and 17 as they are
    assert dict(zip(births["zone_code"].astype(str), births["value"], strict=True)) == {
        "17008": 2.0, "17": 9.0, "17026": 6.0, "17397": 7.0}


def test_weighted_mean_without_its_weight_measure_is_missing(territory):
    obs = make([{"zone_code": c, "measure": "apl_gp", "period": "2023", "value": 2.0} for c in TWO])
    out = observations.aggregate(obs, territory)
    assert set(out["status"]) == {"missing"} and out["value"].isna().all()
