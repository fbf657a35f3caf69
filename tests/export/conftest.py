"""Fixtures of the export tests: a synthetic diagnostic built in code.

The headless Chromium fixture (``chromium``) is in ``tests/conftest.py``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cls_analysis.export.sample import sample_report, sample_results

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def results():
    return sample_results()


@pytest.fixture(scope="session")
def report_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("report")


@pytest.fixture(scope="session")
def report(report_dir, results):
    return sample_report(report_dir / "figures", results)


@pytest.fixture(scope="session")
def annex_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("annexes")


@pytest.fixture(scope="session")
def excel_path(annex_dir, results, report):
    from cls_analysis.export.excel import write_excel_annex

    return write_excel_annex(results, annex_dir / "annexe_diagnostic.xlsx",
                             territory_name=report.territory_name, notes=report.notes,
                             sources=report.sources, demo=True)


@pytest.fixture(scope="session")
def html_path(annex_dir, report):
    from cls_analysis.export.html_report import write_html

    return write_html(report, annex_dir / "diagnostic.html")


@pytest.fixture(scope="session")
def pdf_path(annex_dir, report):
    from cls_analysis.export.pdf import write_pdf

    return write_pdf(report, annex_dir / "diagnostic.pdf")


@pytest.fixture(scope="session")
def docx_path(annex_dir, report):
    from cls_analysis.export.word import write_docx

    return write_docx(report, annex_dir / "diagnostic.docx")


@pytest.fixture(scope="session")
def pptx_path(annex_dir, report):
    from cls_analysis.export.slides import write_pptx

    return write_pptx(report, annex_dir / "copil.pptx")
