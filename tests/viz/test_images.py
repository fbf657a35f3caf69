"""Image tests: a few figures compared with committed baselines (small PNGs, 60 dpi).

Regenerate the baselines after a deliberate change of look, then look at them:

    CLS_VIZ_UPDATE_BASELINES=1 .venv/bin/python -m pytest tests/viz/test_images.py
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from matplotlib.testing.compare import compare_images

from cls_analysis import viz

BASELINE = Path(__file__).parent / "baseline"
UPDATE = os.environ.get("CLS_VIZ_UPDATE_BASELINES") == "1"
TOLERANCE = 6.0  # RMS over 0-255: text antialiasing differences pass, a moved legend does not
DPI = 60


def check(figure, name: str, tmp_path: Path) -> None:
    if UPDATE:
        viz.save(figure, BASELINE / name, formats=("png",), dpi=DPI)
        pytest.skip(f"baseline {name}.png regenerated")
    actual = viz.save(figure, tmp_path / name, formats=("png",), dpi=DPI)[0]
    expected = BASELINE / f"{name}.png"
    assert expected.is_file(), f"baseline absente : {expected} (CLS_VIZ_UPDATE_BASELINES=1)"
    result = compare_images(str(expected), str(actual), tol=TOLERANCE)
    assert result is None, result


def test_choropleth_icm(demo_results, territory, catalogue, tmp_path):
    ax = viz.choropleth(demo_results, "mort_prematuree_icm", territory, scheme="equal_interval",
                        significance=True, catalogue=catalogue)
    check(ax, "choropleth_icm", tmp_path)


def test_pyramid(demo_observations, territory, tmp_path):
    check(viz.pyramid(demo_observations, territory), "pyramid", tmp_path)


def test_spine(demo_results, territory, catalogue, tmp_path):
    ax = viz.spine(demo_results, axis="acces_aux_soins", territory=territory, catalogue=catalogue)
    check(ax, "spine_acces_aux_soins", tmp_path)
