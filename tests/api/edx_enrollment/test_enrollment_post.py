"""POST /api/enrollment/v1/enrollment: enrolling yourself and bad input (reference §1.6; §6 cases
6-21 and 32, "key" read as staff). Other users and staff changes: test_enrollment_post_staff.py;
refused enrollments: test_enrollment_post_refused.py.

Bodies and statuses as ARCHITECTURE.md keeps them: 200 for a new and for an already active
enrollment, 400 ``{"message"}`` for bad input and refused enrollments, 403 for a paid mode asked
by a learner, 404 with an empty body when a learner names someone else, 406 for an unknown user.
"""

from __future__ import annotations

import json

import pytest

from coursegate.enrollments.models import Enrollment, EnrollmentHistory
from tests.api.edx_enrollment.support import ENROLL, C, E, enrollment_body, history_count, post_enrollment, stored

# --- enrolling yourself ----------------------------------------------------------------------


def test_learner_enrolls_in_the_default_audit_mode(client_for, learner, course):
    response = post_enrollment(client_for(learner), ENROLL)

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"created", "mode", "is_active", "course_details", "user"}
    assert body["mode"] == "audit"
    assert body["is_active"] is True
    assert body["user"] == "honor"
    assert body["course_details"]["course_id"] == C
    assert isinstance(body["created"], str) and body["created"].endswith("Z")
    assert stored(learner, course) == ("audit", True)
    [history] = EnrollmentHistory.objects.filter(enrollment__user=learner)
    assert (history.mode, history.is_active, history.actor_id, history.source) == ("audit", True, learner.pk, "edx_api")


def test_the_enrollment_answer_is_what_a_later_get_returns(client_for, learner, course):
    client = client_for(learner)

    posted = post_enrollment(client, ENROLL)

    assert client.get(f"{E}/enrollment/honor,{C}").content == posted.content


@pytest.mark.parametrize(
    ("modes", "expected"),
    [
        (["audit"], "audit"),
        (["honor"], "honor"),
        (["honor", "verified"], "honor"),
        (["verified", "honor", "audit"], "audit"),
        ([], "audit"),
    ],
    ids=["audit only", "honor only", "honor and verified", "audit among others", "no modes: platform default"],
)
def test_default_mode_is_audit_else_honor(client_for, learner, make_run, modes, expected):
    run = make_run(C, modes=modes)

    response = post_enrollment(client_for(learner), ENROLL)

    assert response.status_code == 200
    assert response.json()["mode"] == expected
    assert stored(learner, run) == (expected, True)


@pytest.mark.parametrize("mode", ["audit", "honor"])
def test_learner_may_choose_a_free_mode(client_for, learner, make_run, mode):
    run = make_run(C, modes=["audit", "honor", "verified"])

    response = post_enrollment(client_for(learner), enrollment_body(mode=mode))

    assert response.status_code == 200
    assert response.json()["mode"] == mode
    assert stored(learner, run) == (mode, True)


def test_the_seeds_example_body_enrolls_in_the_legacy_keyed_run(client_for, learner, make_run):
    run = make_run("edX/DemoX/Demo_Course", modes=["honor"])

    response = client_for(learner).post(
        f"{E}/enrollment",
        data='{\n    "course_details": {\n        "course_id": "edX/DemoX/Demo_Course"\n    }\n}',
        content_type="application/json",
    )

    assert response.status_code == 200
    assert response.json()["course_details"]["course_id"] == "edX/DemoX/Demo_Course"
    assert response.json()["mode"] == "honor"
    assert stored(learner, run) == ("honor", True)


@pytest.mark.parametrize("kind", ["bearer", "jwt"])
def test_repeating_an_enrollment_answers_the_same_bytes_and_changes_nothing(client_for, learner, course, kind):
    client = client_for(learner, kind)
    first = post_enrollment(client, ENROLL)
    history_after_first = history_count()

    second = post_enrollment(client, ENROLL)

    assert first.status_code == second.status_code == 200
    assert second.content == first.content
    assert history_count() == history_after_first == 1
    assert Enrollment.objects.count() == 1


def test_learner_asking_another_free_mode_while_enrolled_keeps_the_enrollment(client_for, learner, make_run, enroll):
    run = make_run(C, modes=["audit", "honor"])
    enroll(learner, run, "audit")

    response = post_enrollment(client_for(learner), enrollment_body(mode="honor"))

    assert response.status_code == 200
    assert response.json()["mode"] == "audit"
    assert stored(learner, run) == ("audit", True)
    assert history_count(learner) == 1


def test_learner_cannot_deactivate_an_active_enrollment(client_for, learner, course, enroll):
    enroll(learner, course)

    response = post_enrollment(client_for(learner), enrollment_body(is_active=False))

    assert response.status_code == 200
    assert response.json()["is_active"] is True
    assert stored(learner, course) == ("audit", True)
    assert history_count(learner) == 1


