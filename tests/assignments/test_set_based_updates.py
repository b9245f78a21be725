"""Re-allocation, cancellation and expiry update many assignments set-based (issue 10): one UPDATE
whatever their number (never an UPDATE with a CASE branch per row), with the same columns as
before — a re-allocation keeps an account already linked and links one found by e-mail."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coursegate.assignments.administration import assignments_cancel
from coursegate.assignments.models import AssignmentConfiguration, LearnerContentAssignment
from coursegate.assignments.services import assignments_expire
from tests.assignments.conftest import NOW, State, allocate, assignment_create

pytestmark = pytest.mark.usefixtures("frozen")


def updates(ctx: CaptureQueriesContext) -> list[str]:
    statements = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("UPDATE")]
    assert not any(" CASE " in sql for sql in statements), statements
    return statements


def test_re_allocating_many_is_one_update_that_keeps_or_links_the_account(policy, make_user):
    kept, found = make_user("kept"), make_user("found", email="Found.Learner@example.com")
    for i in range(30):
        assignment_create(policy, email=f"r{i}@example.com", state=State.CANCELLED)
    assignment_create(policy, email="kept@example.com", state=State.EXPIRED, lms_user=kept)
    assignment_create(policy, email="found.learner@example.com", state=State.ERRORED)
    emails = [f"r{i}@example.com" for i in range(30)] + ["kept@example.com", "found.learner@example.com"]

    with CaptureQueriesContext(connection) as ctx:
        result = allocate(policy, emails, price=1040)

    assert len(updates(ctx)) == 1
    assert len(result.updated) == 32
    links = dict(LearnerContentAssignment.objects.values_list("learner_email", "lms_user"))
    assert (links["kept@example.com"], links["found.learner@example.com"], links["r0@example.com"]) == (
        kept.pk,
        found.pk,
        None,
    )
    assert {a.learner_email: a.lms_user_id for a in result.updated if a.lms_user_id} == {
        "kept@example.com": kept.pk,
        "found.learner@example.com": found.pk,
    }
    assert set(LearnerContentAssignment.objects.values_list("state", "content_quantity", "modified")) == {
        (State.ALLOCATED, -1040, NOW)
    }


def test_cancelling_many_is_one_update(policy):
    assignments = [assignment_create(policy, email=f"c{i}@example.com") for i in range(30)]
    configuration = AssignmentConfiguration.objects.get(pk=policy.assignment_configuration_id)

    with CaptureQueriesContext(connection) as ctx:
        assert assignments_cancel(configuration=configuration, assignment_uuids=[a.pk for a in assignments]) == 30

    assert len(updates(ctx)) == 1
    assert set(LearnerContentAssignment.objects.values_list("state", "cancelled_at", "modified")) == {
        (State.CANCELLED, NOW, NOW)
    }


def test_expiring_many_is_one_update(policy):
    for i in range(30):
        assignment_create(policy, email=f"e{i}@example.com", allocated_at=NOW - timedelta(days=100))

    with CaptureQueriesContext(connection) as ctx:
        assert assignments_expire(now=NOW) == 30

    assert len(updates(ctx)) == 1
    assert set(LearnerContentAssignment.objects.values_list("state", "expired_at", "modified")) == {
        (State.EXPIRED, NOW, NOW)
    }
