"""Confidence limits of a Poisson count: exact (χ² quantiles) and Byar's approximation.

For an observed count :math:`O` and a confidence level :math:`1-\\alpha`:

* exact limits (Armitage & Berry 2002), written with χ² quantiles:
  :math:`L = \\chi^2_{\\alpha/2}(2O)/2` and :math:`U = \\chi^2_{1-\\alpha/2}(2O+2)/2`
  (computed here as the inverse regularised incomplete gamma function, which is the same
  quantity; :math:`L = 0` when :math:`O = 0`);
* Byar's approximation (Breslow & Day 1987):
  :math:`L = O\\,(1 - 1/(9O) - z/(3\\sqrt{O}))^3` and
  :math:`U = (O+1)\\,(1 - 1/(9(O+1)) + z/(3\\sqrt{O+1}))^3`, with :math:`z` the
  :math:`1-\\alpha/2` normal quantile.

PHEindicatormethods (and the Fingertips technical guidance) use the exact limits when
:math:`O < 10` and Byar's from :math:`O \\ge 10`: :func:`poisson_limits` applies that switch.
"""

from __future__ import annotations

import numpy as np
from scipy.special import gammaincinv, ndtri

__all__ = [
    "EXACT_BELOW",
    "byar_lower",
    "byar_upper",
    "exact_lower",
    "exact_upper",
    "poisson_limits",
    "poisson_method",
    "scaled_poisson",
    "z_value",
]

#: Counts below this use the exact limits, counts from it Byar's approximation.
EXACT_BELOW = 10


def z_value(confidence: float | np.ndarray) -> np.ndarray:
    """Two-sided normal quantile for a confidence level.

    >>> round(float(z_value(0.95)), 6)
    1.959964
    """
    return ndtri(0.5 + np.asarray(confidence, dtype=float) / 2)


def exact_lower(count: np.ndarray, confidence: float) -> np.ndarray:
    """Exact lower limit of a Poisson count (0 for a zero count)."""
    count = np.asarray(count, dtype=float)
    with np.errstate(invalid="ignore"):
        out = gammaincinv(count, (1 - confidence) / 2)
    return np.where(count == 0, 0.0, out)


def exact_upper(count: np.ndarray, confidence: float) -> np.ndarray:
    """Exact upper limit of a Poisson count.

    >>> round(float(exact_upper(0, 0.95)), 6)
    3.688879
    """
    count = np.asarray(count, dtype=float)
    return gammaincinv(count + 1, (1 + confidence) / 2)


def byar_lower(count: np.ndarray, confidence: float) -> np.ndarray:
    """Byar's lower limit of a Poisson count; NaN where the approximation goes below 0.

    >>> round(float(byar_lower(65, 0.95)), 6)
    50.163188
    """
    count = np.asarray(count, dtype=float)
    z = z_value(confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = count * (1 - 1 / (9 * count) - z / (3 * np.sqrt(count))) ** 3
    out = np.where(count == 0, 0.0, out)
    return np.where(out < 0, np.nan, out)


def byar_upper(count: np.ndarray, confidence: float) -> np.ndarray:
    """Byar's upper limit of a Poisson count."""
    count = np.asarray(count, dtype=float) + 1
    z = z_value(confidence)
    return count * (1 - 1 / (9 * count) + z / (3 * np.sqrt(count))) ** 3


def poisson_limits(count: np.ndarray, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    """Limits of a Poisson count: exact below :data:`EXACT_BELOW`, Byar's from it.

    NaN counts give NaN limits. Only the counts that need it go through the (slower)
    incomplete-gamma inversion.

    >>> lo, up = poisson_limits(np.array([5.0, 20.0]), 0.95)
    >>> [round(float(v), 4) for v in lo], [round(float(v), 4) for v in up]
    ([1.6235, 12.2114], [11.6683, 30.8899])
    """
    count = np.asarray(count, dtype=float)
    small = count < EXACT_BELOW
    with np.errstate(divide="ignore", invalid="ignore"):
        z = float(z_value(confidence))
        big = np.where(small, np.nan, count)
        lower = big * (1 - 1 / (9 * big) - z / (3 * np.sqrt(big))) ** 3
        big1 = big + 1
        upper = big1 * (1 - 1 / (9 * big1) + z / (3 * np.sqrt(big1))) ** 3
    if small.any():
        # once per distinct count (counts below 10 are mostly the integers 0 to 9)
        few, inverse = np.unique(count[small], return_inverse=True)
        lower[small] = exact_lower(few, confidence)[inverse]
        upper[small] = exact_upper(few, confidence)[inverse]
    return lower, upper


def scaled_poisson(count: np.ndarray, scale: np.ndarray, levels) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A figure that is a Poisson count times a scale (a rate: ``multiplier / population``; an
    ICM: ``100 / expected``): its value and its limits at each level (counts × levels), those
    of :func:`poisson_limits` scaled.

    >>> value, lower, upper = scaled_poisson(np.array([20.0]), np.array([0.5]), [0.95])
    >>> float(value[0]), round(float(lower[0, 0]), 4)
    (10.0, 6.1057)
    """
    count = np.asarray(count, dtype=float)
    lower = np.empty((len(count), len(levels)))
    upper = np.empty_like(lower)
    for j, level in enumerate(levels):
        lo, up = poisson_limits(count, level)
        lower[:, j] = lo * scale
        upper[:, j] = up * scale
    return count * scale, lower, upper


def poisson_method(count: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Method per count as ``(codes, labels)``: ``"Exact"`` below 10, ``"Byars"`` from 10,
    missing (code -1) for a missing count.

    >>> poisson_method(np.array([3.0, 12.0, np.nan]))
    (array([ 0,  1, -1]), ['Exact', 'Byars'])
    """
    count = np.asarray(count, dtype=float)
    codes = np.where(count < EXACT_BELOW, 0, 1)
    codes[np.isnan(count)] = -1
    return codes, ["Exact", "Byars"]
