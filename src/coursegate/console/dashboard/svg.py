"""The drawing primitives under charts.py: escaping, number formatting, "nice" axis ticks, linear
scales and an element writer. Plain strings of SVG, no third-party code: the dashboard draws on
the server and the page works offline."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

# Colour-blind-safe categorical palette (Okabe & Ito, 2008), then a few extra shades.
PALETTE = (
    "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000",
    "#7F7F7F", "#8C564B",
)  # fmt: skip

Formatter = Callable[[float], str]


def text(value: object) -> str:
    """``value`` as XML character data (``<``, ``>``, ``&`` escaped)."""
    return escape(str(value))


def attr(value: object) -> str:
    """``value`` as a double-quoted XML attribute value, quotes included."""
    return '"' + escape(str(value), {'"': "&quot;", "\n": "&#10;"}) + '"'


def number(value: float) -> str:
    """A count for people: thousands separated, no decimals unless it has a fraction."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}"


def coordinate(value: float) -> str:
    """A coordinate in the SVG: two decimals at most, no trailing zeros."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def nice_ticks(maximum: float, *, count: int = 5) -> list[float]:
    """Ticks from 0 to at least ``maximum`` in steps of 1, 2 or 5 times a power of ten, about
    ``count`` of them; [0, 1] for an empty scale."""
    if maximum <= 0 or not math.isfinite(maximum):
        return [0.0, 1.0]
    raw = maximum / max(count, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(power * m for m in (1, 2, 5, 10) if power * m >= raw)
    if step < 1 and float(maximum).is_integer():
        step = 1.0  # counts never need fractional ticks
    ticks = [0.0]
    while ticks[-1] < maximum:
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


@dataclass(frozen=True)
class Scale:
    """A linear map from the domain [0, top] onto [start, end] (pixels; end may be below start)."""

    top: float
    start: float
    end: float

    def __call__(self, value: float) -> float:
        span = self.top or 1.0
        return self.start + (self.end - self.start) * (value / span)


def element(name: str, body: str = "", **attributes: object) -> str:
    """``<name a="..">body</name>`` (self-closed without a body); ``class_`` gives ``class``,
    underscores in other names become dashes; ``None`` attributes are left out."""
    parts = [name]
    for key, value in attributes.items():
        if value is None:
            continue
        key = "class" if key == "class_" else key.replace("_", "-")
        parts.append(f"{key}={attr(value)}")
    opening = " ".join(parts)
    return f"<{opening}>{body}</{name}>" if body else f"<{opening}/>"


def tooltip(label: str) -> str:
    """A child <title>: the browser shows it on hover and screen readers read it."""
    return element("title", text(label))


def legend(names: Sequence[str], *, x: float, y: float, width: float) -> tuple[str, float]:
    """Swatches and names laid out in rows from (x, y) within ``width``; returns the markup and
    the height it takes."""
    items, cx, cy = [], x, y
    for index, name in enumerate(names):
        label = truncate(name, 32)
        item_width = 22 + 7 * len(label)
        if cx > x and cx + item_width > x + width:
            cx, cy = x, cy + 18
        colour = PALETTE[index % len(PALETTE)]
        swatch = element("rect", x=coordinate(cx), y=coordinate(cy), width=12, height=12, fill=colour)
        caption = element("text", text(label), x=coordinate(cx + 16), y=coordinate(cy + 10), class_="cg-legend-label")
        items.append(element("g", swatch + caption, class_="cg-legend-item", data_series=name))
        cx += item_width + 12
    height = (cy - y + 18) if names else 0
    return element("g", "".join(items), class_="cg-legend"), height


def truncate(label: str, length: int) -> str:
    return label if len(label) <= length else label[: length - 1] + "…"


def row_label(label: str, *, x: float, y: float, length: int = 34) -> str:
    """A bar's name, right-aligned at x: cut to ``length`` characters, the whole name in its tooltip."""
    caption = element("text", text(truncate(label, length)), x=coordinate(x), y=coordinate(y), text_anchor="end")
    return element("g", tooltip(label) + caption, class_="cg-bar-label")
