"""Benchmark of the data sources: a national base-cc file, and the national demo table.

Targets (issue 2/6): reading a national base-cc file (≈ 35,000 communes × 100 columns) under
2 s; building the national observations table of the demo under 10 s; writing all demo files
well under a minute. Run: ``python benchmarks/bench_sources.py``. A script, not a test.
"""

from __future__ import annotations

import contextlib
import io
import os
import statistics
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

BANDS = ["0014", "1529", "3044", "4559", "6074", "75P", "0019", "2064", "65P"]


def national_base_cc(folder: Path) -> Path:
    """A base-cc zip in the real format: every commune (and arrondissement), 100 variables."""
    from cls_analysis.geo.embedded import load_embedded_tables

    tables = load_embedded_tables().communes
    codes = tables.loc[tables["type"].isin(["COM", "ARM"]) & ~tables["code"].str.startswith("976"), "code"]
    codes = np.sort(codes.to_numpy(dtype=str))
    names = [f"P21_{who}{band}" for who in ("POP", "H", "F") for band in BANDS]
    names += ["P21_POP", "P21_POPH", "P21_POPF", "C21_POP15P"] + [f"C21_POP15P_CS{i}" for i in range(1, 9)]
    names += [f"P15_{who}{band}" for who in ("POP", "H", "F") for band in BANDS] + ["P15_POP"]
    names += [f"C21_H15P_CS{i}" for i in range(1, 9)] + [f"C21_F15P_CS{i}" for i in range(1, 9)]
    names += [f"P21_POP{a}" for a in ("0002", "0305", "0610", "1117", "1824", "2539", "4054", "5564", "6579", "80P")]
    names += [f"P21_POP{a}_{k}" for a in ("01P", "15P") for k in ("IRAN1", "IRAN2", "IRAN3", "IRAN4", "IRAN5")]
    names = names[:100]
    rng = np.random.default_rng(0)
    values = rng.uniform(0, 5000, (len(codes), len(names)))
    frame = pd.DataFrame(values, columns=names)
    frame.insert(0, "CODGEO", codes)
    buffer = io.StringIO()
    frame.to_csv(buffer, sep=";", index=False)
    path = folder / "base-cc-evol-struct-pop-2021_csv.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("base-cc-evol-struct-pop-2021.CSV", buffer.getvalue())
        archive.writestr("meta_base-cc-evol-struct-pop-2021.CSV", "COD_VAR;LIB_VAR\n" + "\n".join(f"{n};{n}" for n in names))
    return path


def fmt(n: float) -> str:
    """A number with narrow no-break spaces between thousands."""
    return f"{n:,.0f}".replace(",", "\u202f")


def timed(function, *args, **kwargs):
    started = time.perf_counter()
    result = function(*args, **kwargs)
    return time.perf_counter() - started, result


@contextlib.contextmanager
def phases():
    """Seconds spent by read_folder reading the files, resolving duplicates and assembling."""
    from cls_analysis import observations
    from cls_analysis.sources import folder

    spent = {"files": 0.0, "duplicates": 0.0, "concat": 0.0}
    originals = folder._read_files, folder._resolve_duplicates, observations.concat
    inside = []

    def wrap(name, function):
        def wrapped(*args, **kwargs):
            if inside:  # a concat inside a reader belongs to the reading
                return function(*args, **kwargs)
            inside.append(name)
            try:
                seconds, result = timed(function, *args, **kwargs)
            finally:
                inside.pop()
            spent[name] += seconds
            return result

        return wrapped

    folder._read_files = wrap("files", originals[0])
    folder._resolve_duplicates = wrap("duplicates", originals[1])
    observations.concat = wrap("concat", originals[2])
    try:
        yield spent
    finally:
        folder._read_files, folder._resolve_duplicates, observations.concat = originals


def per_file(demo_folder: Path) -> None:
    """Each file read alone, in this process (the files above 0.3 s, and the sum)."""
    from cls_analysis.sources._common import DEMO_NOTE
    from cls_analysis.sources.folder import _reader, recognise

    rows = []
    for path in sorted(demo_folder.iterdir()):
        kind, _ = recognise(path)
        if kind is not None:
            seconds, obs = timed(_reader(kind), path, source_note=DEMO_NOTE)
            rows.append((seconds, path.name, len(obs)))
    print(f"  lecture fichier par fichier, un seul processus : {sum(r[0] for r in rows):.1f} s au total")
    for seconds, name, count in sorted(rows, reverse=True):
        if seconds >= 0.3:
            print(f"    {seconds:5.2f} s  {name} ({fmt(count)} observations)")


def main() -> None:
    from cls_analysis import demo, observations
    from cls_analysis.geo.geography import Geography
    from cls_analysis.sources import read_insee_rp
    from cls_analysis.territory import Territory

    Geography.embedded()  # loaded once, as in any session
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = national_base_cc(folder)
        read_insee_rp(path)  # warm-up: imports and the first call
        runs = []
        for _ in range(3):
            seconds, obs = timed(read_insee_rp, path)
            runs.append(seconds)
        print("Base communale du recensement nationale (zip, .CSV en majuscules)")
        print(f"  {fmt(obs.attrs['report'].zones)} zones × 100 variables → {fmt(len(obs))} observations")
        print(f"  lecture : médiane {statistics.median(runs):.2f} s (min {min(runs):.2f}) — cible < 2 s")

        demo_folder = folder / "demo"
        seconds, files = timed(demo.write_demo_data, demo_folder)
        size = sum(p.stat().st_size for p in files) / 1e6
        print("Données de démonstration nationales (fictives, formats réels)")
        print(f"  écriture de {len(files)} fichiers ({size:.0f} Mo) : {seconds:.1f} s — cible : bien moins d'une minute")
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        runs = []
        for _ in range(3):  # the files are read three times: the median is the figure
            with phases() as spent:
                seconds, national = timed(demo.demo_observations, demo_folder, cache=False)
            runs.append(seconds)
        workers = national.attrs["report"].workers
        print(f"  table nationale des observations, relue par les vrais lecteurs : médiane {statistics.median(runs):.1f} s "
              f"(min {min(runs):.1f}, max {max(runs):.1f} ; {fmt(len(national))} observations, "
              f"{national.memory_usage(deep=True).sum() / 1e6:.0f} Mo) — cible < 10 s")
        print(f"    {workers} processus de lecture (charge de la machine avant : {load:.1f}) ; lecture des fichiers "
              f"{spent['files']:.1f} s, doublons {spent['duplicates']:.1f} s, assemblage {spent['concat']:.1f} s")
        per_file(demo_folder)
        demo.demo_observations(demo_folder)  # writes the cache
        seconds, national = timed(demo.demo_observations, demo_folder)
        print(f"  même table depuis le cache parquet : {seconds:.1f} s")
        territory = Territory.from_epci("200041499")
        seconds, zones = timed(observations.aggregate, national, territory)
        print(f"  agrégation nationale vers CC Aunis Atlantique, ses communes, le département, la région et "
              f"la France : {seconds:.1f} s ({fmt(len(zones))} observations)")


if __name__ == "__main__":
    main()
