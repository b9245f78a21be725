"""The analytics batch endpoints, on both of their paths:
GET /appsembler_api/v0/analytics/{accounts,enrollment}/batch (seed 001 "Analytics Endpoints") and
GET /api/jitterbit/v1/{accounts,enrollment}/batch (seed 000) — the same views (issue 3).

Date semantics are ARCHITECTURE.md's ("Analytics"): dates or date-times, date-only = midnight
UTC, explicit offsets honoured, ``updated_min`` inclusive, ``updated_max`` exclusive except that a
date-only ``updated_max`` covers its whole day, ``update_min`` accepted, never a 500. Accounts filter
on ``date_joined``, enrollments on the enrollment's creation; inactive rows are included. Bodies are
streamed: one JSON array by default, CSV or NDJSON on request, keyset pages with ``limit``.
Only the Appsembler enrollments path filters on ``username``. Authentication and permissions are
covered by test_permissions.py.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coursegate.accounts.models import User
from coursegate.enrollments.models import Enrollment, Source
from coursegate.enrollments.services import enrollment_upsert

pytestmark = pytest.mark.django_db

A = "/appsembler_api/v0/analytics"
J = "/api/jitterbit/v1"
ACCOUNTS = {"appsembler": f"{A}/accounts/batch", "jitterbit": f"{J}/accounts/batch"}
ENROLLMENTS = {"appsembler": f"{A}/enrollment/batch", "jitterbit": f"{J}/enrollment/batch"}
DEMO = "course-v1:edX+DemoX+Demo_Course"
APP = "course-v1:Appsembler+APP101+1Q2016"

ACCOUNT_KEYS = ["username", "date_joined", "is_active", "id", "email"]
ENROLLMENT_KEYS = ["username", "course_id", "user_id", "enrollment_id", "date_enrolled"]
DATE_MESSAGE = "Enter a valid date (YYYY-MM-DD) or ISO 8601 date-time (e.g. 2015-12-09T00:00:00Z)."


def utc(*parts) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.fixture(params=["appsembler", "jitterbit"])
def family(request) -> str:
    return request.param


@pytest.fixture
def staff_api(staff, client_for):
    return client_for(staff)


def body_of(response) -> bytes:
    assert response.streaming is True, "the batch endpoints stream their body"
    return b"".join(response.streaming_content)


@pytest.fixture
def fetch(staff_api):
    """fetch(url, **headers) -> (status, parsed body); a 200 must be a streamed JSON array."""

    def get(url: str, **headers):
        response = staff_api.get(url, **headers)
        if response.status_code != 200:
            assert response.streaming is False
            return response.status_code, response.json()
        return 200, json.loads(body_of(response))

    return get


def set_joined(username: str, when: datetime) -> None:
    User.objects.filter(username=username).update(date_joined=when)


def set_created(enrollment: Enrollment, when: datetime) -> None:
    Enrollment.objects.filter(pk=enrollment.pk).update(created=when)


# --- Accounts ----------------------------------------------------------------------------------


@pytest.fixture
def accounts(staff, make_user):
    """staff, honor, audit and an inactive 'gone', joined at known instants."""
    make_user("honor")
    make_user("audit")
    gone = make_user("gone")
    User.objects.filter(pk=gone.pk).update(is_active=False)
    set_joined("staff", utc(2016, 12, 17, 23, 45, 47))
    set_joined("honor", utc(2016, 12, 17, 23, 55, 27, 765000))
    set_joined("audit", utc(2016, 12, 18, 1, 2, 3))
    set_joined("gone", utc(2016, 12, 19, 0, 0, 0))
    return {u.username: u.pk for u in User.objects.all()}


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


def test_accounts_batch_response_is_streamed_json(family, staff_api, accounts):
    response = staff_api.get(ACCOUNTS[family])

    assert response.status_code == 200
    assert response.streaming is True
    assert response["Content-Type"] == "application/json"
    body = body_of(response)
    assert body.startswith(b'[{"username":"staff","date_joined":"2016-12-17T23:45:47Z","is_active":true,"id":')


# --- Enrollments -------------------------------------------------------------------------------


@pytest.fixture
def enrollments(staff, make_user, make_run):
    """honor in DEMO and APP, audit in DEMO (then unenrolled), created at known instants."""
    honor, audit = make_user("honor"), make_user("audit")
    demo, app = make_run(DEMO), make_run(APP)
    rows = {
        ("honor", DEMO): enrollment_upsert(user=honor, course_run=demo, source=Source.ADMIN).enrollment,
        ("audit", DEMO): enrollment_upsert(user=audit, course_run=demo, source=Source.ADMIN).enrollment,
        ("honor", APP): enrollment_upsert(user=honor, course_run=app, source=Source.ADMIN).enrollment,
    }
    enrollment_upsert(user=audit, course_run=demo, is_active=False, source=Source.ADMIN, privileged=True)
    set_created(rows[("honor", DEMO)], utc(2016, 5, 23, 16, 17, 7, 585000))
    set_created(rows[("audit", DEMO)], utc(2016, 5, 23, 16, 17, 11))
    set_created(rows[("honor", APP)], utc(2016, 6, 1, 8, 0, 0))
    return rows


def enrollment_item(rows, username: str, course_id: str, date_enrolled: str) -> dict:
    enrollment = rows[(username, course_id)]
    return {
        "username": username,
        "course_id": course_id,
        "user_id": enrollment.user_id,
        "enrollment_id": enrollment.pk,
        "date_enrolled": date_enrolled,
    }


def test_enrollment_batch_lists_every_enrollment_ordered_by_id_inactive_included(family, fetch, enrollments):
    status, body = fetch(ENROLLMENTS[family])

    assert status == 200
    assert not Enrollment.objects.get(user__username="audit").is_active
    assert body == [
        enrollment_item(enrollments, "honor", DEMO, "2016-05-23T16:17:07.585000Z"),
        enrollment_item(enrollments, "audit", DEMO, "2016-05-23T16:17:11Z"),
        enrollment_item(enrollments, "honor", APP, "2016-06-01T08:00:00Z"),
    ]
    assert [list(item) for item in body] == [ENROLLMENT_KEYS] * 3


COURSE_FILTERS = [
    # the course_id part of the query string as sent, the course whose enrollments come back
    ("course-v1:edX+DemoX+Demo_Course", DEMO),  # "+" unescaped: decoded to a space, then repaired
    ("course-v1:edX%2BDemoX%2BDemo_Course", DEMO),
    ("course-v1%3AedX%2BDemoX%2BDemo_Course", DEMO),  # the seed's fully escaped form
    ("course-v1:edX%20DemoX%20Demo_Course", DEMO),  # spaces as such
    ("course-v1:Appsembler+APP101+1Q2016", APP),
    ("course-v1%3AAppsembler%2BAPP101%2B1Q2016", APP),
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
    assert [(item["username"], item["course_id"]) for item in body] == [("honor", DEMO), ("honor", APP)]


def test_appsembler_enrollment_batch_combines_username_and_course_id(fetch, enrollments):
    status, body = fetch(f"{ENROLLMENTS['appsembler']}?username=honor&course_id=course-v1:edX+DemoX+Demo_Course")

    assert [(item["username"], item["course_id"]) for item in body] == [("honor", DEMO)]


@pytest.mark.parametrize("username", ["nobody", "HONOR", "hon"])
def test_appsembler_enrollment_batch_username_is_an_exact_match(fetch, enrollments, username):
    assert fetch(f"{ENROLLMENTS['appsembler']}?username={username}") == (200, [])


def test_jitterbit_enrollment_batch_ignores_username(fetch, enrollments):
    status, body = fetch(f"{ENROLLMENTS['jitterbit']}?username=honor")

    assert status == 200
    assert [(item["username"], item["course_id"]) for item in body] == list(enrollments)


# --- Dates -------------------------------------------------------------------------------------

# Rows at known instants; each filter below lists the rows it must return (in id order).
INSTANTS = {
    "a": utc(2015, 12, 8, 23, 59, 59),
    "b": utc(2015, 12, 9, 0, 0, 0),
    "e": utc(2015, 12, 9, 5, 0, 0),
    "c": utc(2015, 12, 19, 23, 59, 59),
    "d": utc(2015, 12, 20, 0, 0, 0),
    "z": utc(2024, 1, 1, 12, 0, 0),
}

DATE_FILTERS = [
    # query string, rows returned
    ("", "abeczd"),
    ("updated_min=2015-12-09T00:00:00Z", "beczd"),  # inclusive
    ("updated_min=2015-12-09", "beczd"),  # date-only = midnight UTC
    ("updated_min=2015-12-08T23:59:59Z", "abeczd"),
    ("updated_min=2015-12-09T00:00:01Z", "eczd"),
    ("updated_min=2015-12-09T00:00:00-05:00", "eczd"),  # == 05:00Z, the offset honoured
    ("updated_min=2015-12-09T00:00:00%2D05:00", "eczd"),
    ("updated_min=2015-12-09T10:00:00%2B05:00", "eczd"),  # == 05:00Z
    ("updated_min=2015-12-09T10:00:00+05:00", "eczd"),  # unescaped "+": a space, repaired
    ("updated_min=2015-12-09T05:00:00.000001Z", "czd"),
    ("updated_min=2015-12-09T00:00:00", "beczd"),  # naive: UTC
    ("update_min=2015-12-09T05:00:00Z", "eczd"),  # the seed's misspelling
    ("update_min=2015-12-09", "beczd"),
    ("updated_min=2015-12-09T05:00:00Z&update_min=2000-01-01", "eczd"),  # the right spelling wins
    ("updated_max=2015-12-19", "abec"),  # a date-only max covers its whole day: 23:59:59 is in
    ("updated_max=2015-12-19T23:59:59Z", "abe"),  # exclusive
    ("updated_max=2015-12-20T00:00:00Z", "abec"),  # exclusive: d (exactly 20th 00:00) is out
    ("updated_max=2015-12-20", "abecd"),
    ("updated_max=2015-12-09", "abe"),
    ("updated_max=2015-12-09T00:00:00Z", "a"),
    ("updated_max=2015-12-09T05:00:00%2B05:00", "a"),  # == 00:00Z
    ("updated_min=2015-12-09T00:00:00Z&updated_max=2015-12-19", "bec"),  # the seed's example
    ("updated_min=2015-12-09&updated_max=2015-12-19", "bec"),
    ("updated_min=2015-12-19&updated_max=2015-12-19", "c"),  # one whole day
    ("updated_min=2015-12-09T05:00:00Z&updated_max=2015-12-09T05:00:00Z", ""),  # empty interval
    ("updated_min=2030-01-01", ""),
    ("updated_max=9999-12-31", "abeczd"),  # the end of time is not an overflow
    ("updated_min=0001-01-01", "abeczd"),
]


@pytest.fixture
def dated_accounts(staff):
    User.objects.filter(pk=staff.pk).update(date_joined=INSTANTS["z"], username="z", email="z@example.com")
    for name in "abecd":
        User.objects.create(username=name, email=f"{name}@example.com", date_joined=INSTANTS[name])
    return {name: User.objects.get(username=name).pk for name in INSTANTS}


def ordered(names: str, ids: dict) -> list[str]:
    return sorted(names, key=lambda name: ids[name])


@pytest.mark.parametrize(("query", "names"), DATE_FILTERS)
def test_accounts_batch_date_filters_on_date_joined(family, fetch, dated_accounts, query, names):
    status, body = fetch(f"{ACCOUNTS[family]}?{query}")

    assert status == 200, body
    assert [item["username"] for item in body] == ordered(names, dated_accounts)


@pytest.fixture
def dated_enrollments(make_user, make_run):
    """One enrollment per instant, of a user who joined long before (the filter is on creation)."""
    run = make_run(DEMO)
    ids = {}
    for name, when in INSTANTS.items():
        user = make_user(f"user-{name}")
        User.objects.filter(pk=user.pk).update(date_joined=utc(2010, 1, 1))
        enrollment = enrollment_upsert(user=user, course_run=run, source=Source.ADMIN).enrollment
        set_created(enrollment, when)
        ids[name] = enrollment.pk
    # An account that joined inside every window but never enrolled: never listed.
    User.objects.filter(pk=make_user("joined-in-window").pk).update(date_joined=utc(2015, 12, 10))
    return ids


@pytest.mark.parametrize(("query", "names"), DATE_FILTERS)
def test_enrollment_batch_date_filters_on_the_enrollments_creation(family, fetch, dated_enrollments, query, names):
    status, body = fetch(f"{ENROLLMENTS[family]}?{query}")

    assert status == 200, body
    assert [item["username"] for item in body] == [f"user-{name}" for name in ordered(names, dated_enrollments)]


def test_enrollment_batch_filters_on_creation_not_on_modification(family, fetch, dated_enrollments):
    # Unenrolling now (a modification) does not move an old enrollment into a recent window.
    Enrollment.objects.filter(pk=dated_enrollments["a"]).update(is_active=False, modified=utc(2024, 6, 1))

    status, body = fetch(f"{ENROLLMENTS[family]}?updated_min=2024-01-01")

    assert [item["username"] for item in body] == ["user-z"]


BAD_DATES = [
    # query string, the parameter named in the 400
    ("updated_min=yesterday", "updated_min"),
    ("updated_min=2015-13-01", "updated_min"),
    ("updated_min=2015-02-30", "updated_min"),
    ("updated_min=12/09/2015", "updated_min"),
    ("updated_min=2015", "updated_min"),
    ("updated_min=2015-12-09T25:00:00Z", "updated_min"),
    ("updated_min=2015-12-09T00:00:00Zjunk", "updated_min"),
    ("updated_min=0001-01-01T00:00:00%2B01:00", "updated_min"),
    ("updated_max=2015-12-32", "updated_max"),
    ("updated_max=tomorrow", "updated_max"),
    ("updated_max=9999-12-31T23:59:59-01:00", "updated_max"),
    ("update_min=2015-12", "update_min"),
    ("updated_min=2015-12-09&updated_max=junk", "updated_max"),
    ("updated_min=%00", "updated_min"),
]


@pytest.mark.parametrize(("query", "param"), BAD_DATES)
def test_a_bad_date_is_a_400_naming_the_parameter_never_a_500(family, fetch, accounts, query, param):
    for url in (ACCOUNTS[family], ENROLLMENTS[family]):
        assert fetch(f"{url}?{query}") == (400, {param: [DATE_MESSAGE]})


@pytest.mark.parametrize(
    "query",
    [
        "updated_min=2015-12-20&updated_max=2015-12-19",  # the max covers the 19th only
        "updated_min=2015-12-09T00:00:01Z&updated_max=2015-12-09T00:00:00Z",
        "update_min=2016-01-01&updated_max=2015-12-31T00:00:00Z",
    ],
)
def test_updated_min_later_than_updated_max_is_a_400(family, fetch, accounts, query):
    param = query.split("=")[0]  # the error names the parameter the client sent
    for url in (ACCOUNTS[family], ENROLLMENTS[family]):
        assert fetch(f"{url}?{query}") == (400, {param: [f"{param} must not be later than updated_max."]})


def test_a_date_time_min_inside_a_date_only_max_day_is_a_valid_range(family, fetch, accounts):
    # The date-only max covers all of 2015-12-09, so a noon min leaves half a day to search.
    status, _ = fetch(f"{ACCOUNTS[family]}?updated_min=2015-12-09T12:00:00Z&updated_max=2015-12-09")

    assert status == 200


@pytest.mark.parametrize("query", ["updated_min=", "updated_max=", "update_min=", "course_id=", "limit=", "after_id="])
def test_an_empty_parameter_is_ignored(family, fetch, accounts, query):
    status, body = fetch(f"{ACCOUNTS[family]}?{query}")

    assert (status, len(body)) == (200, 4)


# --- Formats -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "headers"),
    [("?format=csv", {}), ("", {"HTTP_ACCEPT": "text/csv"}), ("?format=csv", {"HTTP_ACCEPT": "application/json"})],
    ids=["format=csv", "Accept: text/csv", "format wins over Accept"],
)
def test_accounts_batch_as_csv_has_a_header_line_and_one_line_per_account(family, staff_api, accounts, query, headers):
    response = staff_api.get(f"{ACCOUNTS[family]}{query}", **headers)

    assert response.status_code == 200
    assert response.streaming is True
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = body_of(response).decode()
    assert text.splitlines()[0] == "username,date_joined,is_active,id,email"
    assert list(csv.reader(io.StringIO(text))) == [
        ACCOUNT_KEYS,
        ["staff", "2016-12-17T23:45:47Z", "true", str(accounts["staff"]), "staff@example.com"],
        ["honor", "2016-12-17T23:55:27.765000Z", "true", str(accounts["honor"]), "honor@example.com"],
        ["audit", "2016-12-18T01:02:03Z", "true", str(accounts["audit"]), "audit@example.com"],
        ["gone", "2016-12-19T00:00:00Z", "false", str(accounts["gone"]), "gone@example.com"],
    ]


def test_enrollment_batch_as_csv(family, staff_api, enrollments):
    response = staff_api.get(f"{ENROLLMENTS[family]}?format=csv&course_id=course-v1:edX+DemoX+Demo_Course")

    assert response.status_code == 200
    honor, audit = enrollments[("honor", DEMO)], enrollments[("audit", DEMO)]
    assert body_of(response).decode() == (
        "username,course_id,user_id,enrollment_id,date_enrolled\r\n"
        f"honor,{DEMO},{honor.user_id},{honor.pk},2016-05-23T16:17:07.585000Z\r\n"
        f"audit,{DEMO},{audit.user_id},{audit.pk},2016-05-23T16:17:11Z\r\n"
    )


def test_csv_of_an_empty_result_is_the_header_line_alone(family, staff_api, accounts):
    response = staff_api.get(f"{ACCOUNTS[family]}?format=csv&updated_min=2030-01-01")

    assert body_of(response) == b"username,date_joined,is_active,id,email\r\n"


@pytest.mark.parametrize(
    ("query", "headers"),
    [("", {"HTTP_ACCEPT": "application/x-ndjson"}), ("?format=ndjson", {})],
    ids=["Accept: application/x-ndjson", "format=ndjson"],
)
def test_enrollment_batch_as_ndjson_is_one_json_object_per_line(family, staff_api, enrollments, query, headers):
    response = staff_api.get(f"{ENROLLMENTS[family]}{query}", **headers)

    assert response.status_code == 200
    assert response.streaming is True
    assert response["Content-Type"] == "application/x-ndjson"
    lines = body_of(response).decode().split("\n")
    assert lines[-1] == ""
    assert [json.loads(line) for line in lines[:-1]] == [
        enrollment_item(enrollments, "honor", DEMO, "2016-05-23T16:17:07.585000Z"),
        enrollment_item(enrollments, "audit", DEMO, "2016-05-23T16:17:11Z"),
        enrollment_item(enrollments, "honor", APP, "2016-06-01T08:00:00Z"),
    ]


@pytest.mark.parametrize("accept", ["text/csv", "application/x-ndjson"])
def test_errors_are_json_whatever_format_was_asked_for(family, staff_api, accounts, accept):
    response = staff_api.get(f"{ACCOUNTS[family]}?updated_min=junk", HTTP_ACCEPT=accept)

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"updated_min": [DATE_MESSAGE]}


# --- Keyset pages ------------------------------------------------------------------------------

LINK = re.compile(r'^<(?P<url>[^>]+)>; rel="next"$')


def next_link(response) -> str | None:
    if not response.has_header("Link"):
        return None
    match = LINK.match(response["Link"])
    assert match, response["Link"]
    return match["url"]


def test_accounts_pages_follow_the_next_links_until_the_last_page(family, staff_api, accounts):
    ids = sorted(accounts.values())
    url = f"{ACCOUNTS[family]}?limit=3"
    pages, links = [], []

    while url:
        response = staff_api.get(url)
        assert response.status_code == 200
        assert response.streaming is True
        pages.append([item["id"] for item in json.loads(body_of(response))])
        url = next_link(response)
        links.append(url)

    assert pages == [ids[:3], ids[3:]]
    parts = urlsplit(links[0])
    assert (parts.scheme, parts.netloc, parts.path) == ("http", "testserver", ACCOUNTS[family])
    assert parse_qs(parts.query) == {"limit": ["3"], "after_id": [str(ids[2])]}
    assert links[1] is None


def test_a_last_page_that_is_exactly_full_has_no_next_link(family, staff_api, accounts):
    response = staff_api.get(f"{ACCOUNTS[family]}?limit=4")

    assert len(json.loads(body_of(response))) == 4
    assert not response.has_header("Link")


def test_a_page_larger_than_the_rest_has_no_next_link(family, staff_api, accounts):
    response = staff_api.get(f"{ACCOUNTS[family]}?limit=10000")

    assert len(json.loads(body_of(response))) == 4
    assert not response.has_header("Link")


def test_enrollment_pages_keep_the_filters_and_key_on_enrollment_id(family, staff_api, enrollments):
    first = staff_api.get(f"{ENROLLMENTS[family]}?course_id=course-v1:edX+DemoX+Demo_Course&limit=1&format=csv")

    first_rows = list(csv.reader(io.StringIO(body_of(first).decode())))
    link = next_link(first)
    query = parse_qs(urlsplit(link).query)
    assert query.pop("course_id") in ([DEMO], [DEMO.replace("+", " ")])  # the server repairs either
    assert query == {
        "limit": ["1"],
        "format": ["csv"],
        "after_id": [str(enrollments[("honor", DEMO)].pk)],
    }
    second = staff_api.get(link)
    second_rows = list(csv.reader(io.StringIO(body_of(second).decode())))
    assert [r[0] for r in first_rows[1:] + second_rows[1:]] == ["honor", "audit"]
    assert not second.has_header("Link")


def test_after_id_alone_streams_every_later_row(family, fetch, accounts):
    ids = sorted(accounts.values())

    status, body = fetch(f"{ACCOUNTS[family]}?after_id={ids[1]}")

    assert [item["id"] for item in body] == ids[2:]


BAD_PAGING = [
    ("limit=0", {"limit": ["Must be between 1 and 10000."]}),
    ("limit=10001", {"limit": ["Must be between 1 and 10000."]}),
    ("limit=-5", {"limit": ["Must be between 1 and 10000."]}),
    ("limit=ten", {"limit": ["A whole number is required."]}),
    ("limit=2.5", {"limit": ["A whole number is required."]}),
    ("after_id=-1", {"after_id": ["Must be at least 0."]}),
    ("after_id=abc", {"after_id": ["A whole number is required."]}),
    ("limit=99999999999999999999999", {"limit": ["Must be between 1 and 10000."]}),
]


@pytest.mark.parametrize(("query", "errors"), BAD_PAGING)
def test_paging_parameters_out_of_range_are_a_400(family, fetch, accounts, query, errors):
    for url in (ACCOUNTS[family], ENROLLMENTS[family]):
        assert fetch(f"{url}?{query}") == (400, errors)


@pytest.mark.parametrize("after_id", ["9223372036854775807", "9223372036854775808", "99999999999999999999999"])
def test_a_huge_after_id_is_an_empty_page_or_a_400_never_a_500(family, staff_api, enrollments, after_id):
    for url in (ACCOUNTS[family], ENROLLMENTS[family]):
        response = staff_api.get(f"{url}?after_id={after_id}")
        if response.status_code == 200:
            assert json.loads(body_of(response)) == []
        else:
            assert response.status_code == 400
            assert list(response.json()) == ["after_id"]


@pytest.mark.parametrize("value", ["a%00b", "%00"])
def test_a_nul_character_in_a_text_filter_is_an_empty_result_or_a_400_never_a_500(
    family, staff_api, enrollments, value
):
    # PostgreSQL refuses NUL in string literals; the error must not surface in the middle of a stream.
    for query in (f"username={value}", f"course_id=course-v1:edX%2BDemoX%2B{value}"):
        response = staff_api.get(f"{ENROLLMENTS[family]}?{query}")
        if response.status_code == 200:
            assert isinstance(json.loads(body_of(response)), list)
        else:
            assert response.status_code == 400, response.content


# --- Queries -----------------------------------------------------------------------------------


def test_the_query_count_does_not_grow_with_the_number_of_rows(family, staff_api, make_user, make_run):
    run = make_run(DEMO)

    def queries_for_listing() -> int:
        with CaptureQueriesContext(connection) as ctx:
            for url in (ACCOUNTS[family], ENROLLMENTS[family]):
                response = staff_api.get(url)
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
    status, body = fetch(f"{ENROLLMENTS['jitterbit']}?username=a%00b")

    assert (status, len(body)) == (200, 3)
