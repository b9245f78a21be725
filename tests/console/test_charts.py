"""The dashboard's SVG chart library (console/dashboard/charts.py, svg.py): well-formed XML, the
numbers in the marks, scales and ticks, labels, escaping, and the empty state."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from coursegate.console.dashboard.charts import Series, bar_chart, empty_chart, line_chart, stacked_bar_chart
from coursegate.console.dashboard.svg import Scale, attr, nice_ticks, number

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup: str) -> ET.Element:
    root = ET.fromstring(markup)  # raises on markup that is not well-formed XML
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    return root


def marks(root: ET.Element, tag: str) -> list[ET.Element]:
    return [e for e in root.iter(f"{SVG}{tag}") if e.get("data-value") is not None]


def texts(root: ET.Element) -> list[str]:
    return ["".join(e.itertext()) for e in root.iter(f"{SVG}text")]


@pytest.mark.parametrize(
    ("maximum", "expected"),
    [
        (0, [0, 1]),
        (1, [0, 1]),
        (7, [0, 2, 4, 6, 8]),
        (10, [0, 2, 4, 6, 8, 10]),
        (48, [0, 10, 20, 30, 40, 50]),
        (1_000_000, [0, 200_000, 400_000, 600_000, 800_000, 1_000_000]),
        (0.3, [0, 0.1, 0.2, 0.3]),
    ],
)
def test_ticks_are_round_steps_from_zero_to_at_least_the_maximum(maximum, expected):
    assert nice_ticks(maximum) == expected


def test_a_scale_maps_zero_and_top_onto_its_ends_even_upside_down():
    y = Scale(top=50, start=200, end=40)
    assert (y(0), y(50), y(25)) == (200, 40, 120)


def test_numbers_are_grouped_and_attributes_escaped():
    assert number(1234567) == "1,234,567"
    assert number(2.5) == "2.50"
    assert attr('a "b" <c> & d') == '"a &quot;b&quot; &lt;c&gt; &amp; d"'


def test_a_line_chart_draws_one_path_and_a_point_per_value_per_series():
    root = parse(
        line_chart(
            chart_id="c",
            title="Enrollments",
            description="per day",
            labels=["2026-06-01", "2026-06-02", "2026-06-03"],
            series=[Series("API", [1, 5, 2]), Series("Codes", [0, 3, 7])],
        )
    )
    assert len(list(root.iter(f"{SVG}path"))) == 2
    points = {(p.get("data-series"), p.get("data-label")): float(p.get("data-value")) for p in marks(root, "circle")}
    assert points[("API", "2026-06-02")] == 5 and points[("Codes", "2026-06-03")] == 7 and len(points) == 6
    words = texts(root)
    assert {"Enrollments", "API", "Codes", "2026-06-01"} <= set(words)
    assert ["0", "2", "4", "6", "8"] == [w for w in words if w.isdigit()]  # the y ticks up to 8 >= 7
    # Higher values sit higher (smaller y), and the zero point is on the baseline.
    api = {p.get("data-label"): float(p.get("cy")) for p in marks(root, "circle") if p.get("data-series") == "API"}
    assert api["2026-06-02"] < api["2026-06-03"] < api["2026-06-01"]
    assert root.find(f"{SVG}title").text == "Enrollments" and root.find(f"{SVG}desc").text == "per day"
    assert root.get("aria-labelledby") == "c-title c-desc"


def test_a_bar_chart_writes_each_label_and_value_with_widths_in_proportion():
    root = parse(bar_chart(chart_id="b", title="Top runs", description="d", bars=[("run-a", 40), ("run-b", 10)]))
    bars = {b.get("data-label"): b for b in marks(root, "rect")}
    assert {k: float(b.get("data-value")) for k, b in bars.items()} == {"run-a": 40, "run-b": 10}
    assert float(bars["run-a"].get("width")) == pytest.approx(4 * float(bars["run-b"].get("width")))
    assert {"run-a", "run-b", "40", "10"} <= set(texts(root))


def test_a_stacked_bar_chart_splits_rows_into_segments_with_a_legend_and_markers():
    root = parse(
        stacked_bar_chart(
            chart_id="s",
            title="Licenses",
            description="d",
            rows=["Plan A", "Plan B"],
            segments=[Series("Assigned", [3, 0]), Series("Activated", [2, 5])],
            markers=[10, None],
        )
    )
    segments = {(r.get("data-label"), r.get("data-series")): float(r.get("data-value")) for r in marks(root, "rect")}
    assert segments == {("Plan A", "Assigned"): 3, ("Plan A", "Activated"): 2, ("Plan B", "Activated"): 5}
    a = {r.get("data-series"): r for r in marks(root, "rect") if r.get("data-label") == "Plan A"}
    assert float(a["Activated"].get("x")) == pytest.approx(
        float(a["Assigned"].get("x")) + float(a["Assigned"].get("width"))
    )
    [marker] = marks(root, "line")
    assert (marker.get("data-label"), marker.get("data-value")) == ("Plan A", "10")
    assert {"Assigned", "Activated", "5 of 10", "5"} <= set(texts(root))  # totals, of the marker where one is


def test_titles_labels_and_series_names_are_escaped():
    nasty = 'R&D <script>alert("x")</script>'
    markup = stacked_bar_chart(
        chart_id="x", title=nasty, description=nasty, rows=[nasty], segments=[Series(nasty, [1])], markers=[2]
    )
    root = parse(markup)
    assert "<script>" not in markup
    assert root.find(f"{SVG}title").text == nasty
    assert nasty in texts(root)
    assert (
        parse(bar_chart(chart_id="y", title=nasty, description="d", bars=[(nasty, 3)])).find(f"{SVG}title").text
        == nasty
    )


@pytest.mark.parametrize(
    "markup",
    [
        line_chart(chart_id="e", title="T", description="D", labels=[], series=[]),
        line_chart(chart_id="e", title="T", description="D", labels=["a", "b"], series=[Series("s", [0, 0])]),
        bar_chart(chart_id="e", title="T", description="D", bars=[]),
        bar_chart(chart_id="e", title="T", description="D", bars=[("a", 0)]),
        stacked_bar_chart(chart_id="e", title="T", description="D", rows=[], segments=[]),
        empty_chart(chart_id="e", title="T", description="D"),
    ],
)
def test_charts_without_data_say_so(markup):
    root = parse(markup)
    [note] = [e for e in root.iter(f"{SVG}text") if e.get("class") == "cg-empty"]
    assert note.text == "No data for this period."
    assert root.find(f"{SVG}title").text == "T"
    assert not marks(root, "rect") and not marks(root, "circle")


def test_a_single_point_series_is_drawn_in_the_middle():
    root = parse(line_chart(chart_id="o", title="T", description="D", labels=["only"], series=[Series("s", [4])]))
    [point] = marks(root, "circle")
    assert float(point.get("data-value")) == 4 and 0 < float(point.get("cx")) < float(root.get("width"))
