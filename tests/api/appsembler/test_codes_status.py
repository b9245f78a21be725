"""Enrollment codes, status: POST /appsembler_api/v0/enrollment-codes/status (seed 001 "Enrollment
Codes endpoints"; reference §2.10; ARCHITECTURE.md: codes are single-use, bodies
``{"success": "true"}`` / ``{"success": "false", "reason": ...}``): cancelling and restoring
codes, used or not, and bad actions."""

from __future__ import annotations

import pytest

from coursegate.codes.models import EnrollmentCode
from coursegate.enrollments.models import EnrollmentHistory, Source
from coursegate.enrollments.services import enrollment_upsert
from tests.api.appsembler.conftest import (
    CODE_ERROR,
    STATUS,
    SUCCESS,
    code_row,
    enrollment_of,
    is_unused,
    new_code,
    post_enroll_user,
    post_status,
)

# --- status --------------------------------------------------------------------------------------------


@pytest.fixture
def redeemed(staff_client, demo_run, learner):
    """A code of the demo run redeemed by the learner through the API."""
    code = new_code(demo_run)
    assert post_enroll_user(staff_client, learner.email, code).json() == SUCCESS
    return code


def test_cancelling_a_redeemed_code_unenrolls_the_learner_and_the_code_is_dead(
    staff_client, staff, demo_run, learner, other_learner, redeemed
):
    response = post_status(staff_client, redeemed, "cancel")

    assert response.status_code == 200
    assert response.json() == SUCCESS
    assert enrollment_of(learner, demo_run) == ("audit", False)
    assert list(
        EnrollmentHistory.objects.filter(enrollment__user=learner).values_list("source", "is_active", "actor_id")
    ) == [(Source.ENROLLMENT_CODE, True, staff.pk), (Source.ENROLLMENT_CODE, False, staff.pk)]
    row = code_row(redeemed)
    assert (row.status, row.redeemed_by_id, row.redeemed_at) == (EnrollmentCode.Status.CANCELLED, None, None)

    for user in (learner, other_learner):
        again = post_enroll_user(staff_client, user.email, redeemed)
        assert again.status_code == 400
        assert again.json() == CODE_ERROR
    assert enrollment_of(learner, demo_run) == ("audit", False)
    assert enrollment_of(other_learner, demo_run) is None


def test_cancelling_an_unused_code_makes_it_unusable(staff_client, demo_run, learner):
    code = new_code(demo_run)

    response = post_status(staff_client, code, "cancel")

    assert response.status_code == 200
    assert response.json() == SUCCESS
    assert code_row(code).status == EnrollmentCode.Status.CANCELLED
    assert post_enroll_user(staff_client, learner.email, code).json() == CODE_ERROR


def test_restoring_a_redeemed_code_unenrolls_the_learner_and_frees_the_code(
    staff_client, demo_run, learner, other_learner, redeemed
):
    response = post_status(staff_client, redeemed, "restore")

    assert response.status_code == 200
    assert response.json() == SUCCESS
    assert enrollment_of(learner, demo_run) == ("audit", False)
    assert is_unused(redeemed)

    again = post_enroll_user(staff_client, other_learner.email, redeemed)

    assert again.status_code == 200
    assert again.json() == SUCCESS
    assert enrollment_of(other_learner, demo_run) == ("audit", True)
    assert enrollment_of(learner, demo_run) == ("audit", False)
    assert code_row(redeemed).redeemed_by_id == other_learner.pk


def test_a_restored_code_can_enroll_the_same_learner_again(staff_client, demo_run, learner, redeemed):
    assert post_status(staff_client, redeemed, "restore").json() == SUCCESS

    response = post_enroll_user(staff_client, learner.email, redeemed)

    assert response.status_code == 200
    assert response.json() == SUCCESS
    assert enrollment_of(learner, demo_run) == ("audit", True)


