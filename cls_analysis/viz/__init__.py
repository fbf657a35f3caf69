"""Figures: French formatting, theme, maps and charts ready for a steering committee.

>>> from cls_analysis import viz
>>> {"choropleth", "symbols", "layout", "save", "spine"} <= set(viz.__all__)
True

Maps (:mod:`.maps`): :func:`choropleth`, :func:`symbols`, :func:`commune_map`; charts
(:mod:`.charts`): :func:`pyramid`, :func:`compare_bars`, :func:`spine`, :func:`trend`; one
:func:`layout` for titles, source lines, ``Champ :``, scale bar and north arrow; :func:`save`
for PNG (150 and 300 dpi), SVG and PDF at slide (16:9), A4 or square size. French numbers come
from :mod:`.fmt`, colours and sizes from :mod:`.theme`, classes from :mod:`.classify`.

What each figure reads
----------------------
Results follow ``docs/contracts.md``; each function selects one indicator, one period (the
latest by default) and one sex (``all``). Labels, units, decimals, polarity and source come from
the catalogue (``label=``, ``unit=``, ``source=``… override them).

- :func:`choropleth` — rows ``zone_type == "commune"`` for the territory's communes (or
  ``departement`` / ``region`` for a map of France); ``value``, ``status``; for hatching,
  ``comparison`` and ``comparator`` (95 %) or ``lower_ci_998``/``upper_ci_998`` and the
  ``france`` row (99.8 %). Communes absent from the results are drawn as missing.
- :func:`symbols` — a count by commune (``value``, ``status``).
- :func:`compare_bars` — the ``territory`` row, ``commune`` rows, and ``departement``,
  ``region``, ``france`` rows; ``lower_ci``/``upper_ci``; ``assessment`` or ``comparison``.
- :func:`spine` — per indicator of the axis: the ``territory`` row, the ``france`` row and
  the rows of the range level (every ``departement`` of France by default, or ``region``,
  ``commune``…); see :func:`spine` for the range rule.
- :func:`trend` — several ``period`` values for the territory and its comparators.
- :func:`pyramid` — observations ``measure == "population"``, ``sex`` M/F, 5-year ``age``
  bands, for the territory (or its communes, summed) and the comparator zone.

Every figure carries « Données fictives de démonstration » when ``demo=True`` or when the
table it reads has « Données fictives » in its ``source`` column or ``attrs["demo"]`` set
(:mod:`.data`). :mod:`.gallery` draws them all for a territory from synthetic results:
``python -m cls_analysis.viz.gallery reports/galerie``.
"""

from cls_analysis.viz import fmt
from cls_analysis.viz.charts import compare_bars, pyramid, spine, trend
from cls_analysis.viz.classify import SCHEMES, Classification, classify
from cls_analysis.viz.export import save
from cls_analysis.viz.figure import layout
from cls_analysis.viz.labels import place_labels
from cls_analysis.viz.maps import choropleth, commune_map, symbols
from cls_analysis.viz.survey_charts import group_comparison, likert, multiple_choice
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
    "group_comparison",
    "layout",
    "likert",
    "multiple_choice",
    "place_labels",
    "pyramid",
    "save",
    "spine",
    "symbols",
    "trend",
]
