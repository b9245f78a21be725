"""assignments_remind and assignments_cancel (coursegate.assignments.administration; seed 003
"assignment-configurations-remind", "assignment-configurations-cancel"; reference/enterprise.md
§4.2, §4.3, §5.1; issue 5): the state table, all-or-nothing, actions, e-mails after commit.

Fixtures live here (names prefixed ``adm_``) so this module does not depend on the allocation
tests' conftest.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.mail.backends.base import BaseEmailBackend

from coursegate.assignments.administration import assignments_cancel, assignments_remind
from coursegate.assignments.exceptions import AssignmentsNotActionableError
from coursegate.assignments.models import LearnerContentAssignment, LearnerContentAssignmentAction
from coursegate.assignments.selectors import assignment_expiration
from coursegate.assignments.services import policy_allocate, policy_upsert
from coursegate.catalogs.services import catalog_add_items, catalog_upsert, content_item_upsert
from coursegate.demo.content import DEMO_CONTENT
from coursegate.enterprise.services import customer_upsert
from coursegate.outbox.models import OutboxEmail

NOW = datetime(2027, 3, 1, 9, 30, tzinfo=UTC)
CONF = "6fc7ef56-d1c4-4aa8-a649-e6eb209f0000"
OTHER_CONF = "6fc7ef56-d1c4-4aa8-a649-e6eb2090ffff"
UNKNOWN = "99999999-9999-4999-8999-999999999999"

S = LearnerContentAssignment.State
STAMP = {S.ACCEPTED: "accepted_at", S.CANCELLED: "cancelled_at", S.ERRORED: "errored_at",
         S.EXPIRED: "expired_at", S.REVERSED: "reversed_at"}  # fmt: skip
# state -> (remindable, what cancel does: "cancel" | "nothing" | "refuse")  (reference §4.2, §4.3, §5.1)
TABLE = {
    S.ALLOCATED: (True, "cancel"),
    S.ERRORED: (False, "cancel"),
    S.CANCELLED: (False, "nothing"),
    S.ACCEPTED: (False, "refuse"),
    S.EXPIRED: (False, "refuse"),
    S.REVERSED: (False, "refuse"),
}


@pytest.fixture
def adm_frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def adm_policies(db):
    """Customer A with the demo content in its catalog, plus one content item whose enroll-by date
    falls 20 days after NOW; two policies (configurations CONF and OTHER_CONF)."""
    customer = customer_upsert(uuid="904b1785-9d3a-1000-848d-6ae7a56e6355", name="A", slug="a")
    items = [
        content_item_upsert(content_type=kind, content_key=key, title=title, **columns)
        for kind, key, title, columns in DEMO_CONTENT
    ]
    items.append(
        content_item_upsert(content_type="course", content_key="edx+soon", title="Soon", price_cents=1000,
                            enroll_by=NOW + timedelta(days=20))
    )  # fmt: skip
    catalog = catalog_upsert(uuid="3f56a21c-76c8-47c0-add8-a99714d40d94", customer=customer, title="A")
    catalog_add_items(catalog=catalog, items=items)
    common = {"customer": customer, "catalog": catalog, "spend_limit": 10**8, "subsidy_balance_cents": 10**8,
              "subsidy_expiration": datetime(2030, 12, 31, tzinfo=UTC)}  # fmt: skip
    return (
        policy_upsert(uuid="904b1785-9d3a-1000-848d-6ae7a56e6355", configuration_uuid=CONF, **common),
        policy_upsert(uuid="904b1785-9d3a-1000-848d-6ae7a56effff", configuration_uuid=OTHER_CONF, **common),
    )


@pytest.fixture
def adm_policy(adm_policies):
    return adm_policies[0]


def _make(policy, email: str, state: str = S.ALLOCATED, *, content_key: str = "edx+101", title: str = "edX 101",
          allocated_at: datetime | None = None) -> LearnerContentAssignment:  # fmt: skip
    allocated_at = allocated_at or NOW - timedelta(days=10)
    stamps = {STAMP[state]: allocated_at + timedelta(days=1)} if state in STAMP else {}
    return LearnerContentAssignment.objects.create(
        assignment_configuration_id=policy.assignment_configuration_id, learner_email=email, content_key=content_key,
        content_title=title, content_quantity=-1000, state=state, allocated_at=allocated_at, **stamps,
    )  # fmt: skip


def _rows() -> list[dict]:
    return list(LearnerContentAssignment.objects.order_by("uuid").values())


def _action_types(assignment) -> list[str]:
    return list(assignment.actions.order_by("created").values_list("action_type", flat=True))


def _refusal(call, **kwargs) -> AssignmentsNotActionableError:
    with pytest.raises(AssignmentsNotActionableError) as caught:
        call(**kwargs)
    return caught.value


# --- remind ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("state", list(TABLE))
def test_only_an_allocated_assignment_can_be_reminded(adm_policy, adm_frozen, state):
    assignment = _make(adm_policy, "abc@example.com", state)
    remindable, _ = TABLE[state]
    rows = _rows()

    if remindable:
        assert assignments_remind(configuration=adm_policy.assignment_configuration,
                                  assignment_uuids=[assignment.uuid]) == 1  # fmt: skip
        assert _action_types(assignment) == ["reminded"]
        assert assignment.actions.get().completed_at == NOW
    else:
        error = _refusal(assignments_remind, configuration=adm_policy.assignment_configuration,
                         assignment_uuids=[assignment.uuid])  # fmt: skip
        assert (error.action, error.unknown, error.not_actionable) == ("remind", [], [str(assignment.uuid)])
        assert _action_types(assignment) == []
    assert _rows() == rows  # reminding never changes the assignment itself


def test_reminding_does_not_reset_the_ninety_day_timer(adm_policy, adm_frozen):
    assignment = _make(adm_policy, "abc@example.com", allocated_at=NOW - timedelta(days=80))
    before = assignment_expiration(assignment)

    assignments_remind(configuration=adm_policy.assignment_configuration, assignment_uuids=[assignment.uuid])

    assignment.refresh_from_db()
    assert assignment.allocated_at == NOW - timedelta(days=80)
    assert (
        assignment_expiration(assignment)
        == before
        == {"date": NOW + timedelta(days=10), "reason": "NINETY_DAYS_PASSED"}
    )


def test_one_bad_uuid_and_no_assignment_is_reminded(adm_policies, adm_frozen, mailoutbox,
                                                    django_capture_on_commit_callbacks):  # fmt: skip
    policy, other = adm_policies
    good = [_make(policy, f"g{i}@example.com") for i in range(3)]
    theirs = _make(other, "t@example.com")
    errored = _make(policy, "e@example.com", S.ERRORED)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        error = _refusal(
            assignments_remind, configuration=policy.assignment_configuration,
            assignment_uuids=[good[0].uuid, theirs.uuid, good[1].uuid, errored.uuid, UNKNOWN, good[2].uuid],
        )  # fmt: skip

    assert (error.unknown, error.not_actionable) == ([str(theirs.uuid), UNKNOWN], [str(errored.uuid)])
    assert (LearnerContentAssignmentAction.objects.count(), callbacks, mailoutbox) == (0, [], [])


def test_reminders_are_e_mailed_after_commit_one_per_assignment(adm_policy, adm_frozen, mailoutbox,
                                                                 django_capture_on_commit_callbacks):  # fmt: skip
    a = _make(adm_policy, "a@example.com", allocated_at=NOW - timedelta(days=30))
    b = _make(adm_policy, "b@example.com", content_key="edx+soon", title="Soon")

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        count = assignments_remind(configuration=adm_policy.assignment_configuration, assignment_uuids=[a.uuid, b.uuid])
    assert (count, len(callbacks), mailoutbox) == (2, 1, [])
    callbacks[0]()

    # a: 90 days after its allocation on 2027-01-30; b: the content's enroll-by date (NOW + 20 days)
    assert sorted((m.to, m.subject, m.body) for m in mailoutbox) == [
        (["a@example.com"], "Reminder: edX 101 is waiting for you",
         "Hello,\n\nA reminder that edX 101 (edx+101) is assigned to you. Enroll before 2027-04-30.\n"),
        (["b@example.com"], "Reminder: Soon is waiting for you",
         "Hello,\n\nA reminder that Soon (edx+soon) is assigned to you. Enroll before 2027-03-21.\n"),
    ]  # fmt: skip


def test_reminding_nothing_is_a_no_op(adm_policy, django_capture_on_commit_callbacks):
    _make(adm_policy, "a@example.com")

    with django_capture_on_commit_callbacks() as callbacks:
        count = assignments_remind(configuration=adm_policy.assignment_configuration, assignment_uuids=[])

    assert (count, callbacks, LearnerContentAssignmentAction.objects.count()) == (0, [], 0)


def test_a_repeated_uuid_is_reminded_once_and_listed_once(adm_policy):
    allocated, accepted = _make(adm_policy, "a@example.com"), _make(adm_policy, "b@example.com", S.ACCEPTED)
    configuration = adm_policy.assignment_configuration

    assert assignments_remind(configuration=configuration, assignment_uuids=[allocated.uuid, str(allocated.uuid)]) == 1
    error = _refusal(assignments_remind, configuration=configuration,
                     assignment_uuids=[accepted.uuid, accepted.uuid, UNKNOWN, UNKNOWN])  # fmt: skip
    assert (error.unknown, error.not_actionable) == ([UNKNOWN], [str(accepted.uuid)])


class RefusingBackend(BaseEmailBackend):
    """A mail server that is down."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("mail server down")


