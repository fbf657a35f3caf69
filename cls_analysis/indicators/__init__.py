"""Indicators: the declarative catalogue and the engine that computes it for a territory.

>>> from cls_analysis import indicators
>>> len(indicators.load_catalogue()) >= 50
True
"""

from cls_analysis.indicators.catalogue import AXES, THEMES, indicator_meta, load_catalogue
from cls_analysis.indicators.engine import RESULT_COLUMNS, compute, compute_zone_results
from cls_analysis.indicators.national import compute_national, compute_with_france

__all__ = [
    "AXES",
    "RESULT_COLUMNS",
    "THEMES",
    "compute",
    "compute_national",
    "compute_with_france",
    "compute_zone_results",
    "indicator_meta",
    "load_catalogue",
]
