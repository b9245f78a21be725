"""POST /api/enrollment/v1/enrollment (reference §1.6; §6 cases 6-21 and 32, "key" read as staff).

Bodies and statuses as ARCHITECTURE.md keeps them: 200 for a new and for an already active
enrollment, 400 ``{"message"}`` for bad input and refused enrollments, 403 for a paid mode asked
by a learner, 404 with an empty body when a learner names someone else, 406 for an unknown user.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from coursegate.enrollments.models import Enrollment, EnrollmentHistory
from coursegate.enrollments.services import enrollment_allowed_upsert
from tests.api.edx_enrollment.support import C, E, history_count, post_enrollment, stored

ENROLL = {"course_details": {"course_id": C}}
GENERIC_REFUSAL = "An error occurred while creating the new course enrollment for user '{user}' in course '{course}'"


def _body(**extra) -> dict:
    return {"course_details": {"course_id": C}, **extra}


@pytest.fixture
def paid_run(make_run):
    """Course C offering audit and verified."""
    return make_run(C, modes=["audit", "verified"])


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

    response = post_enrollment(client_for(learner), _body(mode=mode))

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

    response = post_enrollment(client_for(learner), _body(mode="honor"))

    assert response.status_code == 200
    assert response.json()["mode"] == "audit"
    assert stored(learner, run) == ("audit", True)
    assert history_count(learner) == 1


def test_learner_cannot_deactivate_an_active_enrollment(client_for, learner, course, enroll):
    enroll(learner, course)

    response = post_enrollment(client_for(learner), _body(is_active=False))

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
    (_body(is_active="foo"), "'foo' is an invalid enrollment activation status."),
    (_body(is_active="true"), "'true' is an invalid enrollment activation status."),
    (_body(is_active=1), "'1' is an invalid enrollment activation status."),
    (_body(force_enrollment="yes"), "'yes' is an invalid force enrollment status."),
    (_body(force_enrollment=1), "'1' is an invalid force enrollment status."),
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
    response = post_enrollment(client_for(staff), _body(user="honor", is_active="foo"))

    assert response.status_code == 400
    assert response.json() == {"message": "'foo' is an invalid enrollment activation status."}
    assert stored(learner, course) is None


@pytest.mark.parametrize("missing", ["namespace", "name", "value"])
def test_an_incomplete_enrollment_attribute_answers_400(client_for, learner, course, missing):
    attribute = {"namespace": "credit", "name": "provider_id", "value": "hogwarts"}
    del attribute[missing]

    response = post_enrollment(client_for(learner), _body(enrollment_attributes=[attribute]))

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


# --- modes and other users -------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["verified", "professional", "credit"])
def test_learner_cannot_enroll_in_a_paid_mode(client_for, learner, make_run, mode):
    run = make_run(C, modes=["audit", mode])

    response = post_enrollment(client_for(learner), _body(mode=mode))

    assert response.status_code == 403
    assert response.json() == {"message": f"User does not have permission to create enrollment with mode [{mode}]."}
    assert stored(learner, run) is None
    assert history_count() == 0


def test_learner_cannot_upgrade_an_existing_enrollment(client_for, learner, paid_run, enroll):
    enroll(learner, paid_run, "audit")

    response = post_enrollment(client_for(learner), _body(mode="verified"))

    assert response.status_code == 403
    assert response.json() == {"message": "User does not have permission to create enrollment with mode [verified]."}
    assert stored(learner, paid_run) == ("audit", True)
    assert history_count(learner) == 1


@pytest.mark.parametrize(
    "extra",
    [{"user": "audit"}, {"user": "audit", "mode": "verified"}, {"email": "audit@example.com"}, {"user": "fake-user"}],
    ids=["another user", "another user in a paid mode", "another user's email", "unknown user"],
)
def test_learner_cannot_enroll_another_user(client_for, learner, other_learner, paid_run, extra):
    response = post_enrollment(client_for(learner), _body(**extra))

    assert response.status_code == 404
    assert response.content == b""
    assert Enrollment.objects.count() == 0


def test_learner_naming_themselves_enrolls(client_for, learner, course):
    response = post_enrollment(client_for(learner), _body(user="honor"))

    assert response.status_code == 200
    assert response.json()["user"] == "honor"
    assert stored(learner, course) == ("audit", True)


@pytest.mark.parametrize("mode", ["verified", "professional"])
def test_staff_enrolls_another_user_in_a_paid_mode(client_for, staff, learner, make_run, mode):
    run = make_run(C, modes=["audit", mode])

    response = post_enrollment(client_for(staff), _body(user="honor", mode=mode))

    assert response.status_code == 200
    assert response.json()["user"] == "honor"
    assert response.json()["mode"] == mode
    assert response.json()["is_active"] is True
    assert stored(learner, run) == (mode, True)
    assert stored(staff, run) is None
    [history] = EnrollmentHistory.objects.filter(enrollment__user=learner)
    assert history.actor_id == staff.pk


def test_staff_naming_an_unknown_user_gets_406(client_for, staff, course):
    response = post_enrollment(client_for(staff), _body(user="fake-user"))

    assert response.status_code == 406
    assert response.json() == {"message": "The user fake-user does not exist."}
    assert Enrollment.objects.count() == 0


@pytest.mark.parametrize("email", ["honor@example.com", "HONOR@Example.com"], ids=["as stored", "other case"])
def test_staff_enrolls_a_user_by_email(client_for, staff, learner, course, email):
    response = post_enrollment(client_for(staff), _body(email=email))

    assert response.status_code == 200
    assert response.json()["user"] == "honor"
    assert stored(learner, course) == ("audit", True)
    assert stored(staff, course) is None


def test_staff_naming_an_unknown_email_gets_406(client_for, staff, course):
    response = post_enrollment(client_for(staff), _body(email="nobody@example.com"))

    assert response.status_code == 406
    assert response.json() == {"message": "The user with the email address nobody@example.com does not exist."}
    assert Enrollment.objects.count() == 0


def test_user_wins_over_email_when_staff_gives_both(client_for, staff, learner, other_learner, course):
    response = post_enrollment(client_for(staff), _body(user="audit", email="honor@example.com"))

    assert response.status_code == 200
    assert response.json()["user"] == "audit"
    assert stored(other_learner, course) == ("audit", True)
    assert stored(learner, course) is None


# --- staff changes: deactivate, upgrade, downgrade ------------------------------------------


def test_staff_deactivates_an_enrollment_idempotently(client_for, staff, learner, paid_run, enroll):
    enroll(learner, paid_run, "verified")
    client = client_for(staff)
    request = _body(user="honor", mode="verified", is_active=False)

    first = post_enrollment(client, request)
    history_after_first = history_count(learner)
    second = post_enrollment(client, request)

    assert first.status_code == second.status_code == 200
    for response in (first, second):
        assert response.json()["is_active"] is False
        assert response.json()["mode"] == "verified"
    assert stored(learner, paid_run) == ("verified", False)
    assert history_after_first == 2
    assert history_count(learner) == 2
    last = EnrollmentHistory.objects.filter(enrollment__user=learner).last()
    assert (last.mode, last.is_active, last.actor_id) == ("verified", False, staff.pk)


def test_staff_deactivates_without_naming_the_mode(client_for, staff, learner, paid_run, enroll):
    enroll(learner, paid_run, "verified")

    response = post_enrollment(client_for(staff), _body(user="honor", is_active=False))

    assert response.status_code == 200
    assert (response.json()["mode"], response.json()["is_active"]) == ("verified", False)
    assert stored(learner, paid_run) == ("verified", False)


def test_staff_deactivation_naming_another_mode_is_refused(client_for, staff, learner, make_run, enroll):
    run = make_run(C, modes=["honor", "verified"])
    enroll(learner, run, "verified")

    response = post_enrollment(client_for(staff), _body(user="honor", mode="honor", is_active=False))

    assert response.status_code == 400
    assert response.json()["message"].startswith("Enrollment mode mismatch")
    assert response.json() == {
        "message": "Enrollment mode mismatch: active mode=verified, requested mode=honor. Won't deactivate."
    }
    assert stored(learner, run) == ("verified", True)
    assert history_count(learner) == 1


def test_staff_upgrades_and_downgrades_an_enrollment(client_for, staff, learner, paid_run, enroll):
    enroll(learner, paid_run, "audit")
    client = client_for(staff)

    upgrade = post_enrollment(client, _body(user="honor", mode="verified"))
    upgraded = stored(learner, paid_run)
    downgrade = post_enrollment(client, _body(user="honor", mode="audit"))

    assert upgrade.status_code == 200
    assert (upgrade.json()["mode"], upgrade.json()["is_active"]) == ("verified", True)
    assert upgraded == ("verified", True)
    assert downgrade.status_code == 200
    assert (downgrade.json()["mode"], downgrade.json()["is_active"]) == ("audit", True)
    assert stored(learner, paid_run) == ("audit", True)
    assert Enrollment.objects.filter(user=learner).count() == 1
    assert history_count(learner) == 3


def test_staff_reactivates_an_inactive_enrollment_in_a_new_mode(client_for, staff, learner, paid_run, enroll):
    enroll(learner, paid_run, "audit", is_active=False)

    response = post_enrollment(client_for(staff), _body(user="honor", mode="verified", is_active=True))

    assert response.status_code == 200
    assert (response.json()["mode"], response.json()["is_active"]) == ("verified", True)
    assert stored(learner, paid_run) == ("verified", True)


def test_staff_changing_to_a_mode_the_run_does_not_offer_is_refused(client_for, staff, learner, course, enroll):
    enroll(learner, course, "audit")

    response = post_enrollment(client_for(staff), _body(user="honor", mode="professional"))

    assert response.status_code == 400
    assert response.json()["message"] == (
        f"The [professional] course mode is expired or otherwise unavailable for course run [{C}]."
    )
    assert stored(learner, course) == ("audit", True)


# --- refused enrollments ---------------------------------------------------------------------


def test_a_mode_the_run_does_not_offer_answers_400_with_the_available_modes(client_for, learner, make_run):
    run = make_run(C, modes=["professional"])

    response = post_enrollment(client_for(learner), _body(mode="audit"))

    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"message", "course_details"}
    assert body["message"] == f"The [audit] course mode is expired or otherwise unavailable for course run [{C}]."
    assert body["course_details"]["course_id"] == C
    assert [mode["slug"] for mode in body["course_details"]["course_modes"]] == ["professional"]
    assert stored(learner, run) is None


def test_learner_giving_no_mode_on_a_professional_only_run_is_not_enrolled_for_free(client_for, learner, make_run):
    # Open edX's default is audit, else honor, else the platform default (audit): never a paid mode.
    run = make_run(C, modes=["professional"])

    response = post_enrollment(client_for(learner), ENROLL)

    assert response.status_code == 400
    assert response.json()["message"] == (
        f"The [audit] course mode is expired or otherwise unavailable for course run [{C}]."
    )
    assert stored(learner, run) is None


def test_an_expired_mode_cannot_be_chosen(client_for, staff, learner, make_run):
    run = make_run(C, modes=["audit", ("verified", {"expiration_datetime": timezone.now() - timedelta(days=1)})])

    response = post_enrollment(client_for(staff), _body(user="honor", mode="verified"))

    assert response.status_code == 400
    assert response.json()["message"] == (
        f"The [verified] course mode is expired or otherwise unavailable for course run [{C}]."
    )
    assert stored(learner, run) is None


def test_staff_forcing_an_enrollment_may_use_an_expired_mode(client_for, staff, learner, make_run):
    run = make_run(C, modes=["audit", ("verified", {"expiration_datetime": timezone.now() - timedelta(days=1)})])

    response = post_enrollment(client_for(staff), _body(user="honor", mode="verified", force_enrollment=True))

    assert response.status_code == 200
    assert response.json()["mode"] == "verified"
    assert stored(learner, run) == ("verified", True)


def test_staff_deactivates_an_enrollment_whose_mode_has_expired(client_for, staff, learner, make_run, enroll):
    run = make_run(C, modes=["audit", "verified"])
    enroll(learner, run, "verified")
    run.modes.filter(slug="verified").update(expiration_datetime=timezone.now() - timedelta(days=1))

    response = post_enrollment(client_for(staff), _body(user="honor", mode="verified", is_active=False))

    assert response.status_code == 200
    assert (response.json()["mode"], response.json()["is_active"]) == ("verified", False)
    assert stored(learner, run) == ("verified", False)


def test_staff_deactivating_a_user_who_never_enrolled_records_an_inactive_enrollment(
    client_for, staff, learner, course
):
    response = post_enrollment(client_for(staff), _body(user="honor", is_active=False))

    assert response.status_code == 200
    assert (response.json()["mode"], response.json()["is_active"]) == ("audit", False)
    assert stored(learner, course) == ("audit", False)


def _assert_generic_refusal(response, username: str) -> None:
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"message", "error_code"}
    assert body["message"] == GENERIC_REFUSAL.format(user=username, course=C)
    assert isinstance(body["error_code"], str) and body["error_code"]


def test_enrollment_after_the_window_closed_is_refused_unless_staff_forces_it(client_for, staff, learner, make_run):
    now = timezone.now()
    run = make_run(
        C,
        modes=["audit", "verified"],
        enrollment_start=now - timedelta(days=30),
        enrollment_end=now - timedelta(days=1),
    )
    client = client_for(staff)

    refused = post_enrollment(client, _body(user="honor", mode="verified"))
    stored_after_refusal = stored(learner, run)
    forced = post_enrollment(client, _body(user="honor", mode="verified", force_enrollment=True))

    _assert_generic_refusal(refused, "honor")
    assert stored_after_refusal is None
    assert forced.status_code == 200
    assert (forced.json()["mode"], forced.json()["is_active"]) == ("verified", True)
    assert stored(learner, run) == ("verified", True)


def test_learner_cannot_force_an_enrollment_into_a_closed_run(client_for, learner, make_run):
    now = timezone.now()
    run = make_run(C, enrollment_start=now - timedelta(days=30), enrollment_end=now - timedelta(days=1))

    response = post_enrollment(client_for(learner), _body(force_enrollment=True))

    _assert_generic_refusal(response, "honor")
    assert stored(learner, run) is None


def test_enrollment_before_the_window_opens_is_refused(client_for, learner, make_run):
    run = make_run(C, enrollment_start=timezone.now() + timedelta(days=1))

    response = post_enrollment(client_for(learner), ENROLL)

    _assert_generic_refusal(response, "honor")
    assert stored(learner, run) is None


def test_enrollment_inside_the_window_is_accepted(client_for, learner, make_run):
    now = timezone.now()
    run = make_run(C, enrollment_start=now - timedelta(days=1), enrollment_end=now + timedelta(days=1))

    response = post_enrollment(client_for(learner), ENROLL)

    assert response.status_code == 200
    assert stored(learner, run) == ("audit", True)


def test_a_full_run_refuses_the_next_learner(client_for, learner, other_learner, make_run, enroll):
    run = make_run(C, max_enrollments=1)
    enroll(other_learner, run)

    response = post_enrollment(client_for(learner), ENROLL)

    _assert_generic_refusal(response, "honor")
    assert stored(learner, run) is None
    assert Enrollment.objects.filter(course_run=run, is_active=True).count() == 1


def test_a_deactivated_enrollment_frees_its_seat(client_for, learner, other_learner, make_run, enroll):
    run = make_run(C, max_enrollments=1)
    enroll(other_learner, run, is_active=False)

    response = post_enrollment(client_for(learner), ENROLL)

    assert response.status_code == 200
    assert stored(learner, run) == ("audit", True)


def test_staff_forces_an_enrollment_into_a_full_run(client_for, staff, learner, other_learner, make_run, enroll):
    run = make_run(C, max_enrollments=1)
    enroll(other_learner, run)

    response = post_enrollment(client_for(staff), _body(user="honor", force_enrollment=True))

    assert response.status_code == 200
    assert stored(learner, run) == ("audit", True)


def test_an_invite_only_run_needs_an_invitation(client_for, learner, make_run):
    run = make_run(C, invite_only=True)
    client = client_for(learner)

    refused = post_enrollment(client, ENROLL)
    stored_after_refusal = stored(learner, run)
    enrollment_allowed_upsert(email="HONOR@example.com", course_run=run, auto_enroll=False)
    admitted = post_enrollment(client, ENROLL)

    _assert_generic_refusal(refused, "honor")
    assert stored_after_refusal is None
    assert admitted.status_code == 200
    assert admitted.json()["course_details"]["invite_only"] is True
    assert stored(learner, run) == ("audit", True)


def test_an_invitation_to_another_run_does_not_admit(client_for, learner, make_run):
    run = make_run(C, invite_only=True)
    enrollment_allowed_upsert(email=learner.email, course_run=make_run("course-v1:Org+Num+Other"), auto_enroll=False)

    response = post_enrollment(client_for(learner), ENROLL)

    _assert_generic_refusal(response, "honor")
    assert stored(learner, run) is None
