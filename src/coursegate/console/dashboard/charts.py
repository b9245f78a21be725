"""Coursegate's own small charting library: charts drawn on the server as inline SVG strings.

Three kinds, enough for the dashboard:

- ``line_chart``: time series (several series, a legend, a point per value);
- ``bar_chart``: horizontal bars, one value per label;
- ``stacked_bar_chart``: horizontal bars split into segments (a legend), with optional markers
  (a policy's spend limit).

Every chart is an ``<svg role="img">`` with a ``<title>`` and a ``<desc>`` for screen readers, a
heading, axes with ticks and labels, and a ``<title>`` tooltip on each data mark. Marks carry
their numbers as ``data-label``/``data-series``/``data-value`` attributes (what tests and scripts
read). With nothing to draw, a chart says so instead (``class="cg-empty"``). All text is
escaped; the result is a ``str`` of markup, safe to inline in an HTML page.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from coursegate.console.dashboard.svg import (
    PALETTE,
    Formatter,
    Scale,
    attr,
    coordinate,
    element,
    legend,
    nice_ticks,
    number,
    row_label,
    text,
    tooltip,
)

WIDTH = 760
TITLE_HEIGHT = 30
EMPTY_MESSAGE = "No data for this period."


@dataclass(frozen=True)
class Series:
    """A named run of values: a line of a line chart or a segment of a stacked bar chart."""

    name: str
    values: Sequence[float]


def _svg(*, chart_id: str, title: str, description: str, width: float, height: float, body: str) -> str:
    heading = element("text", text(title), x=0, y=18, class_="cg-chart-title")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="cg-chart" id={attr(chart_id)} '
        f'viewBox="0 0 {coordinate(width)} {coordinate(height)}" width={attr(coordinate(width))} '
        f"height={attr(coordinate(height))} aria-labelledby={attr(f'{chart_id}-title {chart_id}-desc')}>"
        f"{element('title', text(title), id=f'{chart_id}-title')}"
        f"{element('desc', text(description), id=f'{chart_id}-desc')}"
        f"{heading}{body}</svg>"
    )


def empty_chart(*, chart_id: str, title: str, description: str, message: str = EMPTY_MESSAGE) -> str:
    """The chart's frame with ``message`` where the data would be."""
    height = 120
    box = element(
        "rect", x=0, y=TITLE_HEIGHT, width=WIDTH, height=height - TITLE_HEIGHT - 4, class_="cg-empty-box", rx=4
    )
    note = element(
        "text", text(message), x=WIDTH / 2, y=(height + TITLE_HEIGHT) / 2, class_="cg-empty", text_anchor="middle"
    )
    return _svg(chart_id=chart_id, title=title, description=description, width=WIDTH, height=height, body=box + note)


def _value_axis(ticks: list[float], scale: Scale, *, horizontal: bool, across: tuple[float, float],
                formatter: Formatter) -> str:  # fmt: skip
    """Grid lines and tick labels of the value axis: vertical lines along x for horizontal bars,
    horizontal lines along y for line charts; ``across`` is the span the grid lines cover."""
    marks = []
    for tick in ticks:
        at = coordinate(scale(tick))
        if horizontal:
            line = element("line", x1=at, x2=at, y1=coordinate(across[0]), y2=coordinate(across[1]), class_="cg-grid")
            label = element(
                "text",
                text(formatter(tick)),
                x=at,
                y=coordinate(across[1] + 16),
                class_="cg-tick-x",
                text_anchor="middle",
            )
        else:
            line = element("line", x1=coordinate(across[0]), x2=coordinate(across[1]), y1=at, y2=at, class_="cg-grid")
            label = element(
                "text",
                text(formatter(tick)),
                x=coordinate(across[0] - 6),
                y=at,
                class_="cg-tick-y",
                text_anchor="end",
                dominant_baseline="middle",
            )
        marks.append(line + label)
    return element("g", "".join(marks), class_="cg-axis cg-value-axis")


def line_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    labels: Sequence[str],
    series: Sequence[Series],
    formatter: Formatter = number,
    height: float = 300,
) -> str:
    """Lines over the ``labels`` (x, in order; e.g. days), one per series, with a legend."""
    if not labels or not series or not any(value for s in series for value in s.values):
        return empty_chart(chart_id=chart_id, title=title, description=description)
    left, right, bottom = 64, 16, 44
    legend_markup, legend_height = legend([s.name for s in series], x=left, y=TITLE_HEIGHT, width=WIDTH - left)
    top = TITLE_HEIGHT + legend_height + 10
    height = max(height, top + 140)
    ticks = nice_ticks(max(max(s.values, default=0) for s in series))
    y = Scale(ticks[-1], height - bottom, top)
    count = len(labels)
    step = (WIDTH - left - right) / (count - 1) if count > 1 else 0

    def x(index: int) -> float:
        return left + index * step if count > 1 else (left + WIDTH - right) / 2

    parts = [legend_markup, _value_axis(ticks, y, horizontal=False, across=(left, WIDTH - right), formatter=formatter)]
    every = math.ceil(count / 8)
    x_labels = [
        element("line", x1=coordinate(x(i)), x2=coordinate(x(i)), y1=height - bottom, y2=height - bottom + 4,
                class_="cg-tick") + element("text", text(label), x=coordinate(x(i)), y=height - bottom + 18,
                                            class_="cg-tick-x", text_anchor="middle")
        for i, label in enumerate(labels)
        if i % every == 0
    ]  # fmt: skip
    baseline = element("line", x1=left, x2=WIDTH - right, y1=height - bottom, y2=height - bottom, class_="cg-axis-line")
    parts.append(element("g", baseline + "".join(x_labels), class_="cg-axis cg-category-axis"))
    for index, one in enumerate(series):
        colour = PALETTE[index % len(PALETTE)]
        points = [(x(i), y(value)) for i, value in enumerate(one.values)]
        path = "M" + " L".join(f"{coordinate(px)},{coordinate(py)}" for px, py in points)
        dots = "".join(
            element("circle", tooltip(f"{labels[i]} · {one.name}: {formatter(value)}"), cx=coordinate(px),
                    cy=coordinate(py), r=2.5, fill=colour, class_="cg-point", data_label=labels[i],
                    data_series=one.name, data_value=value)
            for i, ((px, py), value) in enumerate(zip(points, one.values, strict=True))
        )  # fmt: skip
        line = element("path", d=path, stroke=colour, class_="cg-line", fill="none")
        parts.append(element("g", line + dots, class_="cg-series", data_series=one.name))
    body = "".join(parts)
    return _svg(chart_id=chart_id, title=title, description=description, width=WIDTH, height=height, body=body)


