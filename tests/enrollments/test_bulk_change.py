"""enrollments_bulk_change: enroll or unenroll usernames and e-mails in many runs (Open edX
instructor semantics), with before/after states, invitations, and a constant query count."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coursegate.enrollments.models import Enrollment, EnrollmentAllowed, EnrollmentHistory, Source
from coursegate.enrollments.services import (
    IdentifierState,
    enrollment_upsert,
    enrollments_bulk_change,
)

pytestmark = pytest.mark.django_db

NOTHING = IdentifierState(user=False, enrollment=False, allowed=False, auto_enroll=False)
ACCOUNT = IdentifierState(user=True, enrollment=False, allowed=False, auto_enroll=False)
ENROLLED = IdentifierState(user=True, enrollment=True, allowed=False, auto_enroll=False)
INVITED = IdentifierState(user=False, enrollment=False, allowed=True, auto_enroll=True)


def change(action: str, identifiers, runs, *, actor=None, auto_enroll: bool = True):
    return enrollments_bulk_change(
        action=action,
        identifiers=identifiers,
        course_runs=runs,
        auto_enroll=auto_enroll,
        actor=actor,
        source=Source.APPSEMBLER,
    )


def test_enroll_enrolls_accounts_invites_emails_and_reports_invalid_identifiers(make_run, learner, staff):
    run = make_run()

    outcomes = change("enroll", ["honor", "new@example.com", "not an e-mail", "honor"], [run], actor=staff)

    rows = outcomes[run.key]
    assert [row.identifier for row in rows] == ["honor", "new@example.com", "not an e-mail"]
    assert [(row.before, row.after, row.change) for row in rows[:2]] == [
        (ACCOUNT, ENROLLED, "enrolled_enroll"),
        (NOTHING, INVITED, "allowed_enroll"),
    ]
    assert rows[2].invalid and rows[2].before is None
    assert Enrollment.objects.get(user=learner, course_run=run).is_active
    assert EnrollmentAllowed.objects.get().email == "new@example.com"


def test_enrolling_again_changes_nothing_and_tells_nobody(make_run, learner):
    run = make_run()
    change("enroll", ["honor", "new@example.com"], [run])

    rows = change("enroll", ["honor", "new@example.com"], [run])[run.key]

    assert [(row.before, row.after, row.change) for row in rows] == [
        (ENROLLED, ENROLLED, ""),
        (INVITED, INVITED, ""),
    ]
    assert EnrollmentHistory.objects.count() == 1


def test_unenroll_deactivates_through_the_same_path_as_a_staff_deactivation(make_run, learner, other_learner, staff):
    run = make_run(modes=("audit", "verified"))
    for user in (learner, other_learner):
        enrollment_upsert(user=user, course_run=run, mode="verified", source=Source.ADMIN, privileged=True)
    enrollment_upsert(
        user=other_learner, course_run=run, is_active=False, actor=staff, source=Source.APPSEMBLER, privileged=True
    )

    rows = change("unenroll", ["honor"], [run], actor=staff)[run.key]

    assert [(row.before, row.after, row.change) for row in rows] == [(ENROLLED, ACCOUNT, "enrolled_unenroll")]
    by_bulk, by_upsert = (
        EnrollmentHistory.objects.filter(enrollment__user=user)
        .values_list("mode", "is_active", "actor", "source")
        .last()
        for user in (learner, other_learner)
    )
    assert by_bulk == by_upsert == ("verified", False, staff.pk, Source.APPSEMBLER)


def test_unenroll_withdraws_invitations(make_run):
    run = make_run()
    change("enroll", ["new@example.com"], [run])

    rows = change("unenroll", ["NEW@example.com"], [run])[run.key]

    assert [(row.before, row.after, row.change) for row in rows] == [(INVITED, NOTHING, "allowed_unenroll")]
    assert not EnrollmentAllowed.objects.exists()


def test_an_unknown_action_is_refused(make_run):
    with pytest.raises(ValueError):
        change("upgrade", ["honor"], [make_run()])


@pytest.mark.parametrize("action", ["enroll", "unenroll"])
def test_the_query_count_does_not_grow_with_the_batch(make_run, make_user, action):
    runs = [make_run(f"course-v1:Org+C{i}+Run") for i in range(2)]
    for prefix, count in (("small", 3), ("large", 30)):
        for i in range(count):
            make_user(f"{prefix}{i}")
        change("enroll", [f"{prefix}{i}" for i in range(count)], runs)

    def queries(prefix: str, count: int) -> int:
        identifiers = [f"{prefix}{i}" for i in range(count)] + [f"{prefix}-new{i}@example.com" for i in range(count)]
        with CaptureQueriesContext(connection) as ctx:
            change(action, identifiers, runs)
        return len(ctx.captured_queries)

    assert queries("small", 3) == queries("large", 30)
