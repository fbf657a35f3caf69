"""cls_analysis — diagnostic local de santé for French Contrats Locaux de Santé (CLS).

The package turns the real French files (INSEE, DREES, Ameli, FINESS, CartoSanté, IGN…) and an
inhabitants' survey into the indicators, maps and annexes of a CLS diagnostic.

Sub-packages are imported on first use, so ``import cls_analysis`` stays light:

>>> import cls_analysis
>>> "Territory" in cls_analysis.__all__
True
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from cls_analysis.errors import ClsAnalysisError

__version__ = "0.1.0"

_SUBMODULES = (
    "demo",
    "export",
    "geo",
    "indicators",
    "observations",
    "pipeline",
    "sources",
    "stats",
    "survey",
    "viz",
)

__all__ = ["ClsAnalysisError", "Geography", "Territory", "__version__", *_SUBMODULES]

if TYPE_CHECKING:  # pragma: no cover
    from cls_analysis.geo.geography import Geography
    from cls_analysis.territory import Territory


def __getattr__(name: str):
    if name == "Territory":
        from cls_analysis.territory import Territory

        return Territory
    if name == "Geography":
        from cls_analysis.geo.geography import Geography

        return Geography
    if name in _SUBMODULES:
        return importlib.import_module(f"cls_analysis.{name}")
    raise AttributeError(f"module 'cls_analysis' has no attribute {name!r}")
