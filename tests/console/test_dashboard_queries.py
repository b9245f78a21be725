"""The dashboard reads at a constant number of queries whatever the amount of data: one per chart,
two for the top runs and the plans (tallies, then the names), plus the session and user of the
admin login (console/dashboard/stats.py); and it keeps what it counted for
COURSEGATE_DASHBOARD_CACHE_SECONDS, ``?refresh=1`` counting again."""

from __future__ import annotations

import time
from datetime import timedelta

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coursegate.enrollments.models import Source
from coursegate.enrollments.services import enrollment_upsert
from tests.console.test_dashboard import NOW, URL, charts, frozen, make_world, values  # noqa: F401 (fixture)

CHART_QUERIES = 10


def queries_of_the_page(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(URL)
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_the_page_costs_the_same_queries_with_more_data(client, make_user, make_run, frozen, settings):  # noqa: F811
    settings.COURSEGATE_DASHBOARD_CACHE_SECONDS = 0
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


def test_the_counts_are_kept_for_a_while_and_counted_again_on_refresh(client, make_user, make_run, settings):
    settings.COURSEGATE_DASHBOARD_CACHE_SECONDS = 60
    client.force_login(make_user("console-staff", is_staff=True))
    run = make_run("course-v1:Kept+One+2026")
    with time_machine.travel(NOW, tick=False):
        enrollment_upsert(user=make_user("first"), course_run=run, source=Source.EDX_API)
        first = client.get(URL)
        enrollment_upsert(user=make_user("second"), course_run=run, source=Source.EDX_API)
    with time_machine.travel(NOW + timedelta(seconds=30), tick=False):
        kept = queries_of_the_page(client)
        assert values(charts(client.get(URL))["top-runs"], "label") == {("course-v1:Kept+One+2026",): 1}
        assert kept <= 4  # the session, the user and the admin's permissions: no counting
        again = client.get(URL, {"refresh": "1"})
    assert values(charts(again)["top-runs"], "label") == {("course-v1:Kept+One+2026",): 2}
    assert "Counted at 2026-06-15 12:00:00 UTC" in first.content.decode()
    assert "Counted at 2026-06-15 12:00:30 UTC" in again.content.decode()
    assert values(charts(client.get(URL, {"range": "30"}))["top-runs"], "label")[("course-v1:Kept+One+2026",)] == 2


def test_kept_counts_expire(client, make_user, make_run, settings):
    settings.COURSEGATE_DASHBOARD_CACHE_SECONDS = 1  # real seconds: Redis keeps its own clock
    client.force_login(make_user("console-staff", is_staff=True))
    run = make_run("course-v1:Kept+Two+2026")
    enrollment_upsert(user=make_user("first"), course_run=run, source=Source.EDX_API)
    assert values(charts(client.get(URL))["top-runs"], "label") == {("course-v1:Kept+Two+2026",): 1}
    enrollment_upsert(user=make_user("second"), course_run=run, source=Source.EDX_API)
    time.sleep(1.5)
    assert values(charts(client.get(URL))["top-runs"], "label") == {("course-v1:Kept+Two+2026",): 2}
