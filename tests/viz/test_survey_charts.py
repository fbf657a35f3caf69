"""Survey charts: French text, source line, n and weighting stated, suppressed cells said."""

import matplotlib

matplotlib.use("Agg")

import pandas as pd
import pytest

from cls_analysis import survey
from cls_analysis.viz import survey_charts

COMMUNES = pd.DataFrame({"code": ["17008", "17222", "17349"], "name": ["Andilly", "Marans", "Saint-Jean-de-Liversay"],
                         "population": [2350, 4700, 3300]})


@pytest.fixture(scope="module")
def design(tmp_path_factory):
    r = survey.demo_responses(COMMUNES, n=600, seed=11, directory=tmp_path_factory.mktemp("demo"))
    obs = survey.demo_observations(COMMUNES)
    margins = survey.margins_from_observations(obs, COMMUNES["code"].tolist(), age_bands=survey.DEMO_AGE_BANDS,
                                               names={"sex": "sexe", "age": "age_band"},
                                               sex_labels={"F": "Femme", "M": "Homme"})
    return survey.Design(r).rake(margins, source="Insee RP 2021")


def texts(fig):
    out = [t.get_text() for t in fig.texts]
    for ax in fig.axes:
        out += [t.get_text() for t in ax.texts] + [t.get_text() for t in ax.get_yticklabels()]
        out += [t.get_text() for t in ax.get_xticklabels()] + [ax.get_title(loc="left"), ax.get_xlabel()]
        if ax.get_legend():
            out += [t.get_text() for t in ax.get_legend().get_texts()]
    return out


def test_likert(design, tmp_path):
    fig = survey_charts.likert(design, ["acces_generaliste", "acces_dentiste", "acces_ophtalmo"],
                               title="Accès aux professionnels", source="Enquête habitants 2026", demo=True)
    t = texts(fig)
    assert "Source : Enquête habitants 2026" in t
    note = next(x for x in t if x.startswith("n = "))
    assert "répondants" in note and "résultats pondérés (calage sur marges Insee RP 2021)" in note
    assert "Dentiste" in t and "Très facile" in t
    assert any(x.endswith("\xa0%") and "," not in x for x in t)  # 23 % labels, no dot decimals
    assert "Données fictives de démonstration" in t
    fig.canvas.draw()
    fig.savefig(tmp_path / "likert.png")
    assert (tmp_path / "likert.png").stat().st_size > 10_000


def test_multiple_choice(design, tmp_path):
    fig = survey_charts.multiple_choice(design, "motifs_renoncement", source="Enquête habitants 2026")
    t = texts(fig)
    assert "Délai de rendez-vous trop long" in t
    assert any("," in x and x.endswith("\xa0%") for x in t)  # 41,2 %
    assert any(x.startswith("Part des répondants à la question") for x in t)
    assert fig.axes[0].get_title(loc="left") == "Pour quelles raisons avez-vous renoncé à des soins ?"
    fig.savefig(tmp_path / "motifs.png")


def test_group_comparison_and_suppression_note(design):
    fig = survey_charts.group_comparison(design, "renonce", level="Oui", by="age_band", source="Enquête")
    t = texts(fig)
    assert "Ensemble" in t and "75+" in t
    small = survey.Design(design.data.iloc[:40], min_count=10)
    fig2 = survey_charts.group_comparison(small, "nb_consult", by="age_band", source="Enquête")
    t2 = texts(fig2)
    assert any("cellules de moins de 10 répondants non affichées" in x for x in t2)
    assert "effectif trop faible" in t2
