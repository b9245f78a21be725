"""GET /api/jitterbit/v1/accounts/batch and /api/jitterbit/v1/enrollment/batch (seed 000; reference §3;
issue 3: "The Jitterbit paths are the same views").

The behaviour shared with the Appsembler analytics paths (filters, dates, formats, pages) is
tested on both paths in tests/api/appsembler/test_analytics.py; here: the seed's own example calls,
the byte-for-byte sameness of the two families, what Jitterbit does not have (``username``), and
the routes. Authentication and permissions: tests/api/appsembler/test_permissions.py.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from coursegate.accounts.models import User
from coursegate.enrollments.models import Enrollment, Source
from coursegate.enrollments.services import enrollment_upsert

pytestmark = pytest.mark.django_db

J = "/api/jitterbit/v1"
A = "/appsembler_api/v0/analytics"
COURSE = "course-v1:edx+DemoX101+2017"
OTHER = "course-v1:edX+DemoX+Demo_Course"


def utc(*parts) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.fixture
def staff_api(staff, client_for):
    return client_for(staff)


@pytest.fixture
def data(staff, make_user, make_run):
    """Accounts joined, and enrollments created, around the seed's example dates."""
    User.objects.filter(pk=staff.pk).update(date_joined=utc(2014, 1, 1))
    course, other = make_run(COURSE), make_run(OTHER)
    joined = {"annewuser": utc(2015, 12, 1), "newtest": utc(2015, 12, 12), "honor": utc(2016, 2, 1)}
    for username, when in joined.items():
        user = make_user(username)
        User.objects.filter(pk=user.pk).update(date_joined=when)
        for run in (course, other):
            enrollment = enrollment_upsert(user=user, course_run=run, source=Source.ADMIN).enrollment
            Enrollment.objects.filter(pk=enrollment.pk).update(created=when)
    enrollment_upsert(
        user=User.objects.get(username="newtest"),
        course_run=other,
        is_active=False,
        source=Source.ADMIN,
        privileged=True,
    )


def listing(client, url: str) -> list[dict]:
    response = client.get(url)
    assert response.status_code == 200, response.content
    assert response.streaming is True
    return json.loads(b"".join(response.streaming_content))


SEED_CALLS = [
    # the seed's example call (its third accounts call lacks the api/jitterbit prefix: a slip), the rows
    (f"{J}/accounts/batch", ["staff", "annewuser", "newtest", "honor"]),
    (f"{J}/accounts/batch?updated_min=2015-12-09T00:00:00Z", ["newtest", "honor"]),
    (f"{J}/accounts/batch?updated_min=2015-12-09T00:00:00Z&updated_max=2015-12-19", ["newtest"]),
    (
        f"{J}/enrollment/batch",
        [
            ("annewuser", COURSE),
            ("annewuser", OTHER),
            ("newtest", COURSE),
            ("newtest", OTHER),
            ("honor", COURSE),
            ("honor", OTHER),
        ],
    ),
    (
        f"{J}/enrollment/batch?course_id=course-v1%3Aedx%2BDemoX101%2B2017",
        [("annewuser", COURSE), ("newtest", COURSE), ("honor", COURSE)],
    ),
    (f"{J}/enrollment/batch?course_id=course-v1%3Aedx%2BDemoX101%2B2017&update_min=2016-01-07", [("honor", COURSE)]),
]


@pytest.mark.parametrize(("url", "rows"), SEED_CALLS)
def test_the_seeds_example_calls_work_verbatim(staff_api, data, url, rows):
    body = listing(staff_api, url)

    if "/accounts/" in url:
        assert [item["username"] for item in body] == rows
        assert all(list(item) == ["username", "date_joined", "is_active", "id", "email"] for item in body)
    else:
        assert [(item["username"], item["course_id"]) for item in body] == rows
        assert all(
            list(item) == ["username", "course_id", "user_id", "enrollment_id", "date_enrolled"] for item in body
        )


def test_enrollment_items_are_exact_and_carry_no_certificate(staff_api, data):
    enrollment = Enrollment.objects.get(user__username="honor", course_run__key=COURSE)

    body = listing(staff_api, f"{J}/enrollment/batch?course_id=course-v1%3Aedx%2BDemoX101%2B2017&update_min=2016-01-07")

    assert body == [
        {
            "username": "honor",
            "course_id": COURSE,
            "user_id": enrollment.user_id,
            "enrollment_id": enrollment.pk,
            "date_enrolled": "2016-02-01T00:00:00Z",
        }
    ]


def test_the_username_parameter_is_not_a_jitterbit_filter(staff_api, data):
    everything = listing(staff_api, f"{J}/enrollment/batch")

    assert listing(staff_api, f"{J}/enrollment/batch?username=honor") == everything
    assert listing(staff_api, f"{J}/enrollment/batch?username=nobody") == everything
    assert len(everything) == 6


SHARED_QUERIES = [
    "",
    "?updated_min=2015-12-09",
    "?updated_min=2015-12-09T00:00:00-05:00&updated_max=2015-12-19",
    "?update_min=2016-01-07",
    "?course_id=course-v1:edX+DemoX+Demo_Course",
    "?course_id=course-v1%3Aedx%2BDemoX101%2B2017",
    "?limit=2",
    "?limit=2&after_id=2",
    "?format=csv",
    "?format=ndjson",
]


@pytest.mark.parametrize("query", SHARED_QUERIES)
@pytest.mark.parametrize("endpoint", ["accounts", "enrollment"])
def test_a_jitterbit_answer_is_byte_for_byte_the_appsembler_answer(staff_api, data, endpoint, query):
    jitterbit = staff_api.get(f"{J}/{endpoint}/batch{query}")
    appsembler = staff_api.get(f"{A}/{endpoint}/batch{query}")

    assert jitterbit.status_code == appsembler.status_code == 200
    assert jitterbit["Content-Type"] == appsembler["Content-Type"]
    assert b"".join(jitterbit.streaming_content) == b"".join(appsembler.streaming_content)
    if jitterbit.has_header("Link"):
        assert jitterbit["Link"].replace(J, A, 1) == appsembler["Link"]
    else:
        assert not appsembler.has_header("Link")


@pytest.mark.parametrize(
    ("endpoint", "query"),
    [
        (endpoint, query)
        for endpoint in ("accounts", "enrollment")
        for query in ("?updated_min=junk", "?updated_max=2015-12-32", "?limit=0", "?after_id=x")
    ]
    + [("enrollment", "?course_id=nope")],
)
def test_a_jitterbit_error_is_the_appsembler_error(staff_api, data, endpoint, query):
    jitterbit = staff_api.get(f"{J}/{endpoint}/batch{query}")
    appsembler = staff_api.get(f"{A}/{endpoint}/batch{query}")

    assert jitterbit.status_code == appsembler.status_code == 400
    assert jitterbit.json() == appsembler.json()


@pytest.mark.parametrize("path", [f"{J}/accounts/batch/", f"{J}/enrollment/batch/"])
def test_a_trailing_slash_is_accepted(staff_api, data, path):
    assert isinstance(listing(staff_api, path), list)


@pytest.mark.parametrize("path", [f"{J}/enrollments/batch", f"{J}/accounts", f"{J}/v1/accounts/batch"])
def test_other_paths_are_a_json_404(staff_api, path):
    response = staff_api.get(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_batch_endpoints_are_read_only(staff_api, data, method):
    response = getattr(staff_api, method)(f"{J}/enrollment/batch", {}, format="json")

    assert response.status_code == 405
    assert response.json() == {"detail": f'Method "{method.upper()}" not allowed.'}
    assert Enrollment.objects.count() == 6
