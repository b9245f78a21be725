"""POST /api/enrollment/v1/enrollment: modes, other users, and staff changes (deactivate, upgrade,
downgrade) (reference §1.6 steps 3-6 and 11): 403 for a paid mode asked by a learner, 404 with an
empty body when a learner names someone else, 406 for an unknown user named by staff.
"""

from __future__ import annotations

import pytest

from coursegate.enrollments.models import Enrollment, EnrollmentHistory
from tests.api.edx_enrollment.support import C, enrollment_body, history_count, post_enrollment, stored

# --- modes and other users -------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["verified", "professional", "credit"])
def test_learner_cannot_enroll_in_a_paid_mode(client_for, learner, make_run, mode):
    run = make_run(C, modes=["audit", mode])

    response = post_enrollment(client_for(learner), enrollment_body(mode=mode))

    assert response.status_code == 403
    assert response.json() == {"message": f"User does not have permission to create enrollment with mode [{mode}]."}
    assert stored(learner, run) is None
    assert history_count() == 0


def test_learner_cannot_upgrade_an_existing_enrollment(client_for, learner, paid_run, enroll):
    enroll(learner, paid_run, "audit")

    response = post_enrollment(client_for(learner), enrollment_body(mode="verified"))

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
    response = post_enrollment(client_for(learner), enrollment_body(**extra))

    assert response.status_code == 404
    assert response.content == b""
    assert Enrollment.objects.count() == 0


def test_learner_naming_themselves_enrolls(client_for, learner, course):
    response = post_enrollment(client_for(learner), enrollment_body(user="honor"))

    assert response.status_code == 200
    assert response.json()["user"] == "honor"
    assert stored(learner, course) == ("audit", True)


@pytest.mark.parametrize("mode", ["verified", "professional"])
def test_staff_enrolls_another_user_in_a_paid_mode(client_for, staff, learner, make_run, mode):
    run = make_run(C, modes=["audit", mode])

    response = post_enrollment(client_for(staff), enrollment_body(user="honor", mode=mode))

    assert response.status_code == 200
    assert response.json()["user"] == "honor"
    assert response.json()["mode"] == mode
    assert response.json()["is_active"] is True
    assert stored(learner, run) == (mode, True)
    assert stored(staff, run) is None
    [history] = EnrollmentHistory.objects.filter(enrollment__user=learner)
    assert history.actor_id == staff.pk


def test_staff_naming_an_unknown_user_gets_406(client_for, staff, course):
    response = post_enrollment(client_for(staff), enrollment_body(user="fake-user"))

    assert response.status_code == 406
    assert response.json() == {"message": "The user fake-user does not exist."}
    assert Enrollment.objects.count() == 0


@pytest.mark.parametrize("email", ["honor@example.com", "HONOR@Example.com"], ids=["as stored", "other case"])
def test_staff_enrolls_a_user_by_email(client_for, staff, learner, course, email):
    response = post_enrollment(client_for(staff), enrollment_body(email=email))

    assert response.status_code == 200
    assert response.json()["user"] == "honor"
    assert stored(learner, course) == ("audit", True)
    assert stored(staff, course) is None


def test_staff_naming_an_unknown_email_gets_406(client_for, staff, course):
    response = post_enrollment(client_for(staff), enrollment_body(email="nobody@example.com"))

    assert response.status_code == 406
    assert response.json() == {"message": "The user with the email address nobody@example.com does not exist."}
    assert Enrollment.objects.count() == 0


def test_user_wins_over_email_when_staff_gives_both(client_for, staff, learner, other_learner, course):
    response = post_enrollment(client_for(staff), enrollment_body(user="audit", email="honor@example.com"))

    assert response.status_code == 200
    assert response.json()["user"] == "audit"
    assert stored(other_learner, course) == ("audit", True)
    assert stored(learner, course) is None


# --- staff changes: deactivate, upgrade, downgrade ------------------------------------------


def test_staff_deactivates_an_enrollment_idempotently(client_for, staff, learner, paid_run, enroll):
    enroll(learner, paid_run, "verified")
    client = client_for(staff)
    request = enrollment_body(user="honor", mode="verified", is_active=False)

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

    response = post_enrollment(client_for(staff), enrollment_body(user="honor", is_active=False))

    assert response.status_code == 200
    assert (response.json()["mode"], response.json()["is_active"]) == ("verified", False)
    assert stored(learner, paid_run) == ("verified", False)


def test_staff_deactivation_naming_another_mode_is_refused(client_for, staff, learner, make_run, enroll):
    run = make_run(C, modes=["honor", "verified"])
    enroll(learner, run, "verified")

    response = post_enrollment(client_for(staff), enrollment_body(user="honor", mode="honor", is_active=False))

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

    upgrade = post_enrollment(client, enrollment_body(user="honor", mode="verified"))
    upgraded = stored(learner, paid_run)
    downgrade = post_enrollment(client, enrollment_body(user="honor", mode="audit"))

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

    response = post_enrollment(client_for(staff), enrollment_body(user="honor", mode="verified", is_active=True))

    assert response.status_code == 200
    assert (response.json()["mode"], response.json()["is_active"]) == ("verified", True)
    assert stored(learner, paid_run) == ("verified", True)


def test_staff_changing_to_a_mode_the_run_does_not_offer_is_refused(client_for, staff, learner, course, enroll):
    enroll(learner, course, "audit")

    response = post_enrollment(client_for(staff), enrollment_body(user="honor", mode="professional"))

    assert response.status_code == 400
    assert response.json()["message"] == (
        f"The [professional] course mode is expired or otherwise unavailable for course run [{C}]."
    )
    assert stored(learner, course) == ("audit", True)
