"""enrollment_upsert: the rules every API family relies on (modes, window, invitations, capacity,
privileged changes) and the history each change leaves."""

from __future__ import annotations

from datetime import timedelta

import pytest

from coursegate.enrollments.exceptions import (
    CourseFullError,
    CourseModeUnavailableError,
    EnrollmentClosedError,
    EnrollmentModeMismatchError,
    InvitationRequiredError,
)
from coursegate.enrollments.models import Enrollment, EnrollmentAllowed, EnrollmentHistory, Source
from coursegate.enrollments.services import Outcome, enrollment_allowed_upsert, enrollment_upsert
from tests.enrollments.clock import NOW

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)
SECOND = timedelta(seconds=1)
RUN = "course-v1:edX+DemoX+Demo_Course"


def history(enrollment) -> list[tuple]:
    return list(
        EnrollmentHistory.objects.filter(enrollment=enrollment).values_list("mode", "is_active", "actor", "source")
    )


def enroll(user, run, **kwargs):
    return enrollment_upsert(user=user, course_run=run, source=kwargs.pop("source", Source.EDX_API), **kwargs)


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


# --- An existing active enrollment -------------------------------------------------------------


def test_enrolling_an_active_learner_again_changes_nothing(make_run, learner):
    run = make_run(RUN, modes=("audit", "verified"))
    enroll(learner, run)
    before = Enrollment.objects.get()

    result = enroll(learner, run)

    assert (result.outcome, result.enrollment.pk) == (Outcome.UNCHANGED, before.pk)
    after = Enrollment.objects.get()
    assert (after.mode, after.is_active, after.modified) == ("audit", True, before.modified)
    assert EnrollmentHistory.objects.count() == 1


def test_enrolling_an_active_learner_again_is_unchanged_even_when_the_run_is_now_full_or_closed(
    frozen_now, make_run, learner
):
    run = make_run(RUN, max_enrollments=1)
    enroll(learner, run)
    run.enrollment_end = NOW - DAY
    run.save()

    assert enroll(learner, run).outcome == Outcome.UNCHANGED


def test_a_privileged_caller_changes_the_mode_of_an_active_enrollment(make_run, learner, staff):
    run = make_run(RUN, modes=("audit", "verified"))
    enrollment = enroll(learner, run, actor=learner).enrollment

    result = enroll(learner, run, mode="verified", actor=staff, source=Source.ADMIN, privileged=True)

    assert result.outcome == Outcome.UPDATED
    enrollment.refresh_from_db()
    assert (enrollment.mode, enrollment.is_active) == ("verified", True)
    assert history(enrollment) == [
        ("audit", True, learner.pk, Source.EDX_API),
        ("verified", True, staff.pk, Source.ADMIN),
    ]


def test_a_privileged_mode_change_still_refuses_an_unknown_mode(make_run, learner, staff):
    run = make_run(RUN, modes=("audit", "verified"))
    enroll(learner, run)

    with pytest.raises(CourseModeUnavailableError):
        enroll(learner, run, mode="professional", actor=staff, privileged=True)

    assert Enrollment.objects.get().mode == "audit"
    assert EnrollmentHistory.objects.count() == 1


def test_a_non_privileged_mode_change_is_ignored(make_run, learner):
    run = make_run(RUN, modes=("audit", "honor"))
    enroll(learner, run)

    result = enroll(learner, run, mode="honor", actor=learner)

    assert result.outcome == Outcome.UNCHANGED
    assert Enrollment.objects.get().mode == "audit"
    assert EnrollmentHistory.objects.count() == 1


@pytest.mark.parametrize("mode", [None, "verified"])
def test_a_privileged_caller_deactivates_an_active_enrollment(make_run, learner, staff, mode):
    run = make_run(RUN, modes=("audit", "verified"))
    enrollment = enroll(learner, run, mode="verified", actor=learner).enrollment

    result = enroll(learner, run, mode=mode, is_active=False, actor=staff, source=Source.ADMIN, privileged=True)

    assert result.outcome == Outcome.DEACTIVATED
    enrollment.refresh_from_db()
    assert (enrollment.mode, enrollment.is_active) == ("verified", False)
    assert history(enrollment) == [
        ("verified", True, learner.pk, Source.EDX_API),
        ("verified", False, staff.pk, Source.ADMIN),
    ]


def test_a_privileged_caller_deactivates_an_enrollment_whose_mode_has_expired(frozen_now, make_run, learner, staff):
    run = make_run(RUN, modes=("audit", ("verified", {"expiration_datetime": NOW + DAY})))
    enroll(learner, run, mode="verified")
    run.modes.filter(slug="verified").update(expiration_datetime=NOW - DAY)
    run = type(run).objects.prefetch_related("modes").get(pk=run.pk)

    result = enroll(learner, run, mode="verified", is_active=False, actor=staff, privileged=True)

    assert result.outcome == Outcome.DEACTIVATED
    assert Enrollment.objects.get().is_active is False


def test_deactivating_with_another_mode_is_a_mismatch(make_run, learner, staff):
    run = make_run(RUN, modes=("audit", "verified"))
    enroll(learner, run)

    with pytest.raises(EnrollmentModeMismatchError) as excinfo:
        enroll(learner, run, mode="verified", is_active=False, actor=staff, privileged=True)

    assert (excinfo.value.active_mode, excinfo.value.requested_mode) == ("audit", "verified")
    assert (excinfo.value.username, excinfo.value.course_id) == ("honor", RUN)
    enrollment = Enrollment.objects.get()
    assert (enrollment.mode, enrollment.is_active) == ("audit", True)
    assert EnrollmentHistory.objects.count() == 1


