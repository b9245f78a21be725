"""Enrollment codes, enroll-user: POST /appsembler_api/v0/enrollment-codes/enroll-user (seed 001
"Enrollment Codes endpoints"; reference §2.9; ARCHITECTURE.md: codes are single-use, bodies
``{"success": "true"}`` / ``{"success": "false", "reason": ...}``): who is enrolled and in which
mode, and why a code is refused (it stays usable unless it was redeemed)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from coursegate.accounts.models import User
from coursegate.codes.models import EnrollmentCode
from coursegate.codes.services import codes_generate
from coursegate.enrollments.models import Enrollment, EnrollmentHistory, Source
from coursegate.enrollments.services import enrollment_upsert
from tests.api.appsembler.conftest import (
    CODE_ERROR,
    DEMO_COURSE,
    ENROLL,
    SUCCESS,
    code_row,
    enrollment_of,
    is_unused,
    new_code,
    post_enroll_user,
    post_status,
)

ALREADY_ENROLLED = {"success": "false", "reason": "Already enrolled."}
CLOSED = {"success": "false", "reason": "Enrollment closed."}
FULL = {"success": "false", "reason": "Course full."}
USER_NOT_FOUND = {"success": "false", "reason": "User not found."}


# --- enroll-user ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "email", ["honor@example.com", "HONOR@EXAMPLE.COM", "Honor@Example.com", " honor@example.com "]
)
def test_a_valid_code_enrolls_the_account_with_that_email_in_any_letter_case(
    email, staff_client, staff, demo_run, learner
):
    code = new_code(demo_run)

    response = post_enroll_user(staff_client, email, code)

    assert response.status_code == 200, response.content
    assert response.json() == SUCCESS
    assert enrollment_of(learner, demo_run) == ("audit", True)
    assert list(
        EnrollmentHistory.objects.filter(enrollment__user=learner).values_list("source", "is_active", "actor_id")
    ) == [(Source.ENROLLMENT_CODE, True, staff.pk)]
    row = code_row(code)
    assert row.redeemed_by_id == learner.pk
    assert row.redeemed_at is not None
    assert row.status == EnrollmentCode.Status.VALID


def test_the_seed_enroll_user_example_works_against_the_seed_course(staff_client, demo_run):
    # The seed enrolls staff@example.com; the staff fixture is that account.
    code = new_code(demo_run)

    response = post_enroll_user(staff_client, "staff@example.com", code)

    assert response.status_code == 200
    assert response.json() == SUCCESS
    assert enrollment_of(User.objects.get(email="staff@example.com"), demo_run) == ("audit", True)


def test_a_code_enrolls_in_its_own_mode_when_it_names_one(staff_client, make_run, learner):
    run = make_run(DEMO_COURSE, modes=("audit", "honor"))
    [row] = codes_generate(course_run=run, count=1, mode="honor")

    response = post_enroll_user(staff_client, learner.email, row.code)

    assert response.status_code == 200
    assert enrollment_of(learner, run) == ("honor", True)


def test_a_code_for_a_mode_the_run_does_not_offer_is_a_code_error_and_stays_unused(staff_client, demo_run, learner):
    [row] = codes_generate(course_run=demo_run, count=1, mode="verified")

    response = post_enroll_user(staff_client, learner.email, row.code)

    assert response.status_code == 400
    assert response.json() == CODE_ERROR
    assert enrollment_of(learner, demo_run) is None
    assert is_unused(row.code)


@pytest.mark.parametrize("second", ["the same learner", "another learner"])
def test_a_redeemed_code_cannot_be_used_again(second, staff_client, demo_run, learner, other_learner):
    code = new_code(demo_run)
    assert post_enroll_user(staff_client, learner.email, code).status_code == 200
    again = learner if second == "the same learner" else other_learner
    history_before = EnrollmentHistory.objects.count()

    response = post_enroll_user(staff_client, again.email, code)

    assert response.status_code == 400
    assert response.json() == CODE_ERROR
    assert code_row(code).redeemed_by_id == learner.pk
    assert enrollment_of(learner, demo_run) == ("audit", True)
    assert enrollment_of(other_learner, demo_run) is None
    assert EnrollmentHistory.objects.count() == history_before


# (case, code to send)
UNUSABLE_CODES = [
    ("an unknown code", "XYZ12345"),
    ("an empty code", ""),
    ("the code in another letter case", "{CODE}"),
    ("the code with a character missing", "{CODE-1}"),
]


@pytest.mark.parametrize(("case", "sent"), UNUSABLE_CODES, ids=[c[0] for c in UNUSABLE_CODES])
def test_a_code_that_does_not_exist_is_a_code_error(case, sent, staff_client, demo_run, learner):
    code = new_code(demo_run)
    sent = {"{CODE}": code.swapcase(), "{CODE-1}": code[:-1]}.get(sent, sent)

    response = post_enroll_user(staff_client, learner.email, sent)

    assert response.status_code == 400
    assert response.json() == CODE_ERROR
    assert enrollment_of(learner, demo_run) is None
    assert is_unused(code)


def test_a_missing_enrollment_code_field_is_a_code_error(staff_client, demo_run, learner):
    response = staff_client.post(ENROLL, {"email": learner.email}, format="json")

    assert response.status_code == 400
    assert response.json() == CODE_ERROR
    assert Enrollment.objects.count() == 0


def test_a_learner_already_enrolled_is_refused_and_the_code_stays_usable(
    staff_client, demo_run, learner, other_learner
):
    enrollment_upsert(user=learner, course_run=demo_run, source=Source.ADMIN)
    code = new_code(demo_run)
    history_before = EnrollmentHistory.objects.count()

    refused = post_enroll_user(staff_client, learner.email, code)

    assert refused.status_code == 400
    assert refused.json() == ALREADY_ENROLLED
    assert is_unused(code)
    assert EnrollmentHistory.objects.count() == history_before

    accepted = post_enroll_user(staff_client, other_learner.email, code)

    assert accepted.status_code == 200
    assert accepted.json() == SUCCESS
    assert enrollment_of(other_learner, demo_run) == ("audit", True)
    assert code_row(code).redeemed_by_id == other_learner.pk


def test_a_learner_whose_enrollment_was_deactivated_is_enrolled_again_by_a_code(staff_client, demo_run, learner):
    enrollment_upsert(user=learner, course_run=demo_run, source=Source.ADMIN)
    enrollment_upsert(user=learner, course_run=demo_run, is_active=False, source=Source.ADMIN, privileged=True)
    code = new_code(demo_run)

    response = post_enroll_user(staff_client, learner.email, code)

    assert response.status_code == 200
    assert response.json() == SUCCESS
    assert enrollment_of(learner, demo_run) == ("audit", True)
    assert Enrollment.objects.filter(user=learner).count() == 1


def test_a_code_of_a_run_whose_enrollment_has_closed_is_refused_and_stays_usable(staff_client, make_run, learner):
    run = make_run(DEMO_COURSE, enrollment_end=timezone.now() - timedelta(days=1))
    code = new_code(run)

    response = post_enroll_user(staff_client, learner.email, code)

    assert response.status_code == 400
    assert response.json() == CLOSED
    assert enrollment_of(learner, run) is None
    assert is_unused(code)


def test_a_code_of_a_run_whose_enrollment_has_not_opened_is_refused(staff_client, make_run, learner):
    run = make_run(DEMO_COURSE, enrollment_start=timezone.now() + timedelta(days=1))
    code = new_code(run)

    response = post_enroll_user(staff_client, learner.email, code)

    assert response.status_code == 400
    assert response.json() == CLOSED
    assert is_unused(code)


def test_a_code_of_a_full_run_is_refused_and_stays_usable(staff_client, make_run, learner, other_learner):
    run = make_run(DEMO_COURSE, max_enrollments=1)
    enrollment_upsert(user=other_learner, course_run=run, source=Source.ADMIN)
    code = new_code(run)

    response = post_enroll_user(staff_client, learner.email, code)

    assert response.status_code == 400
    assert response.json() == FULL
    assert enrollment_of(learner, run) is None
    assert is_unused(code)
    assert Enrollment.objects.filter(course_run=run, is_active=True).count() == 1


def test_the_last_seat_of_a_capped_run_can_be_taken_with_a_code(staff_client, make_run, learner):
    run = make_run(DEMO_COURSE, max_enrollments=1)

    response = post_enroll_user(staff_client, learner.email, new_code(run))

    assert response.status_code == 200
    assert enrollment_of(learner, run) == ("audit", True)


@pytest.mark.parametrize(
    "email",
    ["nobody@example.com", "honor@example.org", "honor", ""],
    ids=["unknown address", "another domain", "a username instead of an e-mail", "empty"],
)
def test_an_email_without_an_account_is_user_not_found_and_the_code_stays_usable(
    email, staff_client, demo_run, learner
):
    code = new_code(demo_run)

    response = post_enroll_user(staff_client, email, code)

    assert response.status_code == 400
    assert response.json() == USER_NOT_FOUND
    assert Enrollment.objects.count() == 0
    assert is_unused(code)


def test_an_empty_email_does_not_match_an_account_without_an_email(staff_client, demo_run):
    # Accounts made by tools (createsuperuser) may have a blank e-mail address.
    blank = User.objects.create_user(username="tool", email="", password="x")
    code = new_code(demo_run)

    response = post_enroll_user(staff_client, "", code)

    assert response.status_code == 400
    assert response.json() == USER_NOT_FOUND
    assert enrollment_of(blank, demo_run) is None
    assert is_unused(code)


def test_a_cancelled_code_is_a_code_error(staff_client, demo_run, learner):
    code = new_code(demo_run)
    assert post_status(staff_client, code, "cancel").json() == SUCCESS

    response = post_enroll_user(staff_client, learner.email, code)

    assert response.status_code == 400
    assert response.json() == CODE_ERROR
    assert enrollment_of(learner, demo_run) is None
    assert code_row(code).status == EnrollmentCode.Status.CANCELLED


def test_enroll_user_accepts_a_form_encoded_body(staff_client, demo_run, learner):
    code = new_code(demo_run)

    response = staff_client.post(ENROLL, {"email": learner.email, "enrollment_code": code})

    assert response.status_code == 200
    assert response.json() == SUCCESS
    assert enrollment_of(learner, demo_run) == ("audit", True)


# --- how the bodies are read (as the reference reads them, request.data.get) -----------------------


@pytest.mark.parametrize(
    "body",
    [["honor@example.com"], {"email": 5, "enrollment_code": ["x"]}, {"email": None, "enrollment_code": None}],
    ids=["a JSON list", "values that are no strings", "nulls"],
)
def test_an_enroll_user_body_without_usable_fields_is_a_code_error(body, staff_client, demo_run, learner):
    code = new_code(demo_run)

    response = staff_client.post(ENROLL, body, format="json")

    assert response.status_code == 400
    assert response.json() == CODE_ERROR
    assert is_unused(code)
