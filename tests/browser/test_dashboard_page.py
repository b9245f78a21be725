"""The dashboard in Chromium, on the demo data: reached from the admin index's link, every chart
drawn as an SVG with marks of non-zero size, no console errors, a screenshot kept per range."""

from __future__ import annotations

from tests.browser.conftest import console_errors

CHARTS = ("enrollments", "top-runs", "licenses", "assignments", "spend", "jobs", "events")
# The demo data has no bulk enrollment job: that chart shows its empty state; the others draw data.
DRAWN_FROM_DEMO_DATA = set(CHARTS) - {"jobs"}

# For each chart: its marks with a non-zero box as the browser laid them out, and whether it is
# in its empty state.
MEASURE = """
const result = {};
for (const svg of document.querySelectorAll('svg.cg-chart')) {
  const sized = (selector) => [...svg.querySelectorAll(selector)].filter((e) => {
    const box = e.getBBox();
    return box.width > 0 || box.height > 0;
  }).length;
  const frame = svg.getBoundingClientRect();
  result[svg.id.replace('chart-', '')] = {
    marks: sized('[data-value]'),
    shapes: sized('rect, path, circle, line'),
    empty: svg.querySelector('.cg-empty') !== null,
    width: frame.width,
    height: frame.height,
  };
}
return result;
"""


def test_the_dashboard_draws_every_chart_from_the_index_link(staff_browser, console, screenshot):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    staff_browser.find_element(By.CSS_SELECTOR, "#cg-dashboard-module a").click()
    WebDriverWait(staff_browser, 30).until(expected_conditions.url_contains("/admin/dashboard/"))
    assert staff_browser.find_element(By.CSS_SELECTOR, ".breadcrumbs").text.startswith("Home")

    charts = staff_browser.execute_script(MEASURE)
    assert set(charts) == set(CHARTS), charts
    for name, chart in charts.items():
        assert chart["width"] > 300 and chart["height"] > 80, (name, chart)
        assert chart["shapes"] > 0, (name, chart)
    for name in DRAWN_FROM_DEMO_DATA:
        assert charts[name]["marks"] > 0 and not charts[name]["empty"], (name, charts[name])
    assert charts["jobs"]["empty"] or charts["jobs"]["marks"] > 0
    screenshot(staff_browser, "dashboard-90-days")
    staff_browser.execute_script("document.querySelector('[data-chart=licenses]').scrollIntoView()")
    screenshot(staff_browser, "dashboard-90-days-licenses-and-spend")
    assert console_errors(staff_browser) == []

    staff_browser.find_element(By.LINK_TEXT, "365 days").click()
    WebDriverWait(staff_browser, 30).until(expected_conditions.url_contains("range=365"))
    charts = staff_browser.execute_script(MEASURE)
    assert charts["enrollments"]["marks"] > 0 and "per week" in staff_browser.page_source
    screenshot(staff_browser, "dashboard-365-days")
    assert console_errors(staff_browser) == []
