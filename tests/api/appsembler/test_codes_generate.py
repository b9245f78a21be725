"""Enrollment codes, generate: POST /appsembler_api/v0/enrollment-codes/generate (seed 001
"Enrollment Codes endpoints"; reference §2.8; ARCHITECTURE.md: codes are single-use): the count,
the course and the codes stored."""

from __future__ import annotations

import re

import pytest

from coursegate.codes.models import EnrollmentCode
from tests.api.appsembler.conftest import DEMO_COURSE, SUCCESS, enrollment_of, post_enroll_user

GENERATE = "/appsembler_api/v0/enrollment-codes/generate"

CODE_FORMAT = re.compile(r"^[A-Za-z0-9]{8}$")


def _generate(client, body):
    return client.post(GENERATE, body, format="json")


# --- generate ------------------------------------------------------------------------------------


def test_the_seed_example_generates_twenty_unique_stored_codes(staff_client, staff, demo_run):
    response = _generate(staff_client, {"course_id": DEMO_COURSE, "total_registration_codes": "20"})

    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"course_id", "codes", "course_url"}
    assert body["course_id"] == "course-v1:edX+DemoX+Demo_Course"
    assert body["course_url"] == "/courses/course-v1:edX+DemoX+Demo_Course/about"
    assert len(body["codes"]) == 20
    assert len(set(body["codes"])) == 20
    assert all(isinstance(code, str) and CODE_FORMAT.match(code) for code in body["codes"]), body["codes"]
    stored = EnrollmentCode.objects.filter(code__in=body["codes"])
    assert sorted(stored.values_list("code", flat=True)) == sorted(body["codes"])
    assert set(stored.values_list("course_run_id", "status", "created_by_id", "redeemed_by_id")) == {
        (demo_run.pk, EnrollmentCode.Status.VALID, staff.pk, None)
    }
    assert EnrollmentCode.objects.count() == 20


@pytest.mark.parametrize(
    ("count", "expected"),
    [(1, 1), (5, 5), ("7", 7), (" 3 ", 3), ("2.0", 2), (10_000, 10_000)],
    ids=[
        "integer 1",
        "integer 5",
        "numeric string",
        "numeric string with blanks",
        "integral decimal string",
        "the maximum 10000",
    ],
)
def test_the_count_may_be_an_integer_or_a_numeric_string(count, expected, staff_client, demo_run):
    response = _generate(staff_client, {"course_id": DEMO_COURSE, "total_registration_codes": count})

    assert response.status_code == 200, response.content
    codes = response.json()["codes"]
    assert len(codes) == expected
    assert len(set(codes)) == expected
    assert EnrollmentCode.objects.filter(course_run=demo_run).count() == expected


def test_codes_of_two_requests_are_all_distinct(staff_client, demo_run):
    first = _generate(staff_client, {"course_id": DEMO_COURSE, "total_registration_codes": 50}).json()["codes"]
    second = _generate(staff_client, {"course_id": DEMO_COURSE, "total_registration_codes": 50}).json()["codes"]

    assert len(set(first) | set(second)) == 100
    assert EnrollmentCode.objects.count() == 100


BAD_COUNTS = [
    ("zero", {"total_registration_codes": 0}),
    ("negative", {"total_registration_codes": -1}),
    ("one over the maximum", {"total_registration_codes": 10_001}),
    ("a string over the maximum", {"total_registration_codes": "10001"}),
    ("not a number", {"total_registration_codes": "abc"}),
    ("a fraction", {"total_registration_codes": "3.7"}),
    ("a JSON fraction", {"total_registration_codes": 3.7}),
    ("an empty string", {"total_registration_codes": ""}),
    ("null", {"total_registration_codes": None}),
    ("a list", {"total_registration_codes": [3]}),
    ("missing", {}),
]


@pytest.mark.parametrize(("case", "count"), BAD_COUNTS, ids=[c[0] for c in BAD_COUNTS])
def test_a_bad_count_is_a_400_naming_total_registration_codes(case, count, staff_client, demo_run):
    response = _generate(staff_client, {"course_id": DEMO_COURSE, **count})

    assert response.status_code == 400, response.content
    body = response.json()
    assert list(body) == ["total_registration_codes"]
    assert isinstance(body["total_registration_codes"], list)
    assert len(body["total_registration_codes"]) == 1
    assert isinstance(body["total_registration_codes"][0], str)
    assert EnrollmentCode.objects.count() == 0


def test_a_missing_count_says_the_field_is_required(staff_client, demo_run):
    response = _generate(staff_client, {"course_id": DEMO_COURSE})

    assert response.status_code == 400
    assert response.json() == {"total_registration_codes": ["This field is required."]}


def test_a_missing_course_id_is_a_400_naming_it(staff_client, demo_run):
    response = _generate(staff_client, {"total_registration_codes": "20"})

    assert response.status_code == 400
    assert response.json() == {"course_id": ["This field is required."]}
    assert EnrollmentCode.objects.count() == 0


@pytest.mark.parametrize(
    "course_id",
    ["course-v1:edX+DemoX+No_Such_Run", "course-v1:edX+DemoX+demo_course", "edX/DemoX/Demo_Course"],
    ids=["unknown run", "another letter case", "the legacy form of a run that exists only as course-v1"],
)
def test_an_unknown_course_is_a_404_and_generates_nothing(course_id, staff_client, demo_run):
    response = _generate(staff_client, {"course_id": course_id, "total_registration_codes": "20"})

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
    assert EnrollmentCode.objects.count() == 0


def test_codes_of_a_legacy_keyed_run_name_that_run(staff_client, make_run):
    run = make_run("edX/DemoX/Demo_Course")

    response = _generate(staff_client, {"course_id": "edX/DemoX/Demo_Course", "total_registration_codes": 2})

    assert response.status_code == 200
    body = response.json()
    assert body["course_id"] == "edX/DemoX/Demo_Course"
    assert body["course_url"] == "/courses/edX/DemoX/Demo_Course/about"
    assert EnrollmentCode.objects.filter(course_run=run).count() == 2


def test_generated_codes_enroll_through_enroll_user(staff_client, demo_run, learner):
    [code] = _generate(staff_client, {"course_id": DEMO_COURSE, "total_registration_codes": 1}).json()["codes"]

    response = post_enroll_user(staff_client, learner.email, code)

    assert response.status_code == 200
    assert response.json() == SUCCESS
    assert enrollment_of(learner, demo_run) == ("audit", True)
