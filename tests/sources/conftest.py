"""Fixtures of the data-sources tests: small files written in the documented formats."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` (LF line ends) and return the path."""
    path.write_bytes(text.encode(encoding))
    return path


def zip_files(path: Path, members: dict[str, str]) -> Path:
    """A zip archive with text members."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    return path


@pytest.fixture(scope="session")
def real_apl(shared_dir):
    """The real DREES APL workbook, read once (sheet APL 2023)."""
    from cls_analysis.sources import read_apl

    path = shared_dir / "data" / "drees_apl" / "apl_generalistes.xlsx"
    return path, read_apl(path, 2023)
