"""Classification of values into map classes, on top of ``mapclassify``.

A classification is an object with ``bins`` (the ``k + 1`` limits, rounded to the displayed
precision), ``yb`` (the class of each value), ``counts``, ``labels`` (French legend labels) and
``description`` (« Classes : quantiles, 5 classes »), like mapclassify's classifiers. Schemes live in a
registry, :data:`SCHEMES`: a new scheme is one entry.

Classes are closed on the left and open on the right (``[10,0 ; 15,0[``), the last one closed
on both sides, and values are assigned with the *rounded* limits, so that the legend is exactly
what the map shows. With a ``centre`` (100 for an ICM, or the France value), the centre is
always a class limit: classes below and above it are classified separately, each side gets
classes in proportion to its values, and a diverging palette is coloured from the centre out.

>>> c = classify([1, 2, 3, 4, 5, 6, 7, 8], "quantiles", k=4, decimals=1)
>>> c.labels
['[1,0 ; 2,8[', '[2,8 ; 4,5[', '[4,5 ; 6,3[', '[6,3 ; 8,0]']
>>> c.counts.tolist(), c.description
([2, 2, 2, 2], 'Classes : quantiles, 4 classes')
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

import numpy as np

from cls_analysis.errors import ClsAnalysisError
from cls_analysis.viz.fmt import class_labels, format_number

__all__ = ["SCHEMES", "Classification", "Scheme", "classify"]

MIN_CLASSES = 2
MAX_CLASSES = 7


@dataclass(frozen=True)
class Scheme:
    """A classification scheme: its French name and how it finds the inner limits.

    ``inner(values, k)`` returns the ``k - 1`` limits between classes (values sorted, finite).
    """

    name: str
    inner: Callable[[np.ndarray, int], list[float]]
    uses_k: bool = True


def _mapclassify_inner(classifier: str, **options) -> Callable[[np.ndarray, int], list[float]]:
    def inner(values: np.ndarray, k: int) -> list[float]:
        import mapclassify

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fitted = getattr(mapclassify, classifier)(values, k=k, **options)
        return [float(b) for b in fitted.bins[:-1]]

    return inner


def _std_mean_inner(values: np.ndarray, k: int) -> list[float]:
    import mapclassify

    multiples = {3: [-1, 1], 4: [-1, 0, 1], 5: [-2, -1, 1, 2], 6: [-2, -1, 0, 1, 2]}.get(
        k, [-2, -1, 1, 2]
    )
    fitted = mapclassify.StdMean(values, multiples=multiples)
    return [float(b) for b in fitted.bins[:-1]]


#: Registered schemes: key → :class:`Scheme` (the key is what ``scheme=`` takes).
SCHEMES: dict[str, Scheme] = {
    "quantiles": Scheme("quantiles", _mapclassify_inner("Quantiles")),
    "fisher_jenks": Scheme("Fisher-Jenks", _mapclassify_inner("FisherJenks")),
    "equal_interval": Scheme("intervalles égaux", _mapclassify_inner("EqualInterval")),
    "std_mean": Scheme("moyenne et écarts-types", _std_mean_inner),
    "user": Scheme("seuils choisis", lambda values, k: [], uses_k=False),
}
_ALIASES = {
    "quantile": "quantiles",
    "jenks": "fisher_jenks",
    "fisherjenks": "fisher_jenks",
    "natural_breaks": "fisher_jenks",
    "equal_intervals": "equal_interval",
    "equalinterval": "equal_interval",
    "stdmean": "std_mean",
    "std": "std_mean",
    "user_defined": "user",
    "userdefined": "user",
}


@dataclass
class Classification:
    """Result of :func:`classify`.

    Attributes
    ----------
    bins : ndarray
        ``k + 1`` class limits, from the (floored) minimum to the (ceiled) maximum.
    yb : ndarray
        Class index of each input value (``-1`` for a missing value).
    counts : ndarray
        Number of values in each class.
    labels : list of str
        French legend labels, ``[a ; b[``.
    scheme : str
        Key of the scheme.
    description : str
        ``Classes : <scheme>, k classes`` for the legend.
    centre : float or None
        The limit a diverging palette is centred on.
    n_below : int
        Number of classes under the centre (all of them without a centre).
    """

    bins: np.ndarray
    yb: np.ndarray
    counts: np.ndarray
    labels: list[str]
    scheme: str
    description: str
    centre: float | None = None
    n_below: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def k(self) -> int:
        return len(self.bins) - 1


def _round(value: float, decimals: int) -> float:
    """Round half away from zero, as :mod:`cls_analysis.viz.fmt` displays numbers."""
    quantum = Decimal(1).scaleb(-decimals)
    return float(Decimal(repr(float(value))).quantize(quantum, rounding=ROUND_HALF_UP))


def _floor(value: float, decimals: int) -> float:
    factor = 10**decimals
    return math.floor(value * factor + 1e-9) / factor


def _ceil(value: float, decimals: int) -> float:
    factor = 10**decimals
    return math.ceil(value * factor - 1e-9) / factor


def _scheme_key(scheme: str) -> str:
    key = str(scheme).strip().lower().replace("-", "_").replace(" ", "_")
    key = _ALIASES.get(key, key)
    if key not in SCHEMES:
        raise ClsAnalysisError(
            f"Méthode de classification inconnue : « {scheme} » ; méthodes possibles : "
            f"{', '.join(SCHEMES)} (ou breaks=[…] pour des seuils choisis)."
        )
    return key


def classify(values: Sequence[float], scheme: str = "quantiles", k: int = 5, *,
             breaks: Sequence[float] | None = None, centre: float | None = None,
             decimals: int = 1) -> Classification:
    """Classify values for a choropleth.

    Parameters
    ----------
    values : array-like
        Values; NaN are left out (``yb = -1``).
    scheme : str
        A key of :data:`SCHEMES`: ``quantiles``, ``fisher_jenks``, ``equal_interval``,
        ``std_mean`` or ``user`` (with ``breaks``).
    k : int
        Number of classes (2 to 7; 4 to 6 reads best). Fewer when there are fewer distinct
        values; with a centre, split between the two sides.
    breaks : sequence of float, optional
        Inner limits chosen by the user (implies ``scheme="user"``); limits outside the
        values' range are dropped.
    centre : float, optional
        A limit every classification keeps (100 for an ICM), for a diverging palette.
    decimals : int
        Precision of the displayed limits; limits are rounded to it before assigning classes.

    Examples
    --------
    An ICM centred on 100:

    >>> c = classify([72, 85, 94, 98, 103, 108, 121, 135], "equal_interval", k=4, centre=100,
    ...              decimals=0)
    >>> c.labels, c.n_below
    (['[72 ; 85[', '[85 ; 100[', '[100 ; 119[', '[119 ; 135]'], 2)

    A single value gives a single class:

    >>> classify([12.5]).labels
    ['12,5']
    """
    array = np.asarray(values, dtype=float)
    finite = np.isfinite(array)
    data = np.sort(array[finite])
    if breaks is not None:
        scheme = "user"
    key = _scheme_key(scheme)
    if not MIN_CLASSES <= int(k) <= MAX_CLASSES and key != "user":
        raise ClsAnalysisError(
            f"Nombre de classes k = {k} : choisissez entre {MIN_CLASSES} et {MAX_CLASSES} "
            "(4 à 6 pour une carte lisible)."
        )
    if data.size == 0:
        raise ClsAnalysisError("Aucune valeur à classer : toutes les valeurs sont manquantes.")
    notes: list[str] = []
    one_per_value = False
    low, high = _floor(float(data[0]), decimals), _ceil(float(data[-1]), decimals)
    distinct = np.unique([_round(v, decimals) for v in data])
    if key == "user":
        inner = sorted({_round(float(b), decimals) for b in (breaks or [])})
        inner = [b for b in inner if low < b < high]
    elif distinct.size == 1:
        inner = []
    elif centre is not None and low < centre < high:
        below, above = data[data < centre], data[data >= centre]
        k_total = min(int(k), distinct.size)
        k_below = max(1, round(k_total * below.size / data.size)) if below.size else 0
        k_above = max(1, k_total - k_below) if above.size else 0
        if below.size and above.size and k_below + k_above > k_total:
            k_below = max(1, k_total - k_above)
        inner_below = _inner(key, below, k_below, decimals)
        inner_above = _inner(key, above, k_above, decimals)
        inner = sorted({*inner_below, _round(float(centre), decimals), *inner_above})
        inner = [b for b in inner if low < b < high]
    elif distinct.size <= int(k):
        # as many classes as distinct values: one value per class
        notes.append(f"{distinct.size} classes seulement : {distinct.size} valeurs distinctes")
        inner = [float(v) for v in distinct[1:]]
        one_per_value = True
    else:
        inner = [b for b in _inner(key, data, int(k), decimals) if low < b < high]
    limits = np.array([low, *inner, high], dtype=float)
    # Drop limits that collapsed onto each other once rounded.
    if not one_per_value:  # the last class of one value per class is [v ; v]
        limits = np.array([v for i, v in enumerate(limits) if i == 0 or v > limits[i - 1]])
    if limits.size == 1:
        limits = np.array([low, high])
    yb = np.full(array.shape, -1, dtype=int)
    yb[finite] = np.clip(np.searchsorted(limits[1:-1], array[finite], side="right"), 0, limits.size - 2)
    counts = np.bincount(yb[finite], minlength=limits.size - 1)
    labels = class_labels(limits, decimals)
    n_classes = len(labels)
    description = f"Classes : {SCHEMES[key].name}"
    if n_classes > 1:
        description += f", {n_classes} classes"
    elif distinct.size == 1:
        description = "Classe unique : une seule valeur"
    if centre is not None and n_classes > 1 and centre in set(np.round(limits, decimals)):
        description += f", centrées sur {format_number(centre, decimals)}"
    n_below = n_classes if centre is None else int(np.sum(limits[1:] <= centre + 1e-9))
    return Classification(
        bins=limits,
        yb=yb,
        counts=counts,
        labels=labels,
        scheme=key,
        description=description,
        centre=centre,
        n_below=n_below,
        notes=notes,
    )


def _inner(key: str, data: np.ndarray, k: int, decimals: int) -> list[float]:
    """Inner limits of one side, rounded; none for one class or too few values."""
    if k <= 1 or data.size < 2 or np.unique(data).size < 2:
        return []
    k = min(k, np.unique(data).size)
    return [_round(b, decimals) for b in SCHEMES[key].inner(data, k)]
