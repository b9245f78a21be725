"""A mode named for an existing enrollment must be one the run offers (enrollments.batch; issue 12
"Parity", reference/edx_appsembler.md §1.6 step 13): refused with CourseModeUnavailableError even
when nothing would change or the request only deactivates; expired modes count for privileged
callers and for deactivations. One row of a bulk pass is refused, the others still apply."""

from __future__ import annotations

import pytest

from coursegate.courses.models import CourseMode, CourseRun
from coursegate.enrollments.exceptions import CourseModeUnavailableError, EnrollmentModeMismatchError
from coursegate.enrollments.models import Enrollment, Source
from coursegate.enrollments.services import EnrollmentRequest, Outcome, enrollments_bulk_upsert
from tests.enrollments.clock import NOW
from tests.enrollments.support import DAY, RUN, enroll, history


def state(user, run) -> tuple[str, bool]:
    return tuple(Enrollment.objects.filter(user=user, course_run=run).values_list("mode", "is_active").get())


@pytest.fixture
def withdrawn(make_run, learner, staff):
    """learner active in ``verified``, which the run then stops offering."""
    run = make_run(RUN, modes=("audit", "verified"))
    enroll(learner, run, mode="verified", actor=staff, privileged=True)
    CourseMode.objects.filter(course_run=run, slug="verified").delete()
    return CourseRun.objects.get(pk=run.pk)  # read again: make_run's instance holds its modes


@pytest.mark.parametrize(
    ("mode", "is_active", "privileged"),
    [
        ("verified", False, True),
        ("verified", True, True),
        ("professional", True, True),
        ("honor", True, False),
        ("honor", False, False),
    ],
    ids=["deactivate, staff", "same mode, staff", "unknown mode, staff", "re-post, learner", "deactivate, learner"],
)
def test_a_mode_the_run_does_not_offer_is_refused_for_an_existing_enrollment(
    withdrawn, learner, staff, mode, is_active, privileged
):
    with pytest.raises(CourseModeUnavailableError) as refused:
        enroll(learner, withdrawn, mode=mode, is_active=is_active, actor=staff, privileged=privileged)

    assert (refused.value.mode, refused.value.course_id) == (mode, RUN)
    assert state(learner, withdrawn) == ("verified", True)
    assert len(history(Enrollment.objects.get(user=learner))) == 1


def test_an_inactive_enrollment_deactivated_again_in_an_unoffered_mode_is_refused(make_run, learner, staff):
    run = make_run(RUN, modes=("audit",))
    enroll(learner, run, mode="audit", is_active=False, actor=staff, privileged=True)

    with pytest.raises(CourseModeUnavailableError):
        enroll(learner, run, mode="verified", is_active=False, actor=staff, privileged=True)

    assert state(learner, run) == ("audit", False)
    assert enroll(learner, run, mode="audit", is_active=False, privileged=True).outcome == Outcome.UNCHANGED


def test_a_mismatch_is_refused_before_the_mode_is_checked(withdrawn, learner, staff):
    with pytest.raises(EnrollmentModeMismatchError):
        enroll(learner, withdrawn, mode="professional", is_active=False, actor=staff, privileged=True)


def test_a_deactivation_naming_no_mode_still_deactivates(withdrawn, learner, staff):
    assert enroll(learner, withdrawn, is_active=False, actor=staff, privileged=True).outcome == Outcome.DEACTIVATED
    assert state(learner, withdrawn) == ("verified", False)


def test_an_expired_mode_counts_for_staff_and_deactivations_only(frozen_now, make_run, learner, staff):
    run = make_run(RUN, modes=("audit", ("verified", {"expiration_datetime": NOW - DAY})))
    enroll(learner, run, mode="verified", actor=staff, privileged=True, force=True)

    assert enroll(learner, run, mode="verified", actor=staff, privileged=True).outcome == Outcome.UNCHANGED
    with pytest.raises(CourseModeUnavailableError):
        enroll(learner, run, mode="verified", privileged=False)
    assert enroll(learner, run, mode="verified", is_active=False, privileged=True).outcome == Outcome.DEACTIVATED


def test_in_a_bulk_pass_only_the_row_naming_the_withdrawn_mode_is_refused(withdrawn, learner, other_learner, staff):
    results = enrollments_bulk_upsert(
        requests=[
            EnrollmentRequest(user=learner, course_run=withdrawn, mode="verified", is_active=False),
            EnrollmentRequest(user=other_learner, course_run=withdrawn, mode="audit"),
        ],
        actor=staff,
        source=Source.ADMIN,
        privileged=True,
    )

    assert [(type(r.error).__name__ if r.error else None, r.outcome) for r in results] == [
        ("CourseModeUnavailableError", None),
        (None, Outcome.CREATED),
    ]
    assert state(learner, withdrawn) == ("verified", True)
    assert state(other_learner, withdrawn) == ("audit", True)