def test_a_non_privileged_deactivation_is_ignored(make_run, learner):
    run = make_run(RUN)
    enroll(learner, run)

    result = enroll(learner, run, is_active=False, actor=learner)

    assert result.outcome == Outcome.UNCHANGED
    assert Enrollment.objects.get().is_active is True
    assert EnrollmentHistory.objects.count() == 1


def test_deactivating_an_inactive_enrollment_again_changes_nothing(make_run, learner, staff):
    run = make_run(RUN)
    enroll(learner, run)
    enroll(learner, run, is_active=False, actor=staff, privileged=True)

    result = enroll(learner, run, is_active=False, actor=staff, privileged=True)

    assert result.outcome == Outcome.UNCHANGED
    assert EnrollmentHistory.objects.count() == 2


def test_an_inactive_request_for_a_new_pair_creates_an_inactive_enrollment(make_run, learner):
    run = make_run(RUN, modes=("honor", "verified"))

    result = enroll(learner, run, is_active=False)

    assert result.outcome == Outcome.CREATED
    enrollment = Enrollment.objects.get()
    assert (enrollment.mode, enrollment.is_active) == ("honor", False)
    assert history(enrollment) == [("honor", False, None, Source.EDX_API)]


# --- Reactivation --------------------------------------------------------------------------------


def test_upsert_reactivates_an_inactive_enrollment(make_run, learner, staff):
    run = make_run(RUN)
    enrollment = enroll(learner, run, actor=learner).enrollment
    enroll(learner, run, is_active=False, actor=staff, source=Source.ADMIN, privileged=True)

    result = enroll(learner, run, actor=learner, source=Source.APPSEMBLER)

    assert (result.outcome, result.enrollment.pk) == (Outcome.REACTIVATED, enrollment.pk)
    assert Enrollment.objects.get().is_active is True
    assert history(enrollment) == [
        ("audit", True, learner.pk, Source.EDX_API),
        ("audit", False, staff.pk, Source.ADMIN),
        ("audit", True, learner.pk, Source.APPSEMBLER),
    ]


def test_reactivation_is_refused_when_the_run_has_filled_up(make_run, learner, other_learner, staff):
    run = make_run(RUN, max_enrollments=1)
    enroll(learner, run)
    enroll(learner, run, is_active=False, actor=staff, privileged=True)
    enroll(other_learner, run)

    with pytest.raises(CourseFullError):
        enroll(learner, run)

    assert Enrollment.objects.get(user=learner).is_active is False


def test_reactivation_is_refused_when_the_window_has_closed(frozen_now, make_run, learner, staff):
    run = make_run(RUN, enrollment_end=NOW + DAY)
    enroll(learner, run)
    enroll(learner, run, is_active=False, actor=staff, privileged=True)
    run.enrollment_end = NOW - SECOND
    run.save()

    with pytest.raises(EnrollmentClosedError):
        enroll(learner, run)

    assert Enrollment.objects.get().is_active is False


def test_reactivation_is_refused_when_the_mode_has_expired(frozen_now, make_run, learner, staff):
    run = make_run(RUN, modes=(("verified", {"expiration_datetime": NOW + DAY}),))
    enroll(learner, run, mode="verified")
    enroll(learner, run, is_active=False, actor=staff, privileged=True)
    run.modes.update(expiration_datetime=NOW - DAY)
    run = type(run).objects.prefetch_related("modes").get(pk=run.pk)

    with pytest.raises(CourseModeUnavailableError):
        enroll(learner, run, mode="verified")


def test_force_reactivates_into_a_full_run(make_run, learner, other_learner, staff):
    run = make_run(RUN, max_enrollments=1)
    enroll(learner, run)
    enroll(learner, run, is_active=False, actor=staff, privileged=True)
    enroll(other_learner, run)

    result = enroll(learner, run, actor=staff, privileged=True, force=True)

    assert result.outcome == Outcome.REACTIVATED
    assert Enrollment.objects.filter(course_run=run, is_active=True).count() == 2


def test_reactivation_takes_the_requested_mode(make_run, learner, staff):
    run = make_run(RUN, modes=("audit", "honor"))
    enroll(learner, run)
    enroll(learner, run, is_active=False, actor=staff, privileged=True)

    result = enroll(learner, run, mode="honor")

    assert result.outcome == Outcome.REACTIVATED
    enrollment = Enrollment.objects.get()
    assert (enrollment.mode, enrollment.is_active) == ("honor", True)


# --- History -------------------------------------------------------------------------------------


def test_each_change_writes_one_history_row_with_actor_source_and_time(frozen_now, make_run, learner, staff):
    run = make_run(RUN, modes=("audit", "verified"))

    enrollment = enroll(learner, run, actor=staff, source=Source.ENTERPRISE).enrollment

    [row] = EnrollmentHistory.objects.all()
    assert (row.enrollment_id, row.mode, row.is_active, row.actor_id, row.source, row.changed_at) == (
        enrollment.pk,
        "audit",
        True,
        staff.pk,
        Source.ENTERPRISE,
        NOW,
    )


def test_a_refused_change_writes_no_history(make_run, learner):
    run = make_run(RUN, invite_only=True)

    with pytest.raises(InvitationRequiredError):
        enroll(learner, run)

    assert EnrollmentHistory.objects.count() == 0
