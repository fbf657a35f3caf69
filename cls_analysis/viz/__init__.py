"""Figures: French formatting, theme, maps and charts ready for a steering committee."""

from cls_analysis.viz import fmt
from cls_analysis.viz.maps import commune_map
from cls_analysis.viz.theme import DEMO_NOTICE, apply_theme

__all__ = ["DEMO_NOTICE", "apply_theme", "commune_map", "fmt"]
