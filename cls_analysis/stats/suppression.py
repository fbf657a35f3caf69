"""Disclosure control of small counts: primary and secondary suppression.

Rules (DESIGN, "Small counts"):

* **status** — each row gets one of four distinct statuses: ``"ok"`` (published),
  ``"suppressed"`` (hidden), ``"missing"`` (no count: not a secret, just unknown) and
  ``"zero"`` (a true zero). A true zero is published by default, as is common ORS practice:
  knowing that *nobody* in a commune had the event discloses nothing about a person
  (``suppress_zeros=True`` treats zeros as small counts);
* **primary suppression** — a count ``0 < count < threshold`` (default 10; 11 for
  SNDS-derived data) is hidden, reason ``"primary"``; rows whose input ``status`` is already
  ``"secret"`` or ``"suppressed"`` (secret from the source) stay hidden, reason ``"source"``;
* **secondary suppression** — the total of each group (e.g. the territory, parent of its
  communes) stays published, so a group with exactly one hidden count would give it away by
  subtraction: the next smallest published positive count of that group is hidden too,
  reason ``"secondary"`` (ties: the first row). Hiding a zero would not help (the rule is
  public: a hidden zero is still known to be zero), so a group whose hidden count has no
  other positive count to pair with gets a warning: only hiding the group's total protects it.

Limits: one level of grouping per call (call again for another partition of the same rows);
two hidden counts in a group are protected from exact recovery, not from bounds (two hidden
counts summing to 11 are 1 and 10, or 2 and 9…). Publish ``status``, not
``suppression_reason``, which would tell an attacker which hidden count is the small one.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from cls_analysis.stats._groups import group_rows
from cls_analysis.stats._validate import (
    StatsInputError,
    check_columns,
    check_dataframe,
    describe_groups,
    numeric_column,
    to_column_list,
)

__all__ = ["DEFAULT_MASKED", "STATUSES", "secondary_rows", "suppress"]

#: The four statuses of a published figure.
STATUSES = ("ok", "suppressed", "missing", "zero")
#: Columns blanked on hidden rows (when present) besides the count column.
DEFAULT_MASKED = ("value", "lower_ci", "upper_ci")
_SECRET = ("secret", "suppressed")


def suppress(
    df: pd.DataFrame,
    count: str = "numerator",
    group: str | Sequence[str] | None = None,
    threshold: float = 10,
    *,
    suppress_zeros: bool = False,
    mask: bool | Sequence[str] = True,
) -> pd.DataFrame:
    """Hide small counts (primary) and the counts that would reveal them (secondary).

    Parameters
    ----------
    df : pandas.DataFrame
        Results-like table, one row per cell (e.g. one commune of a territory).
    count : str
        Column of the counts to protect.
    group : str, list of str or None
        Columns identifying the tables whose totals are published (the parent zone, and the
        indicator and period if several are stacked); None: the whole table is one group.
    threshold : float
        Counts ``0 < count < threshold`` are hidden (10 by default, 11 for SNDS data).
    suppress_zeros : bool
        Also hide true zeros (by default a zero is published with status ``"zero"``).
    mask : bool or sequence of str
        Blank (NaN) the count and these columns on hidden rows; True blanks the count and
        :data:`DEFAULT_MASKED`; False keeps every figure (status only).

    Returns
    -------
    pandas.DataFrame
        A copy of ``df`` with ``status`` (``"ok"``, ``"suppressed"``, ``"missing"``,
        ``"zero"``) and ``suppression_reason`` (``"primary"``, ``"secondary"``, ``"source"``
        or missing).

    Raises
    ------
    StatsInputError
        Missing, non-numeric or negative count column, bad threshold.

    Examples
    --------
    >>> df = pd.DataFrame({"parent": "CC", "commune": ["a", "b", "c", "d"],
    ...                    "numerator": [4, 25, 12, 0]})
    >>> out = suppress(df, group="parent")
    >>> out[["commune", "numerator", "status", "suppression_reason"]]
      commune  numerator      status suppression_reason
    0       a        NaN  suppressed            primary
    1       b       25.0          ok                NaN
    2       c        NaN  suppressed          secondary
    3       d        0.0        zero                NaN
    """
    df = check_dataframe(df)
    group_cols = to_column_list(group, "group")
    check_columns(df, {"count": count, **{f"group[{c}]": c for c in group_cols}})
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or threshold < 1:
        raise StatsInputError(
            f"Le seuil de secret doit être un nombre ≥ 1 (10 par défaut, 11 pour le SNDS) ; "
            f"reçu : {threshold!r}."
        )
    values = numeric_column(df, count, "count")
    groups = group_rows(df, group_cols, "group")

    upstream = np.zeros(len(df), dtype=bool)
    if "status" in df.columns:
        upstream = df["status"].isin(_SECRET).to_numpy(dtype=bool)
    missing = np.isnan(values) & ~upstream
    zero = (values == 0) & ~upstream
    primary = ~upstream & ~missing & (values < threshold) & ((values > 0) | suppress_zeros)
    hidden = upstream | primary

    secondary, alone = secondary_rows(values, hidden, missing, groups.codes, groups.size)
    if alone.any():
        warnings.warn(
            "Secret secondaire impossible pour les groupes "
            f"{describe_groups(groups.keys, alone)} : le seul effectif masqué n'a aucun autre "
            "effectif positif publié avec lequel être masqué, il reste déductible du total "
            "du groupe. Masquez aussi ce total ou regroupez les lignes.",
            stacklevel=2,
        )
    hidden |= secondary

    out = df.copy()
    status = np.full(len(df), "ok", dtype=object)
    status[missing] = "missing"
    status[zero] = "zero"
    status[hidden] = "suppressed"
    reason = np.full(len(df), None, dtype=object)
    if "suppression_reason" in df.columns:
        kept = df["suppression_reason"].to_numpy(dtype=object)
        reason[upstream] = [r if isinstance(r, str) and r else "source" for r in kept[upstream]]
    else:
        reason[upstream] = "source"
    reason[primary] = "primary"
    reason[secondary] = "secondary"
    if mask is not False:
        extra = DEFAULT_MASKED if mask is True else tuple(mask)
        check_columns(df, {f"mask[{c}]": c for c in extra if mask is not True})
        for col in (count, *[c for c in extra if c in df.columns and c != count]):
            out[col] = out[col].astype(float).where(~hidden, np.nan)
    out["status"] = status
    out["suppression_reason"] = reason
    return out


def secondary_rows(values: np.ndarray, hidden: np.ndarray, missing: np.ndarray, codes: np.ndarray,
                   size: int) -> tuple[np.ndarray, np.ndarray]:
    """The secondary suppression of :func:`suppress` on arrays: the rows to hide in addition,
    and the groups whose only hidden count has no other positive count to pair with.

    ``values``: the counts; ``hidden``: the rows already hidden; ``missing``: the rows
    without a count; ``codes``: the group of each row (``0 … size - 1``). In each group with
    exactly one hidden row, the smallest positive published count is hidden too (ties: the
    first row).

    >>> secondary, alone = secondary_rows(np.array([4.0, 25.0, 12.0, 3.0]), np.array([True, False, False, True]),
    ...                                   np.zeros(4, dtype=bool), np.array([0, 0, 0, 1]), 2)
    >>> secondary.tolist(), alone.tolist()
    ([False, False, True, False], [False, True])
    """
    n_hidden = np.bincount(codes, weights=hidden, minlength=size)
    lonely = n_hidden[codes] == 1
    secondary = np.zeros(len(values), dtype=bool)
    if not lonely.any():
        return secondary, np.zeros(size, dtype=bool)
    published = lonely & ~hidden & ~missing & (values > 0)
    # candidates: the smallest positive published count of the group; ties by row order
    order = np.flatnonzero(published)
    order = order[np.lexsort((order, values[order], codes[order]))]
    if len(order):
        first = np.ones(len(order), dtype=bool)
        first[1:] = codes[order][1:] != codes[order][:-1]
        secondary[order[first]] = True
    covered = np.bincount(codes, weights=secondary, minlength=size) > 0
    return secondary, (n_hidden == 1) & ~covered
