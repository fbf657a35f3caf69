"""Statistics room: confidence intervals, standardisation, comparisons and disclosure control.

The estimators follow PHEindicatormethods (R, UKHSA) and the Fingertips technical guidance,
and are tested against their published test cases. Each takes a tidy DataFrame and column
names, groups by ``by`` (a column, a list, or None for one group), sums the counts of a group
first, and returns one row per group and confidence level with the columns:

``<by columns>``, ``numerator``, ``denominator``, ``value``, ``lower_ci``, ``upper_ci``,
``confidence``, ``statistic``, ``method``

(:func:`life_expectancy` adds the age column after the ``by`` columns). ``statistic`` and
``method`` carry PHE's codes (``"dsr per 100000"``, ``"Byars"``…) and, where a rule withholds
a value, the reason (``"dsr NA for total count < 10"``). Bad input raises
:class:`StatsInputError` with a French message.

>>> import pandas as pd
>>> from cls_analysis import stats
>>> df = pd.DataFrame({"area": ["A", "B"], "x": [20, 3], "n": [100, 50]})
>>> stats.proportion(df, x="x", n="n", by="area", confidence=(0.95, 0.998)).shape
(4, 9)
"""

from __future__ import annotations

from cls_analysis.stats._output import OUTPUT_COLUMNS
from cls_analysis.stats._poisson import (
    byar_lower,
    byar_upper,
    exact_lower,
    exact_upper,
    poisson_limits,
)
from cls_analysis.stats._validate import StatsInputError
from cls_analysis.stats.ages import normalize_age_band
from cls_analysis.stats.compare import compare, significance, significance_codes
from cls_analysis.stats.dsr import dsr
from cls_analysis.stats.isr import isr
from cls_analysis.stats.life_expectancy import LIFE_TABLE_BANDS, life_expectancy
from cls_analysis.stats.mean import mean
from cls_analysis.stats.proportion import proportion, wilson_limits
from cls_analysis.stats.rate import crude_rate
from cls_analysis.stats.standards import esp2013
from cls_analysis.stats.suppression import STATUSES, secondary_rows, suppress

__all__ = [
    "LIFE_TABLE_BANDS",
    "OUTPUT_COLUMNS",
    "STATUSES",
    "StatsInputError",
    "byar_lower",
    "byar_upper",
    "compare",
    "crude_rate",
    "dsr",
    "esp2013",
    "exact_lower",
    "exact_upper",
    "isr",
    "life_expectancy",
    "mean",
    "normalize_age_band",
    "poisson_limits",
    "proportion",
    "secondary_rows",
    "significance",
    "significance_codes",
    "suppress",
    "wilson_limits",
]
