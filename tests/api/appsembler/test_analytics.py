"""The analytics batch endpoints, on both of their paths:
GET /appsembler_api/v0/analytics/{accounts,enrollment}/batch (seed 001 "Analytics Endpoints") and
GET /api/jitterbit/v1/{accounts,enrollment}/batch (seed 000) — the same views (issue 3).

What is listed: accounts and enrollments ordered by id, inactive rows included, the course_id
filter escaped or not, the query count, the seed's example calls and which parameter is read.
Only the Appsembler enrollments path filters on ``username``. Date filters are covered by
test_analytics_dates.py, formats and keyset pages by test_analytics_formats_and_pages.py,
authentication and permissions by test_permissions.py.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coursegate.accounts.models import User
from coursegate.enrollments.models import Enrollment, Source
from coursegate.enrollments.services import enrollment_upsert
from tests.api.appsembler.conftest import (
    ACCOUNT_KEYS,
    ACCOUNTS,
    APP_COURSE,
    DEMO_COURSE,
    ENROLLMENTS,
    body_of,
    enrollment_item,
    set_created,
    utc,
)

pytestmark = pytest.mark.django_db

ENROLLMENT_KEYS = ["username", "course_id", "user_id", "enrollment_id", "date_enrolled"]


# --- Accounts ----------------------------------------------------------------------------------


def test_accounts_batch_is_a_bare_array_of_every_account_ordered_by_id_inactive_included(family, fetch, accounts):
    status, body = fetch(ACCOUNTS[family])

    assert status == 200
    assert body == [
        {
            "username": "staff",
            "date_joined": "2016-12-17T23:45:47Z",
            "is_active": True,
            "id": accounts["staff"],
            "email": "staff@example.com",
        },
        {
            "username": "honor",
            "date_joined": "2016-12-17T23:55:27.765000Z",
            "is_active": True,
            "id": accounts["honor"],
            "email": "honor@example.com",
        },
        {
            "username": "audit",
            "date_joined": "2016-12-18T01:02:03Z",
            "is_active": True,
            "id": accounts["audit"],
            "email": "audit@example.com",
        },
        {
            "username": "gone",
            "date_joined": "2016-12-19T00:00:00Z",
            "is_active": False,
            "id": accounts["gone"],
            "email": "gone@example.com",
        },
    ]
    assert [list(item) for item in body] == [ACCOUNT_KEYS] * 4
    assert [item["id"] for item in body] == sorted(accounts.values())


def test_accounts_batch_ignores_a_username_parameter(family, fetch, accounts):
    status, body = fetch(f"{ACCOUNTS[family]}?username=honor")

    assert status == 200
    assert [item["username"] for item in body] == ["staff", "honor", "audit", "gone"]


def test_accounts_batch_response_is_streamed_json(family, staff_client, accounts):
    response = staff_client.get(ACCOUNTS[family])

    assert response.status_code == 200
    assert response.streaming is True
    assert response["Content-Type"] == "application/json"
    body = body_of(response)
    assert body.startswith(b'[{"username":"staff","date_joined":"2016-12-17T23:45:47Z","is_active":true,"id":')


# --- Enrollments -------------------------------------------------------------------------------


def test_enrollment_batch_lists_every_enrollment_ordered_by_id_inactive_included(family, fetch, enrollments):
    status, body = fetch(ENROLLMENTS[family])

    assert status == 200
    assert not Enrollment.objects.get(user__username="audit").is_active
    assert body == [
        enrollment_item(enrollments, "honor", DEMO_COURSE, "2016-05-23T16:17:07.585000Z"),
        enrollment_item(enrollments, "audit", DEMO_COURSE, "2016-05-23T16:17:11Z"),
        enrollment_item(enrollments, "honor", APP_COURSE, "2016-06-01T08:00:00Z"),
    ]
    assert [list(item) for item in body] == [ENROLLMENT_KEYS] * 3


COURSE_FILTERS = [
    # the course_id part of the query string as sent, the course whose enrollments come back
    ("course-v1:edX+DemoX+Demo_Course", DEMO_COURSE),  # "+" unescaped: decoded to a space, then repaired
    ("course-v1:edX%2BDemoX%2BDemo_Course", DEMO_COURSE),
    ("course-v1%3AedX%2BDemoX%2BDemo_Course", DEMO_COURSE),  # the seed's fully escaped form
    ("course-v1:edX%20DemoX%20Demo_Course", DEMO_COURSE),  # spaces as such
    ("course-v1:Appsembler+APP101+1Q2016", APP_COURSE),
    ("course-v1%3AAppsembler%2BAPP101%2B1Q2016", APP_COURSE),
]


@pytest.mark.parametrize(("raw", "course_id"), COURSE_FILTERS)
def test_enrollment_batch_filters_on_course_id_escaped_or_not(family, fetch, enrollments, raw, course_id):
    status, body = fetch(f"{ENROLLMENTS[family]}?course_id={raw}")

    assert status == 200
    expected = [key for key in enrollments if key[1] == course_id]
    assert [(item["username"], item["course_id"]) for item in body] == expected
    assert [item["enrollment_id"] for item in body] == [enrollments[key].pk for key in expected]


@pytest.mark.parametrize("raw", ["course-v1:edX+Unknown+Run", "edX/Unknown/Run"])
def test_enrollment_batch_of_a_well_formed_unknown_course_is_an_empty_array(family, fetch, enrollments, raw):
    assert fetch(f"{ENROLLMENTS[family]}?course_id={raw}") == (200, [])


BAD_COURSE_IDS = [
    # as sent, as decoded
    ("not-a-key", "not-a-key"),
    ("course-v1:", "course-v1:"),
    ("course-v1:edX", "course-v1:edX"),
    ("a/b", "a/b"),
    ("course-v1:edX%2BDemo%2FX%2BRun", "course-v1:edX+Demo/X+Run"),
    ("%3Cscript%3E", "<script>"),
]


@pytest.mark.parametrize(("raw", "decoded"), BAD_COURSE_IDS)
def test_enrollment_batch_with_a_bad_course_id_is_a_400_naming_it(family, fetch, enrollments, raw, decoded):
    assert fetch(f"{ENROLLMENTS[family]}?course_id={raw}") == (
        400,
        {"course_id": [f"'{decoded}' is not a valid course run id."]},
    )


def test_a_bad_course_id_with_an_unescaped_plus_is_a_400_naming_it(family, fetch, enrollments):
    status, body = fetch(f"{ENROLLMENTS[family]}?course_id=course-v1:edX+Demo!X")

    # The value as the query string decoded it, or as repaired: either names the client's value.
    assert status == 400
    assert body in (
        {"course_id": ["'course-v1:edX Demo!X' is not a valid course run id."]},
        {"course_id": ["'course-v1:edX+Demo!X' is not a valid course run id."]},
    )


def test_appsembler_enrollment_batch_filters_on_username(fetch, enrollments):
    status, body = fetch(f"{ENROLLMENTS['appsembler']}?username=honor")

    assert status == 200
    assert [(item["username"], item["course_id"]) for item in body] == [("honor", DEMO_COURSE), ("honor", APP_COURSE)]


def test_appsembler_enrollment_batch_combines_username_and_course_id(fetch, enrollments):
    status, body = fetch(f"{ENROLLMENTS['appsembler']}?username=honor&course_id=course-v1:edX+DemoX+Demo_Course")

    assert [(item["username"], item["course_id"]) for item in body] == [("honor", DEMO_COURSE)]


@pytest.mark.parametrize("username", ["nobody", "HONOR", "hon"])
def test_appsembler_enrollment_batch_username_is_an_exact_match(fetch, enrollments, username):
    assert fetch(f"{ENROLLMENTS['appsembler']}?username={username}") == (200, [])


def test_jitterbit_enrollment_batch_ignores_username(fetch, enrollments):
    status, body = fetch(f"{ENROLLMENTS['jitterbit']}?username=honor")

    assert status == 200
    assert [(item["username"], item["course_id"]) for item in body] == list(enrollments)


# --- Queries -----------------------------------------------------------------------------------


def test_the_query_count_does_not_grow_with_the_number_of_rows(family, staff_client, make_user, make_run):
    run = make_run(DEMO_COURSE)

    def queries_for_listing() -> int:
        with CaptureQueriesContext(connection) as ctx:
            for url in (ACCOUNTS[family], ENROLLMENTS[family]):
                response = staff_client.get(url)
                body_of(response)
        return len(ctx.captured_queries)

    for i in range(3):
        enrollment_upsert(user=make_user(f"few{i}"), course_run=run, source=Source.ADMIN)
    queries_for_listing()  # the token's first use may fill caches
    few = queries_for_listing()
    for i in range(60):
        enrollment_upsert(user=make_user(f"many{i}"), course_run=run, source=Source.ADMIN)

    assert queries_for_listing() == few


# --- The seed's example calls ------------------------------------------------------------------


def test_the_seeds_appsembler_example_calls_work_verbatim(fetch, make_user, make_run):
    run = make_run("course-v1:edx+DemoX101+2017")
    for name, joined in (("old", utc(2015, 12, 1)), ("mid", utc(2015, 12, 12)), ("new", utc(2016, 2, 1))):
        user = make_user(name)
        User.objects.filter(pk=user.pk).update(date_joined=joined)
        enrollment = enrollment_upsert(user=user, course_run=run, source=Source.ADMIN).enrollment
        set_created(enrollment, joined)
    User.objects.filter(username="staff").update(date_joined=utc(2014, 1, 1))

    def usernames(url):
        status, body = fetch(url)
        assert status == 200
        return [item["username"] for item in body]

    assert usernames("/appsembler_api/v0/analytics/accounts/batch") == ["staff", "old", "mid", "new"]
    assert usernames("/appsembler_api/v0/analytics/accounts/batch?updated_min=2015-12-09T00:00:00Z") == ["mid", "new"]
    assert usernames(
        "/appsembler_api/v0/analytics/accounts/batch?updated_min=2015-12-09T00:00:00Z&updated_max=2015-12-19"
    ) == ["mid"]
    assert usernames("/appsembler_api/v0/analytics/enrollment/batch") == ["old", "mid", "new"]
    assert usernames("/appsembler_api/v0/analytics/enrollment/batch?course_id=course-v1%3Aedx%2BDemoX101%2B2017") == [
        "old",
        "mid",
        "new",
    ]
    assert usernames(
        "/appsembler_api/v0/analytics/enrollment/batch?course_id=course-v1%3Aedx%2BDemoX101%2B2017&update_min=2016-01-07"
    ) == ["new"]


# --- One parameter at a time -------------------------------------------------------------------


def test_the_seeds_spelling_is_not_read_when_updated_min_is_given(family, fetch, accounts):
    status, body = fetch(f"{ACCOUNTS[family]}?updated_min=2016-12-18&update_min=junk")

    assert (status, [item["username"] for item in body]) == (200, ["audit", "gone"])


@pytest.mark.parametrize(
    ("query", "param"),
    [
        ("updated_min=junk&updated_max=junk&limit=0", "updated_min"),
        ("updated_max=junk&course_id=nope&limit=0", "updated_max"),
        ("updated_min=2015-12-20&updated_max=2015-12-19&course_id=nope", "updated_min"),
        ("course_id=nope&limit=0&after_id=-1", "course_id"),
        ("limit=0&after_id=-1", "limit"),
    ],
)
def test_only_the_first_bad_parameter_is_named(family, fetch, enrollments, query, param):
    status, body = fetch(f"{ENROLLMENTS[family]}?{query}")

    assert status == 400
    assert list(body) == [param]


def test_the_accounts_batch_does_not_read_course_id(family, fetch, accounts):
    status, body = fetch(f"{ACCOUNTS[family]}?course_id=nope")

    assert (status, len(body)) == (200, 4)


def test_the_jitterbit_enrollment_batch_does_not_read_username(fetch, enrollments):
    status, body = fetch(f"{ENROLLMENTS['jitterbit']}?username=nobody")

    assert (status, len(body)) == (200, 3)
