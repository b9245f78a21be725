"""The dashboard reads at a constant number of queries whatever the amount of data: one aggregate
per chart (console/dashboard/stats.py), plus the session and user of the admin login."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.console.test_dashboard import URL, charts, frozen, make_world, values  # noqa: F401 (fixture)

CHART_QUERIES = 6


def queries_of_the_page(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(URL)
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_the_page_costs_the_same_queries_with_more_data(client, make_user, make_run, frozen):  # noqa: F811
    client.force_login(make_user("console-staff", is_staff=True))
    empty = queries_of_the_page(client)
    make_world(make_user=make_user, make_run=make_run, tag="a")
    small = queries_of_the_page(client)
    for tag in "bcd":
        make_world(make_user=make_user, make_run=make_run, tag=tag, users=8, licenses=30)
    larger = queries_of_the_page(client)
    # + the session, the user, and the user's and groups' permissions (the admin's app list)
    assert empty == small == larger <= CHART_QUERIES + 4
    drawn = charts(client.get(URL))
    assert len(values(drawn["licenses"], "label", "series")) == 4 * 4  # four plans, four statuses each
    assert len(values(drawn["top-runs"], "label")) == 10  # 12 runs with enrollments: the top 10
