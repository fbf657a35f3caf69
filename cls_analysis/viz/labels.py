"""Place text labels on a map without overlaps (greedy, most important first)."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["place_labels"]


def place_labels(ax, xs: Sequence[float], ys: Sequence[float], texts: Sequence[str],
                 priority: Sequence[float], *, max_labels: int | None = None, **text_kwargs) -> list:
    """Draw labels in decreasing ``priority``, skipping any that would overlap one drawn.

    Returns the matplotlib ``Text`` objects kept. Labels are never moved away from their
    place: a label that does not fit is left out (a cartographer's choice, not a shuffle).
    """
    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    order = sorted(range(len(texts)), key=lambda i: -priority[i])
    kept, boxes = [], []
    style = {"fontsize": 7.5, "ha": "center", "va": "center", "color": "#1a1a1a", "zorder": 6}
    style.update(text_kwargs)
    for i in order:
        if max_labels is not None and len(kept) >= max_labels:
            break
        label = ax.text(xs[i], ys[i], texts[i], **style)
        box = label.get_window_extent(renderer=renderer).expanded(1.05, 1.15)
        if any(box.overlaps(other) for other in boxes):
            label.remove()
            continue
        kept.append(label)
        boxes.append(box)
    return kept
