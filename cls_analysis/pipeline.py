"""Build a territory's diagnostic: one command from the raw files to the annexes.

``build`` prepares a work folder (observations read, aggregated, indicators computed), runs
the numbered notebooks of ``notebooks/`` on it with papermill, assembles their figures,
tables and commentary into a report, and writes under ``reports/<territoire>/``:

- ``annexe_diagnostic.xlsx``, ``diagnostic.html``, ``diagnostic.pdf``, ``diagnostic.docx``,
  ``copil.pptx``;
- ``figures/`` (PNG and SVG), ``donnees/`` (results as CSV for French Excel);
- ``notebooks/`` (the executed notebooks).

The output folder is replaced atomically: everything is built in a staging folder beside it
and swapped in at the end, so an interrupted build leaves the previous outputs intact.
``batch`` builds many territories on all cores, skips those already built unless asked, and
writes a summary.
"""

from __future__ import annotations

import datetime as _dt
import os
import re
import shutil
import subprocess
import tempfile
import time
import traceback
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import pandas as pd

from cls_analysis.diagnostic import Diagnostic
from cls_analysis.errors import ClsAnalysisError
from cls_analysis.territory import Territory

__all__ = [
    "DEMO_EPCI",
    "NOTEBOOKS",
    "BuildResult",
    "batch",
    "build",
    "build_demo",
    "notebooks_dir",
    "prepare",
]

#: The demo territory: CC Aunis Atlantique (Charente-Maritime), 20 communes.
DEMO_EPCI = "200041499"
#: The notebooks of the suite, in report order (file stem → chapter key of the catalogue).
NOTEBOOKS = {
    "00_territoire": "territoire",
    "01_population": "population",
    "02_conditions_de_vie": "conditions_de_vie",
    "03_cadre_de_vie": "cadre_de_vie",
    "04_etat_de_sante": "etat_de_sante",
    "05_offre_et_recours": "offre_et_recours",
    "06_personnes_agees_handicap": "personnes_agees_handicap",
    "07_enquete_habitants": "enquete",
    "08_synthese": "synthese",
}


@dataclass
class BuildResult:
    """What a build wrote, and what it could not make."""

    territory: Territory
    output_dir: Path
    files: list[Path] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)


def notebooks_dir() -> Path:
    """The folder of the notebook suite (``notebooks/`` of the repository)."""
    env = os.environ.get("CLS_ANALYSIS_NOTEBOOKS")
    if env:
        return Path(env)
    source_tree = Path(__file__).resolve().parents[1] / "notebooks"
    if source_tree.is_dir():
        return source_tree
    return Path(str(files("cls_analysis") / "notebooks"))


def prepare(territory: Territory, work_dir: str | Path, *, data_dir: str | Path | None = None,
            demo: bool = False) -> Diagnostic:
    """Read the observations, aggregate them to the territory's zones, compute the catalogue.

    The result is saved in ``work_dir`` for the notebooks (:meth:`Diagnostic.open`).
    """
    from cls_analysis.indicators.national import compute_with_france

    folder = Path(work_dir)
    folder.mkdir(parents=True, exist_ok=True)
    missing: list[str] = []
    if demo:
        from cls_analysis import demo as demo_data

        obs = demo_data.demo_observations()
    else:
        from cls_analysis import sources

        source_dir = Path(data_dir) if data_dir else territory.data_dir
        if source_dir is None or not Path(source_dir).is_dir():
            raise ClsAnalysisError(
                f"Dossier de données introuvable pour « {territory.name} » : {source_dir}. "
                "Indiquez --data DOSSIER (ou « donnees » dans le fichier du territoire), ou "
                "lancez la démonstration avec --demo."
            )
        obs = sources.read_folder(source_dir)
        report = obs.attrs.get("report")
        if report is not None:
            missing.extend(f"Fichier de données : {problem}" for problem in report.problems)
        obs = obs.copy(deep=False)
        obs.attrs = {}  # pandas copies attrs on every operation: keep the report out of the table
    results, national, zobs = compute_with_france(obs, territory)
    keep = zobs["measure"].isin(["population"])
    survey = _prepare_survey(territory, zobs, data_dir, demo, missing)
    diagnostic = Diagnostic(
        work_dir=folder, territory=territory, results=results, observations=zobs.loc[keep],
        demo=demo, missing_sources=missing, survey=survey, national=national,
    )
    diagnostic.save()
    return diagnostic


def _prepare_survey(territory: Territory, zobs: pd.DataFrame, data_dir, demo: bool, missing: list[str]):
    """The inhabitants' survey, weighted, when there is one (demo: the synthetic survey)."""
    from cls_analysis.survey.pipeline import survey_for_territory

    try:
        package = survey_for_territory(territory, observations=zobs, data_dir=data_dir, demo=demo)
    except ClsAnalysisError as exc:
        missing.append(f"Enquête habitants : {exc}")
        return None
    if package is None:
        missing.append("Enquête habitants : aucun export d'enquête (fichier « enquete… ») dans le dossier des données.")
    return package


