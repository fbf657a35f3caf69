"""Fixtures of the statistics tests: the shared reference files and small helpers.

The published PHEindicatormethods test cases live in the ``shared`` folder beside the
repository (never copied into it). It is found, in this order, at ``$CLS_SHARED_DIR``,
``<repository>/../shared`` and ``/work/shared``; tests that need it are skipped, with the
reason, when none exists.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]


def shared_dir() -> Path | None:
    """The shared folder, or None when it cannot be found."""
    candidates = []
    if os.environ.get("CLS_SHARED_DIR"):
        candidates.append(Path(os.environ["CLS_SHARED_DIR"]))
    candidates += [REPO_ROOT.parent / "shared", Path("/work/shared")]
    return next((p for p in candidates if p.is_dir()), None)


@pytest.fixture(scope="session")
def phe_dir() -> Path:
    """``shared/reference/phe`` (skips the test when it is absent)."""
    base = shared_dir()
    path = None if base is None else base / "reference" / "phe"
    if path is None or not path.is_dir():
        pytest.skip(
            "shared/reference/phe introuvable (ni $CLS_SHARED_DIR, ni <dépôt>/../shared, ni "
            "/work/shared) : les cas de test publiés de PHEindicatormethods ne sont pas là."
        )
    return path


@pytest.fixture(scope="session")
def tidy(phe_dir: Path):
    """Reader of ``shared/reference/phe/tidy/<name>`` as a DataFrame."""

    def read(name: str) -> pd.DataFrame:
        return pd.read_csv(phe_dir / "tidy" / name)

    return read


def fix_phe_typo(df: pd.DataFrame, column: str = "ageband") -> pd.DataFrame:
    """PHE's DSR/ISR test data label the 55-59 band '55-69' (its populations and standard
    weights are those of 55-59): an overlap with 60-64/65-69 that cls_analysis rejects."""
    return df.assign(**{column: df[column].replace("55-69", "55-59")})


@pytest.fixture(scope="session")
def fix_typo():
    return fix_phe_typo
