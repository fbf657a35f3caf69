"""Shared test fixtures.

Real sample files and reference values live in ``../shared`` beside the repository (never
copied into it). Tests that need them use the ``shared_dir`` fixture, which skips with a clear
reason when the folder is absent. ``CLS_SHARED_DIR`` overrides the location.
"""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

REPO_ROOT = Path(__file__).resolve().parents[1]


def find_shared_dir() -> Path | None:
    """The ``shared`` folder: $CLS_SHARED_DIR, else ``<repo>/../shared``."""
    candidates = [os.environ.get("CLS_SHARED_DIR"), REPO_ROOT.parent / "shared"]
    for candidate in candidates:
        if candidate and (Path(candidate) / "data").is_dir():
            return Path(candidate)
    return None


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    folder = find_shared_dir()
    if folder is None:
        pytest.skip(
            "dossier ../shared absent (fichiers réels et valeurs de référence) : "
            "définissez CLS_SHARED_DIR pour lancer ce test"
        )
    return folder


@pytest.fixture(scope="session")
def embedded():
    from cls_analysis.geo.geography import Geography

    return Geography.embedded()
