"""GET /api/enrollment/v1/enrollment/{username},{course_id} and /enrollment/{course_id}
(reference §1.3, §6 cases 23-25; ARCHITECTURE.md: a missing enrollment answers 200 ``null``)."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.api.edx_enrollment.support import LEGACY, C, E

ENROLLMENT_FIELDS = {"created", "mode", "is_active", "course_details", "user"}


def _iso(value) -> str:
    return value.isoformat().replace("+00:00", "Z")


@pytest.mark.parametrize("path", [f"honor,{C}", C], ids=["with username", "own"])
def test_learner_reads_own_enrollment(client_for, learner, course, enroll, path):
    enrollment = enroll(learner, course, "audit")

    response = client_for(learner).get(f"{E}/enrollment/{path}")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == ENROLLMENT_FIELDS
    assert body["created"] == _iso(enrollment.created)
    assert body["mode"] == "audit"
    assert body["is_active"] is True
    assert body["user"] == "honor"
    assert body["course_details"] == APIClient().get(f"{E}/course/{C}").json()


@pytest.mark.parametrize(
    "path",
    [f"honor,{LEGACY}", LEGACY, "honor,Org%2FNum%2FRun", "Org%2FNum%2FRun"],
    ids=["with username", "own", "with username %-encoded", "own %-encoded"],
)
def test_learner_reads_an_enrollment_in_a_legacy_keyed_run(client_for, learner, make_run, enroll, path):
    enroll(learner, make_run(LEGACY), "audit")

    response = client_for(learner).get(f"{E}/enrollment/{path}")

    assert response.status_code == 200
    assert response.json()["course_details"]["course_id"] == LEGACY


def test_percent_encoded_new_form_key_finds_the_enrollment(client_for, learner, course, enroll):
    enroll(learner, course)

    response = client_for(learner).get(f"{E}/enrollment/honor,course-v1%3AOrg%2BNum%2BRun")

    assert response.status_code == 200
    assert response.json()["course_details"]["course_id"] == C


def test_an_inactive_enrollment_is_returned_with_is_active_false(client_for, learner, make_run, enroll):
    run = make_run(C, modes=["audit", "verified"])
    enroll(learner, run, "verified", is_active=False)

    response = client_for(learner).get(f"{E}/enrollment/{C}")

    assert response.status_code == 200
    assert response.json()["is_active"] is False
    assert response.json()["mode"] == "verified"


@pytest.mark.parametrize(
    "path",
    [f"honor,{C}", C, "honor,course-v1:Org+Num+Unknown"],
    ids=["with username", "own", "unknown course"],
)
def test_no_enrollment_answers_200_with_json_null(client_for, learner, course, path):
    response = client_for(learner).get(f"{E}/enrollment/{path}")

    assert response.status_code == 200
    assert response.content == b"null"


@pytest.mark.parametrize("other_is_enrolled", [True, False], ids=["other enrolled", "other not enrolled"])
def test_learner_asking_for_another_user_gets_404_with_an_empty_body(
    client_for, learner, other_learner, course, enroll, other_is_enrolled
):
    if other_is_enrolled:
        enroll(other_learner, course)

    response = client_for(learner).get(f"{E}/enrollment/audit,{C}")

    assert response.status_code == 404
    assert response.content == b""


def test_learner_asking_for_an_unknown_user_gets_404_with_an_empty_body(client_for, learner, course):
    response = client_for(learner).get(f"{E}/enrollment/nobody,{C}")

    assert response.status_code == 404
    assert response.content == b""


@pytest.mark.parametrize("kind", ["bearer", "jwt"])
def test_staff_reads_anyones_enrollment(client_for, staff, learner, course, enroll, kind):
    enroll(learner, course)

    response = client_for(staff, kind).get(f"{E}/enrollment/honor,{C}")

    assert response.status_code == 200
    assert response.json()["user"] == "honor"
    assert response.json()["mode"] == "audit"


def test_staff_reading_a_user_without_enrollment_gets_null(client_for, staff, learner, course):
    response = client_for(staff).get(f"{E}/enrollment/honor,{C}")

    assert response.status_code == 200
    assert response.content == b"null"


def test_usernames_with_dots_at_signs_plus_and_hyphens_are_routed(client_for, staff, make_user, course, enroll):
    user = make_user("jane.doe+x@y-z", email="jane@example.com")
    enroll(user, course)

    response = client_for(staff).get(f"{E}/enrollment/jane.doe+x@y-z,{C}")

    assert response.status_code == 200
    assert response.json()["user"] == "jane.doe+x@y-z"


@pytest.mark.parametrize(
    "path",
    ["honor,not-a-course", "not-a-course", "honor,a/b", "honor,course-v1:Org"],
    ids=["with username", "own", "two segments", "bare prefix"],
)
def test_a_malformed_course_id_answers_400_with_a_message(client_for, learner, path):
    response = client_for(learner).get(f"{E}/enrollment/{path}")

    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"message"}
    assert isinstance(body["message"], str) and body["message"]
