"""Figures: French formatting, theme, maps and charts ready for a steering committee.

>>> from cls_analysis import viz
>>> sorted(set(viz.__all__) >= {"choropleth", "symbols", "layout", "save", "spine"} and ["ok"])
['ok']

Maps (:mod:`.maps`): :func:`choropleth`, :func:`symbols`, :func:`commune_map`; charts
(:mod:`.charts`): :func:`pyramid`, :func:`compare_bars`, :func:`spine`, :func:`trend`; one
:func:`layout` for titles, source lines, scale bar and north arrow; :func:`save` for PNG, SVG
and PDF at slide, A4 or square size. French numbers come from :mod:`.fmt`, colours and sizes
from :mod:`.theme`, classes from :mod:`.classify`.
"""

from cls_analysis.viz import fmt
from cls_analysis.viz.charts import compare_bars, pyramid, spine, trend
from cls_analysis.viz.classify import SCHEMES, Classification, classify
from cls_analysis.viz.export import save
from cls_analysis.viz.figure import layout
from cls_analysis.viz.labels import place_labels
from cls_analysis.viz.maps import choropleth, commune_map, symbols
from cls_analysis.viz.theme import DEMO_NOTICE, PALETTE, SIZES, apply_theme

__all__ = [
    "DEMO_NOTICE",
    "PALETTE",
    "SCHEMES",
    "SIZES",
    "Classification",
    "apply_theme",
    "choropleth",
    "classify",
    "commune_map",
    "compare_bars",
    "fmt",
    "layout",
    "place_labels",
    "pyramid",
    "save",
    "spine",
    "symbols",
    "trend",
]
