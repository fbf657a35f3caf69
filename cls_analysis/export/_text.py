"""Light markdown of :class:`~cls_analysis.export.report.Text` blocks, parsed once for all writers.

Only what commentary needs: paragraphs (blank line between), bullets (``- ``), sub-headings
(``### ``), ``**bold**`` and ``*italic*``. Anything else is kept as plain text (HTML is
escaped by the HTML writer, never interpreted).

>>> parse("### Lecture\\nLe taux est **élevé**.\\n\\n- un\\n- *deux*")
[('heading', [('Lecture', False, False)]), ('paragraph', [('Le taux est ', False, False), ('élevé', True, False), ('.', False, False)]), ('bullets', [[('un', False, False)], [('deux', False, True)]])]
"""

from __future__ import annotations

import re
from html import escape

__all__ = ["Run", "parse", "runs_to_html", "to_html", "to_plain"]

#: (text, bold, italic)
Run = tuple[str, bool, bool]

_INLINE = re.compile(r"(\*\*(?P<b>.+?)\*\*|(?<![\w*])\*(?P<i>[^*\s][^*]*?)\*(?![\w*]))")
_BULLET = re.compile(r"^\s*[-•]\s+")


def _runs(text: str) -> list[Run]:
    runs: list[Run] = []
    position = 0
    for match in _INLINE.finditer(text):
        if match.start() > position:
            runs.append((text[position : match.start()], False, False))
        if match.group("b") is not None:
            runs.append((match.group("b"), True, False))
        else:
            runs.append((match.group("i"), False, True))
        position = match.end()
    if position < len(text):
        runs.append((text[position:], False, False))
    return runs


def parse(content: str) -> list[tuple]:
    """Blocks ``('heading', runs)``, ``('paragraph', runs)``, ``('bullets', [runs, …])``."""
    blocks: list[tuple] = []
    paragraph: list[str] = []
    bullets: list[str] = []

    def flush() -> None:
        if paragraph:
            blocks.append(("paragraph", _runs(" ".join(paragraph))))
            paragraph.clear()
        if bullets:
            blocks.append(("bullets", [_runs(item) for item in bullets]))
            bullets.clear()

    for raw in (content or "").splitlines():
        line = raw.strip()
        if not line:
            flush()
        elif line.startswith("#"):
            flush()
            blocks.append(("heading", _runs(line.lstrip("#").strip())))
        elif _BULLET.match(raw):
            if paragraph:
                flush()
            bullets.append(_BULLET.sub("", raw).strip())
        elif bullets and raw[:1].isspace():  # continuation of a bullet
            bullets[-1] += " " + line
        else:
            if bullets:
                flush()
            paragraph.append(line)
    flush()
    return blocks


def runs_to_html(runs: list[Run]) -> str:
    """Runs as escaped HTML with ``<strong>``/``<em>``.

    >>> runs_to_html([("a < b ", False, False), ("vrai", True, False)])
    'a &lt; b <strong>vrai</strong>'
    """
    parts = []
    for text, bold, italic in runs:
        html = escape(text, quote=False)
        if italic:
            html = f"<em>{html}</em>"
        if bold:
            html = f"<strong>{html}</strong>"
        parts.append(html)
    return "".join(parts)


def to_html(content: str, heading_level: int = 3) -> str:
    """The whole text as HTML.

    >>> to_html("Bonjour\\n\\n- a\\n- b")
    '<p>Bonjour</p>\\n<ul><li>a</li><li>b</li></ul>'
    """
    out = []
    for block in parse(content):
        if block[0] == "heading":
            out.append(f"<h{heading_level}>{runs_to_html(block[1])}</h{heading_level}>")
        elif block[0] == "paragraph":
            out.append(f"<p>{runs_to_html(block[1])}</p>")
        else:
            items = "".join(f"<li>{runs_to_html(item)}</li>" for item in block[1])
            out.append(f"<ul>{items}</ul>")
    return "\n".join(out)


def to_plain(content: str) -> str:
    """The text without markup (for slide notes).

    >>> to_plain("Un **fort** taux\\n\\n- a")
    'Un fort taux\\n• a'
    """
    lines = []
    for block in parse(content):
        if block[0] == "bullets":
            lines.extend("• " + "".join(r[0] for r in item) for item in block[1])
        else:
            lines.append("".join(r[0] for r in block[1]))
    return "\n".join(lines)
