"""enrollments_bulk_upsert and enrollments_bulk_deactivate: per-row outcomes, rows applied in
order, and a query count that does not grow with the batch."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coursegate.enrollments.exceptions import (
    CourseFullError,
    CourseModeUnavailableError,
    EnrollmentClosedError,
    InvitationRequiredError,
)
from coursegate.enrollments.models import Enrollment, EnrollmentHistory, Source
from coursegate.enrollments.services import (
    EnrollmentRequest,
    Outcome,
    enrollment_allowed_upsert,
    enrollments_bulk_deactivate,
    enrollments_bulk_upsert,
)
from tests.enrollments.clock import NOW

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)


def outcomes(results) -> list:
    return [result.outcome if result.ok else type(result.error) for result in results]


def active_usernames(run) -> list[str]:
    return sorted(Enrollment.objects.filter(course_run=run, is_active=True).values_list("user__username", flat=True))


@pytest.fixture
def learners(make_user):
    return [make_user(f"learner{i}") for i in range(6)]


def test_bulk_upsert_returns_per_row_errors_and_applies_the_other_rows(frozen_now, make_run, learners, staff):
    open_run = make_run("course-v1:edX+Open+Run", modes=("audit", "verified"))
    closed_run = make_run("course-v1:edX+Closed+Run", enrollment_end=NOW - DAY)
    invite_run = make_run("course-v1:edX+Invite+Run", invite_only=True)
    full_run = make_run("course-v1:edX+Full+Run", max_enrollments=0)
    u0, u1, u2, u3, u4, u5 = learners

    results = enrollments_bulk_upsert(
        requests=[
            EnrollmentRequest(user=u0, course_run=open_run),
            EnrollmentRequest(user=u1, course_run=open_run, mode="professional"),
            EnrollmentRequest(user=u2, course_run=closed_run),
            EnrollmentRequest(user=u3, course_run=invite_run),
            EnrollmentRequest(user=u4, course_run=full_run),
            EnrollmentRequest(user=u5, course_run=open_run, mode="verified"),
        ],
        actor=staff,
        source=Source.APPSEMBLER,
    )

    assert outcomes(results) == [
        Outcome.CREATED,
        CourseModeUnavailableError,
        EnrollmentClosedError,
        InvitationRequiredError,
        CourseFullError,
        Outcome.CREATED,
    ]
    assert [r.ok for r in results] == [True, False, False, False, False, True]
    assert [r.request.user for r in results] == learners
    assert [r.enrollment is None for r in results] == [False, True, True, True, True, False]
    assert sorted(Enrollment.objects.values_list("user__username", "course_run__key", "mode")) == [
        ("learner0", "course-v1:edX+Open+Run", "audit"),
        ("learner5", "course-v1:edX+Open+Run", "verified"),
    ]
    assert sorted(EnrollmentHistory.objects.values_list("enrollment__user__username", "actor", "source")) == [
        ("learner0", staff.pk, Source.APPSEMBLER),
        ("learner5", staff.pk, Source.APPSEMBLER),
    ]


def test_bulk_upsert_of_nothing_costs_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert enrollments_bulk_upsert(requests=[], source=Source.ADMIN) == []


def test_the_same_pair_twice_in_a_batch_is_created_once_then_unchanged(make_run, learner):
    run = make_run()

    results = enrollments_bulk_upsert(
        requests=[EnrollmentRequest(user=learner, course_run=run), EnrollmentRequest(user=learner, course_run=run)],
        source=Source.APPSEMBLER,
    )

    assert outcomes(results) == [Outcome.CREATED, Outcome.UNCHANGED]
    enrollment = Enrollment.objects.get()
    assert [r.enrollment.pk for r in results] == [enrollment.pk, enrollment.pk]
    assert EnrollmentHistory.objects.count() == 1


def test_a_privileged_batch_may_create_then_change_the_mode_of_the_same_pair(make_run, learner, staff):
    run = make_run(modes=("audit", "verified"))

    results = enrollments_bulk_upsert(
        requests=[
            EnrollmentRequest(user=learner, course_run=run),
            EnrollmentRequest(user=learner, course_run=run, mode="verified"),
        ],
        actor=staff,
        source=Source.ADMIN,
        privileged=True,
    )

    assert outcomes(results) == [Outcome.CREATED, Outcome.UPDATED]
    enrollment = Enrollment.objects.get()
    assert (enrollment.mode, enrollment.is_active) == ("verified", True)


@pytest.mark.parametrize(
    ("existing", "requests", "expected_outcomes", "expected_history"),
    [
        pytest.param(
            False,
            [{}, {"mode": "verified"}],
            [Outcome.CREATED, Outcome.UPDATED],
            [("audit", True), ("verified", True)],
            id="create-then-change-mode",
        ),
        pytest.param(
            True,
            [{"is_active": False}, {}],
            [Outcome.DEACTIVATED, Outcome.REACTIVATED],
            [("audit", True), ("audit", False), ("audit", True)],
            id="deactivate-then-reactivate",
        ),
    ],
)
def test_bulk_upsert_writes_a_history_row_for_each_change_of_a_repeated_pair(
    make_run, learner, staff, existing, requests, expected_outcomes, expected_history
):
    run = make_run(modes=("audit", "verified"))
    if existing:
        enrollments_bulk_upsert(requests=[EnrollmentRequest(user=learner, course_run=run)], source=Source.ADMIN)

    results = enrollments_bulk_upsert(
        requests=[EnrollmentRequest(user=learner, course_run=run, **fields) for fields in requests],
        actor=staff,
        source=Source.ADMIN,
        privileged=True,
    )

    assert outcomes(results) == expected_outcomes
    assert list(EnrollmentHistory.objects.values_list("mode", "is_active")) == expected_history


def test_capacity_is_consumed_in_order_within_a_batch(make_run, learners):
    run = make_run(max_enrollments=2)

    results = enrollments_bulk_upsert(
        requests=[EnrollmentRequest(user=user, course_run=run) for user in learners[:3]], source=Source.APPSEMBLER
    )

    assert outcomes(results) == [Outcome.CREATED, Outcome.CREATED, CourseFullError]
    assert active_usernames(run) == ["learner0", "learner1"]


def test_capacity_counts_the_enrollments_already_in_the_run(make_run, learners):
    run = make_run(max_enrollments=2)
    enrollments_bulk_upsert(requests=[EnrollmentRequest(user=learners[0], course_run=run)], source=Source.ADMIN)

    results = enrollments_bulk_upsert(
        requests=[EnrollmentRequest(user=user, course_run=run) for user in learners[1:3]], source=Source.APPSEMBLER
    )

    assert outcomes(results) == [Outcome.CREATED, CourseFullError]
    assert active_usernames(run) == ["learner0", "learner1"]


def test_staff_in_a_batch_do_not_consume_capacity(make_run, staff, learner):
    run = make_run(max_enrollments=1)

    results = enrollments_bulk_upsert(
        requests=[EnrollmentRequest(user=staff, course_run=run), EnrollmentRequest(user=learner, course_run=run)],
        source=Source.ADMIN,
    )

    assert outcomes(results) == [Outcome.CREATED, Outcome.CREATED]


def test_a_deactivation_earlier_in_a_batch_frees_its_seat_for_a_later_row(make_run, learner, other_learner, staff):
    run = make_run(max_enrollments=1)
    enrollments_bulk_upsert(requests=[EnrollmentRequest(user=learner, course_run=run)], source=Source.ADMIN)

    results = enrollments_bulk_upsert(
        requests=[
            EnrollmentRequest(user=learner, course_run=run, is_active=False),
            EnrollmentRequest(user=other_learner, course_run=run),
        ],
        actor=staff,
        source=Source.ADMIN,
        privileged=True,
    )

    assert outcomes(results) == [Outcome.DEACTIVATED, Outcome.CREATED]
    assert active_usernames(run) == ["audit"]


def test_force_in_a_batch_ignores_capacity(make_run, learners, staff):
    run = make_run(max_enrollments=1)

    results = enrollments_bulk_upsert(
        requests=[EnrollmentRequest(user=user, course_run=run) for user in learners[:3]],
        actor=staff,
        source=Source.ADMIN,
        privileged=True,
        force=True,
    )

    assert outcomes(results) == [Outcome.CREATED] * 3


# --- Query count ---------------------------------------------------------------------------------


def _mixed_batch(users, runs) -> list[EnrollmentRequest]:
    """One request per user, spread round-robin over the runs."""
    return [EnrollmentRequest(user=user, course_run=runs[i % len(runs)]) for i, user in enumerate(users)]


def test_bulk_upsert_costs_the_same_queries_for_5_and_50_requests(make_run, make_user, staff):
    runs = [
        make_run("course-v1:edX+Plain+Run", modes=("audit", "verified")),
        make_run("course-v1:edX+Capped+Run", max_enrollments=1000),
        make_run("course-v1:edX+Invite+Run", invite_only=True),
    ]
    small = [make_user(f"small{i}") for i in range(5)]
    large = [make_user(f"large{i}") for i in range(50)]
    for user in small + large:
        enrollment_allowed_upsert(email=user.email, course_run=runs[2], auto_enroll=False)
    # Every fifth user already has an inactive enrollment, so each batch both inserts and updates.
    for batch in (small, large):
        enrollments_bulk_upsert(
            requests=[
                EnrollmentRequest(user=user, course_run=runs[i % 3], is_active=False)
                for i, user in enumerate(batch)
                if i % 5 == 0
            ],
            source=Source.ADMIN,
        )

    with CaptureQueriesContext(connection) as small_queries:
        small_results = enrollments_bulk_upsert(requests=_mixed_batch(small, runs), source=Source.APPSEMBLER)
    with CaptureQueriesContext(connection) as large_queries:
        large_results = enrollments_bulk_upsert(requests=_mixed_batch(large, runs), source=Source.APPSEMBLER)

    assert Counter(outcomes(small_results)) == {Outcome.CREATED: 4, Outcome.REACTIVATED: 1}
    assert Counter(outcomes(large_results)) == {Outcome.CREATED: 40, Outcome.REACTIVATED: 10}
    assert Enrollment.objects.filter(is_active=True).count() == 55
    assert EnrollmentHistory.objects.filter(source=Source.APPSEMBLER).count() == 55
    # savepoint, lock capped runs, load existing, count seats, invitations, insert, update, history, feed, release
    assert len(small_queries) == len(large_queries) == 10, [q["sql"] for q in large_queries.captured_queries]


def test_bulk_deactivate_costs_the_same_queries_for_3_and_30_pairs(make_run, make_user):
    run = make_run()
    users = [make_user(f"learner{i}") for i in range(33)]
    enrollments_bulk_upsert(requests=[EnrollmentRequest(user=u, course_run=run) for u in users], source=Source.ADMIN)

    with CaptureQueriesContext(connection) as small_queries:
        enrollments_bulk_deactivate(pairs=[(u, run) for u in users[:3]], source=Source.ADMIN)
    with CaptureQueriesContext(connection) as large_queries:
        enrollments_bulk_deactivate(pairs=[(u, run) for u in users[3:]], source=Source.ADMIN)

    assert Enrollment.objects.filter(is_active=True).count() == 0
    assert len(small_queries) == len(large_queries)


# --- Bulk deactivation ---------------------------------------------------------------------------


def test_bulk_deactivate_reports_deactivated_unchanged_and_not_enrolled(make_run, learners, staff):
    run = make_run()
    other_run = make_run("course-v1:edX+Other+Run")
    active, inactive, stranger = learners[:3]
    enrollments_bulk_upsert(
        requests=[
            EnrollmentRequest(user=active, course_run=run),
            EnrollmentRequest(user=inactive, course_run=run, is_active=False),
            EnrollmentRequest(user=stranger, course_run=other_run),
        ],
        source=Source.ADMIN,
    )
    history_before = EnrollmentHistory.objects.count()

    results = enrollments_bulk_deactivate(
        pairs=[(active, run), (inactive, run), (stranger, run)], actor=staff, source=Source.APPSEMBLER
    )

    assert [r.outcome for r in results] == [Outcome.DEACTIVATED, Outcome.UNCHANGED, Outcome.NOT_ENROLLED]
    assert [r.ok for r in results] == [True, True, True]
    assert results[2].enrollment is None
    assert Enrollment.objects.count() == 3
    assert not Enrollment.objects.filter(user=stranger, course_run=run).exists()
    assert Enrollment.objects.get(user=stranger, course_run=other_run).is_active is True
    assert list(Enrollment.objects.filter(course_run=run, is_active=True)) == []
    new_history = EnrollmentHistory.objects.order_by("id")[history_before:]
    assert [(h.enrollment.user_id, h.mode, h.is_active, h.actor_id, h.source) for h in new_history] == [
        (active.pk, "audit", False, staff.pk, Source.APPSEMBLER)
    ]


def test_bulk_deactivate_of_a_repeated_pair_deactivates_once(make_run, learner):
    run = make_run()
    enrollments_bulk_upsert(requests=[EnrollmentRequest(user=learner, course_run=run)], source=Source.ADMIN)

    results = enrollments_bulk_deactivate(pairs=[(learner, run), (learner, run)], source=Source.ADMIN)

    assert [r.outcome for r in results] == [Outcome.DEACTIVATED, Outcome.UNCHANGED]
    assert list(EnrollmentHistory.objects.values_list("is_active", flat=True)) == [True, False]


def test_bulk_deactivate_of_nothing_changes_nothing(make_run, learner):
    run = make_run()
    enrollments_bulk_upsert(requests=[EnrollmentRequest(user=learner, course_run=run)], source=Source.ADMIN)

    assert enrollments_bulk_deactivate(pairs=[], source=Source.ADMIN) == []
    assert Enrollment.objects.get().is_active is True
    assert EnrollmentHistory.objects.count() == 1
