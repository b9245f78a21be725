"""Concurrent enrollment writers: capacity is never exceeded and a user/run pair never doubles.

These need threads that share one real database, which SQLite's per-connection in-memory test
database does not give; they run on PostgreSQL (scripts/test-postgres.sh).
"""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.db import connection

from coursegate.enrollments.exceptions import CourseFullError
from coursegate.enrollments.models import Enrollment, EnrollmentHistory, Source
from coursegate.enrollments.services import Outcome, enrollment_upsert

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

THREADS = 8


@pytest.fixture(autouse=True)
def _shared_database():
    if connection.vendor == "sqlite":
        pytest.skip("SQLite in-memory test databases are not shared between threads; runs on PostgreSQL")


def run_at_once(work) -> tuple[list, list[BaseException]]:
    """Call ``work(i)`` in THREADS threads released together; return their results and exceptions."""
    barrier = threading.Barrier(THREADS)
    results: list = [None] * THREADS
    errors: list[BaseException] = []

    def target(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[i] = work(i)
        except BaseException as exc:  # noqa: BLE001 - reported to the test thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a writer is stuck"
    return results, errors


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