def bar_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    bars: Sequence[tuple[str, float]],
    formatter: Formatter = number,
    colours: Sequence[str] | None = None,
) -> str:
    """One horizontal bar per (label, value), in the order given, its value written at its end."""
    if not bars or not any(value for _, value in bars):
        return empty_chart(chart_id=chart_id, title=title, description=description)
    left, right, row, top = 240, 70, 26, TITLE_HEIGHT + 8
    height = top + row * len(bars) + 30
    ticks = nice_ticks(max(value for _, value in bars))
    x = Scale(ticks[-1], left, WIDTH - right)
    parts = [_value_axis(ticks, x, horizontal=True, across=(top, height - 30), formatter=formatter)]
    for index, (label, value) in enumerate(bars):
        y = top + index * row + 4
        colour = colours[index % len(colours)] if colours else PALETTE[0]
        name = row_label(label, x=left - 8, y=y + 13)
        rect = element("rect", tooltip(f"{label}: {formatter(value)}"), x=left, y=y,
                       width=coordinate(max(x(value) - left, 0)), height=row - 8, fill=colour, class_="cg-bar",
                       data_label=label, data_value=value)  # fmt: skip
        figure = element("text", text(formatter(value)), x=coordinate(x(value) + 4), y=y + 13, class_="cg-bar-value")
        parts.append(element("g", name + rect + figure, class_="cg-bar-row"))
    body = "".join(parts)
    return _svg(chart_id=chart_id, title=title, description=description, width=WIDTH, height=height, body=body)


def stacked_bar_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    rows: Sequence[str],
    segments: Sequence[Series],
    markers: Sequence[float | None] | None = None,
    marker_name: str = "limit",
    formatter: Formatter = number,
) -> str:
    """One horizontal bar per row, split into the ``segments`` (each series holds one value per
    row, in the order of ``rows``); a legend names the segments. ``markers`` (one per row, or None)
    draw a vertical tick on a row's bar at that value (e.g. a spend limit)."""
    totals = [sum(s.values[i] for s in segments) for i in range(len(rows))]
    marks = [m or 0 for m in (markers or [])]
    if not rows or not segments or not any(totals):
        return empty_chart(chart_id=chart_id, title=title, description=description)
    left, right, row = 240, 90, 30
    legend_markup, legend_height = legend([s.name for s in segments], x=left, y=TITLE_HEIGHT, width=WIDTH - left)
    top = TITLE_HEIGHT + legend_height + 10
    height = top + row * len(rows) + 30
    ticks = nice_ticks(max([*totals, *marks]))
    x = Scale(ticks[-1], left, WIDTH - right)
    parts = [legend_markup, _value_axis(ticks, x, horizontal=True, across=(top, height - 30), formatter=formatter)]
    for index, label in enumerate(rows):
        y = top + index * row + 4
        pieces = [row_label(label, x=left - 8, y=y + 15)]
        start = 0.0
        for order, segment in enumerate(segments):
            value = segment.values[index]
            if value:
                pieces.append(
                    element("rect", tooltip(f"{label} · {segment.name}: {formatter(value)}"),
                            x=coordinate(x(start)), y=y, width=coordinate(x(start + value) - x(start)),
                            height=row - 10, fill=PALETTE[order % len(PALETTE)], class_="cg-segment",
                            data_label=label, data_series=segment.name, data_value=value)
                )  # fmt: skip
            start += value
        marker = markers[index] if markers else None
        if marker is not None:
            at = coordinate(x(marker))
            pieces.append(element("line", tooltip(f"{label} · {marker_name}: {formatter(marker)}"), x1=at, x2=at,
                                  y1=y - 3, y2=y + row - 7, class_="cg-marker", data_label=label,
                                  data_value=marker))  # fmt: skip
        end = max(totals[index], marker or 0)
        figure = formatter(totals[index]) + (f" of {formatter(marker)}" if marker is not None else "")
        pieces.append(element("text", text(figure), x=coordinate(x(end) + 6), y=y + 15,
                              class_="cg-bar-value"))  # fmt: skip
        parts.append(element("g", "".join(pieces), class_="cg-bar-row", data_label=label))
    body = "".join(parts)
    return _svg(chart_id=chart_id, title=title, description=description, width=WIDTH, height=height, body=body)
