"""Enrollment codes: POST /appsembler_api/v0/enrollment-codes/{generate,enroll-user,status}
(seed 001 "Enrollment Codes endpoints"; reference §2.8-2.10; ARCHITECTURE.md: codes are
single-use, bodies ``{"success": "true"}`` / ``{"success": "false", "reason": ...}``)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from coursegate.accounts.models import User
from coursegate.codes.models import EnrollmentCode
from coursegate.codes.services import codes_generate
from coursegate.enrollments.models import Enrollment, EnrollmentHistory, Source
from coursegate.enrollments.services import enrollment_upsert
from tests.api.appsembler.conftest import DEMO_COURSE

A = "/appsembler_api/v0"
GENERATE = f"{A}/enrollment-codes/generate"
ENROLL = f"{A}/enrollment-codes/enroll-user"
STATUS = f"{A}/enrollment-codes/status"

SUCCESS = {"success": "true"}
CODE_ERROR = {"success": "false", "reason": "Enrollment code error."}
ALREADY_ENROLLED = {"success": "false", "reason": "Already enrolled."}
CLOSED = {"success": "false", "reason": "Enrollment closed."}
FULL = {"success": "false", "reason": "Course full."}
USER_NOT_FOUND = {"success": "false", "reason": "User not found."}

CODE_FORMAT = re.compile(r"^[A-Za-z0-9]{8}$")


def _generate(client, body):
    return client.post(GENERATE, body, format="json")


def _enroll(client, email, code):
    return client.post(ENROLL, {"email": email, "enrollment_code": code}, format="json")


def _status(client, code, action):
    return client.post(STATUS, {"enrollment_code": code, "action": action}, format="json")


def _code(run) -> str:
    [row] = codes_generate(course_run=run, count=1)
    return row.code


def _row(code: str) -> EnrollmentCode:
    return EnrollmentCode.objects.get(code=code)


def _enrollment(user, run) -> tuple[str, bool] | None:
    row = Enrollment.objects.filter(user=user, course_run=run).values_list("mode", "is_active").first()
    return tuple(row) if row else None


def _unused(code: str) -> bool:
    row = _row(code)
    return row.status == EnrollmentCode.Status.VALID and row.redeemed_by_id is None and row.redeemed_at is None


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

    response = _enroll(staff_client, learner.email, code)

    assert response.status_code == 200
    assert response.json() == SUCCESS
    assert _enrollment(learner, demo_run) == ("audit", True)


# --- enroll-user ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "email", ["honor@example.com", "HONOR@EXAMPLE.COM", "Honor@Example.com", " honor@example.com "]
)
def test_a_valid_code_enrolls_the_account_with_that_email_in_any_letter_case(
    email, staff_client, staff, demo_run, learner
):
    code = _code(demo_run)

    response = _enroll(staff_client, email, code)

    assert response.status_code == 200, response.content
    assert response.json() == SUCCESS
    assert _enrollment(learner, demo_run) == ("audit", True)
    assert list(
        EnrollmentHistory.objects.filter(enrollment__user=learner).values_list("source", "is_active", "actor_id")
    ) == [(Source.ENROLLMENT_CODE, True, staff.pk)]
    row = _row(code)
    assert row.redeemed_by_id == learner.pk
    assert row.redeemed_at is not None
    assert row.status == EnrollmentCode.Status.VALID


def test_the_seed_enroll_user_example_works_against_the_seed_course(staff_client, demo_run):
    # The seed enrolls staff@example.com; the staff fixture is that account.
    code = _code(demo_run)

    response = _enroll(staff_client, "staff@example.com", code)

    assert response.status_code == 200
    assert response.json() == SUCCESS
    assert _enrollment(User.objects.get(email="staff@example.com"), demo_run) == ("audit", True)


def test_a_code_enrolls_in_its_own_mode_when_it_names_one(staff_client, make_run, learner):
    run = make_run(DEMO_COURSE, modes=("audit", "honor"))
    [row] = codes_generate(course_run=run, count=1, mode="honor")

    response = _enroll(staff_client, learner.email, row.code)

    assert response.status_code == 200
    assert _enrollment(learner, run) == ("honor", True)


def test_a_code_for_a_mode_the_run_does_not_offer_is_a_code_error_and_stays_unused(staff_client, demo_run, learner):
    [row] = codes_generate(course_run=demo_run, count=1, mode="verified")

    response = _enroll(staff_client, learner.email, row.code)

    assert response.status_code == 400
    assert response.json() == CODE_ERROR
    assert _enrollment(learner, demo_run) is None
    assert _unused(row.code)


@pytest.mark.parametrize("second", ["the same learner", "another learner"])
def test_a_redeemed_code_cannot_be_used_again(second, staff_client, demo_run, learner, other_learner):
    code = _code(demo_run)
    assert _enroll(staff_client, learner.email, code).status_code == 200
    again = learner if second == "the same learner" else other_learner
    history_before = EnrollmentHistory.objects.count()

    response = _enroll(staff_client, again.email, code)

    assert response.status_code == 400
    assert response.json() == CODE_ERROR
    assert _row(code).redeemed_by_id == learner.pk
    assert _enrollment(learner, demo_run) == ("audit", True)
    assert _enrollment(other_learner, demo_run) is None
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
    code = _code(demo_run)
    sent = {"{CODE}": code.swapcase(), "{CODE-1}": code[:-1]}.get(sent, sent)

    response = _enroll(staff_client, learner.email, sent)

    assert response.status_code == 400
    assert response.json() == CODE_ERROR
    assert _enrollment(learner, demo_run) is None
    assert _unused(code)


def test_a_missing_enrollment_code_field_is_a_code_error(staff_client, demo_run, learner):
    response = staff_client.post(ENROLL, {"email": learner.email}, format="json")

    assert response.status_code == 400
    assert response.json() == CODE_ERROR
    assert Enrollment.objects.count() == 0


def test_a_learner_already_enrolled_is_refused_and_the_code_stays_usable(
    staff_client, demo_run, learner, other_learner
):
    enrollment_upsert(user=learner, course_run=demo_run, source=Source.ADMIN)
    code = _code(demo_run)
    history_before = EnrollmentHistory.objects.count()

    refused = _enroll(staff_client, learner.email, code)

    assert refused.status_code == 400
    assert refused.json() == ALREADY_ENROLLED
    assert _unused(code)
    assert EnrollmentHistory.objects.count() == history_before

    accepted = _enroll(staff_client, other_learner.email, code)

    assert accepted.status_code == 200
    assert accepted.json() == SUCCESS
    assert _enrollment(other_learner, demo_run) == ("audit", True)
    assert _row(code).redeemed_by_id == other_learner.pk


def test_a_learner_whose_enrollment_was_deactivated_is_enrolled_again_by_a_code(staff_client, demo_run, learner):
    enrollment_upsert(user=learner, course_run=demo_run, source=Source.ADMIN)
    enrollment_upsert(user=learner, course_run=demo_run, is_active=False, source=Source.ADMIN, privileged=True)
    code = _code(demo_run)

    response = _enroll(staff_client, learner.email, code)

    assert response.status_code == 200
    assert response.json() == SUCCESS
    assert _enrollment(learner, demo_run) == ("audit", True)
    assert Enrollment.objects.filter(user=learner).count() == 1


def test_a_code_of_a_run_whose_enrollment_has_closed_is_refused_and_stays_usable(staff_client, make_run, learner):
    run = make_run(DEMO_COURSE, enrollment_end=timezone.now() - timedelta(days=1))
    code = _code(run)

    response = _enroll(staff_client, learner.email, code)

    assert response.status_code == 400
    assert response.json() == CLOSED
    assert _enrollment(learner, run) is None
    assert _unused(code)


def test_a_code_of_a_run_whose_enrollment_has_not_opened_is_refused(staff_client, make_run, learner):
    run = make_run(DEMO_COURSE, enrollment_start=timezone.now() + timedelta(days=1))
    code = _code(run)

    response = _enroll(staff_client, learner.email, code)

    assert response.status_code == 400
    assert response.json() == CLOSED
    assert _unused(code)


def test_a_code_of_a_full_run_is_refused_and_stays_usable(staff_client, make_run, learner, other_learner):
    run = make_run(DEMO_COURSE, max_enrollments=1)
    enrollment_upsert(user=other_learner, course_run=run, source=Source.ADMIN)
    code = _code(run)

    response = _enroll(staff_client, learner.email, code)

    assert response.status_code == 400
    assert response.json() == FULL
    assert _enrollment(learner, run) is None
    assert _unused(code)
    assert Enrollment.objects.filter(course_run=run, is_active=True).count() == 1


def test_the_last_seat_of_a_capped_run_can_be_taken_with_a_code(staff_client, make_run, learner):
    run = make_run(DEMO_COURSE, max_enrollments=1)

    response = _enroll(staff_client, learner.email, _code(run))

    assert response.status_code == 200
    assert _enrollment(learner, run) == ("audit", True)


@pytest.mark.parametrize(
    "email",
    ["nobody@example.com", "honor@example.org", "honor", ""],
    ids=["unknown address", "another domain", "a username instead of an e-mail", "empty"],
)
def test_an_email_without_an_account_is_user_not_found_and_the_code_stays_usable(
    email, staff_client, demo_run, learner
):
    code = _code(demo_run)

    response = _enroll(staff_client, email, code)

    assert response.status_code == 400
    assert response.json() == USER_NOT_FOUND
    assert Enrollment.objects.count() == 0
    assert _unused(code)


def test_an_empty_email_does_not_match_an_account_without_an_email(staff_client, demo_run):
    # Accounts made by tools (createsuperuser) may have a blank e-mail address.
    blank = User.objects.create_user(username="tool", email="", password="x")
    code = _code(demo_run)

    response = _enroll(staff_client, "", code)

    assert response.status_code == 400
    assert response.json() == USER_NOT_FOUND
    assert _enrollment(blank, demo_run) is None
    assert _unused(code)


def test_a_cancelled_code_is_a_code_error(staff_client, demo_run, learner):
    code = _code(demo_run)
    assert _status(staff_client, code, "cancel").json() == SUCCESS

    response = _enroll(staff_client, learner.email, code)

    assert response.status_code == 400
    assert response.json() == CODE_ERROR
    assert _enrollment(learner, demo_run) is None
    assert _row(code).status == EnrollmentCode.Status.CANCELLED


def test_enroll_user_accepts_a_form_encoded_body(staff_client, demo_run, learner):
    code = _code(demo_run)

    response = staff_client.post(ENROLL, {"email": learner.email, "enrollment_code": code})

    assert response.status_code == 200
    assert response.json() == SUCCESS
    assert _enrollment(learner, demo_run) == ("audit", True)


# --- status --------------------------------------------------------------------------------------------


@pytest.fixture
def redeemed(staff_client, demo_run, learner):
    """A code of the demo run redeemed by the learner through the API."""
    code = _code(demo_run)
    assert _enroll(staff_client, learner.email, code).json() == SUCCESS
    return code


def test_cancelling_a_redeemed_code_unenrolls_the_learner_and_the_code_is_dead(
    staff_client, staff, demo_run, learner, other_learner, redeemed
):
    response = _status(staff_client, redeemed, "cancel")

    assert response.status_code == 200
    assert response.json() == SUCCESS
    assert _enrollment(learner, demo_run) == ("audit", False)
    assert list(
        EnrollmentHistory.objects.filter(enrollment__user=learner).values_list("source", "is_active", "actor_id")
    ) == [(Source.ENROLLMENT_CODE, True, staff.pk), (Source.ENROLLMENT_CODE, False, staff.pk)]
    row = _row(redeemed)
    assert (row.status, row.redeemed_by_id, row.redeemed_at) == (EnrollmentCode.Status.CANCELLED, None, None)

    for user in (learner, other_learner):
        again = _enroll(staff_client, user.email, redeemed)
        assert again.status_code == 400
        assert again.json() == CODE_ERROR
    assert _enrollment(learner, demo_run) == ("audit", False)
    assert _enrollment(other_learner, demo_run) is None


def test_cancelling_an_unused_code_makes_it_unusable(staff_client, demo_run, learner):
    code = _code(demo_run)

    response = _status(staff_client, code, "cancel")

    assert response.status_code == 200
    assert response.json() == SUCCESS
    assert _row(code).status == EnrollmentCode.Status.CANCELLED
    assert _enroll(staff_client, learner.email, code).json() == CODE_ERROR


def test_restoring_a_redeemed_code_unenrolls_the_learner_and_frees_the_code(
    staff_client, demo_run, learner, other_learner, redeemed
):
    response = _status(staff_client, redeemed, "restore")

    assert response.status_code == 200
    assert response.json() == SUCCESS
    assert _enrollment(learner, demo_run) == ("audit", False)
    assert _unused(redeemed)

    again = _enroll(staff_client, other_learner.email, redeemed)

    assert again.status_code == 200
    assert again.json() == SUCCESS
    assert _enrollment(other_learner, demo_run) == ("audit", True)
    assert _enrollment(learner, demo_run) == ("audit", False)
    assert _row(redeemed).redeemed_by_id == other_learner.pk


def test_a_restored_code_can_enroll_the_same_learner_again(staff_client, demo_run, learner, redeemed):
    assert _status(staff_client, redeemed, "restore").json() == SUCCESS

    response = _enroll(staff_client, learner.email, redeemed)

    assert response.status_code == 200
    assert response.json() == SUCCESS
    assert _enrollment(learner, demo_run) == ("audit", True)


def test_restoring_a_cancelled_code_makes_it_usable_again(staff_client, demo_run, learner):
    code = _code(demo_run)
    assert _status(staff_client, code, "cancel").json() == SUCCESS

    response = _status(staff_client, code, "restore")

    assert response.status_code == 200
    assert response.json() == SUCCESS
    assert _unused(code)
    enrolled = _enroll(staff_client, learner.email, code)
    assert enrolled.status_code == 200
    assert enrolled.json() == SUCCESS
    assert _enrollment(learner, demo_run) == ("audit", True)


def test_restoring_an_unused_code_leaves_it_usable(staff_client, demo_run):
    code = _code(demo_run)

    response = _status(staff_client, code, "restore")

    assert response.status_code == 200
    assert response.json() == SUCCESS
    assert _unused(code)


def test_cancelling_a_code_whose_learner_was_already_unenrolled_still_succeeds(
    staff_client, demo_run, learner, redeemed
):
    enrollment_upsert(user=learner, course_run=demo_run, is_active=False, source=Source.ADMIN, privileged=True)

    response = _status(staff_client, redeemed, "cancel")

    assert response.status_code == 200
    assert response.json() == SUCCESS
    assert _enrollment(learner, demo_run) == ("audit", False)
    assert _row(redeemed).status == EnrollmentCode.Status.CANCELLED


@pytest.mark.parametrize("action", ["cancel", "restore"])
def test_an_unknown_code_is_a_400_naming_it(action, staff_client, demo_run):
    response = _status(staff_client, "XYZ", action)

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
    row = _row(redeemed)
    assert (row.status, row.redeemed_by_id) == (EnrollmentCode.Status.VALID, learner.pk)
    assert _enrollment(learner, demo_run) == ("audit", True)


def test_status_accepts_a_form_encoded_body(staff_client, demo_run, learner, redeemed):
    response = staff_client.post(STATUS, {"enrollment_code": redeemed, "action": "cancel"})

    assert response.status_code == 200
    assert response.json() == SUCCESS
    assert _row(redeemed).status == EnrollmentCode.Status.CANCELLED


# --- how the bodies are read (as the reference reads them, request.data.get) -----------------------


@pytest.mark.parametrize(
    "body",
    [["honor@example.com"], {"email": 5, "enrollment_code": ["x"]}, {"email": None, "enrollment_code": None}],
    ids=["a JSON list", "values that are no strings", "nulls"],
)
def test_an_enroll_user_body_without_usable_fields_is_a_code_error(body, staff_client, demo_run, learner):
    code = _code(demo_run)

    response = staff_client.post(ENROLL, body, format="json")

    assert response.status_code == 400
    assert response.json() == CODE_ERROR
    assert _unused(code)


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
    code = _code(demo_run)

    response = _status(staff_client, f" {code} ", " cancel ")

    assert response.status_code == 200
    assert response.json() == SUCCESS
    assert _row(code).status == EnrollmentCode.Status.CANCELLED
