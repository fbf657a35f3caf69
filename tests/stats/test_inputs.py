"""Bad input gets a clear French error naming the column, the rows or groups, what was found
and what to do (never a traceback from inside pandas, never a silent wrong number)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cls_analysis import stats
from cls_analysis.errors import ClsAnalysisError
from cls_analysis.stats import StatsInputError

BANDS = [f"{a}-{a + 4}" for a in range(0, 90, 5)] + ["90+"]


def dsr_frame(**over) -> pd.DataFrame:
    df = pd.DataFrame({"area": "A", "age": BANDS, "deaths": 5.0, "pop": 1000.0})
    for k, v in over.items():
        df[k] = v
    return df


def test_error_class():
    assert issubclass(StatsInputError, ClsAnalysisError)
    assert issubclass(StatsInputError, ValueError)


def test_missing_column_is_named_with_the_argument():
    df = pd.DataFrame({"x": [1], "n": [10]})
    with pytest.raises(StatsInputError, match=r"Colonne 'pop' absente.*argument n.*x, n"):
        stats.crude_rate(df, "x", "pop")
    with pytest.raises(StatsInputError, match=r"Colonne 'zone' absente.*by"):
        stats.proportion(df, "x", "n", by="zone")
    with pytest.raises(StatsInputError, match=r"Colonne 'sexe'"):
        stats.proportion(df, "x", "n", by=["x", "sexe"])


@pytest.mark.parametrize("function", [stats.proportion, stats.crude_rate])
def test_negative_and_non_numeric_counts(function):
    df = pd.DataFrame({"g": ["a", "b", "c"], "x": [1, -3, 2], "n": [10, 10, 10]})
    with pytest.raises(StatsInputError, match=r"'x'.*valeurs négatives.*lignes 1 \(-3\)"):
        function(df, "x", "n", by="g")
    text = df.assign(x=["1", "2,5", "3"])
    with pytest.raises(StatsInputError, match=r"'x'.*numérique.*1 \('2,5'\).*virgule"):
        function(text, "x", "n", by="g")
    numeric_text = df.assign(x=["1", "2", "3"])
    with pytest.raises(StatsInputError, match=r"numérique.*stockée comme"):
        function(numeric_text, "x", "n", by="g")


def test_proportion_numerator_above_denominator():
    df = pd.DataFrame({"g": ["a", "b"], "x": [5, 12], "n": [10, 10]})
    with pytest.raises(StatsInputError, match=r"supérieur au dénominateur.*1 \(12 > 10\).*inversés"):
        stats.proportion(df, "x", "n", by="g")


@pytest.mark.parametrize("function", [stats.proportion, stats.crude_rate])
def test_zero_denominator_of_a_group(function):
    df = pd.DataFrame({"g": ["a", "b", "b"], "x": [0, 1, 0], "n": [0, 10, 0]})
    with pytest.raises(StatsInputError, match=r"nul.*g=a"):
        function(df, "x", "n", by="g")
    # a zero row inside a group with a positive total is fine
    assert function(df[df["g"] == "b"], "x", "n", by="g")["value"].notna().all()


@pytest.mark.parametrize("level", [0.8, 1.0, 95, 0.99999, "0.95", True])
def test_confidence_outside_range(level):
    df = pd.DataFrame({"x": [1], "n": [10]})
    with pytest.raises(StatsInputError, match="confiance|confidence"):
        stats.proportion(df, "x", "n", confidence=level)


def test_confidence_percentage_hint():
    df = pd.DataFrame({"x": [1], "n": [10]})
    with pytest.raises(StatsInputError, match=r"pourcentage \? écrivez 0.95"):
        stats.proportion(df, "x", "n", confidence=95)


def test_grouping_column_with_missing_values():
    df = pd.DataFrame({"g": ["a", None], "x": [1, 2], "n": [10, 10]})
    with pytest.raises(StatsInputError, match=r"regroupement 'g'.*manquantes.*lignes 1"):
        stats.proportion(df, "x", "n", by="g")


def test_age_band_missing_from_standard_is_named():
    df = dsr_frame(age=BANDS[:-1] + ["95+"])
    with pytest.raises(StatsInputError, match=r"Tranche d'âge '95\+' absente.*esp2013"):
        stats.dsr(df, "deaths", "pop", standard="esp2013")
    with pytest.raises(StatsInputError, match=r"Tranche d'âge '0-2' absente"):
        stats.dsr(dsr_frame(age=["0-2"] + BANDS[1:]), "deaths", "pop")


def test_dsr_groups_must_share_age_bands():
    df = pd.concat([dsr_frame(), dsr_frame(area="B").iloc[:-2]], ignore_index=True)
    with pytest.raises(StatsInputError, match=r"mêmes tranches.*area=B \(manque 85-89, 90\+\)"):
        stats.dsr(df, "deaths", "pop", by="area")


def test_dsr_population_problems():
    with pytest.raises(StatsInputError, match=r"'pop'.*manquantes"):
        stats.dsr(dsr_frame(pop=[np.nan] + [1000.0] * 18), "deaths", "pop")
    with pytest.raises(StatsInputError, match=r"population 'pop' nulle.*âge 5-9"):
        stats.dsr(dsr_frame(pop=[1000.0, 0.0] + [1000.0] * 17), "deaths", "pop")
    # zero population and zero events: the band adds nothing
    ok = dsr_frame(pop=[1000.0, 0.0] + [1000.0] * 17, deaths=[5.0, 0.0] + [5.0] * 17)
    assert stats.dsr(ok, "deaths", "pop")["value"].notna().all()


def test_dsr_standard_column_must_not_vary_within_a_band():
    df = pd.concat([dsr_frame(std=1.0), dsr_frame(area="B", std=[2.0] + [1.0] * 18)])
    with pytest.raises(StatsInputError, match=r"'std' n'est pas la même.*0-4"):
        stats.dsr(df, "deaths", "pop", standard="std", by="area")


def test_dsr_overlapping_bands_and_unknown_standard():
    with pytest.raises(StatsInputError, match=r"'85\+' et '90\+' se chevauchent"):
        stats.dsr(dsr_frame(age=BANDS[:-2] + ["85+", "90+"]), "deaths", "pop")
    with pytest.raises(StatsInputError, match=r"standard 'esp1976' inconnue.*'esp2013'"):
        stats.dsr(dsr_frame(), "deaths", "pop", standard="esp1976")
    with pytest.raises(StatsInputError, match="Méthode 'byar' inconnue"):
        stats.dsr(dsr_frame(), "deaths", "pop", method="byar")


def test_isr_reference_problems():
    df = pd.DataFrame({"age": ["0-64", "65+"], "x": [3, 9], "n": [900, 100]})
    ref = pd.DataFrame({"age": ["0-64"], "x": [10], "n": [1000]})
    with pytest.raises(StatsInputError, match=r"absentes du tableau de référence.*age=65\+"):
        stats.isr(df, "x", "n", reference=ref)
    with pytest.raises(StatsInputError, match="x_ref= et n_ref="):
        stats.isr(df, "x", "n")
    cols = df.assign(xr=[5, 5], nr=[0, 100])
    with pytest.raises(StatsInputError, match=r"référence nulle.*lignes 0"):
        stats.isr(cols, "x", "n", "xr", "nr")
    with pytest.raises(StatsInputError, match="Aucun événement attendu"):
        stats.isr(cols.assign(xr=0, nr=100), "x", "n", "xr", "nr")


@pytest.mark.shared
def test_phe_error_sheets_from_the_original_workbook(phe_dir):
    """The error cases of PHE's testdata_DSR_ISR.xlsx (not in tidy/): negative count,
    zero population with events, negative population, negative standard."""
    book = phe_dir / "original" / "testdata_DSR_ISR.xlsx"
    expected = {
        "testdata_err1": r"'count'.*négatives",
        "testdata_err2": r"population 'pop' nulle",
        "testdata_err3": r"'pop'.*négatives",
        "testdata_err4": r"'stdpop'.*négatives",
    }
    for sheet, message in expected.items():
        df = pd.read_excel(book, sheet_name=sheet).dropna(how="all").dropna(axis=1, how="all")
        if "Age Band" in df.columns:
            df = df.rename(columns={"Age Band": "ageband"})
            df["ageband"] = df["ageband"].replace("55-69", "55-59")
            std = "stdpop"
        else:  # err2: two areas of 19 rows without labels: give them the ESP bands
            df["ageband"] = BANDS * 2
            std = "esp2013"
        with pytest.raises(StatsInputError, match=message):
            stats.dsr(df, "count", "pop", standard=std, age="ageband",
                      by="area" if "area" in df.columns else None)


def test_not_a_dataframe():
    with pytest.raises(StatsInputError, match="DataFrame"):
        stats.proportion([1, 2], "x", "n")


def test_groups_numbered_by_first_row_whether_counted_or_hashed():
    """Group numbers follow the first row of each group, as pandas.factorize numbers them,
    whether the combined keys are counted (few) or hashed (many)."""
    from cls_analysis.stats._groups import group_rows

    rng = np.random.default_rng(5)
    n = 20_000
    frame = pd.DataFrame({
        "zone": rng.integers(0, 3000, n),
        "age": pd.Categorical(rng.choice(["0-4", "5-9", "10-14"], n), categories=["x", "0-4", "5-9", "10-14"]),
        "code": rng.choice([f"{i:05d}" for i in range(400)], n),
    })
    expected = pd.factorize(pd.MultiIndex.from_frame(frame.astype({"age": str})))[0]
    for by in (["zone", "age"], ["zone", "age", "code"], ["code"]):
        want = pd.factorize(pd.MultiIndex.from_frame(frame[by].astype({c: str for c in by if c == "age"})))[0]
        got = group_rows(frame, by)
        assert (got.codes == want).all(), by
        first = got.keys.astype(str).agg("|".join, axis=1).tolist()
        assert first == frame[by].astype(str).drop_duplicates().agg("|".join, axis=1).tolist()
    assert len(np.unique(expected)) > 5000  # many groups: the case is not trivial
    huge = frame.assign(zone=frame["zone"] * 10**12)  # a key space too large to count: hashed
    assert (group_rows(huge, ["zone", "code"]).codes == group_rows(frame, ["zone", "code"]).codes).all()


def test_missing_category_in_a_grouping_column_is_named():
    from cls_analysis.stats import proportion

    df = pd.DataFrame({"x": [1, 2], "n": [10, 10], "area": pd.Categorical(["a", None])})
    with pytest.raises(StatsInputError, match="'area'.*valeurs manquantes"):
        proportion(df, x="x", n="n", by="area")
