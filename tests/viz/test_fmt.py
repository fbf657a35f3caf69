"""French strings pinned exactly: every tick, label, legend and table goes through fmt."""

from __future__ import annotations

import math

import pytest

from cls_analysis.viz import fmt

NNBSP = "\u202f"  # narrow no-break space: thousands
NBSP = "\u00a0"  # no-break space: before % and units


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (12345.678, 1, f"12{NNBSP}345,7"),
        (1234567.25, 2, f"1{NNBSP}234{NNBSP}567,25"),
        (999.95, 1, f"1{NNBSP}000,0"),
        (0.5, 2, "0,50"),
        (0.25, 1, "0,3"),  # halves away from zero, as Excel
        (2.675, 2, "2,68"),
        (-1234, 0, f"-1{NNBSP}234"),
        (-0.04, 1, "0,0"),  # no negative zero
        (7, 0, "7"),
        (float("nan"), 1, "–"),
        (None, 1, "–"),
    ],
)
def test_format_number(value, decimals, expected):
    assert fmt.format_number(value, decimals) == expected


def test_percent_count_value_ci():
    assert fmt.format_percent(12.34) == f"12,3{NBSP}%"
    assert fmt.format_percent(5, 0) == f"5{NBSP}%"
    assert fmt.format_percent(math.nan) == "–"
    assert fmt.format_count(32847) == f"32{NNBSP}847"
    assert fmt.format_value(98.7, "pour 100 000") == f"98,7{NBSP}pour 100{NNBSP}000"
    assert fmt.format_value(2.91, "consultations/an/hab.", 2) == f"2,91{NBSP}consultations/an/hab."
    assert fmt.format_value(23160, "€", 0) == f"23{NNBSP}160{NBSP}€"
    assert fmt.format_value(100.0, "—", 1) == "100,0"
    assert fmt.format_ci(10.21, 15.79) == "[10,2 ; 15,8]"
    assert fmt.format_ci(1234.5, 2345.5, 0) == f"[1{NNBSP}235 ; 2{NNBSP}346]"


def test_legend_classes():
    assert fmt.format_class(10, 15, 1) == "[10,0 ; 15,0["
    assert fmt.format_class(15, 20.5, 1, closed=True) == "[15,0 ; 20,5]"
    assert fmt.class_labels([2.5, 10, 15, 21.25]) == ["[2,5 ; 10,0[", "[10,0 ; 15,0[", "[15,0 ; 21,3]"]
    assert fmt.class_labels([1000, 2500, 12000], 0) == [f"[1{NNBSP}000 ; 2{NNBSP}500[", f"[2{NNBSP}500 ; 12{NNBSP}000]"]
    assert fmt.class_labels([7.0, 7.0], 0) == ["7"]


def test_signed_confidence_distance_unit():
    assert fmt.format_signed(1.234) == "+1,2"
    assert fmt.format_signed(-0.44) == "-0,4"
    assert fmt.format_signed(0.01) == "0,0"
    assert fmt.format_signed(2.5, 1, "%") == f"+2,5{NBSP}%"
    assert fmt.format_confidence(0.95) == f"95{NBSP}%"
    assert fmt.format_confidence(0.998) == f"99,8{NBSP}%"
    assert fmt.format_distance(500) == f"500{NBSP}m"
    assert fmt.format_distance(2500) == f"2,5{NBSP}km"
    assert fmt.format_distance(1_000_000) == f"1{NNBSP}000{NBSP}km"
    assert fmt.format_unit("pour 10 000") == f"pour 10{NNBSP}000"
    assert fmt.format_unit("—") == ""


def test_words():
    assert fmt.format_age_band("0-4") == f"0-4{NBSP}ans"
    assert fmt.format_age_band("90+") == f"90{NBSP}ans ou plus"
    assert fmt.format_age_band("90+", short=True) == "90 et +"
    assert fmt.plural(1, "commune") == f"1{NBSP}commune"
    assert fmt.plural(20, "commune") == f"20{NBSP}communes"
    assert fmt.SEX_LABELS == {"M": "Hommes", "F": "Femmes", "all": "Ensemble"}
    assert fmt.STATUS_LABELS["suppressed"].format(min_count=11) == "Non diffusé (moins de 11 cas)"
    assert fmt.STATUS_LABELS["missing"] == "Donnée manquante"
    assert fmt.STATUS_LABELS["zero"] == "Valeur nulle (aucun cas)"
    assert fmt.ASSESSMENT_LABELS["better"] == "Plus favorable"


def test_tick_formatter():
    assert fmt.tick_formatter(1)(1234.5, 0) == f"1{NNBSP}234,5"
    assert fmt.tick_formatter(0, "%", absolute=True)(-4, 0) == f"4{NBSP}%"
    auto = fmt.tick_formatter(None)
    auto.set_locs([0.0, 0.25, 0.5, 0.75])
    assert [auto(v) for v in (0.0, 0.25)] == ["0,00", "0,25"]
    auto.set_locs([0, 2000, 4000])
    assert auto(4000) == f"4{NNBSP}000"
