"""Classification: schemes, rounded limits, centring, degenerate inputs."""

from __future__ import annotations

import numpy as np
import pytest

from cls_analysis.errors import ClsAnalysisError
from cls_analysis.viz.classify import SCHEMES, classify

VALUES = [3.2, 4.8, 5.1, 6.0, 6.4, 7.7, 8.1, 9.9, 12.5, 14.0, 15.2, 21.3]


@pytest.mark.parametrize("scheme", ["quantiles", "fisher_jenks", "equal_interval", "std_mean"])
def test_every_scheme_covers_all_values(scheme):
    c = classify(VALUES, scheme, k=4, decimals=1)
    assert c.counts.sum() == len(VALUES)
    assert c.bins[0] <= min(VALUES) and c.bins[-1] >= max(VALUES)
    assert np.all(np.diff(c.bins) > 0)
    assert c.description.startswith(f"Classes : {SCHEMES[c.scheme].name}")
    # the legend is exactly what the map shows: each value lies in its labelled class
    for value, cls in zip(VALUES, c.yb, strict=True):
        assert c.bins[cls] <= value <= c.bins[cls + 1]


def test_labels_and_description_in_french():
    c = classify([1, 2, 3, 4, 5, 6, 7, 8], "quantiles", k=4, decimals=1)
    assert c.labels == ["[1,0 ; 2,8[", "[2,8 ; 4,5[", "[4,5 ; 6,3[", "[6,3 ; 8,0]"]
    assert c.description == "Classes : quantiles, 4 classes"
    assert classify(VALUES, "jenks", k=3).description == "Classes : Fisher-Jenks, 3 classes"


def test_value_on_a_limit_goes_to_the_upper_class():
    c = classify([1, 5, 10], breaks=[5], decimals=0)
    assert c.labels == ["[1 ; 5[", "[5 ; 10]"]
    assert c.yb.tolist() == [0, 1, 1]
    assert c.description == "Classes : seuils choisis, 2 classes"


def test_user_breaks_outside_the_range_are_dropped():
    c = classify(VALUES, "user", breaks=[-5, 6, 10, 100])
    assert c.bins.tolist() == [3.2, 6.0, 10.0, 21.3]


def test_centre_is_always_a_limit():
    icm = [72, 85, 94, 98, 103, 108, 121, 135]
    c = classify(icm, "equal_interval", k=4, centre=100, decimals=0)
    assert 100 in c.bins
    assert c.n_below == 2
    assert c.description.endswith("centrées sur 100")


def test_fewer_distinct_values_than_classes():
    c = classify([2, 2, 2, 5, 5], "quantiles", k=5, decimals=0)
    assert c.k == 2
    assert "2 classes seulement" in c.notes[0]


def test_single_value_single_class():
    c = classify([12.5], "quantiles", k=5)
    assert c.labels == ["12,5"]
    assert c.description == "Classe unique : une seule valeur"


def test_missing_values_are_left_out():
    c = classify([1.0, np.nan, 3.0, 5.0], "equal_interval", k=2, decimals=0)
    assert c.yb[1] == -1
    assert c.counts.sum() == 3


def test_errors_in_french():
    with pytest.raises(ClsAnalysisError, match="Méthode de classification inconnue"):
        classify(VALUES, "kmeans")
    with pytest.raises(ClsAnalysisError, match="entre 2 et 7"):
        classify(VALUES, "quantiles", k=12)
    with pytest.raises(ClsAnalysisError, match="toutes les valeurs sont manquantes"):
        classify([np.nan, np.nan])
