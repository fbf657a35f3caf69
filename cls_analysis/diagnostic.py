"""What a notebook of the suite works with: one territory's diagnostic in the making.

The build (``cls-analysis build``) prepares a *work folder* — the territory, its results, its
zone-level observations — then runs the notebooks on it. A notebook opens it with
:meth:`Diagnostic.open`, reads results, draws figures, and records what goes into the report
with :meth:`Diagnostic.figure`, :meth:`Diagnostic.table`, :meth:`Diagnostic.text` and
:meth:`Diagnostic.key_figure`. Each of these displays its content in the notebook *and* tags the
output, so that the build reassembles the chapter in the notebook's order, with the analyst's
Markdown commentary between the figures.

Opened without a work folder (in JupyterLab), :meth:`Diagnostic.open` prepares one itself for
the territory named in the notebook's parameters.
"""

from __future__ import annotations

import json
import pickle
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from cls_analysis._atomic import atomic_path
from cls_analysis.errors import ClsAnalysisError

__all__ = ["BLOCK_KEY", "Diagnostic", "prepare_work_dir"]

#: Key of the output metadata that marks a block of the report.
BLOCK_KEY = "cls_analysis"
_STATE = "diagnostic.pkl"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_") or "figure"


@dataclass
class Diagnostic:
    """A territory's diagnostic: territory, results, observations, and the report blocks.

    Attributes
    ----------
    work_dir : Path
        Where figures and tables are written (``figures/``, ``tableaux/``).
    territory : Territory
    results : DataFrame
        The results table (``docs/contracts.md``) for the territory, its communes and
        comparators.
    observations : DataFrame
        Zone-level observations (territory, communes, comparators), e.g. population by age
        for the pyramid.
    demo : bool
        Built from the fictitious demo data (every output says so).
    missing_sources : list of str
        What could not be read, and why (shown in the report).
    survey : SurveyPackage or None
        The weighted inhabitants' survey (stays in the work folder, never copied to reports/).
    national : DataFrame or None
        Results of every département and région of France (ranges of the spine charts).
    """

    work_dir: Path
    territory: object
    results: pd.DataFrame
    observations: pd.DataFrame
    demo: bool = False
    missing_sources: list[str] = field(default_factory=list)
    survey: object | None = None
    national: pd.DataFrame | None = None

    # ------------------------------------------------------------------ opening
    @classmethod
    def open(
        cls,
        work_dir: str | Path | None = None,
        *,
        territoire: str | Path | None = None,
        epci: str | list[str] | None = None,
        data_dir: str | Path | None = None,
        demo: bool = False,
    ) -> Diagnostic:
        """Open a prepared work folder, or prepare one for a territory (interactive use).

        Parameters
        ----------
        work_dir : path, optional
            A folder prepared by the build. When None, one is prepared under
            ``data/processed/<territoire>/`` for the territory given by ``territoire`` (a TOML
            file) or ``epci`` (SIRENs), from ``data_dir`` or the demo data.
        """
        if work_dir is None:
            work_dir = prepare_work_dir(territoire=territoire, epci=epci, data_dir=data_dir, demo=demo)
        folder = Path(work_dir)
        state = folder / _STATE
        if not state.is_file():
            raise ClsAnalysisError(
                f"Dossier de travail incomplet : {state} absent. Lancez « cls-analysis build » "
                "ou ouvrez le notebook sans work_dir pour préparer le territoire."
            )
        with state.open("rb") as handle:
            content = pickle.load(handle)
        return cls(work_dir=folder, **content)

    def save(self) -> Path:
        """Write the state the notebooks read (territory, results, observations)."""
        content = {
            "territory": self.territory,
            "results": self.results,
            "observations": self.observations,
            "demo": self.demo,
            "missing_sources": self.missing_sources,
            "survey": self.survey,
            "national": self.national,
        }
        target = self.work_dir / _STATE
        with atomic_path(target) as tmp, tmp.open("wb") as handle:
            pickle.dump(content, handle, protocol=pickle.HIGHEST_PROTOCOL)
        return target

    # ------------------------------------------------------------------ reading
    def indicator(self, indicator: str) -> pd.DataFrame:
        """Results of one indicator (latest period), territory first then communes, comparators."""
        rows = self.results.loc[self.results["indicator"] == indicator]
        if rows.empty:
            return rows
        latest = max(rows["period"].unique(), key=lambda p: str(p)[-4:])
        return rows.loc[rows["period"] == latest]

    def value(self, indicator: str, zone_type: str = "territory") -> float:
        """Value of an indicator for the territory (or the first zone of ``zone_type``)."""
        rows = self.indicator(indicator)
        rows = rows.loc[rows["zone_type"] == zone_type]
        return float(rows["value"].iloc[0]) if not rows.empty else float("nan")

    def with_national(self) -> pd.DataFrame:
        """The territory's results and those of every département and région of France."""
        if self.national is None or self.national.empty:
            return self.results
        own = set(zip(self.results["zone_type"], self.results["zone_code"], strict=True))
        extra = self.national.loc[[k not in own for k in zip(self.national["zone_type"], self.national["zone_code"], strict=True)]]
        return pd.concat([self.results, extra], ignore_index=True)

    def theme_results(self, theme: str) -> pd.DataFrame:
        """Results of the indicators of one chapter (catalogue ``theme``)."""
        from cls_analysis.indicators import load_catalogue

        catalogue = load_catalogue()
        ids = catalogue.loc[catalogue["theme"] == theme, "id"]
        return self.results.loc[self.results["indicator"].isin(ids)]

    def unavailable(self, theme: str | None = None) -> pd.DataFrame:
        """Indicators with no value for the territory, and why (``indicator, label, reason``)."""
        from cls_analysis.indicators import load_catalogue

        catalogue = load_catalogue()
        if theme is not None:
            catalogue = catalogue.loc[catalogue["theme"] == theme]
        territory = self.results.loc[self.results["zone_type"] == "territory"]
        rows = []
        for entry in catalogue.itertuples():
            found = territory.loc[territory["indicator"] == entry.id]
            if found.empty:
                reason = f"donnée absente ({entry.numerator})"
            elif found["status"].eq("ok").any() or found["status"].eq("zero").any():
                continue
            else:
                status = found["status"].iloc[-1]
                note = found["note"].iloc[-1]
                reason = note or {"suppressed": "secret statistique", "missing": "non disponible"}.get(status, status)
            rows.append({"indicator": entry.id, "label": entry.label, "reason": reason})
        return pd.DataFrame(rows, columns=["indicator", "label", "reason"])

    # ------------------------------------------------------------------ recording blocks
    def _display(self, payload: dict, bundle: dict) -> None:
        try:
            from IPython.display import display
        except ImportError:  # outside Jupyter: nothing to show
            return
        display(bundle, raw=True, metadata={BLOCK_KEY: payload})

    def figure(self, fig, name: str, *, caption: str, source: str, alt: str, close: bool = True) -> dict:
        """Save a matplotlib figure or axes (PNG and SVG) under ``figures/`` and record it.

        ``fig`` may also be a function that draws it (``lambda: viz.choropleth(...)``): when the
        data do not allow the figure (indicator absent, no geometry…), the chapter says so in
        a sentence instead of failing, and the build goes on.

        Returns the block (``kind, png, svg, caption, source, alt``).
        """
        import base64

        import matplotlib.pyplot as plt

        if callable(fig) and not hasattr(fig, "savefig") and not hasattr(fig, "figure"):
            try:
                fig = fig()
            except ClsAnalysisError as exc:
                plt.close("all")
                return self.text(f"*{caption} : figure non disponible — {exc}*")
        fig = getattr(fig, "figure", fig)  # viz functions return Axes
        stem = self.work_dir / "figures" / _slug(name)
        paths = {}
        for extension in ("png", "svg"):
            path = stem.with_suffix(f".{extension}")
            with atomic_path(path) as tmp:
                fig.savefig(tmp, format=extension, dpi=150)
            paths[extension] = path
        if close:
            plt.close(fig)
        block = {
            "kind": "figure",
            "png": str(paths["png"].relative_to(self.work_dir)),
            "svg": str(paths["svg"].relative_to(self.work_dir)),
            "caption": caption,
            "source": source,
            "alt": alt,
        }
        encoded = base64.b64encode(paths["png"].read_bytes()).decode("ascii")
        self._display(block, {"image/png": encoded, "text/plain": caption})
        return block

    def table(self, frame: pd.DataFrame, name: str, *, caption: str, source: str,
              number_formats: dict[str, int] | None = None) -> dict:
        """Record a table for the report (French headers); shown as HTML in the notebook."""
        path = self.work_dir / "tableaux" / f"{_slug(name)}.pkl"
        with atomic_path(path) as tmp, tmp.open("wb") as handle:
            pickle.dump(frame, handle, protocol=pickle.HIGHEST_PROTOCOL)
        block = {
            "kind": "table",
            "path": str(path.relative_to(self.work_dir)),
            "caption": caption,
            "source": source,
            "number_formats": number_formats or {},
        }
        self._display(block, {"text/html": frame.to_html(index=False, na_rep="–"), "text/plain": caption})
        return block

    def text(self, content: str) -> dict:
        """Record commentary computed from the figures (light Markdown)."""
        block = {"kind": "text", "content": content}
        self._display(block, {"text/markdown": content, "text/plain": content})
        return block

    def key_figure(self, label: str, value_text: str, comparison_text: str = "", source: str = "") -> dict:
        """Record a key figure for the COPIL deck and the summary."""
        block = {"kind": "key_figure", "label": label, "value_text": value_text,
                 "comparison_text": comparison_text, "source": source}
        self._display(block, {"text/markdown": f"**{label}** : {value_text} {comparison_text}".strip(),
                              "text/plain": label})
        return block


