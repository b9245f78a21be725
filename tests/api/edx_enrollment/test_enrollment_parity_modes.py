"""POST /api/enrollment/v1/enrollment for an existing enrollment naming a mode the run does not
offer (issue 12 "Parity"; reference/edx_appsembler.md §1.6 step 13, §6 case 19): 400
``{"message": "The [<mode>] course mode is expired or otherwise unavailable for course run [<id>].",
"course_details": {...}}`` and nothing changes, also when the request only deactivates. The
reference validates the named mode on its update path (staff: expired modes count) and on its add
path (a learner re-posting), after the "mode mismatch" check of a deactivation.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from coursegate.courses.models import CourseMode
from tests.api.edx_enrollment.support import C, enrollment_body, history_count, post_enrollment, stored


def unavailable(mode: str) -> str:
    return f"The [{mode}] course mode is expired or otherwise unavailable for course run [{C}]."


def withdraw(run, slug: str) -> None:
    """The run stops offering ``slug`` (its enrollments keep it)."""
    CourseMode.objects.filter(course_run=run, slug=slug).delete()


@pytest.fixture
def verified_learner(learner, paid_run, enroll):
    """honor, actively enrolled in C as verified; then C stops offering verified."""
    enroll(learner, paid_run, "verified")
    withdraw(paid_run, "verified")
    return learner


# --- staff (the update path) ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("extra", "mode"),
    [
        ({"mode": "verified", "is_active": False}, "verified"),
        ({"mode": "verified"}, "verified"),
        ({"mode": "verified", "is_active": True}, "verified"),
        ({"mode": "professional"}, "professional"),
    ],
    ids=["deactivate in the withdrawn mode", "same withdrawn mode", "same withdrawn mode, active", "unknown mode"],
)
def test_staff_update_naming_a_mode_the_run_does_not_offer_is_a_400(
    client_for, staff, verified_learner, paid_run, extra, mode
):
    response = post_enrollment(client_for(staff), enrollment_body(user="honor", **extra))

    assert response.status_code == 400
    body = response.json()
    assert body["message"] == unavailable(mode)
    assert body["course_details"]["course_id"] == C
    assert [m["slug"] for m in body["course_details"]["course_modes"]] == ["audit"]
    assert stored(verified_learner, paid_run) == ("verified", True)
    assert history_count(verified_learner) == 1


def test_staff_deactivating_an_inactive_enrollment_in_a_mode_not_offered_is_a_400(
    client_for, staff, learner, paid_run, enroll
):
    enroll(learner, paid_run, "audit", is_active=False)

    response = post_enrollment(client_for(staff), enrollment_body(user="honor", mode="professional", is_active=False))

    assert (response.status_code, response.json()["message"]) == (400, unavailable("professional"))
    assert stored(learner, paid_run) == ("audit", False)
    assert history_count(learner) == 2


def test_a_mode_mismatch_is_reported_before_the_mode_is_checked(client_for, staff, verified_learner, paid_run):
    # Reference order: deactivating with another mode than the active one is refused as a mismatch.
    response = post_enrollment(client_for(staff), enrollment_body(user="honor", mode="honor", is_active=False))

    assert response.status_code == 400
    assert response.json() == {
        "message": "Enrollment mode mismatch: active mode=verified, requested mode=honor. Won't deactivate."
    }
    assert stored(verified_learner, paid_run) == ("verified", True)


def test_staff_deactivating_without_naming_a_mode_still_works(client_for, staff, verified_learner, paid_run):
    response = post_enrollment(client_for(staff), enrollment_body(user="honor", is_active=False))

    assert (response.status_code, response.json()["mode"], response.json()["is_active"]) == (200, "verified", False)
    assert stored(verified_learner, paid_run) == ("verified", False)


def test_staff_may_deactivate_in_an_expired_mode(client_for, staff, learner, paid_run, enroll):
    enroll(learner, paid_run, "verified")
    CourseMode.objects.filter(course_run=paid_run, slug="verified").update(
        expiration_datetime=timezone.now() - timedelta(days=1)
    )

    response = post_enrollment(client_for(staff), enrollment_body(user="honor", mode="verified", is_active=False))

    assert response.status_code == 200
    assert stored(learner, paid_run) == ("verified", False)


def test_staff_changing_to_an_offered_mode_still_works(client_for, staff, learner, paid_run, enroll):
    enroll(learner, paid_run, "audit")

    response = post_enrollment(client_for(staff), enrollment_body(user="honor", mode="verified"))

    assert (response.status_code, response.json()["mode"]) == (200, "verified")
    assert stored(learner, paid_run) == ("verified", True)


# --- a learner (the add path) --------------------------------------------------------------------


@pytest.mark.parametrize(
    "extra", [{"mode": "honor"}, {"mode": "honor", "is_active": False}], ids=["re-post", "deactivate"]
)
def test_learner_naming_a_free_mode_the_run_does_not_offer_is_a_400(client_for, learner, course, enroll, extra):
    enroll(learner, course, "audit")  # C offers audit only

    response = post_enrollment(client_for(learner), enrollment_body(**extra))

    assert response.status_code == 400
    assert response.json()["message"] == unavailable("honor")
    assert stored(learner, course) == ("audit", True)
    assert history_count(learner) == 1


def test_learner_reposting_an_offered_mode_is_still_200_unchanged(client_for, learner, course, enroll):
    enroll(learner, course, "audit")

    response = post_enrollment(client_for(learner), enrollment_body(mode="audit"))

    assert (response.status_code, response.json()["mode"], response.json()["is_active"]) == (200, "audit", True)
    assert history_count(learner) == 1


def test_learner_asking_for_a_paid_mode_is_still_a_403(client_for, learner, course, enroll):
    enroll(learner, course, "audit")

    response = post_enrollment(client_for(learner), enrollment_body(mode="verified"))

    assert response.status_code == 403
    assert stored(learner, course) == ("audit", True)


def test_unauthenticated_update_is_a_401_and_changes_nothing(learner, course, enroll):
    enroll(learner, course, "audit")

    response = post_enrollment(APIClient(), enrollment_body(user="honor", mode="honor"))

    assert (response.status_code, response.json()) == (401, {"detail": "Authentication credentials were not provided."})
    assert stored(learner, course) == ("audit", True)
