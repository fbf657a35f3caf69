"""Codebook (placeholder, completed below)."""

from __future__ import annotations

import pandas as pd

__all__ = ["multiple_groups"]


def multiple_groups(codebook: pd.DataFrame) -> dict[str, list[tuple[str, str]]]:
    """Multiple-response groups: question id → [(variable, option label), …]."""
    out: dict[str, list[tuple[str, str]]] = {}
    if codebook is None or len(codebook) == 0:
        return out
    rows = codebook[codebook["type"] == "multiple"]
    for rec in rows.itertuples(index=False):
        label = rec.label if isinstance(rec.label, str) and rec.label else rec.variable
        out.setdefault(rec.question, []).append((rec.variable, label))
    return out
