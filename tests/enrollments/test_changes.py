"""enrollment_upsert on an existing enrollment: privileged changes (mode, deactivation),
reactivation, and the history each change leaves."""

from __future__ import annotations

import pytest

from coursegate.enrollments.exceptions import (
    CourseFullError,
    CourseModeUnavailableError,
    EnrollmentClosedError,
    EnrollmentModeMismatchError,
    InvitationRequiredError,
)
from coursegate.enrollments.models import Enrollment, EnrollmentHistory, Source
from coursegate.enrollments.services import Outcome
from tests.enrollments.clock import NOW
from tests.enrollments.support import DAY, RUN, SECOND, enroll, history

pytestmark = pytest.mark.django_db


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
