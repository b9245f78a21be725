"""The analytics batch endpoints' date filters, on both of their paths (seed 001 "Analytics
Endpoints", seed 000; issue 3).

Date semantics are ARCHITECTURE.md's ("Analytics"): dates or date-times, date-only = midnight
UTC, explicit offsets honoured, ``updated_min`` inclusive, ``updated_max`` exclusive except that a
date-only ``updated_max`` covers its whole day, ``update_min`` accepted, never a 500. Accounts filter
on ``date_joined``, enrollments on the enrollment's creation.
"""

from __future__ import annotations

import pytest

from coursegate.accounts.models import User
from coursegate.enrollments.models import Enrollment, Source
from coursegate.enrollments.services import enrollment_upsert
from tests.api.appsembler.conftest import ACCOUNTS, DATE_MESSAGE, DEMO_COURSE, ENROLLMENTS, set_created, utc

pytestmark = pytest.mark.django_db

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
    run = make_run(DEMO_COURSE)
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
