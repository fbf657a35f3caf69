"""Read every known file of a folder, and report what was read, skipped and why.

:func:`recognise` tells which reader a file needs, from its name, then its content (first lines,
zip members, sheet names). :func:`read_folder` reads every recognised file, never stopping at a
bad one, and returns their observations with a :class:`FolderReport` in ``attrs["report"]``;
:func:`format_report` writes that report in French (``cls-analysis verifier DOSSIER``).

Duplicated keys across files
----------------------------
When two files give the same zone × period × measure × sex × age, one value is kept according
to the **priority of the sources** (:data:`PRIORITY`: the producer's detailed file before a
derived or re-published one — INSEE census, POP1B, Filosofi, APL, CépiDc deaths, FINESS,
Ameli, tidy files, Géoclip exports last, as they re-publish rounded values), then the file name
(alphabetical order). Identical duplicates are noted; different values are reported as a
problem, with the largest difference.

Parallel reading
----------------
The files are independent: on Linux, a folder of large files is read by several processes
(one per free processor, see ``workers``), started by ``fork`` so that they share the imports and
the geography already loaded. The table and the report are the same as a reading in one
process, whatever the order in which the files finish. Elsewhere, or for a few small files,
the files are read one after the other.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from cls_analysis._keys import factorize_keys
from cls_analysis._parallel import can_fork, run_forked
from cls_analysis._parallel import free_processors as _free_processors
from cls_analysis.errors import ClsAnalysisError
from cls_analysis.sources._common import DEMO_NOTE, SourceReport, decode

__all__ = ["DEMO_MARKER", "PARALLEL_MIN_BYTES", "PRIORITY", "FileReport", "FolderReport", "format_report", "read_folder", "recognise"]

#: File written by :func:`cls_analysis.demo.write_demo_data` in a demo folder: its files are
#: labelled « Données fictives de démonstration » when read.
DEMO_MARKER = ".cls_demo.json"

#: Readers in order of priority for duplicated keys (first wins).
PRIORITY = [
    "insee_rp",
    "population_age",
    "filosofi",
    "apl",
    "deaths",
    "finess",
    "ameli_demography",
    "ameli_pathologies",
    "tidy",
    "geoclip",
]
_LABELS = {
    "insee_rp": "Insee, base communale du recensement (base-cc) ou comparateur de territoires",
    "population_age": "Insee, table POP1B (population par sexe et âge)",
    "filosofi": "Insee, Filosofi (revenus, pauvreté)",
    "apl": "DREES, classeur APL",
    "deaths": "extraction de décès par commune, sexe, âge et cause (CépiDc)",
    "finess": "extraction FINESS",
    "ameli_demography": "Ameli, démographie des professionnels de santé",
    "ameli_pathologies": "Ameli, cartographie des pathologies",
    "tidy": "fichier au format long (observations)",
    "geoclip": "export CartoSanté / Statistiques locales (Géoclip)",
}
_IGNORED_NAMES = re.compile(r"^(readme|lisezmoi|licen[cs]e)", re.I)
_IGNORED_SUFFIXES = {".md", ".pdf", ".json", ".html", ".doc", ".docx", ".odt", ".py", ".ipynb", ".toml", ".png", ".svg"}


def _reader(kind: str) -> Callable:
    from cls_analysis import sources

    return {
        "insee_rp": sources.read_insee_rp,
        "population_age": sources.read_population_age,
        "filosofi": sources.read_filosofi,
        "apl": sources.read_apl,
        "deaths": sources.read_deaths,
        "finess": sources.read_finess,
        "ameli_demography": sources.read_ameli_demography,
        "ameli_pathologies": sources.read_ameli_pathologies,
        "tidy": sources.read_tidy,
        "geoclip": sources.read_geoclip,
    }[kind]


def _by_name(name: str) -> str | None:
    low = name.lower()
    if low.startswith("meta_"):
        return None
    rules = [
        (r"base[-_]cc|comparateur", "insee_rp"),
        (r"pop1b", "population_age"),
        (r"filo|filosofi", "filosofi"),
        (r"etalab-cs110|finess", "finess"),
        (r"demographie-effectifs", "ameli_demography"),
        (r"^effectifs(\.csv)?$|cartographie.*patho", "ameli_pathologies"),
        (r"(^|[_-])apl([_-]|\.|$)", None),  # APL exists both as DREES workbook and Géoclip export
    ]
    for pattern, kind in rules:
        if re.search(pattern, low):
            return kind
    return None


def _header_kind(head: str) -> str | None:
    lines = [ln.strip().lstrip("\ufeff") for ln in head.splitlines() if ln.strip()]
    lines = [ln for ln in lines if not ln.startswith("#")] or lines
    if not lines:
        return None
    first = lines[0]
    upper = first.upper()
    if upper.startswith("FINESS;"):
        return "finess"
    text = " ".join(lines[:3]).lower()
    if "cartosant" in text or "statistiques locales" in text or "référentiel géographique" in text:
        return "geoclip"
    cells = {c.strip().strip('"').upper() for c in re.split(r"[;,\t|]", " ".join(lines[:1]))}
    if {"CODGEO", "CAUSE", "DECES"} <= cells:
        return "deaths"
    if "PROFESSION_SANTE" in cells:
        return "ameli_demography"
    if "PATHO_NIV1" in cells:
        return "ameli_pathologies"
    if {"GEO_OBJECT", "FILOSOFI_MEASURE"} <= cells:
        return "filosofi"
    if "CODGEO" in cells:
        if {"AGED100", "SEXE"} <= cells or any(c.startswith("SEXE1_AGED100") for c in cells):
            return "population_age"
        if any(re.fullmatch(r"(MED|Q2|TP60|NBMENFISC)\d{2}", c) for c in cells) and not any(
            re.fullmatch(r"P\d{2}_.*", c) for c in cells
        ):
            return "filosofi"
        if any(re.fullmatch(r"[PC]\d{2}_.+|SUPERF|NAIS\d{4}|NAISD\d{2}", c) for c in cells):
            return "insee_rp"
    folded = {c.lower() for c in cells}
    if ({"niveau", "zone_type"} & folded) and ({"valeur", "value"} & folded):
        return "tidy"
    return None


def recognise(path: str | Path) -> tuple[str | None, str]:
    """Which reader a file needs: ``(kind, French label)``, or ``(None, reason)``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "export.csv").write_text("\\ufeffCartoSanté; ; \\nRéférentiel géographique : France par département; ; \\nCode;Libellé;X 2023\\n")
    >>> recognise(folder / "export.csv")[0]
    'geoclip'
    >>> _ = (folder / "notes.csv").write_text("a;b\\n1;2\\n")
    >>> recognise(folder / "notes.csv")
    (None, 'contenu non reconnu (première ligne : « a;b »)')
    """
    file = Path(path)
    suffix = file.suffix.lower()
    if file.name.startswith(".") or _IGNORED_NAMES.match(file.name) or suffix in _IGNORED_SUFFIXES:
        return None, "ignoré (documentation ou fichier technique)"
    if file.name.lower().startswith("meta_"):
        return None, "dictionnaire des variables de l'Insee (ignoré, lu avec le fichier de données)"
    if suffix in (".xlsx", ".xlsm"):
        return _recognise_workbook(file)
    if suffix == ".xls":
        return None, "ancien format Excel .xls : ouvrez-le dans un tableur et enregistrez-le en .xlsx"
    if suffix == ".zip":
        kind = _by_name(file.name)
        if zipfile.is_zipfile(file):
            with zipfile.ZipFile(file) as archive:
                names = [Path(n).name for n in archive.namelist() if not n.endswith("/")]
                data_names = [n for n in names if not n.lower().startswith("meta_")]
                for name in data_names:
                    kind = kind or _by_name(name)
                if kind is None and data_names:
                    try:
                        head = archive.open(next(n for n in archive.namelist() if Path(n).name == data_names[0])).read(4000)
                        kind = _header_kind(decode(head)[0])
                    except Exception:
                        kind = None
        if kind:
            return kind, _LABELS[kind]
        return None, "archive zip sans fichier reconnu"
    if suffix not in (".csv", ".txt", ".tsv"):
        return None, f"extension « {suffix or 'aucune'} » non lue"
    try:
        head = file.read_bytes()[:8000]
    except OSError as exc:
        return None, f"lecture impossible ({exc})"
    if not head.strip():
        kind = _by_name(file.name)
        return (kind, _LABELS[kind]) if kind else (None, "fichier vide")
    text = decode(head)[0]
    kind = _header_kind(text) or _by_name(file.name)
    if kind is None:
        first = next((ln for ln in text.splitlines() if ln.strip()), "")[:60]
        return None, f"contenu non reconnu (première ligne : « {first} »)"
    return kind, _LABELS[kind]


def _recognise_workbook(file: Path) -> tuple[str | None, str]:
    try:
        from python_calamine import CalamineWorkbook

        workbook = CalamineWorkbook.from_path(str(file))
        names = list(workbook.sheet_names)
    except Exception:
        kind = _by_name(file.name) or ("apl" if "apl" in file.name.lower() else None)
        return (kind, _LABELS[kind]) if kind else (None, "classeur Excel illisible")
    if any(re.fullmatch(r"APL\s*\d{4}", n.strip(), re.I) for n in names):
        return "apl", _LABELS["apl"]
    for name in names:
        rows = workbook.get_sheet_by_name(name).to_python(nrows=40)
        head = "\n".join(";".join(str(c) for c in row) for row in rows)
        for line in head.splitlines():
            kind = _header_kind(line)
            if kind:
                return kind, _LABELS[kind]
        if any(
            {"code", "valeur"} <= {str(c).strip().lower() for c in row} for row in rows
        ):
            return "tidy", _LABELS["tidy"]
    kind = _by_name(file.name)
    return (kind, _LABELS[kind]) if kind else (None, f"classeur non reconnu (feuilles : {', '.join(names)})")


@dataclass
class FileReport:
    """One file of a folder: what it was recognised as, and what its reader found."""

    path: Path
    kind: str | None
    label: str
    read: bool = False
    report: SourceReport | None = None
    error: str | None = None

    @property
    def problems(self) -> list[str]:
        found = []
        if self.error:
            found.append(self.error)
        if self.report is not None:
            found.extend(self.report.problems)
        return found


@dataclass
class FolderReport:
    """What :func:`read_folder` read, skipped and found, file by file."""

    folder: Path
    files: list[FileReport] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    duplicate_problems: list[str] = field(default_factory=list)
    demo: bool = False
    #: Processes that read the files (1: one after the other in this process).
    workers: int = 1

    @property
    def problems(self) -> list[str]:
        """Every problem (file errors, data problems, conflicting duplicates)."""
        found = []
        for f in self.files:
            found.extend(f"{f.path.name} : {p}" for p in f.problems)
            if f.kind is None and f.label.startswith(("contenu non reconnu", "archive zip", "classeur", "extension", "ancien", "fichier vide", "lecture")):
                found.append(f"{f.path.name} : {f.label}")
        found.extend(self.duplicate_problems)
        return found

    @property
    def ok(self) -> bool:
        return not self.problems


def read_folder(
    path: str | Path,
    *,
    source_note: str | None = None,
    recursive: bool = False,
    workers: int | None = None,
) -> pd.DataFrame:
    """Recognise and read every known file of a folder.

    Parameters
    ----------
    path : path
        The folder (``data/raw/``).
    source_note : str, optional
        Appended to every source; a demo folder (with a ``.cls_demo.json`` marker) gets
        « Données fictives de démonstration » automatically.
    recursive : bool
        Also read sub-folders.
    workers : int, optional
        Processes reading files at once (Linux only, see the module documentation). By default
        one per free processor (those available to this process, less the load of other
        processes) when the files to read weigh more than :data:`PARALLEL_MIN_BYTES`, else 1;
        ``1`` reads the files one after the other.

    Returns
    -------
    DataFrame
        The observations of all files (duplicates resolved, see the module documentation);
        ``attrs["report"]`` is a :class:`FolderReport` (print it with :func:`format_report`).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "base-cc-evol-struct-pop-2021.CSV").write_text("CODGEO;P21_POP\\n17008;2300\\n")
    >>> _ = (folder / "casse.csv").write_text("CODGEO;P21_POP\\n17008;deux mille\\n")
    >>> _ = (folder / "README.md").write_text("données")
    >>> obs = read_folder(folder)
    >>> obs[["zone_code", "measure", "value"]].values.tolist()
    [['17008', 'population', 2300.0]]
    >>> [(f.path.name, f.read) for f in obs.attrs["report"].files]
    [('README.md', False), ('base-cc-evol-struct-pop-2021.CSV', True), ('casse.csv', False)]
    """
    from cls_analysis.observations import concat

    folder = Path(path)
    if not folder.is_dir():
        raise ClsAnalysisError(f"Dossier introuvable : {folder}. Indiquez le dossier des fichiers de données.")
    demo = (folder / DEMO_MARKER).is_file()
    if demo and source_note is None:
        source_note = DEMO_NOTE
    report = FolderReport(folder=folder, demo=demo)
    files = sorted(p for p in (folder.rglob("*") if recursive else folder.iterdir()) if p.is_file())
    jobs: list[tuple[int, Path, str]] = []
    for file in files:
        kind, label = recognise(file)
        report.files.append(FileReport(path=file, kind=kind, label=label))
        if kind is not None:
            jobs.append((len(report.files) - 1, file, kind))
    results, report.workers = _read_files(jobs, source_note, _worker_count(jobs, workers))
    frames: list[tuple[int, str, pd.DataFrame]] = []
    for position, file, kind in jobs:  # in the order of the files, whatever the order of reading
        entry = report.files[position]
        obs, file_report, error = results[position]
        if error is not None:
            entry.error = error
            continue
        entry.read = True
        entry.report = file_report
        frames.append((PRIORITY.index(kind), file.name, obs))
    frames.sort(key=lambda t: (t[0], t[1]))
    obs = _resolve_duplicates(frames, report)
    out = concat(obs)
    out.attrs["report"] = report
    return out


#: Files to read weighing more than this (bytes, uncompressed) are read in parallel by default.
PARALLEL_MIN_BYTES = 20_000_000


def _read_one(file: Path, kind: str, source_note: str | None) -> tuple[pd.DataFrame | None, SourceReport | None, str | None]:
    """Read one file: ``(observations, report, None)``, or ``(None, None, error message)``."""
    try:
        obs = _reader(kind)(file, source_note=source_note)
    except ClsAnalysisError as exc:
        return None, None, str(exc).removeprefix(f"{file.name} : ")
    except Exception as exc:
        return None, None, f"erreur inattendue ({type(exc).__name__} : {exc})"
    return obs, obs.attrs.get("report"), None


def _read_task(job: tuple[int, Path, str, str | None]):
    """:func:`_read_one` in a worker process: the report travels apart from the table."""
    position, file, kind, source_note = job
    obs, file_report, error = _read_one(file, kind, source_note)
    if obs is not None:
        obs.attrs = {}
    return position, obs, file_report, error


def _read_files(jobs: list[tuple[int, Path, str]], source_note: str | None, workers: int) -> tuple[dict, int]:
    """Outcome of each file (position → :func:`_read_one`'s triple), read by ``workers``
    processes; and the number of processes that did read files."""
    results: dict[int, tuple] = {}
    if workers > 1:
        results = _read_parallel(jobs, source_note, workers)
        if not results:  # no process could be started
            workers = 1
    for position, file, kind in jobs:
        if position not in results:  # sequential reading, or files a broken worker left
            results[position] = _read_one(file, kind, source_note)
    return results, workers


def _worker_count(jobs: list[tuple[int, Path, str]], workers: int | None) -> int:
    if len(jobs) < 2 or not can_fork():
        return 1
    if workers is None:
        if sum(_weight(file) for _, file, _ in jobs) < PARALLEL_MIN_BYTES:
            return 1
        workers = _free_processors()
    return max(1, min(int(workers), len(jobs)))


def _weight(file: Path) -> int:
    """Rough cost of reading a file: its uncompressed size (a workbook counts 20 times its size)."""
    try:
        size = file.stat().st_size
        if file.suffix.lower() == ".zip" and zipfile.is_zipfile(file):
            with zipfile.ZipFile(file) as archive:
                return sum(info.file_size for info in archive.infolist())
        if file.suffix.lower() in (".xlsx", ".xlsm"):
            return 20 * size
        return size
    except (OSError, zipfile.BadZipFile):
        return 0


def _read_parallel(jobs: list[tuple[int, Path, str]], source_note: str | None, workers: int) -> dict:
    """Read the files in ``workers`` forked processes, largest first; results by position.

    Files left by a worker that died (killed, out of memory) are missing from the result:
    the caller reads them itself.
    """
    from cls_analysis.geo.geography import Geography

    # loaded once here, shared by the forked workers (copy-on-write)
    Geography.embedded()
    for kind in {kind for _, _, kind in jobs}:
        _reader(kind)
    order = sorted(jobs, key=lambda job: (-_weight(job[1]), job[0]))
    done, _ = run_forked(_read_task, [(position, file, kind, source_note) for position, file, kind in order], workers)
    results: dict[int, tuple] = {}
    for position, obs, file_report, error in done.values():
        if obs is not None:
            obs.attrs["report"] = file_report
        results[position] = (obs, file_report, error)
    return results


def _resolve_duplicates(frames, report: FolderReport) -> list[pd.DataFrame]:
    """Drop keys already given by a file of higher priority; report them."""
    if len(frames) < 2:
        return [f for _, _, f in frames]
    key = ["zone_type", "zone_code", "period", "measure", "sex", "age"]
    group = ["zone_type", "measure", "period", "sex", "age"]
    encoded = [factorize_keys(frame, group) for _, _, frame in frames]
    combos = [set(map(tuple, keys.astype(str).to_numpy())) for _, keys in encoded]

    def rows_in(i: int, shared: set) -> np.ndarray:
        codes, keys = encoded[i]
        wanted = [k for k, t in enumerate(map(tuple, keys.astype(str).to_numpy())) if t in shared]
        return np.isin(codes, wanted)

    kept: list[pd.DataFrame] = []
    for i, (_, name, frame) in enumerate(frames):
        earlier = [j for j in range(i) if combos[j] & combos[i]]
        if not earlier:
            kept.append(frame)
            continue
        drop = np.zeros(len(frame), dtype=bool)
        for j in earlier:
            shared = combos[j] & combos[i]
            mine = rows_in(i, shared)
            other = kept[j]
            theirs = rows_in(j, shared)[frames[j][2].index.get_indexer(other.index)]
            left = frame.loc[mine, [*key, "value", "status"]].astype({c: str for c in key}).reset_index()
            right = other.loc[theirs, [*key, "value", "status"]].astype({c: str for c in key})
            merged = left.merge(right, on=key, how="inner", suffixes=("", "_kept"))
            if merged.empty:
                continue
            drop[frame.index.get_indexer(merged["index"])] = True
            a, b = merged["value"].to_numpy(dtype=float), merged["value_kept"].to_numpy(dtype=float)
            same = np.isclose(a, b, rtol=1e-6, equal_nan=True) & (
                merged["status"].astype(str).to_numpy() == merged["status_kept"].astype(str).to_numpy()
            )
            other_name = frames[j][1]
            measures = ", ".join(sorted(set(merged["measure"]))[:4])
            if same.all():
                report.duplicates.append(
                    f"{len(merged)} valeur(s) identique(s) dans {name} et {other_name} ({measures}) : "
                    f"gardé {other_name}."
                )
            else:
                diff = np.nanmax(np.abs(a - b)) if np.isfinite(a - b).any() else float("nan")
                report.duplicate_problems.append(
                    f"{int((~same).sum())} valeur(s) différente(s) pour les mêmes zone, période, mesure, "
                    f"sexe et âge dans {name} et {other_name} ({measures} ; écart maximal {diff:g}) : "
                    f"gardé {other_name} (priorité des sources)."
                )
        kept.append(frame.loc[~drop] if drop.any() else frame)
    return kept


def _fmt_int(n: int) -> str:
    return f"{n:,}".replace(",", "\u202f")


def format_report(report: FolderReport) -> str:
    """The report of :func:`read_folder`, in French, for ``cls-analysis verifier``.

    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "base-cc-logement-2021.CSV").write_text("CODGEO;P21_LOG\\n17008;1000\\n")
    >>> print(format_report(read_folder(folder).attrs["report"]))  # doctest: +ELLIPSIS
    Vérification du dossier ... : 1 fichier(s)
    <BLANKLINE>
    [OK] base-cc-logement-2021.CSV
         reconnu comme : Insee, recensement de la population — logement
         millésime : RP 2021 ; géographie : COG 2024
         1 zone(s), 1 observation(s) ; secret : 0 ; manquant : 0
    <BLANKLINE>
    Bilan : 1 fichier(s) lu(s), 0 ignoré(s), 0 en erreur ; 0 problème(s).
    """
    lines = [f"Vérification du dossier {report.folder} : {len(report.files)} fichier(s)"]
    if report.demo:
        lines.append(f"(dossier de démonstration : {DEMO_NOTE})")
    lines.append("")
    n_read = n_skipped = n_error = 0
    for f in report.files:
        if f.read:
            n_read += 1
            status = "OK" if not f.problems else "À VOIR"
        elif f.kind is None:
            n_skipped += 1
            status = "IGNORÉ"
        else:
            n_error += 1
            status = "ERREUR"
        lines.append(f"[{status}] {f.path.name}")
        if f.kind is None:
            lines.append(f"     {f.label}")
            lines.append("")
            continue
        r = f.report
        lines.append(f"     reconnu comme : {r.kind if r else f.label}")
        if r is not None:
            vintage = f"millésime : {r.vintage or 'inconnu'}"
            if r.cog:
                vintage += f" ; géographie : COG {r.cog}"
            lines.append(f"     {vintage}")
            lines.append(
                f"     {_fmt_int(r.zones)} zone(s), {_fmt_int(r.rows)} observation(s) ; "
                f"secret : {_fmt_int(r.secret)} ; manquant : {_fmt_int(r.missing)}"
            )
            for note in r.notes:
                lines.append(f"     note : {note}")
        for problem in f.problems:
            lines.append(f"     PROBLÈME : {problem}")
        lines.append("")
    for text in report.duplicates:
        lines.append(f"Doublon : {text}")
    for text in report.duplicate_problems:
        lines.append(f"PROBLÈME (doublon) : {text}")
    if report.duplicates or report.duplicate_problems:
        lines.append("")
    lines.append(
        f"Bilan : {n_read} fichier(s) lu(s), {n_skipped} ignoré(s), {n_error} en erreur ; "
        f"{len(report.problems)} problème(s)."
    )
    return "\n".join(lines)
