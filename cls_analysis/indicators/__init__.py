"""Indicators: the declarative catalogue and the engine that computes it for a territory."""

from cls_analysis.indicators.catalogue import AXES, THEMES, indicator_meta, load_catalogue

__all__ = ["AXES", "THEMES", "indicator_meta", "load_catalogue"]
