"""POST /api/enrollment/v1/enrollment: enrollments the rules refuse (reference §1.6 step 13): an
unavailable mode answers 400 with the run's details; a closed, invite-only or full run answers the
generic message with an ``error_code``; staff may force their way past window and capacity.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from coursegate.enrollments.models import Enrollment
from coursegate.enrollments.services import enrollment_allowed_upsert
from tests.api.edx_enrollment.support import ENROLL, C, enrollment_body, post_enrollment, stored

GENERIC_REFUSAL = "An error occurred while creating the new course enrollment for user '{user}' in course '{course}'"


# --- refused enrollments ---------------------------------------------------------------------


def test_a_mode_the_run_does_not_offer_answers_400_with_the_available_modes(client_for, learner, make_run):
    run = make_run(C, modes=["professional"])

    response = post_enrollment(client_for(learner), enrollment_body(mode="audit"))

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

    response = post_enrollment(client_for(staff), enrollment_body(user="honor", mode="verified"))

    assert response.status_code == 400
    assert response.json()["message"] == (
        f"The [verified] course mode is expired or otherwise unavailable for course run [{C}]."
    )
    assert stored(learner, run) is None


def test_staff_forcing_an_enrollment_may_use_an_expired_mode(client_for, staff, learner, make_run):
    run = make_run(C, modes=["audit", ("verified", {"expiration_datetime": timezone.now() - timedelta(days=1)})])

    response = post_enrollment(client_for(staff), enrollment_body(user="honor", mode="verified", force_enrollment=True))

    assert response.status_code == 200
    assert response.json()["mode"] == "verified"
    assert stored(learner, run) == ("verified", True)


def test_staff_deactivates_an_enrollment_whose_mode_has_expired(client_for, staff, learner, make_run, enroll):
    run = make_run(C, modes=["audit", "verified"])
    enroll(learner, run, "verified")
    run.modes.filter(slug="verified").update(expiration_datetime=timezone.now() - timedelta(days=1))

    response = post_enrollment(client_for(staff), enrollment_body(user="honor", mode="verified", is_active=False))

    assert response.status_code == 200
    assert (response.json()["mode"], response.json()["is_active"]) == ("verified", False)
    assert stored(learner, run) == ("verified", False)


def test_staff_deactivating_a_user_who_never_enrolled_records_an_inactive_enrollment(
    client_for, staff, learner, course
):
    response = post_enrollment(client_for(staff), enrollment_body(user="honor", is_active=False))

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

    refused = post_enrollment(client, enrollment_body(user="honor", mode="verified"))
    stored_after_refusal = stored(learner, run)
    forced = post_enrollment(client, enrollment_body(user="honor", mode="verified", force_enrollment=True))

    _assert_generic_refusal(refused, "honor")
    assert stored_after_refusal is None
    assert forced.status_code == 200
    assert (forced.json()["mode"], forced.json()["is_active"]) == ("verified", True)
    assert stored(learner, run) == ("verified", True)


def test_learner_cannot_force_an_enrollment_into_a_closed_run(client_for, learner, make_run):
    now = timezone.now()
    run = make_run(C, enrollment_start=now - timedelta(days=30), enrollment_end=now - timedelta(days=1))

    response = post_enrollment(client_for(learner), enrollment_body(force_enrollment=True))

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

    response = post_enrollment(client_for(staff), enrollment_body(user="honor", force_enrollment=True))

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
