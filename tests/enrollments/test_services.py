"""enrollment_upsert: the admission rules every API family relies on (modes, window, invitations,
capacity). Changes of an existing enrollment and the history: test_changes.py."""

from __future__ import annotations

import pytest

from coursegate.enrollments.exceptions import (
    CourseFullError,
    CourseModeUnavailableError,
    EnrollmentClosedError,
    InvitationRequiredError,
)
from coursegate.enrollments.models import Enrollment, EnrollmentAllowed
from coursegate.enrollments.services import Outcome, enrollment_allowed_upsert
from tests.enrollments.clock import NOW
from tests.enrollments.support import DAY, RUN, SECOND, enroll

pytestmark = pytest.mark.django_db


# --- Creating an enrollment and choosing its mode --------------------------------------------


@pytest.mark.parametrize(
    ("modes", "expected"),
    [
        pytest.param(("verified", "honor", "audit"), "audit", id="audit-when-offered"),
        pytest.param(("verified", "honor"), "honor", id="else-honor"),
        pytest.param((), "audit", id="audit-when-run-has-no-modes"),
        pytest.param((("audit", {"expiration_datetime": NOW - DAY}), "honor"), "honor", id="expired-audit-skipped"),
    ],
)
def test_upsert_creates_an_enrollment_in_the_default_mode(frozen_now, make_run, learner, modes, expected):
    run = make_run(RUN, modes=modes)

    result = enroll(learner, run)

    assert (result.outcome, result.ok, result.error) == (Outcome.CREATED, True, None)
    enrollment = Enrollment.objects.get(user=learner, course_run=run)
    assert result.enrollment.pk == enrollment.pk
    assert (enrollment.mode, enrollment.is_active) == (expected, True)
    assert (enrollment.created, enrollment.modified) == (NOW, NOW)


def test_upsert_never_defaults_to_a_paid_mode(make_run, learner):
    # Open edX falls back to the platform default "audit", which a paid-only run does not offer.
    run = make_run(RUN, modes=("verified", "professional"))

    with pytest.raises(CourseModeUnavailableError) as raised:
        enroll(learner, run)

    assert raised.value.mode == "audit"
    assert not Enrollment.objects.filter(user=learner).exists()


def test_upsert_creates_an_enrollment_in_the_requested_mode(make_run, learner):
    run = make_run(RUN, modes=("audit", "verified"))

    result = enroll(learner, run, mode="verified")

    assert result.outcome == Outcome.CREATED
    assert Enrollment.objects.get(user=learner, course_run=run).mode == "verified"


@pytest.mark.parametrize(
    ("modes", "requested"),
    [
        pytest.param(("audit", "verified"), "professional", id="not-offered"),
        pytest.param(("audit",), "Audit", id="case-matters"),
        pytest.param((), "honor", id="run-without-modes-offers-only-audit"),
    ],
)
def test_upsert_refuses_a_mode_the_run_does_not_offer(make_run, learner, modes, requested):
    run = make_run(RUN, modes=modes)

    with pytest.raises(CourseModeUnavailableError) as excinfo:
        enroll(learner, run, mode=requested)

    assert (excinfo.value.mode, excinfo.value.username, excinfo.value.course_id) == (requested, "honor", RUN)
    assert Enrollment.objects.count() == 0


def test_upsert_refuses_an_expired_mode(frozen_now, make_run, learner):
    run = make_run(RUN, modes=("audit", ("verified", {"expiration_datetime": NOW})))

    with pytest.raises(CourseModeUnavailableError) as excinfo:
        enroll(learner, run, mode="verified")

    assert excinfo.value.mode == "verified"
    assert Enrollment.objects.count() == 0


def test_upsert_accepts_a_mode_until_it_expires(frozen_now, make_run, learner):
    run = make_run(RUN, modes=("audit", ("verified", {"expiration_datetime": NOW + SECOND})))

    assert enroll(learner, run, mode="verified").outcome == Outcome.CREATED


def test_force_enrolls_into_an_expired_mode(frozen_now, make_run, learner, staff):
    run = make_run(RUN, modes=("audit", ("verified", {"expiration_datetime": NOW - DAY})))

    result = enroll(learner, run, mode="verified", actor=staff, privileged=True, force=True)

    assert result.outcome == Outcome.CREATED
    assert Enrollment.objects.get(user=learner, course_run=run).mode == "verified"


def test_force_does_not_invent_a_mode_the_run_never_offered(make_run, learner, staff):
    run = make_run(RUN, modes=("audit",))

    with pytest.raises(CourseModeUnavailableError):
        enroll(learner, run, mode="verified", actor=staff, privileged=True, force=True)


# --- Enrollment window -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("window", "is_open"),
    [
        pytest.param({}, True, id="no-window"),
        pytest.param({"enrollment_start": NOW - DAY, "enrollment_end": NOW + DAY}, True, id="inside"),
        pytest.param({"enrollment_start": NOW}, True, id="opens-now"),
        pytest.param({"enrollment_start": NOW + SECOND}, False, id="not-yet-open"),
        pytest.param({"enrollment_start": NOW + DAY, "enrollment_end": NOW + 2 * DAY}, False, id="future-window"),
        pytest.param({"enrollment_end": NOW}, False, id="closes-now"),
        pytest.param({"enrollment_end": NOW - DAY}, False, id="closed"),
    ],
)
def test_upsert_enrolls_only_inside_the_enrollment_window(frozen_now, make_run, learner, window, is_open):
    run = make_run(RUN, **window)

    if is_open:
        assert enroll(learner, run).outcome == Outcome.CREATED
        assert Enrollment.objects.filter(user=learner, course_run=run, is_active=True).count() == 1
    else:
        with pytest.raises(EnrollmentClosedError) as excinfo:
            enroll(learner, run)
        assert type(excinfo.value) is EnrollmentClosedError
        assert (excinfo.value.username, excinfo.value.course_id) == ("honor", RUN)
        assert Enrollment.objects.count() == 0