def test_restoring_a_cancelled_code_makes_it_usable_again(staff_client, demo_run, learner):
    code = new_code(demo_run)
    assert post_status(staff_client, code, "cancel").json() == SUCCESS

    response = post_status(staff_client, code, "restore")

    assert response.status_code == 200
    assert response.json() == SUCCESS
    assert is_unused(code)
    enrolled = post_enroll_user(staff_client, learner.email, code)
    assert enrolled.status_code == 200
    assert enrolled.json() == SUCCESS
    assert enrollment_of(learner, demo_run) == ("audit", True)


def test_restoring_an_unused_code_leaves_it_usable(staff_client, demo_run):
    code = new_code(demo_run)

    response = post_status(staff_client, code, "restore")

    assert response.status_code == 200
    assert response.json() == SUCCESS
    assert is_unused(code)


def test_cancelling_a_code_whose_learner_was_already_unenrolled_still_succeeds(
    staff_client, demo_run, learner, redeemed
):
    enrollment_upsert(user=learner, course_run=demo_run, is_active=False, source=Source.ADMIN, privileged=True)

    response = post_status(staff_client, redeemed, "cancel")

    assert response.status_code == 200
    assert response.json() == SUCCESS
    assert enrollment_of(learner, demo_run) == ("audit", False)
    assert code_row(redeemed).status == EnrollmentCode.Status.CANCELLED


@pytest.mark.parametrize("action", ["cancel", "restore"])
def test_an_unknown_code_is_a_400_naming_it(action, staff_client, demo_run):
    response = post_status(staff_client, "XYZ", action)

    assert response.status_code == 400
    assert response.json() == {"success": "false", "reason": "The enrollment code (XYZ) was not found"}


# (case, body)
BAD_ACTIONS = [
    ("an unknown action", {"action": "delete"}),
    ("an upper-case action", {"action": "CANCEL"}),
    ("an empty action", {"action": ""}),
    ("a missing action", {}),
    ("a list as action", {"action": ["cancel"]}),
]


@pytest.mark.parametrize(("case", "extra"), BAD_ACTIONS, ids=[c[0] for c in BAD_ACTIONS])
def test_a_bad_or_missing_action_is_a_400_and_changes_nothing(case, extra, staff_client, demo_run, learner, redeemed):
    response = staff_client.post(STATUS, {"enrollment_code": redeemed, **extra}, format="json")

    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"success", "reason"}
    assert body["success"] == "false"
    assert isinstance(body["reason"], str)
    assert body["reason"]
    row = code_row(redeemed)
    assert (row.status, row.redeemed_by_id) == (EnrollmentCode.Status.VALID, learner.pk)
    assert enrollment_of(learner, demo_run) == ("audit", True)


def test_status_accepts_a_form_encoded_body(staff_client, demo_run, learner, redeemed):
    response = staff_client.post(STATUS, {"enrollment_code": redeemed, "action": "cancel"})

    assert response.status_code == 200
    assert response.json() == SUCCESS
    assert code_row(redeemed).status == EnrollmentCode.Status.CANCELLED


# --- how the bodies are read (as the reference reads them, request.data.get) -----------------------


@pytest.mark.parametrize("body", [["cancel"], {"action": 1}, {"action": None}], ids=["a JSON list", "a number", "null"])
def test_a_status_body_without_a_usable_action_names_the_actions(body, staff_client, demo_run):
    response = staff_client.post(STATUS, body, format="json")

    assert response.status_code == 400
    assert response.json() == {"success": "false", "reason": "The action must be 'cancel' or 'restore'."}


def test_a_status_body_with_an_action_but_no_code_names_the_empty_code(staff_client, demo_run):
    response = staff_client.post(STATUS, {"action": "cancel"}, format="json")

    assert response.status_code == 400
    assert response.json() == {"success": "false", "reason": "The enrollment code () was not found"}


def test_status_strips_the_action_and_the_code(staff_client, demo_run):
    code = new_code(demo_run)

    response = post_status(staff_client, f" {code} ", " cancel ")

    assert response.status_code == 200
    assert response.json() == SUCCESS
    assert code_row(code).status == EnrollmentCode.Status.CANCELLED
