"""Every figure of CC Aunis Atlantique, drawn from the synthetic results and saved.

About ten seconds: run with ``CLS_RUN_SLOW=1`` (the maps and charts tests cover each figure).
"""

from __future__ import annotations

import os

import matplotlib.image as mpimg
import pytest

from cls_analysis.indicators.catalogue import AXES
from cls_analysis.viz.gallery import render_gallery


@pytest.mark.slow
@pytest.mark.skipif(os.environ.get("CLS_RUN_SLOW") != "1", reason="lent : CLS_RUN_SLOW=1 pour le lancer")
def test_gallery_writes_every_figure(territory, demo_results, demo_observations, tmp_path):
    written = render_gallery(territory, tmp_path, dpi=50, results=demo_results,
                             observations=demo_observations, national=False)
    timings = written.pop("_timings")
    expected = {"carte_communes", "carte_taux_pauvrete", "carte_icm_mortalite_prematuree",
                "carte_apl_mg", "carte_medecins_generalistes", "pyramide_ages",
                "barres_taux_pauvrete", "barres_icm_mortalite_prematuree", "evolution_apl_mg",
                "evolution_icm_mortalite_prematuree"} | {f"spine_{axis}" for axis in AXES}
    assert set(written) == expected == set(timings)
    for paths in written.values():
        assert mpimg.imread(paths[0]).shape[:2] == (288, 512)  # slide 16:9 at 50 dpi
