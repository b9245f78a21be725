"""The assignment expiry job (coursegate.assignments.services.assignments_expire, the
``coursegate expire_assignments`` command and the Celery beat task; reference/enterprise.md §4.1
``earliest_possible_expiration``, §5.1; issue 5): an allocated assignment expires at the earliest of
90 days after its allocation, its content's enroll-by date and its policy's subsidy expiration.

Fixtures live here (names prefixed ``exp_``) so this module does not depend on the allocation
tests' conftest.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coursegate.assignments.administration import assignments_remind
from coursegate.assignments.models import LearnerContentAssignment, LearnerContentAssignmentAction
from coursegate.assignments.selectors import assignment_expiration
from coursegate.assignments.services import assignments_expire, policy_allocate, policy_upsert
from coursegate.assignments.tasks import assignments_expire_task
from coursegate.catalogs.services import catalog_add_items, catalog_upsert, content_item_upsert
from coursegate.demo.content import DEMO_CONTENT
from coursegate.enterprise.services import customer_upsert

NOW = datetime(2027, 3, 1, 9, 30, tzinfo=UTC)
DAY, SECOND = timedelta(days=1), timedelta(seconds=1)
S = LearnerContentAssignment.State
STAMP = {S.ACCEPTED: "accepted_at", S.CANCELLED: "cancelled_at", S.ERRORED: "errored_at",
         S.EXPIRED: "expired_at", S.REVERSED: "reversed_at"}  # fmt: skip


@pytest.fixture
def exp_frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def exp_policies(db):
    """Customer A's catalog with the demo content plus ``edx+passed`` (enroll-by an hour before NOW)
    and ``edx+later`` (enroll-by 30 days after NOW). Policy ``long`` (subsidy until 2030) and
    policy ``ending`` (subsidy expired a minute before NOW), each with its own configuration."""
    customer = customer_upsert(uuid="904b1785-9d3a-1000-848d-6ae7a56e6355", name="A", slug="a")
    items = [
        content_item_upsert(content_type=kind, content_key=key, title=title, **columns)
        for kind, key, title, columns in DEMO_CONTENT
    ]
    for key, enroll_by in [("edx+passed", NOW - timedelta(hours=1)), ("edx+later", NOW + 30 * DAY)]:
        items.append(content_item_upsert(content_type="course", content_key=key, title=key, price_cents=1000,
                                         enroll_by=enroll_by))  # fmt: skip
    catalog = catalog_upsert(uuid="3f56a21c-76c8-47c0-add8-a99714d40d94", customer=customer, title="A")
    catalog_add_items(catalog=catalog, items=items)
    common = {"customer": customer, "catalog": catalog, "spend_limit": 10**8, "subsidy_balance_cents": 10**8}
    return {
        "long": policy_upsert(uuid="904b1785-9d3a-1000-848d-6ae7a56e6355",
                              configuration_uuid="6fc7ef56-d1c4-4aa8-a649-e6eb209f0000",
                              subsidy_expiration=datetime(2030, 12, 31, tzinfo=UTC), **common),
        "ending": policy_upsert(uuid="904b1785-9d3a-1000-848d-6ae7a56e0e0e",
                                configuration_uuid="6fc7ef56-d1c4-4aa8-a649-e6eb20900e0e",
                                subsidy_expiration=NOW - timedelta(minutes=1), **common),
    }  # fmt: skip


def _make(policy, email: str, *, state: str = S.ALLOCATED, allocated_at: datetime = NOW - 10 * DAY,
          content_key: str = "edx+101") -> LearnerContentAssignment:  # fmt: skip
    stamps = {STAMP[state]: allocated_at + DAY} if state in STAMP else {}
    return LearnerContentAssignment.objects.create(
        assignment_configuration_id=policy.assignment_configuration_id, learner_email=email, content_key=content_key,
        content_title=content_key, content_quantity=-1000, state=state, allocated_at=allocated_at, **stamps,
    )  # fmt: skip


def _states() -> dict[str, str]:
    return dict(LearnerContentAssignment.objects.values_list("learner_email", "state"))


# (policy, allocated this long before NOW, content key) -> expires at NOW?, earliest_possible_expiration reason
CASES = {
    "91 days ago": ("long", 91 * DAY, "edx+101", True, "NINETY_DAYS_PASSED"),
    "exactly 90 days ago": ("long", 90 * DAY, "edx+101", True, "NINETY_DAYS_PASSED"),
    "a second short of 90 days ago": ("long", 90 * DAY - SECOND, "edx+101", False, "NINETY_DAYS_PASSED"),
    "enroll-by passed": ("long", 10 * DAY, "edx+passed", True, "ENROLLMENT_DATE_PASSED"),
    "enroll-by ahead": ("long", 10 * DAY, "edx+later", False, "ENROLLMENT_DATE_PASSED"),
    "enroll-by ahead but 90 days passed": ("long", 95 * DAY, "edx+later", True, "NINETY_DAYS_PASSED"),
    "subsidy expired": ("ending", 10 * DAY, "edx+101", True, "SUBSIDY_EXPIRED"),
    "subsidy expired before enroll-by": ("ending", DAY, "edx+later", True, "SUBSIDY_EXPIRED"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_an_allocated_assignment_expires_at_the_earliest_of_its_three_deadlines(exp_policies, case):
    policy, ago, content_key, expires, reason = CASES[case]
    assignment = _make(exp_policies[policy], "a@example.com", allocated_at=NOW - ago, content_key=content_key)

    assert assignment_expiration(assignment)["reason"] == reason
    assert assignments_expire(now=NOW) == (1 if expires else 0)

    assignment.refresh_from_db()
    if expires:
        assert (assignment.state, assignment.expired_at, assignment.modified) == (S.EXPIRED, NOW, NOW)
        assert list(assignment.actions.values_list("action_type", "completed_at")) == [("expired", NOW)]
    else:
        assert (assignment.state, assignment.expired_at, assignment.actions.count()) == (S.ALLOCATED, None, 0)


@pytest.mark.parametrize("state", [S.ACCEPTED, S.CANCELLED, S.ERRORED, S.REVERSED, S.EXPIRED])
def test_only_allocated_assignments_expire(exp_policies, state):
    assignment = _make(exp_policies["ending"], "a@example.com", state=state, allocated_at=NOW - 200 * DAY)
    row = LearnerContentAssignment.objects.values().get(pk=assignment.pk)

    assert assignments_expire(now=NOW) == 0
    assert LearnerContentAssignment.objects.values().get(pk=assignment.pk) == row
    assert assignment.actions.count() == 0


def test_the_job_expires_the_due_ones_and_leaves_the_others(exp_policies):
    long, ending = exp_policies["long"], exp_policies["ending"]
    _make(long, "old@example.com", allocated_at=NOW - 100 * DAY)
    _make(long, "fresh@example.com")
    _make(long, "passed@example.com", content_key="edx+passed")
    _make(long, "accepted@example.com", state=S.ACCEPTED, allocated_at=NOW - 100 * DAY)
    _make(ending, "subsidy@example.com")

    assert assignments_expire(now=NOW) == 3

    assert _states() == {
        "old@example.com": S.EXPIRED,
        "fresh@example.com": S.ALLOCATED,
        "passed@example.com": S.EXPIRED,
        "accepted@example.com": S.ACCEPTED,
        "subsidy@example.com": S.EXPIRED,
    }
    assert LearnerContentAssignmentAction.objects.filter(action_type="expired").count() == 3
    assert assignments_expire(now=NOW) == 0  # running it again changes nothing
    assert LearnerContentAssignmentAction.objects.filter(action_type="expired").count() == 3


def test_the_job_uses_the_current_time_by_default(exp_policies, exp_frozen):
    _make(exp_policies["long"], "old@example.com", allocated_at=NOW - 90 * DAY)
    _make(exp_policies["long"], "new@example.com", allocated_at=NOW - 90 * DAY + SECOND)

    assert assignments_expire() == 1
    assert _states() == {"old@example.com": S.EXPIRED, "new@example.com": S.ALLOCATED}
    exp_frozen.shift(SECOND)
    assert assignments_expire() == 1
    assert _states() == {"old@example.com": S.EXPIRED, "new@example.com": S.EXPIRED}


def test_a_reminder_does_not_postpone_expiry(exp_policies, exp_frozen):
    assignment = _make(exp_policies["long"], "a@example.com", allocated_at=NOW - 89 * DAY)
    assignments_remind(configuration=exp_policies["long"].assignment_configuration, assignment_uuids=[assignment.uuid])

    exp_frozen.shift(DAY)

    assert assignments_expire() == 1
    assert [a for a in assignment.actions.order_by("created").values_list("action_type", flat=True)] == [
        "reminded", "expired",
    ]  # fmt: skip


def test_an_expired_assignment_is_allocated_again_by_a_new_allocation(
    exp_policies, exp_frozen, mailoutbox, django_capture_on_commit_callbacks
):
    policy = exp_policies["long"]
    assignment = _make(policy, "a@example.com", allocated_at=NOW - 100 * DAY)
    fresh = _make(policy, "b@example.com")
    assert assignments_expire() == 1
    exp_frozen.shift(DAY)

    with django_capture_on_commit_callbacks(execute=True):
        result = policy_allocate(policy_uuid=policy.pk, learner_emails=["a@example.com", "b@example.com"],
                                 content_key="edx+101", content_price_cents=1010)  # fmt: skip

    assert ([a.uuid for a in result.updated], result.created, [a.uuid for a in result.no_change]) == (
        [assignment.uuid], [], [fresh.uuid],
    )  # fmt: skip
    assignment.refresh_from_db()
    assert (assignment.state, assignment.expired_at, assignment.allocated_at, assignment.content_quantity) == (
        S.ALLOCATED, None, NOW + DAY, -1010,
    )  # fmt: skip
    assert list(assignment.actions.order_by("created").values_list("action_type", flat=True)) == ["expired", "notified"]
    assert [m.to for m in mailoutbox] == [["a@example.com"]]
    assert assignment_expiration(assignment) == {"date": NOW + 91 * DAY, "reason": "NINETY_DAYS_PASSED"}
    assert assignments_expire() == 0  # the new allocation's 90 days start now


def test_the_job_s_queries_do_not_grow_with_the_number_of_allocated_assignments(exp_policies):
    def queries(n: int) -> int:
        LearnerContentAssignment.objects.all().delete()
        for i in range(n):
            _make(exp_policies["long"], f"q{i}@example.com", allocated_at=NOW - (100 if i % 2 else 10) * DAY,
                  content_key="edx+later" if i % 3 else "edx+101")  # fmt: skip
        with CaptureQueriesContext(connection) as ctx:
            assignments_expire(now=NOW)
        return len(ctx.captured_queries)

    assert queries(3) == queries(30)


# --- how it runs: management command, Celery task, beat schedule ---------------------------------------------


def test_the_management_command_expires_and_prints_the_count(exp_policies, exp_frozen):
    _make(exp_policies["long"], "old@example.com", allocated_at=NOW - 100 * DAY)
    _make(exp_policies["ending"], "subsidy@example.com")
    _make(exp_policies["long"], "fresh@example.com")
    out = StringIO()

    call_command("expire_assignments", stdout=out)

    assert out.getvalue() == "2 assignments expired\n"
    assert _states() == {
        "old@example.com": S.EXPIRED,
        "subsidy@example.com": S.EXPIRED,
        "fresh@example.com": S.ALLOCATED,
    }

    again = StringIO()
    call_command("expire_assignments", stdout=again)
    assert again.getvalue() == "0 assignments expired\n"


def test_the_celery_task_runs_the_job_in_process_without_a_broker(exp_policies, exp_frozen):
    _make(exp_policies["long"], "old@example.com", allocated_at=NOW - 100 * DAY)
    _make(exp_policies["long"], "fresh@example.com")

    result = assignments_expire_task.delay()

    assert result.get() == 1
    assert _states() == {"old@example.com": S.EXPIRED, "fresh@example.com": S.ALLOCATED}


def test_celery_beat_schedules_the_task_every_hour():
    assert settings.CELERY_BEAT_SCHEDULE["expire-assignments"] == {
        "task": assignments_expire_task.name,
        "schedule": 3600.0,
    }
    assert assignments_expire_task.name == "coursegate.assignments.expire"
