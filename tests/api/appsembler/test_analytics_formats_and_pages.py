"""The analytics batch endpoints' formats and keyset pages, on both of their paths (seed 001
"Analytics Endpoints", seed 000; issue 3).

Bodies are streamed: one JSON array by default, CSV or NDJSON on request (errors are JSON
whatever was asked for), keyset pages with ``limit`` and ``after_id`` linked by a ``Link:
rel="next"`` header; paging parameters out of range are a 400, never a 500.
"""

from __future__ import annotations

import csv
import io
import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.api.appsembler.conftest import (
    ACCOUNT_KEYS,
    ACCOUNTS,
    APP_COURSE,
    DATE_MESSAGE,
    DEMO_COURSE,
    ENROLLMENTS,
    body_of,
    enrollment_item,
)

pytestmark = pytest.mark.django_db


# --- Formats -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "headers"),
    [("?format=csv", {}), ("", {"HTTP_ACCEPT": "text/csv"}), ("?format=csv", {"HTTP_ACCEPT": "application/json"})],
    ids=["format=csv", "Accept: text/csv", "format wins over Accept"],
)
def test_accounts_batch_as_csv_has_a_header_line_and_one_line_per_account(
    family, staff_client, accounts, query, headers
):
    response = staff_client.get(f"{ACCOUNTS[family]}{query}", **headers)

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


def test_enrollment_batch_as_csv(family, staff_client, enrollments):
    response = staff_client.get(f"{ENROLLMENTS[family]}?format=csv&course_id=course-v1:edX+DemoX+Demo_Course")

    assert response.status_code == 200
    honor, audit = enrollments[("honor", DEMO_COURSE)], enrollments[("audit", DEMO_COURSE)]
    assert body_of(response).decode() == (
        "username,course_id,user_id,enrollment_id,date_enrolled\r\n"
        f"honor,{DEMO_COURSE},{honor.user_id},{honor.pk},2016-05-23T16:17:07.585000Z\r\n"
        f"audit,{DEMO_COURSE},{audit.user_id},{audit.pk},2016-05-23T16:17:11Z\r\n"
    )


def test_csv_of_an_empty_result_is_the_header_line_alone(family, staff_client, accounts):
    response = staff_client.get(f"{ACCOUNTS[family]}?format=csv&updated_min=2030-01-01")

    assert body_of(response) == b"username,date_joined,is_active,id,email\r\n"


@pytest.mark.parametrize(
    ("query", "headers"),
    [("", {"HTTP_ACCEPT": "application/x-ndjson"}), ("?format=ndjson", {})],
    ids=["Accept: application/x-ndjson", "format=ndjson"],
)
def test_enrollment_batch_as_ndjson_is_one_json_object_per_line(family, staff_client, enrollments, query, headers):
    response = staff_client.get(f"{ENROLLMENTS[family]}{query}", **headers)

    assert response.status_code == 200
    assert response.streaming is True
    assert response["Content-Type"] == "application/x-ndjson"
    lines = body_of(response).decode().split("\n")
    assert lines[-1] == ""
    assert [json.loads(line) for line in lines[:-1]] == [
        enrollment_item(enrollments, "honor", DEMO_COURSE, "2016-05-23T16:17:07.585000Z"),
        enrollment_item(enrollments, "audit", DEMO_COURSE, "2016-05-23T16:17:11Z"),
        enrollment_item(enrollments, "honor", APP_COURSE, "2016-06-01T08:00:00Z"),
    ]


@pytest.mark.parametrize("accept", ["text/csv", "application/x-ndjson"])
def test_errors_are_json_whatever_format_was_asked_for(family, staff_client, accounts, accept):
    response = staff_client.get(f"{ACCOUNTS[family]}?updated_min=junk", HTTP_ACCEPT=accept)

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


def test_accounts_pages_follow_the_next_links_until_the_last_page(family, staff_client, accounts):
    ids = sorted(accounts.values())
    url = f"{ACCOUNTS[family]}?limit=3"
    pages, links = [], []

    while url:
        response = staff_client.get(url)
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


def test_a_last_page_that_is_exactly_full_has_no_next_link(family, staff_client, accounts):
    response = staff_client.get(f"{ACCOUNTS[family]}?limit=4")

    assert len(json.loads(body_of(response))) == 4
    assert not response.has_header("Link")


def test_a_page_larger_than_the_rest_has_no_next_link(family, staff_client, accounts):
    response = staff_client.get(f"{ACCOUNTS[family]}?limit=10000")

    assert len(json.loads(body_of(response))) == 4
    assert not response.has_header("Link")


def test_enrollment_pages_keep_the_filters_and_key_on_enrollment_id(family, staff_client, enrollments):
    first = staff_client.get(f"{ENROLLMENTS[family]}?course_id=course-v1:edX+DemoX+Demo_Course&limit=1&format=csv")

    first_rows = list(csv.reader(io.StringIO(body_of(first).decode())))
    link = next_link(first)
    query = parse_qs(urlsplit(link).query)
    assert query.pop("course_id") in ([DEMO_COURSE], [DEMO_COURSE.replace("+", " ")])  # the server repairs either
    assert query == {
        "limit": ["1"],
        "format": ["csv"],
        "after_id": [str(enrollments[("honor", DEMO_COURSE)].pk)],
    }
    second = staff_client.get(link)
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
def test_a_huge_after_id_is_an_empty_page_or_a_400_never_a_500(family, staff_client, enrollments, after_id):
    for url in (ACCOUNTS[family], ENROLLMENTS[family]):
        response = staff_client.get(f"{url}?after_id={after_id}")
        if response.status_code == 200:
            assert json.loads(body_of(response)) == []
        else:
            assert response.status_code == 400
            assert list(response.json()) == ["after_id"]


@pytest.mark.parametrize("value", ["a%00b", "%00"])
def test_a_nul_character_in_a_text_filter_is_an_empty_result_or_a_400_never_a_500(
    family, staff_client, enrollments, value
):
    # PostgreSQL refuses NUL in string literals; the error must not surface in the middle of a stream.
    for query in (f"username={value}", f"course_id=course-v1:edX%2BDemoX%2B{value}"):
        response = staff_client.get(f"{ENROLLMENTS[family]}?{query}")
        if response.status_code == 200:
            assert isinstance(json.loads(body_of(response)), list)
        else:
            assert response.status_code == 400, response.content


@pytest.mark.parametrize("query", ["", "?format=csv", "?format=ndjson", "?updated_min=2016-05-23T16:17:08Z"])
@pytest.mark.parametrize("endpoint", ["accounts", "enrollments"])
def test_a_whole_list_is_byte_for_byte_the_single_page_of_it(family, staff_client, enrollments, endpoint, query):
    # On PostgreSQL a whole list is formatted by the database, a page by the Python renderer:
    # one page holding every row is the same body.
    url = (ACCOUNTS if endpoint == "accounts" else ENROLLMENTS)[family]
    separator = "&" if query else "?"

    whole = staff_client.get(f"{url}{query}")
    page = staff_client.get(f"{url}{query}{separator}limit=10000")

    assert whole.status_code == page.status_code == 200
    assert whole["Content-Type"] == page["Content-Type"]
    assert body_of(whole) == body_of(page)
    assert not page.has_header("Link")
