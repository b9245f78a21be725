"""GET /api/enrollment/v1/course/{course_id}[?include_expired=1] (reference §1.4, §6 cases 1-4)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from tests.api.edx_enrollment.support import LEGACY, C, E

COURSE_FIELDS = {
    "course_id",
    "course_name",
    "enrollment_start",
    "enrollment_end",
    "course_start",
    "course_end",
    "invite_only",
    "course_modes",
    "pacing_type",
}
MODE_FIELDS = {
    "slug",
    "name",
    "min_price",
    "suggested_prices",
    "currency",
    "expiration_datetime",
    "description",
    "sku",
    "bulk_sku",
}
DEFAULT_AUDIT_MODE = {
    "slug": "audit",
    "name": "Audit",
    "min_price": 0,
    "suggested_prices": [],
    "currency": "usd",
    "expiration_datetime": None,
    "description": None,
    "sku": None,
    "bulk_sku": None,
}


def _at(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def _get(path: str):
    return APIClient().get(f"{E}/course/{path}")


def test_course_details_show_every_field_of_the_run_and_its_modes(make_run):
    make_run(
        C,
        title="Demonstration Course",
        modes=[
            "audit",
            (
                "verified",
                {
                    "min_price": 49,
                    "suggested_prices": [49, 99],
                    "currency": "eur",
                    "expiration_datetime": _at(2999, 1, 2, 3, 4, 5),
                    "description": "Get a certificate",
                    "sku": "SKU-V",
                    "bulk_sku": "BULK-V",
                },
            ),
        ],
        start=_at(2015, 1, 2, 3, 4, 5),
        end=_at(2015, 6, 30, 5, 0, 0),
        enrollment_start=_at(2015, 1, 1, 5, 0, 0),
        enrollment_end=_at(2015, 2, 13, 5, 0, 0),
        invite_only=False,
        pacing="self",
    )

    response = _get(C)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "course_id": C,
        "course_name": "Demonstration Course",
        "enrollment_start": "2015-01-01T05:00:00Z",
        "enrollment_end": "2015-02-13T05:00:00Z",
        "course_start": "2015-01-02T03:04:05Z",
        "course_end": "2015-06-30T05:00:00Z",
        "invite_only": False,
        "course_modes": [
            {
                "slug": "audit",
                "name": "Audit",
                "min_price": 0,
                "suggested_prices": [],
                "currency": "usd",
                "expiration_datetime": None,
                "description": None,
                "sku": None,
                "bulk_sku": None,
            },
            {
                "slug": "verified",
                "name": "Verified Certificate",
                "min_price": 49,
                "suggested_prices": [49, 99],
                "currency": "eur",
                "expiration_datetime": "2999-01-02T03:04:05Z",
                "description": "Get a certificate",
                "sku": "SKU-V",
                "bulk_sku": "BULK-V",
            },
        ],
        "pacing_type": "Self Paced",
    }


def test_course_details_of_a_run_without_dates_have_nulls_and_json_types(make_run):
    make_run(C, invite_only=True)

    body = _get(C).json()

    assert set(body) == COURSE_FIELDS
    assert body["course_start"] is None
    assert body["course_end"] is None
    assert body["enrollment_start"] is None
    assert body["enrollment_end"] is None
    assert body["invite_only"] is True
    assert body["pacing_type"] == "Instructor Paced"
    assert isinstance(body["course_name"], str)
    [mode] = body["course_modes"]
    assert set(mode) == MODE_FIELDS
    assert isinstance(mode["min_price"], int)
    assert isinstance(mode["suggested_prices"], list)


@pytest.mark.parametrize(
    ("key", "path"),
    [
        (C, C),
        (C, "course-v1%3AOrg%2BNum%2BRun"),
        (C, "course-v1:Org%2BNum%2BRun"),
        (LEGACY, LEGACY),
        (LEGACY, "Org%2FNum%2FRun"),
        ("course-v1:My.Org-1+CS_101+2T2024", "course-v1:My.Org-1+CS_101+2T2024"),
        ("edX/DemoX/Demo_Course", "edX/DemoX/Demo_Course"),
    ],
    ids=[
        "new form",
        "new form %-encoded",
        "new form with encoded plus",
        "legacy form",
        "legacy form %-encoded",
        "dots hyphens underscores",
        "seed's legacy key",
    ],
)
def test_course_details_accept_both_key_forms_plain_and_percent_encoded(make_run, key, path):
    make_run(key)

    response = _get(path)

    assert response.status_code == 200, response.content
    assert response.json()["course_id"] == key


def test_a_run_without_modes_lists_the_default_audit_mode(make_run):
    make_run(C, modes=())

    response = _get(C)

    assert response.status_code == 200
    assert response.json()["course_modes"] == [DEFAULT_AUDIT_MODE]


@pytest.mark.parametrize(
    ("query", "expected_slugs"),
    [
        ("", ["honor"]),
        ("?include_expired=1", ["honor", "verified"]),
        ("?include_expired=true", ["honor", "verified"]),
        ("?include_expired=True", ["honor", "verified"]),
        ("?include_expired=0", ["honor"]),
        ("?include_expired=false", ["honor"]),
        ("?include_expired=", ["honor"]),
    ],
    ids=["default", "1", "true", "True", "0", "false", "empty"],
)
def test_expired_modes_are_hidden_unless_include_expired_is_asked(make_run, query, expected_slugs):
    make_run(C, modes=["honor", ("verified", {"expiration_datetime": _at(1970, 1, 1)})])

    response = _get(f"{C}{query}")

    assert response.status_code == 200
    assert [mode["slug"] for mode in response.json()["course_modes"]] == expected_slugs


def test_expired_mode_shows_its_expiration_date_when_included(make_run):
    make_run(C, modes=["honor", ("verified", {"expiration_datetime": _at(1970, 1, 1)})])

    modes = _get(f"{C}?include_expired=1").json()["course_modes"]

    assert modes[1]["expiration_datetime"] == "1970-01-01T00:00:00Z"


def test_a_mode_expiring_in_the_future_is_listed(make_run):
    make_run(C, modes=["honor", ("verified", {"expiration_datetime": timezone.now() + timedelta(days=1)})])

    assert [mode["slug"] for mode in _get(C).json()["course_modes"]] == ["honor", "verified"]


@pytest.mark.parametrize(
    "course_id",
    ["org/fake/course", "course-v1:Org+Num+Missing", "not-a-course-key", "a/b", "course-v1:Org", "Org/Num/Run/Extra"],
    ids=["unknown legacy", "unknown new form", "malformed", "two segments", "bare prefix", "four segments"],
)
def test_an_unknown_or_malformed_course_answers_400_naming_it(course_id, course):
    response = _get(course_id)

    assert response.status_code == 400
    assert response.json() == {"message": f"No course found for course ID '{course_id}'"}
