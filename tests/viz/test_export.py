"""Saving: formats, sizes, resolutions, atomic writes, fonts (no tofu for U+202F)."""

from __future__ import annotations

import matplotlib.image as mpimg
import matplotlib.pyplot as plt
import numpy as np
import pytest

from cls_analysis import viz
from cls_analysis.errors import ClsAnalysisError
from cls_analysis.viz.theme import check_font


@pytest.fixture
def bars(rate_results, territory):
    return viz.compare_bars(rate_results, "taux_pauvrete", territory)


def test_formats_sizes_and_resolutions(bars, tmp_path):
    written = viz.save(bars, tmp_path / "barres.png", formats=("png", "svg", "pdf"))
    assert [p.name for p in written] == ["barres.png", "barres_300dpi.png", "barres.svg", "barres.pdf"]
    assert mpimg.imread(written[0]).shape[:2] == (864, 1536)  # slide 16:9 at 150 dpi
    assert mpimg.imread(written[1]).shape[:2] == (1728, 3072)
    assert written[3].read_bytes().startswith(b"%PDF")
    assert b"DejaVuSans" in written[3].read_bytes()
    a4 = viz.save(bars, tmp_path / "a4", formats=("png",), size="a4", dpi=100)
    assert mpimg.imread(a4[0]).shape[:2] == (1169, 827)
    square = viz.save(bars, tmp_path / "carre", formats=("png",), size="square", dpi=100)
    assert mpimg.imread(square[0]).shape[:2] == (700, 700)
    assert tuple(bars.figure.get_size_inches()) == (10.24, 5.76)  # put back as it was
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []  # no temp files


def test_svg_text_as_outlines_or_text(bars, tmp_path):
    outlines = viz.save(bars, tmp_path / "a", formats=("svg",))[0].read_text(encoding="utf-8")
    assert "<text" not in outlines
    text = viz.save(bars, tmp_path / "b", formats=("svg",), svg_text="text")[0].read_text(encoding="utf-8")
    assert "Taux de pauvreté au seuil de 60 %" in text and "DejaVu Sans" in text


def test_interrupted_write_leaves_nothing(bars, tmp_path, monkeypatch):
    def broken(*_args, **_kwargs):
        raise OSError("disque plein")

    monkeypatch.setattr(bars.figure, "savefig", broken)
    with pytest.raises(OSError):
        viz.save(bars, tmp_path / "carte", formats=("png",))
    assert list(tmp_path.iterdir()) == []


def test_bad_arguments(bars, tmp_path):
    with pytest.raises(ClsAnalysisError, match="Format\\(s\\) de fichier inconnu\\(s\\) : jpg"):
        viz.save(bars, tmp_path / "x", formats=("jpg",))
    with pytest.raises(ClsAnalysisError, match="Format de figure inconnu : « poster »"):
        viz.save(bars, tmp_path / "x", size="poster")


def test_narrow_no_break_space_is_not_a_box():
    """U+202F must render as a space (no ink), not as a missing-glyph box."""
    assert check_font().endswith("DejaVuSans.ttf")

    def ink(text: str) -> int:
        fig = plt.figure(figsize=(1.5, 0.5), dpi=100)
        fig.text(0.1, 0.3, text, fontsize=20, family="DejaVu Sans")
        fig.canvas.draw()
        pixels = np.asarray(fig.canvas.buffer_rgba())[..., :3]
        plt.close(fig)
        return int((pixels < 128).any(axis=2).sum())

    assert ink("\u202f") == 0
    assert ink("\u00a0") == 0
    with pytest.warns(UserWarning, match="missing from font"):
        assert ink("\ufffe") > 0  # control: a glyph the font lacks draws a box
    assert ink("1\u202f000") == ink("1000")  # same ink: the separator adds none


def test_layout_on_a_foreign_figure(tmp_path):
    """A chart drawn by hand (a survey chart…) gets the same title, source line and notice."""
    fig, ax = plt.subplots()
    ax.bar(["Oui", "Non"], [62.5, 37.5])
    assert viz.layout(ax, title="Avez-vous un médecin traitant ?", source="Enquête habitants 2024",
                      champ="habitants de 18 ans ou plus", demo=True) is ax
    texts = {t.get_text(): t.get_position()[1] for t in fig.texts}
    assert set(texts) == {"Données fictives de démonstration", "Avez-vous un médecin traitant ?",
                          "Champ : habitants de 18 ans ou plus", "Source : Enquête habitants 2024"}
    assert texts["Champ : habitants de 18 ans ou plus"] > texts["Source : Enquête habitants 2024"]
    assert viz.save(fig, tmp_path / "q1", formats=("png",), dpi=60)[0].is_file()