def _run_notebooks(work_dir: Path, parameters: dict, progress: Callable[[str], None] | None,
                   *, workers: int = 2) -> tuple[list[Path], list[str]]:
    """Execute the notebooks of the suite on the work folder.

    Parameters are injected as papermill does (a tagged cell after the ``parameters`` cell).
    The notebooks run on ``workers`` kernels in parallel, each kernel reused from one notebook
    to the next (every notebook is self-contained: it imports what it uses and reopens the
    work folder). A notebook that fails is kept with its error and reported; the others go on.

    Returns the executed notebooks (in suite order) and the failures in French.
    """
    from concurrent.futures import ThreadPoolExecutor

    source = notebooks_dir()
    target = work_dir / "notebooks"
    target.mkdir(parents=True, exist_ok=True)
    stems = [stem for stem in NOTEBOOKS if (source / f"{stem}.ipynb").is_file()]
    queues = [stems[i::workers] for i in range(workers)]
    failures: list[str] = []

    def run(queue: list[str]) -> None:
        import nbformat
        from jupyter_client.manager import KernelManager
        from nbclient import NotebookClient
        from nbclient.exceptions import CellExecutionError
        from papermill.iorw import load_notebook_node
        from papermill.parameterize import parameterize_notebook

        if not queue:
            return
        manager = KernelManager(kernel_name="python3")
        # the kernel's own log (transport warnings…) is not the user's business: errors of the
        # notebooks are in their outputs, and reported
        manager.start_kernel(cwd=str(work_dir), env={**os.environ, "PYTHONWARNINGS": "ignore",
                                                     "MPLBACKEND": "Agg"},
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            for stem in queue:
                if progress:
                    progress(stem)
                notebook = load_notebook_node(str(source / f"{stem}.ipynb"))  # adds empty tags
                notebook = parameterize_notebook(notebook, parameters)
                client = NotebookClient(notebook, km=manager, timeout=600,
                                        resources={"metadata": {"path": str(work_dir)}})
                try:
                    client.execute()
                except CellExecutionError as exc:
                    plain = re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", str(exc))  # ANSI colours of tracebacks
                    lines = [line.strip() for line in plain.splitlines() if line.strip()]
                    failures.append(f"Chapitre {stem} : erreur d'exécution ({lines[-1] if lines else 'inconnue'}).")
                nbformat.write(notebook, target / f"{stem}.ipynb")
        finally:
            manager.shutdown_kernel(now=True)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        for future in [pool.submit(run, queue) for queue in queues]:
            future.result()
    return [target / f"{stem}.ipynb" for stem in stems], failures


def build(
    territory: Territory,
    output_dir: str | Path | None = None,
    *,
    data_dir: str | Path | None = None,
    demo: bool = False,
    compare_with: str | Path | None = None,
    progress: bool = False,
) -> BuildResult:
    """Build the whole diagnostic of a territory into ``output_dir`` (atomically).

    Parameters
    ----------
    territory : Territory
    output_dir : path, optional
        ``reports/<slug>/`` by default.
    data_dir : path, optional
        Folder of the raw files; the territory's ``donnees`` by default.
    demo : bool
        Use the fictitious demo data.
    compare_with : path, optional
        A previous edition's folder (its ``donnees/resultats.csv``) to put side by side.
    progress : bool
        Show a progress bar.
    """
    from cls_analysis.report_builder import assemble_report, write_outputs

    started = time.perf_counter()
    # absolute paths: the notebooks run with the work folder as current directory
    final = (Path(output_dir) if output_dir else Path("reports") / territory.slug).resolve()
    final.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{final.name}.build-", dir=final.parent))
    steps = ["préparation", *NOTEBOOKS, "annexes"]
    bar = _progress_bar(len(steps), territory.name) if progress else None
    # The work folder holds the notebooks' state (results, observations and, when there is one,
    # the survey with its respondents): it is deleted before the outputs are swapped in, so
    # that no respondent-level data ever reaches reports/.
    work = staging / ".travail"
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[name] = now - clock
        clock = now

    try:
        _step(bar, "préparation")
        prepare(territory, work, data_dir=data_dir, demo=demo)
        lap("préparation")
        executed, failures = _run_notebooks(work, {"work_dir": str(work)}, lambda s: _step(bar, s))
        lap("notebooks")
        _step(bar, "annexes")
        report, missing = assemble_report(work, executed, compare_with=compare_with, failures=failures)
        written = write_outputs(report, work, staging)
        lap("annexes")
        shutil.rmtree(work)
        _swap(staging, final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        if bar is not None:
            bar.close()
    files_written = [final / p.relative_to(staging) for p in written]
    return BuildResult(territory=territory, output_dir=final, files=files_written, missing=missing,
                       seconds=time.perf_counter() - started, timings=timings)


def _progress_bar(total: int, name: str):
    from tqdm import tqdm

    return tqdm(total=total, desc=name[:30], unit="étape", leave=True)


def _step(bar, label: str) -> None:
    if bar is not None:
        bar.set_postfix_str(label)
        bar.update(1)


def _swap(staging: Path, final: Path) -> None:
    """Put the staging folder in place of ``final``; the previous one is removed only after."""
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(staging, 0o777 & ~umask)  # mkdtemp made it private
    previous = None
    if final.exists():
        previous = final.with_name(f".{final.name}.previous-{os.getpid()}")
        os.replace(final, previous)
    os.replace(staging, final)
    for leftover in [previous, *final.parent.glob(f".{final.name}.build-*")]:
        if leftover is not None and leftover.exists() and leftover != staging:
            shutil.rmtree(leftover, ignore_errors=True)


def build_demo(output_dir: str | Path = "reports/demo", *, progress: bool = False) -> BuildResult:
    """Build the demo diagnostic (CC Aunis Atlantique, fictitious data) into ``output_dir``."""
    territory = Territory.from_epci(DEMO_EPCI)
    return build(territory, output_dir, demo=True, progress=progress)


# ---------------------------------------------------------------------------- batch
@dataclass
class _Job:
    siren: str
    output_dir: Path
    data_dir: Path | None
    demo: bool


def _run_job(job: _Job) -> dict:
    started = time.perf_counter()
    try:
        territory = Territory.from_epci(job.siren)
        result = build(territory, job.output_dir, data_dir=job.data_dir, demo=job.demo)
        return {"siren": job.siren, "territoire": territory.name, "statut": "réussi",
                "dossier": str(result.output_dir), "secondes": round(time.perf_counter() - started, 1),
                "message": "; ".join(result.missing)[:500]}
    except Exception as exc:  # one failing territory never stops the batch
        message = str(exc) if isinstance(exc, ClsAnalysisError) else traceback.format_exc(limit=3)
        return {"siren": job.siren, "territoire": job.siren, "statut": "échec",
                "dossier": str(job.output_dir), "secondes": round(time.perf_counter() - started, 1),
                "message": message[:2000]}


def batch(
    sirens: Sequence[str] | Iterable[str],
    output_root: str | Path = "reports",
    *,
    data_dir: str | Path | None = None,
    demo: bool = False,
    force: bool = False,
    workers: int | None = None,
    progress: bool = True,
    processes: bool = True,
) -> pd.DataFrame:
    """Build many EPCIs in parallel; skip those already built unless ``force``.

    Each territory is built in its own process (``workers`` at a time, all cores by default);
    a failure is recorded and the others go on. ``processes=False`` builds them one after the
    other in this process.

    Returns the summary (one row per EPCI: ``siren, territoire, statut, dossier, secondes,
    message``), also written to ``<output_root>/synthese_batch.csv``.
    """
    from cls_analysis.export.csv import write_csv_fr

    root = Path(output_root)
    jobs, rows = [], []
    for siren in sirens:
        territory = Territory.from_epci(siren)
        folder = root / territory.slug
        if not force and (folder / "annexe_diagnostic.xlsx").is_file():
            rows.append({"siren": siren, "territoire": territory.name, "statut": "déjà construit",
                         "dossier": str(folder), "secondes": 0.0, "message": ""})
            continue
        jobs.append(_Job(siren, folder, Path(data_dir) if data_dir else None, demo))
    workers = workers or max(1, min(len(jobs), os.cpu_count() or 1))
    bar = None
    if progress and jobs:
        from tqdm import tqdm

        bar = tqdm(total=len(jobs), desc="Territoires", unit="territoire")
    if jobs and not processes:
        for job in jobs:
            rows.append(_run_job(job))
            if bar is not None:
                bar.update(1)
    elif jobs:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = [pool.submit(_run_job, job) for job in jobs]
            for future in as_completed(futures):
                rows.append(future.result())
                if bar is not None:
                    bar.update(1)
    if bar is not None:
        bar.close()
    summary = pd.DataFrame(rows, columns=["siren", "territoire", "statut", "dossier", "secondes", "message"])
    summary = summary.sort_values("siren", ignore_index=True)
    write_csv_fr(summary, root / "synthese_batch.csv")
    return summary


def today() -> _dt.date:
    """Date of the build (``CLS_ANALYSIS_DATE=YYYY-MM-DD`` pins it, for reproducible outputs)."""
    pinned = os.environ.get("CLS_ANALYSIS_DATE")
    return _dt.date.fromisoformat(pinned) if pinned else _dt.date.today()
