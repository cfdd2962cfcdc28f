"""Charts written as SVG text by hand: the instructor report (autograder/report.py) and the
readiness page (coursekit/readiness.py) draw with these.

SVG text costs milliseconds where a matplotlib figure costs a large fraction of a second, stays
sharp at any zoom, and a ``<title>`` gives every mark its exact value on hover.
"""

from __future__ import annotations

import html
import re

# Okabe-Ito: safe for colour-blind readers.
BLUE, SKY, VERMILLION, GREEN, ORANGE = "#0072B2", "#56B4E9", "#D55E00", "#009E73", "#E69F00"
INK, GRID = "#333", "#ddd"
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def esc(text: object) -> str:
    """Text for HTML or SVG: html.escape's output is valid XML too; control characters are not,
    even escaped, so they are dropped."""
    return html.escape(_NOT_XML.sub("", str(text)), quote=True)


def svg(width: float, height: float, label: str, body: list[str]) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{esc(label)}" width="{width}" '
            f'height="{height}" viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11" '
            f'fill="{INK}">' + "".join(body) + "</svg>")


def text(x: float, y: float, words: str, anchor: str = "middle", extra: str = "") -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"{extra}>{esc(words)}</text>'


def line(x1: float, y1: float, x2: float, y2: float, colour: str = INK, extra: str = "") -> str:
    return f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{colour}"{extra}/>'


def bar(x: float, y: float, width: float, height: float, colour: str, tooltip: str) -> str:
    return (f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(width, 0):.1f}" height="{max(height, 0):.1f}" '
            f'fill="{colour}"><title>{esc(tooltip)}</title></rect>')
