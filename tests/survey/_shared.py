"""Where the shared sample files are (never copied into the repository).

``CLS_SHARED_DIR`` if set, else ``<repo root>/../shared``, else ``/work/shared``; tests that
need a file skip with a clear reason when it is absent.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]


def shared_dir() -> Path | None:
    """The shared folder, or None when it is absent (``CLS_SHARED_DIR``, when set, is the only
    place looked at)."""
    if os.environ.get("CLS_SHARED_DIR"):
        candidates = [Path(os.environ["CLS_SHARED_DIR"])]
    else:
        candidates = [REPO_ROOT.parent / "shared", Path("/work/shared")]
    for c in candidates:
        if c.is_dir():
            return c
    return None


def shared_file(relative: str) -> Path:
    """Path of a shared file, or skip the test saying what is missing."""
    root = shared_dir()
    if root is None:
        pytest.skip("dossier shared/ introuvable (CLS_SHARED_DIR, ../shared, /work/shared) : fichiers réels absents")
    path = root / relative
    if not path.exists():
        pytest.skip(f"fichier partagé absent : {path}")
    return path
