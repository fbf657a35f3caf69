"""Charts of the inhabitants' survey: diverging Likert bars, multiple-response bars, groups.

Every chart takes a :class:`~cls_analysis.survey.Design` (estimates are computed with it,
weighted, with intervals and the design's confidentiality threshold), writes all its text in
French (decimal comma, ``12,3 %``) and carries a footer: the source line, then
« n = 812 répondants ; résultats pondérés (calage sur marges Insee RP 2021) ». Cells below
the threshold are not drawn and the footer says so. French formatting comes from
:mod:`cls_analysis.viz.fmt`, the look from :mod:`cls_analysis.viz.theme`.

Examples
--------
>>> import pandas as pd
>>> from cls_analysis import survey
>>> data = pd.DataFrame({"q": pd.Categorical(["Oui"] * 60 + ["Non"] * 40, categories=["Oui", "Non"])})
>>> fig = group_comparison(survey.Design(data), "q", level="Oui", source="Enquête habitants 2026")
>>> [t.get_text() for t in fig.texts]
['Source : Enquête habitants 2026', 'n = 100 répondants ; résultats non pondérés']
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from cls_analysis.viz.fmt import format_count, format_percent, format_value, tick_formatter
from cls_analysis.viz.theme import PALETTE, add_footer, apply_theme

__all__ = ["group_comparison", "likert", "multiple_choice", "sample_note"]


def _label(design, variable: str) -> str:
    cb = getattr(design, "codebook", None)
    if cb is not None and len(cb):
        rows = cb[cb["variable"] == variable]
        if len(rows):
            rec = rows.iloc[0]
            return rec["label"] or rec["text"] or variable
        rows = cb[cb["question"] == variable]
        if len(rows):
            return rows.iloc[0]["text"] or variable
    return variable


def _wrap(text: str, width: int = 32) -> str:
    return "\n".join(textwrap.wrap(str(text), width)) or str(text)


def sample_note(design, n_values: Sequence[int] | None = None, per: str = "la question") -> str:
    """« n = 812 répondants ; résultats pondérés (…) », with a range when bases differ.

    >>> import pandas as pd
    >>> from cls_analysis import survey
    >>> sample_note(survey.Design(pd.DataFrame({"a": range(1234)})))
    'n = 1\\u202f234 répondants ; résultats non pondérés'
    """
    if n_values is None or len(n_values) == 0:
        n_text = f"n = {format_count(design.n)} répondants"
    else:
        lo, hi = int(min(n_values)), int(max(n_values))
        n_text = (f"n = {format_count(lo)} répondants" if lo == hi
                  else f"n = {format_count(lo)} à {format_count(hi)} répondants selon {per}")
    return f"{n_text} ; {design.weighting}"


def _footer(fig, design, n_values, source, suppressed: bool, demo: bool, per: str = "la question") -> None:
    note = sample_note(design, n_values, per)
    if suppressed:
        note += f" ; cellules de moins de {design.min_count} répondants non affichées"
    add_footer(fig, source, note=note, demo=demo)


def _finish(fig, title: str | None, ax) -> None:
    if title:
        ax.set_title(title)
    fig.subplots_adjust(bottom=0.22, left=0.32, right=0.97, top=0.86)


def likert(
    design,
    variables: Sequence[str],
    *,
    title: str | None = None,
    source: str | None = None,
    labels: Sequence[str] | None = None,
    demo: bool = False,
):
    """Diverging stacked bars of ordered answers (one bar per item).

    The first half of the levels (the favourable side when the scale is written from the best
    answer, as ``Très facile … Très difficile``) is drawn left of zero, the second half right;
    a middle level of an odd scale straddles zero.

    Parameters
    ----------
    design : Design
    variables : sequence of str
        Items sharing one ordered scale (``likert`` columns).
    title, source : str, optional
    labels : sequence of str, optional
        Item labels (default: codebook labels).
    demo : bool
        Add the fictitious-data notice.

    Returns
    -------
    matplotlib.figure.Figure
        A figure not registered with pyplot (save it with ``fig.savefig``; notebooks show it).
    """
    apply_theme()
    est = design.proportions(list(variables))
    levels = list(dict.fromkeys(est["level"]))
    k = len(levels)
    cmap = mpl.colormaps["RdBu_r"]
    colours = [cmap(0.15 + 0.7 * i / max(k - 1, 1)) for i in range(k)]
    fig = Figure(figsize=(9, 1.0 + 0.55 * len(variables) + 1.2))
    ax = fig.subplots()
    names = list(labels) if labels is not None else [_label(design, v) for v in variables]
    suppressed = False
    for row, var in enumerate(variables):
        part = est[est["variable"] == var].set_index("level").reindex(levels)
        share = part["estimate"].to_numpy(dtype=float) * 100
        suppressed |= bool(np.isnan(share).any())
        share = np.nan_to_num(share)
        half = k // 2
        left = share[:half].sum() + (share[half] / 2 if k % 2 else 0)
        start = -left
        for i, s in enumerate(share):
            ax.barh(row, s, left=start, color=colours[i], edgecolor="white", height=0.65,
                    label=levels[i] if row == 0 else None)
            if s >= 6:
                ax.text(start + s / 2, row, format_percent(s, 0), ha="center", va="center", fontsize=8,
                        color="white" if i in (0, k - 1) else "#1a1a1a")
            start += s
    ax.axvline(0, color="#333333", linewidth=0.8)
    ax.set_yticks(range(len(variables)), [_wrap(nm) for nm in names])
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _p: format_percent(abs(x), 0)))
    ax.legend(ncols=min(k, 5), loc="upper center", bbox_to_anchor=(0.4, -0.12), frameon=False, fontsize=8)
    _finish(fig, title, ax)
    fig.subplots_adjust(bottom=0.3)
    _footer(fig, design, est.groupby("variable")["n_base"].first().tolist(), source, suppressed, demo)
    return fig


def multiple_choice(
    design,
    question: str,
    *,
    title: str | None = None,
    source: str | None = None,
    sort: bool = True,
    demo: bool = False,
):
    """Horizontal bars of a multiple-response question: share of its respondents ticking each
    option, with confidence intervals (shares add up to more than 100 %).

    Returns
    -------
    matplotlib.figure.Figure
    """
    apply_theme()
    est = design.proportions(question)
    if sort:
        est = est.sort_values("estimate", ascending=True, na_position="first")
    fig = Figure(figsize=(9, 1.2 + 0.5 * len(est) + 1.0))
    ax = fig.subplots()
    y = np.arange(len(est))
    val = est["estimate"].to_numpy(dtype=float) * 100
    lo = est["lower_ci"].to_numpy(dtype=float) * 100
    hi = est["upper_ci"].to_numpy(dtype=float) * 100
    ax.barh(y, np.nan_to_num(val), color=PALETTE["territory"], height=0.6)
    ok = ~np.isnan(val)
    ax.errorbar(val[ok], y[ok], xerr=[val[ok] - lo[ok], hi[ok] - val[ok]], fmt="none", ecolor="#333333",
                capsize=3, linewidth=0.9)
    for yi, v, h in zip(y, val, hi, strict=True):
        text = format_percent(v, 1) if not np.isnan(v) else "effectif trop faible"
        ax.text((h if not np.isnan(h) else 0) + 1, yi, text, va="center", fontsize=8)
    ax.set_yticks(y, [_wrap(v) for v in est["level"]])
    ax.xaxis.set_major_formatter(tick_formatter(0, "%"))
    ax.set_xlim(0, min(100, np.nanmax(np.append(hi, 10)) + 15))
    ax.set_xlabel(f"Part des répondants à la question (intervalle de confiance à {format_percent(design.confidence * 100, 0)})")
    _finish(fig, title or _label(design, question), ax)
    _footer(fig, design, est["n_base"].unique().tolist(), source, bool(np.isnan(val).any()), demo)
    return fig


def group_comparison(
    design,
    variable: str,
    *,
    level: str | None = None,
    by: str | None = None,
    title: str | None = None,
    source: str | None = None,
    demo: bool = False,
):
    """Comparison between groups: a proportion (of ``level``) or a mean (numeric ``variable``)
    in each group of ``by`` (and overall), as points with confidence intervals.

    Returns
    -------
    matplotlib.figure.Figure
    """
    apply_theme()
    numeric = level is None
    fn = design.means if numeric else design.proportions
    overall = fn(variable)
    parts = [overall.assign(group="Ensemble")]
    if by is not None:
        g = fn(variable, by=by)
        parts.append(g.assign(group=g[by].astype(str)))
    est = pd.concat(parts, ignore_index=True)
    if not numeric:
        est = est[est["level"].astype(str) == str(level)]
    scale, unit = (1.0, None) if numeric else (100.0, "%")
    val = est["estimate"].to_numpy(dtype=float) * scale
    lo = est["lower_ci"].to_numpy(dtype=float) * scale
    hi = est["upper_ci"].to_numpy(dtype=float) * scale
    fig = Figure(figsize=(8, 1.4 + 0.45 * len(est) + 1.0))
    ax = fig.subplots()
    y = np.arange(len(est))
    ok = ~np.isnan(val)
    colours = [PALETTE["france"] if gname == "Ensemble" else PALETTE["territory"] for gname in est["group"]]
    ax.errorbar(val[ok], y[ok], xerr=[val[ok] - lo[ok], hi[ok] - val[ok]], fmt="none", ecolor="#555555", capsize=3)
    ax.scatter(val[ok], y[ok], c=[c for c, o in zip(colours, ok, strict=True) if o], zorder=3, s=36)
    for yi, v, h in zip(y, val, hi, strict=True):
        text = format_value(v, unit, 1) if not np.isnan(v) else "effectif trop faible"
        ax.text((h if not np.isnan(h) else np.nanmin(np.append(lo, 0))), yi + 0.28, text, fontsize=8, ha="right")
    ax.set_yticks(y, est["group"].tolist())
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(tick_formatter(0 if not numeric else 1, unit))
    what = f"« {level} »" if not numeric else "Moyenne"
    ax.set_xlabel(_wrap(f"{_label(design, variable)}", 70) + "\n"
                  + f"{what} (intervalle de confiance à {format_percent(design.confidence * 100, 0)})")
    _finish(fig, title, ax)
    fig.subplots_adjust(bottom=0.28)
    _footer(fig, design, est["n_base"].tolist(), source, bool((~ok).any()), demo, per="le groupe")
    return fig
