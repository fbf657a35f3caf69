"""Benchmark of the survey room against the PyPI packages ``svy`` and ``samplics``.

One run on 100,000 synthetic respondents (20 strata, unequal base weights): raking to three
margins (sex, age band, commune) and 50 estimates with standard errors (the means of 10
yes/no indicators, i.e. proportions, in 5 age-band domains). Prints side by side the times
and the largest relative differences of estimates and standard errors.

- ``svy`` rakes and credits the calibration in its Taylor variance: compared with
  ``cls_analysis`` in its default calibration-aware mode.
- ``samplics`` rakes but its Taylor variance treats the weights as fixed: compared with
  ``cls_analysis`` with ``rake(..., variance="fixed")``.

Run: ``python benchmarks/bench_survey.py`` (needs ``pip install -e ".[bench]"`` for the two
packages; parts whose package is missing are skipped). No network needed.
"""

from __future__ import annotations

import time
import warnings

import numpy as np
import pandas as pd

from cls_analysis import survey

N = 100_000
N_VARS = 10
AGES = ["15-29", "30-44", "45-59", "60-74", "75+"]


def make_data(seed: int = 2026) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    commune = rng.integers(0, 20, N)
    data = pd.DataFrame(
        {
            "commune": np.char.add("c", commune.astype(str)),
            "sex": rng.choice(["F", "M"], N, p=[0.58, 0.42]),
            "age": rng.choice(AGES, N, p=[0.12, 0.17, 0.24, 0.28, 0.19]),
            "w0": rng.lognormal(3.0, 0.4, N) * (1 + commune / 20),
        }
    )
    rank = data["age"].map({a: i for i, a in enumerate(AGES)}).to_numpy()
    for k in range(N_VARS):
        p = 1 / (1 + np.exp(-(-1.0 + 0.15 * k - 0.25 * rank + 0.3 * (data["sex"] == "M"))))
        data[f"y{k}"] = (rng.random(N) < p).astype(float)
    pop = 2_000_000.0
    margins = pd.concat(
        [
            pd.DataFrame({"variable": "sex", "level": ["F", "M"], "population": pop * np.array([0.52, 0.48])}),
            pd.DataFrame({"variable": "age", "level": AGES, "population": pop * np.array([0.2, 0.21, 0.22, 0.21, 0.16])}),
            pd.DataFrame({"variable": "commune", "level": [f"c{i}" for i in range(20)],
                          "population": pop * np.full(20, 0.05)}),
        ],
        ignore_index=True,
    )
    return data, margins


def ours(data, margins, variance):
    t0 = time.perf_counter()
    d = survey.Design(data, weights="w0", strata="commune", min_count=0).rake(margins, variance=variance)
    t1 = time.perf_counter()
    est = d.means([f"y{k}" for k in range(N_VARS)], by="age")
    t2 = time.perf_counter()
    table = est[["variable", "age", "estimate", "se"]].rename(columns={"age": "domain"})
    return t1 - t0, t2 - t1, table, d.weights.to_numpy()


def run_svy(data, margins):
    import polars as pl
    import svy

    controls = {v: dict(zip(g["level"], g["population"], strict=True)) for v, g in margins.groupby("variable", sort=False)}
    t0 = time.perf_counter()
    sample = svy.Sample(pl.from_pandas(data), svy.Design(stratum="commune", wgt="w0"))
    sample = sample.weighting.rake(controls=controls, tol=1e-10, max_iter=1000)
    t1 = time.perf_counter()
    rows = []
    for k in range(N_VARS):
        out = sample.estimation.mean(f"y{k}", by="age").to_polars().to_pandas()
        rows.append(pd.DataFrame({"variable": f"y{k}", "domain": out["age"], "estimate": out["est"], "se": out["se"]}))
    t2 = time.perf_counter()
    w = sample.data.get_column("rk_wgt").to_numpy()
    return t1 - t0, t2 - t1, pd.concat(rows, ignore_index=True), w


def run_samplics(data, margins):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from samplics.estimation import TaylorEstimator
        from samplics.utils import PopParam
        from samplics.weighting import SampleWeight

    controls = {v: dict(zip(g["level"], g["population"], strict=True)) for v, g in margins.groupby("variable", sort=False)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t0 = time.perf_counter()
        w = SampleWeight().rake(
            data["w0"].to_numpy(), margins={v: data[v].to_numpy() for v in controls}, control=controls,
            tol=1e-12, max_iter=1000,
        )
        t1 = time.perf_counter()
        rows = []
        for k in range(N_VARS):
            est = TaylorEstimator(PopParam.mean)
            est.estimate(y=data[f"y{k}"].to_numpy(), samp_weight=w, stratum=data["commune"].to_numpy(),
                         domain=data["age"].to_numpy())
            for dom in AGES:
                rows.append((f"y{k}", dom, est.point_est[dom], est.stderror[dom]))
        t2 = time.perf_counter()
    return t1 - t0, t2 - t1, pd.DataFrame(rows, columns=["variable", "domain", "estimate", "se"]), w


def max_rel(a: pd.DataFrame, b: pd.DataFrame) -> tuple[float, float]:
    m = a.merge(b, on=["variable", "domain"], suffixes=("", "_o"), validate="one_to_one")
    assert len(m) == N_VARS * len(AGES)
    rel = lambda x, y: float(np.max(np.abs(m[x] - m[y]) / np.abs(m[y])))  # noqa: E731
    return rel("estimate", "estimate_o"), rel("se", "se_o")


def main() -> None:
    data, margins = make_data()
    print(f"{N:,} répondants ; 20 strates ; calage sur 3 marges (2 + 5 + 20 modalités) ; ".replace(",", " ")
          + f"{N_VARS * len(AGES)} estimations avec erreur type\n")
    # every package runs twice on the full data; the second run is timed (imports, first use
    # of large memory blocks and caches are then the same for all)
    runs = {}
    for name, fn in [
        ("cls_analysis (calage pris en compte)", lambda d, m: ours(d, m, "calibrated")),
        ("cls_analysis (poids fixes)", lambda d, m: ours(d, m, "fixed")),
        ("svy", run_svy),
        ("samplics (poids fixes)", run_samplics),
    ]:
        try:
            fn(data, margins)
            runs[name] = fn(data, margins)
        except ImportError as exc:
            print(f"{name} : non installé ({exc.name}) — pip install -e '.[bench]'")
    print(f"{'(2e exécution de chacun)':40s} {'calage (s)':>11s} {'50 estim. (s)':>14s} {'total (s)':>10s}")
    for name, (tr, te, _, _) in runs.items():
        print(f"{name:40s} {tr:11.3f} {te:14.3f} {tr + te:10.3f}")
    print()
    base_c = runs["cls_analysis (calage pris en compte)"]
    base_f = runs["cls_analysis (poids fixes)"]
    for other, ref, what in [("svy", base_c, "variance calée, comme R survey::rake"),
                             ("samplics (poids fixes)", base_f, "samplics ne sait pas tenir compte du calage : poids fixes des deux côtés")]:
        if other not in runs:
            continue
        tr, te, table, w = runs[other]
        de, dse = max_rel(ref[2], table)
        dw = float(np.max(np.abs(ref[3] - w) / w))
        speed = (tr + te) / (ref[0] + ref[1])
        print(f"vs {other} ({what}) : cls_analysis {speed:.1f} fois plus rapide ; "
              f"écart relatif max poids {dw:.1e}, estimations {de:.1e}, erreurs types {dse:.1e}")


if __name__ == "__main__":
    main()