@pytest.mark.parametrize(
    "window",
    [
        pytest.param({"enrollment_start": NOW + DAY}, id="not-yet-open"),
        pytest.param({"enrollment_end": NOW - DAY}, id="closed"),
    ],
)
def test_force_enrolls_outside_the_window(frozen_now, make_run, learner, staff, window):
    run = make_run(RUN, **window)

    result = enroll(learner, run, actor=staff, privileged=True, force=True)

    assert result.outcome == Outcome.CREATED
    assert Enrollment.objects.get(user=learner, course_run=run).is_active is True


# --- Invite-only runs --------------------------------------------------------------------------


def test_upsert_refuses_an_invite_only_run_without_invitation(make_run, learner):
    run = make_run(RUN, invite_only=True)

    with pytest.raises(InvitationRequiredError) as excinfo:
        enroll(learner, run)

    assert (excinfo.value.username, excinfo.value.course_id) == ("honor", RUN)
    assert Enrollment.objects.count() == 0


@pytest.mark.parametrize("invited_email", ["honor@example.com", "HONOR@Example.COM", "  Honor@example.com "])
def test_an_invitation_in_any_case_admits_the_learner_to_an_invite_only_run(make_run, learner, invited_email):
    run = make_run(RUN, invite_only=True)
    enrollment_allowed_upsert(email=invited_email, course_run=run, auto_enroll=False)

    assert enroll(learner, run).outcome == Outcome.CREATED


def test_an_invitation_admits_a_learner_whose_email_has_capitals(make_run, make_user):
    user = make_user("mixed", email="Mixed.Case@Example.com")
    run = make_run(RUN, invite_only=True)
    enrollment_allowed_upsert(email="mixed.case@example.com", course_run=run, auto_enroll=False)

    assert enroll(user, run).outcome == Outcome.CREATED


def test_an_invitation_to_another_run_or_for_another_email_does_not_admit(make_run, learner, other_learner):
    run = make_run(RUN, invite_only=True)
    other_run = make_run("course-v1:edX+DemoX+Other", invite_only=True)
    enrollment_allowed_upsert(email=learner.email, course_run=other_run, auto_enroll=False)
    enrollment_allowed_upsert(email=other_learner.email, course_run=run, auto_enroll=False)

    with pytest.raises(InvitationRequiredError):
        enroll(learner, run)


def test_force_enrolls_into_an_invite_only_run_without_invitation(make_run, learner, staff):
    run = make_run(RUN, invite_only=True)

    assert enroll(learner, run, actor=staff, privileged=True, force=True).outcome == Outcome.CREATED


def test_allowed_upsert_stores_the_email_lower_cased_and_updates_auto_enroll(make_run):
    run = make_run(RUN)

    first = enrollment_allowed_upsert(email=" New.Learner@Example.COM ", course_run=run, auto_enroll=False)
    second = enrollment_allowed_upsert(email="new.learner@example.com", course_run=run, auto_enroll=True)

    assert second.pk == first.pk
    assert list(EnrollmentAllowed.objects.values_list("email", "auto_enroll", "user")) == [
        ("new.learner@example.com", True, None)
    ]


# --- Capacity ------------------------------------------------------------------------------------


def test_upsert_refuses_a_learner_when_the_run_is_full(make_run, make_user):
    run = make_run(RUN, max_enrollments=2)
    first, second, third = (make_user(f"learner{i}") for i in range(3))
    enroll(first, run)
    enroll(second, run)

    with pytest.raises(CourseFullError) as excinfo:
        enroll(third, run)

    assert (excinfo.value.username, excinfo.value.course_id) == ("learner2", RUN)
    assert sorted(Enrollment.objects.filter(course_run=run).values_list("user__username", flat=True)) == [
        "learner0",
        "learner1",
    ]


def test_staff_enrollments_do_not_take_a_seat(make_run, staff, learner):
    run = make_run(RUN, max_enrollments=1)

    enroll(staff, run)

    assert enroll(learner, run).outcome == Outcome.CREATED
    assert Enrollment.objects.filter(course_run=run, is_active=True).count() == 2


def test_staff_are_enrolled_into_a_full_run(make_run, staff, learner):
    run = make_run(RUN, max_enrollments=1)
    enroll(learner, run)

    assert enroll(staff, run).outcome == Outcome.CREATED


def test_inactive_enrollments_do_not_take_a_seat(make_run, staff, learner, other_learner):
    run = make_run(RUN, max_enrollments=1)
    enroll(learner, run)
    enroll(learner, run, is_active=False, actor=staff, privileged=True)

    assert enroll(other_learner, run).outcome == Outcome.CREATED


def test_force_enrolls_past_capacity(make_run, staff, learner, other_learner):
    run = make_run(RUN, max_enrollments=1)
    enroll(learner, run)

    assert enroll(other_learner, run, actor=staff, privileged=True, force=True).outcome == Outcome.CREATED
    assert Enrollment.objects.filter(course_run=run, is_active=True).count() == 2
