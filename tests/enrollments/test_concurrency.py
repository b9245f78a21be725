"""Concurrent enrollment writers: capacity is never exceeded and a user/run pair never doubles.

These need threads that share one real database, which SQLite's per-connection in-memory test
database does not give; they run on PostgreSQL (scripts/test-postgres.sh).
"""

from __future__ import annotations

from collections import Counter

import pytest

from coursegate.enrollments.exceptions import CourseFullError
from coursegate.enrollments.models import Enrollment, EnrollmentHistory, Source
from coursegate.enrollments.services import Outcome, enrollment_upsert
from tests.kit.races import race_each, raised

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("requires_shared_database"),
]

THREADS = 8


def run_at_once(work) -> tuple[list, list[BaseException]]:
    """``work(i)`` in THREADS threads released together: their results and what they raised."""
    outcomes = race_each(work, THREADS)
    return [o for o in outcomes if not isinstance(o, BaseException)], raised(outcomes)


def test_concurrent_learners_never_exceed_the_capacity(make_run, make_user):
    run = make_run("course-v1:edX+Capped+Run", max_enrollments=3)
    learners = [make_user(f"learner{i}") for i in range(THREADS)]

    def enroll(i: int) -> str:
        try:
            return enrollment_upsert(user=learners[i], course_run=run, source=Source.EDX_API).outcome
        except CourseFullError:
            return "full"

    results, errors = run_at_once(enroll)

    assert errors == []
    assert Counter(results) == {Outcome.CREATED: 3, "full": THREADS - 3}
    assert Enrollment.objects.filter(course_run=run, is_active=True).count() == 3
    assert Enrollment.objects.count() == 3


@pytest.mark.parametrize("max_enrollments", [None, 3], ids=["uncapped", "capped"])
def test_concurrent_requests_for_the_same_pair_make_one_enrollment(make_run, learner, max_enrollments):
    run = make_run("course-v1:edX+Same+Run", max_enrollments=max_enrollments)

    results, errors = run_at_once(
        lambda i: enrollment_upsert(user=learner, course_run=run, source=Source.EDX_API).outcome
    )

    assert errors == []
    assert Counter(results) == {Outcome.CREATED: 1, Outcome.UNCHANGED: THREADS - 1}
    assert list(Enrollment.objects.values_list("user", "course_run", "is_active")) == [(learner.pk, run.pk, True)]
    assert EnrollmentHistory.objects.count() == 1