def prepare_work_dir(
    *,
    territoire: str | Path | None = None,
    epci: str | list[str] | None = None,
    data_dir: str | Path | None = None,
    demo: bool = False,
    work_dir: str | Path | None = None,
) -> Path:
    """Prepare a work folder for a territory (compute its results) and return its path."""
    from cls_analysis import pipeline
    from cls_analysis.territory import Territory

    if territoire is not None:
        territory = Territory.from_config(territoire)
    elif epci is not None:
        territory = Territory.from_epci(epci)
    elif demo:
        territory = Territory.from_epci(pipeline.DEMO_EPCI)
    else:
        raise ClsAnalysisError(
            "Indiquez le territoire du notebook : territoire = \"territoires/….toml\", "
            "epci = \"SIREN\", ou demo = True."
        )
    folder = Path(work_dir) if work_dir else Path("data/processed") / territory.slug
    diagnostic = pipeline.prepare(territory, folder, data_dir=data_dir, demo=demo)
    return diagnostic.work_dir


def read_blocks(notebook_path: str | Path) -> list[dict]:
    """The report blocks of an executed notebook, in order: Markdown cells and tagged outputs.

    Markdown cells become ``text`` blocks, except the first heading (the chapter title) and
    cells tagged ``no-report``.
    """
    notebook = json.loads(Path(notebook_path).read_text(encoding="utf-8"))
    blocks, seen_title = [], False
    for cell in notebook.get("cells", []):
        tags = cell.get("metadata", {}).get("tags", [])
        if "no-report" in tags or "parameters" in tags or "injected-parameters" in tags:
            continue
        source = "".join(cell.get("source", []))
        if cell.get("cell_type") == "markdown":
            if not seen_title and source.lstrip().startswith("# "):
                seen_title = True
                rest = source.lstrip().split("\n", 1)
                source = rest[1] if len(rest) > 1 else ""
            if source.strip():
                blocks.append({"kind": "text", "content": source.strip()})
            continue
        for output in cell.get("outputs", []):
            payload = output.get("metadata", {}).get(BLOCK_KEY)
            if payload:
                blocks.append(payload)
    return blocks