def test_a_mail_server_failure_is_logged_and_the_reminder_still_recorded(
    adm_policy, settings, caplog, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    assignment = _make(adm_policy, "a@example.com")

    with caplog.at_level(logging.WARNING), django_capture_on_commit_callbacks(execute=True):
        count = assignments_remind(
            configuration=adm_policy.assignment_configuration, assignment_uuids=[assignment.uuid]
        )

    assert (count, _action_types(assignment)) == (1, ["reminded"])
    assert "could not send 1 e-mails (ConnectionRefusedError: mail server down)" in caplog.text
    # The e-mail waits in the outbox for the next attempt.
    [row] = OutboxEmail.objects.all()
    assert (row.kind, row.to, row.status, row.attempts) == ("assignment_reminded", ["a@example.com"], "pending", 1)


# --- cancel ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("state", list(TABLE))
def test_what_cancelling_does_in_each_state(adm_policy, adm_frozen, mailoutbox, django_capture_on_commit_callbacks,
                                            state):  # fmt: skip
    assignment = _make(adm_policy, "abc@example.com", state)
    _, outcome = TABLE[state]
    rows = _rows()

    with django_capture_on_commit_callbacks(execute=True):
        if outcome == "refuse":
            error = _refusal(assignments_cancel, configuration=adm_policy.assignment_configuration,
                             assignment_uuids=[assignment.uuid])  # fmt: skip
            assert (error.action, error.unknown, error.not_actionable) == ("cancel", [], [str(assignment.uuid)])
        else:
            count = assignments_cancel(configuration=adm_policy.assignment_configuration,
                                       assignment_uuids=[assignment.uuid])  # fmt: skip
            assert count == (1 if outcome == "cancel" else 0)

    assignment.refresh_from_db()
    if outcome == "cancel":
        assert (assignment.state, assignment.cancelled_at, assignment.modified) == (S.CANCELLED, NOW, NOW)
        assert _action_types(assignment) == ["cancelled"]
        assert [(m.to, m.subject) for m in mailoutbox] == [
            (["abc@example.com"], "Your assignment of edX 101 was cancelled")
        ]
    else:
        assert (_rows(), _action_types(assignment), mailoutbox) == (rows, [], [])


def test_one_non_cancelable_assignment_and_nothing_is_cancelled(adm_policies, adm_frozen, mailoutbox,
                                                                django_capture_on_commit_callbacks):  # fmt: skip
    policy, other = adm_policies
    allocated, errored = _make(policy, "a@example.com"), _make(policy, "e@example.com", S.ERRORED)
    accepted, reversed_ = _make(policy, "x@example.com", S.ACCEPTED), _make(policy, "r@example.com", S.REVERSED)
    theirs = _make(other, "a@example.com")
    rows = _rows()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        error = _refusal(
            assignments_cancel, configuration=policy.assignment_configuration,
            assignment_uuids=[allocated.uuid, accepted.uuid, theirs.uuid, errored.uuid, reversed_.uuid],
        )  # fmt: skip

    assert (error.unknown, error.not_actionable) == ([str(theirs.uuid)], [str(accepted.uuid), str(reversed_.uuid)])
    assert (_rows(), LearnerContentAssignmentAction.objects.count(), callbacks, mailoutbox) == (rows, 0, [], [])


def test_cancelling_a_mix_counts_only_the_assignments_that_changed(adm_policy, adm_frozen):
    allocated, errored = _make(adm_policy, "a@example.com"), _make(adm_policy, "e@example.com", S.ERRORED)
    cancelled = _make(adm_policy, "c@example.com", S.CANCELLED)
    earlier = cancelled.cancelled_at

    count = assignments_cancel(configuration=adm_policy.assignment_configuration,
                               assignment_uuids=[cancelled.uuid, allocated.uuid, errored.uuid])  # fmt: skip

    assert count == 2
    assert dict(LearnerContentAssignment.objects.values_list("learner_email", "cancelled_at")) == {
        "a@example.com": NOW, "e@example.com": NOW, "c@example.com": earlier,
    }  # fmt: skip


def test_cancellation_e_mails_go_out_after_commit(adm_policy, mailoutbox, django_capture_on_commit_callbacks):
    a, b = _make(adm_policy, "a@example.com"), _make(adm_policy, "b@example.com", S.ERRORED)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assignments_cancel(configuration=adm_policy.assignment_configuration, assignment_uuids=[a.uuid, b.uuid])
    assert (len(callbacks), mailoutbox) == (1, [])
    callbacks[0]()

    assert sorted((m.to[0], m.body) for m in mailoutbox) == [
        ("a@example.com", "Hello,\n\nYour assignment of edX 101 (edx+101) has been cancelled by your organization.\n"),
        ("b@example.com", "Hello,\n\nYour assignment of edX 101 (edx+101) has been cancelled by your organization.\n"),
    ]


def test_a_cancelled_assignment_can_be_allocated_again(adm_policy, adm_frozen):
    assignment = _make(adm_policy, "a@example.com")
    assignments_cancel(configuration=adm_policy.assignment_configuration, assignment_uuids=[assignment.uuid])

    result = policy_allocate(policy_uuid=adm_policy.pk, learner_emails=["A@example.com"], content_key="edx+101",
                             content_price_cents=1020)  # fmt: skip

    assert ([a.uuid for a in result.updated], result.created, result.no_change) == ([assignment.uuid], [], [])
    assignment.refresh_from_db()
    assert (assignment.state, assignment.cancelled_at, assignment.content_quantity) == (S.ALLOCATED, None, -1020)
    assert _action_types(assignment) == ["cancelled", "notified"]
    # and it can be reminded and cancelled again
    assert (
        assignments_remind(configuration=adm_policy.assignment_configuration, assignment_uuids=[assignment.uuid]) == 1
    )
    assert (
        assignments_cancel(configuration=adm_policy.assignment_configuration, assignment_uuids=[assignment.uuid]) == 1
    )