def test_learner_reactivates_an_inactive_enrollment(client_for, learner, course, enroll):
    inactive = enroll(learner, course, is_active=False)
    history_before = history_count(learner)

    response = post_enrollment(client_for(learner), ENROLL)

    assert response.status_code == 200
    assert response.json()["is_active"] is True
    assert response.json()["mode"] == "audit"
    assert list(Enrollment.objects.filter(user=learner).values_list("pk", "is_active")) == [(inactive.pk, True)]
    assert history_count(learner) == history_before + 1


# --- bad input -------------------------------------------------------------------------------

BAD_BODIES = [
    ({}, "Course ID must be specified to create a new enrollment."),
    ({"course_details": {}}, "Course ID must be specified to create a new enrollment."),
    ({"course_details": {"course_id": ""}}, "Course ID must be specified to create a new enrollment."),
    ({"course_details": C}, "Course ID must be specified to create a new enrollment."),
    ({"course_id": C}, "Course ID must be specified to create a new enrollment."),
    ({"course_details": {"course_id": "invalidcourse"}}, "No course 'invalidcourse' found for enrollment"),
    ({"course_details": {"course_id": "a/b"}}, "No course 'a/b' found for enrollment"),
    (
        {"course_details": {"course_id": "course-v1:Org+Num+Unknown"}},
        "No course 'course-v1:Org+Num+Unknown' found for enrollment",
    ),
    ({"course_details": {"course_id": "org/fake/course"}}, "No course 'org/fake/course' found for enrollment"),
    (enrollment_body(is_active="foo"), "'foo' is an invalid enrollment activation status."),
    (enrollment_body(is_active="true"), "'true' is an invalid enrollment activation status."),
    (enrollment_body(is_active=1), "'1' is an invalid enrollment activation status."),
    (enrollment_body(force_enrollment="yes"), "'yes' is an invalid force enrollment status."),
    (enrollment_body(force_enrollment=1), "'1' is an invalid force enrollment status."),
]


@pytest.mark.parametrize(
    ("body", "message"),
    BAD_BODIES,
    ids=[
        "empty",
        "no course id",
        "blank course id",
        "course_details not an object",
        "course_id at top level",
        "malformed course id",
        "two-segment course id",
        "unknown course",
        "unknown legacy course",
        "is_active foo",
        "is_active string true",
        "is_active number",
        "force_enrollment string",
        "force_enrollment number",
    ],
)
def test_bad_enrollment_requests_answer_400_with_the_contract_message(client_for, learner, course, body, message):
    response = post_enrollment(client_for(learner), body)

    assert response.status_code == 400
    assert response.json() == {"message": message}
    assert Enrollment.objects.count() == 0


def test_staff_sending_a_non_boolean_is_active_gets_400(client_for, staff, learner, course):
    response = post_enrollment(client_for(staff), enrollment_body(user="honor", is_active="foo"))

    assert response.status_code == 400
    assert response.json() == {"message": "'foo' is an invalid enrollment activation status."}
    assert stored(learner, course) is None


@pytest.mark.parametrize("missing", ["namespace", "name", "value"])
def test_an_incomplete_enrollment_attribute_answers_400(client_for, learner, course, missing):
    attribute = {"namespace": "credit", "name": "provider_id", "value": "hogwarts"}
    del attribute[missing]

    response = post_enrollment(client_for(learner), enrollment_body(enrollment_attributes=[attribute]))

    assert response.status_code == 400
    message = f"'{missing}' not in enrollment attribute"
    assert response.json() == {"message": message, "localizedMessage": message}


RAW_BODIES = [
    ("{bad json", "application/json", 400),
    ('{"course_details": {"course_id": "' + C + '"}', "application/json", 400),
    ("[]", "application/json", 400),
    (json.dumps([ENROLL]), "application/json", 400),
    ("null", "application/json", 400),
    ("1", "application/json", 400),
    ('"course-v1:Org+Num+Run"', "application/json", 400),
    ("course_id=" + C, "text/plain", 415),
]


@pytest.mark.parametrize(
    ("raw", "content_type", "status"),
    RAW_BODIES,
    ids=[
        "malformed json",
        "truncated json",
        "empty array",
        "array of bodies",
        "null",
        "number",
        "string",
        "unsupported media type",
    ],
)
def test_unparseable_or_non_object_bodies_answer_a_message_never_500(
    client_for, learner, course, raw, content_type, status
):
    response = client_for(learner).post(f"{E}/enrollment", data=raw, content_type=content_type)

    assert response.status_code == status
    body = response.json()
    assert set(body) == {"message"}
    assert isinstance(body["message"], str) and body["message"]
    assert Enrollment.objects.count() == 0
