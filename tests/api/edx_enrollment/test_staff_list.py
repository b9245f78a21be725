"""GET /api/enrollment/v1/enrollments — staff listing (reference §1.7, §6 case 31)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode, urlsplit

import pytest

from coursegate.courses.models import Course, CourseRun
from coursegate.enrollments.models import Enrollment
from tests.api.edx_enrollment.support import LEGACY, C, E

ITEM_FIELDS = {"created", "mode", "is_active", "user", "course_id"}


@pytest.fixture
def population(staff, learner, other_learner, make_run, enroll):
    """honor: C (verified, active), LEGACY (audit, inactive); audit: C (audit, active)."""
    run = make_run(C, modes=["audit", "verified"])
    legacy = make_run(LEGACY)
    enroll(learner, run, "verified")
    enroll(learner, legacy, is_active=False)
    enroll(other_learner, run, "audit")
    base = datetime(2024, 1, 1, tzinfo=UTC)
    for offset, (user, r) in enumerate([(learner, run), (learner, legacy), (other_learner, run)]):
        Enrollment.objects.filter(user=user, course_run=r).update(created=base + timedelta(days=offset))
    return run, legacy


def _items(response) -> list[tuple]:
    return [(i["user"], i["course_id"], i["mode"], i["is_active"]) for i in response.json()["results"]]


def test_staff_list_shows_every_enrollment_newest_first_including_inactive(client_for, staff, population):
    response = client_for(staff).get(f"{E}/enrollments")

    assert response.status_code == 200
    body = response.json()
    assert body == {
        "next": None,
        "previous": None,
        "results": [
            {"created": "2024-01-03T00:00:00Z", "mode": "audit", "is_active": True, "user": "audit", "course_id": C},
            {
                "created": "2024-01-02T00:00:00Z",
                "mode": "audit",
                "is_active": False,
                "user": "honor",
                "course_id": LEGACY,
            },
            {"created": "2024-01-01T00:00:00Z", "mode": "verified", "is_active": True, "user": "honor", "course_id": C},
        ],
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (urlencode({"course_id": C}), [("audit", C), ("honor", C)]),
        ("course_id=course-v1:Org%2BNum%2BRun", [("audit", C), ("honor", C)]),
        (f"course_id={LEGACY}", [("honor", LEGACY)]),
        ("username=honor", [("honor", LEGACY), ("honor", C)]),
        ("username=honor,audit", [("audit", C), ("honor", LEGACY), ("honor", C)]),
        ("username=audit,nobody", [("audit", C)]),
        ("email=audit@example.com", [("audit", C)]),
        ("email=honor@example.com,audit@example.com", [("audit", C), ("honor", LEGACY), ("honor", C)]),
        (f"course_id={LEGACY}&username=audit", []),
        (urlencode({"course_id": C, "username": "honor"}), [("honor", C)]),
        ("course_id=a/b/c", []),
        (urlencode({"course_id": "course-v1:Org+Num+Unknown"}), []),
        ("username=nobody", []),
        ("email=nobody@example.com", []),
    ],
    ids=[
        "course",
        "course with only the plus encoded",
        "legacy course",
        "one username",
        "two usernames",
        "known and unknown username",
        "one email",
        "two emails",
        "course and username disjoint",
        "course and username",
        "unknown legacy course",
        "unknown course",
        "unknown username",
        "unknown email",
    ],
)
def test_staff_list_filters(client_for, staff, population, query, expected):
    response = client_for(staff).get(f"{E}/enrollments?{query}")

    assert response.status_code == 200
    assert [(user, course_id) for user, course_id, *_ in _items(response)] == expected
    assert response.json()["next"] is None


@pytest.mark.parametrize(
    ("query", "field_errors"),
    [
        ("course_id=1", {"course_id": {"developer_message": "'1' is not a valid course id."}}),
        ("course_id=not-a-key", {"course_id": {"developer_message": "'not-a-key' is not a valid course id."}}),
        (
            "username=" + ",".join(f"user{i}" for i in range(101)),
            {
                "username": {
                    "developer_message": "Too many usernames in a single request - 101. A maximum of 100 is allowed"
                }
            },
        ),
    ],
    ids=["numeric course id", "malformed course id", "101 usernames"],
)
def test_staff_list_rejects_bad_filters_with_field_errors(client_for, staff, population, query, field_errors):
    response = client_for(staff).get(f"{E}/enrollments?{query}")

    assert response.status_code == 400
    assert response.json() == {"field_errors": field_errors}


def test_one_hundred_usernames_are_accepted(client_for, staff, population):
    usernames = ",".join(["honor"] + [f"user{i}" for i in range(99)])

    response = client_for(staff).get(f"{E}/enrollments?username={usernames}")

    assert response.status_code == 200
    assert len(response.json()["results"]) == 2


def test_items_have_the_contract_fields_and_types(client_for, staff, population):
    item = client_for(staff).get(f"{E}/enrollments").json()["results"][0]

    assert set(item) == ITEM_FIELDS
    assert isinstance(item["created"], str)
    assert isinstance(item["mode"], str)
    assert isinstance(item["is_active"], bool)
    assert isinstance(item["user"], str)
    assert isinstance(item["course_id"], str)


def _bulk_population(users, count: int) -> None:
    """``count`` enrollments spread over ``users`` and as many runs, one creation second apart."""
    course = Course.objects.create(key="Org+Bulk", org="Org")
    runs = CourseRun.objects.bulk_create(
        CourseRun(key=f"course-v1:Org+Bulk+R{i:03d}", course=course, title=f"R{i}") for i in range(count)
    )
    base = datetime(2024, 1, 1, tzinfo=UTC)
    Enrollment.objects.bulk_create(
        Enrollment(
            user=users[i % len(users)],
            course_run=run,
            mode="audit",
            is_active=i % 3 != 0,
            created=base + timedelta(seconds=i),
            modified=base,
        )
        for i, run in enumerate(runs)
    )


def test_cursor_pages_walk_every_enrollment_once_in_order(client_for, staff, learner, other_learner):
    _bulk_population([learner, other_learner], 230)
    client = client_for(staff)

    pages, url = [], f"{E}/enrollments"
    while url:
        response = client.get(url)
        assert response.status_code == 200
        pages.append(response.json())
        next_url = response.json()["next"]
        url = None if next_url is None else f"{urlsplit(next_url).path}?{urlsplit(next_url).query}"

    assert [len(page["results"]) for page in pages] == [100, 100, 30]
    assert pages[0]["previous"] is None
    assert pages[1]["previous"] is not None
    seen = [item["course_id"] for page in pages for item in page["results"]]
    assert seen == [f"course-v1:Org+Bulk+R{i:03d}" for i in reversed(range(230))]
    assert sum(1 for page in pages for item in page["results"] if not item["is_active"]) == 77


def test_cursor_paging_keeps_the_filters(client_for, staff, learner, other_learner):
    _bulk_population([learner, other_learner], 230)
    client = client_for(staff)

    first = client.get(f"{E}/enrollments?username=honor").json()
    next_url = urlsplit(first["next"])
    second = client.get(f"{next_url.path}?{next_url.query}").json()

    assert len(first["results"]) == 100
    assert len(second["results"]) == 15
    assert second["next"] is None
    assert {item["user"] for item in first["results"] + second["results"]} == {"honor"}


def test_a_tampered_cursor_does_not_crash(client_for, staff, population):
    response = client_for(staff).get(f"{E}/enrollments?cursor=not-a-cursor")

    assert response.status_code == 404
    assert response.json() == {"message": "Invalid cursor"}


# Authentication (token + user), then one page of enrollments with their users and runs.
STAFF_LIST_QUERIES = 2


@pytest.mark.parametrize("count", [3, 60])
def test_staff_list_costs_a_constant_number_of_queries(
    client_for, staff, learner, other_learner, django_assert_num_queries, count
):
    _bulk_population([learner, other_learner], count)
    client = client_for(staff)

    with django_assert_num_queries(STAFF_LIST_QUERIES):
        response = client.get(f"{E}/enrollments")

    assert len(response.json()["results"]) == count


def test_staff_list_with_filters_costs_the_same_number_of_queries(
    client_for, staff, learner, other_learner, django_assert_num_queries
):
    _bulk_population([learner, other_learner], 20)
    client = client_for(staff)

    with django_assert_num_queries(STAFF_LIST_QUERIES):
        response = client.get(f"{E}/enrollments?username=honor,audit&email=honor@example.com")

    assert len(response.json()["results"]) == 10
