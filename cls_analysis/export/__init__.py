"""Exports: CSV for French Excel, Excel annex, HTML/PDF report, PPTX deck, figure pack."""

from cls_analysis.export.csv import write_csv_fr

__all__ = ["write_csv_fr"]
