"""Contract of the remind and cancel endpoints of an assignment configuration (seed 003
"assignment-configurations-remind", "assignment-configurations-cancel"; reference/enterprise.md
§4.2–4.4, §5.1; issue 5):

- POST .../admin/assignments/remind/ and .../cancel/ with ``{"assignment_uuids": [...]}``: 200 with
  an empty body, or 422 listing the unknown and ineligible uuids. Both are atomic (unlike the
  reference's cancel): one bad uuid and nothing is recorded, changed or e-mailed.
Bad input, other customers, methods and the seed's curl examples: test_assignments_requests.py.
Who may call them: test_permissions.py.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.utils import timezone

from coursegate.assignments.models import LearnerContentAssignment, LearnerContentAssignmentAction
from tests.api.enterprise.assignments_support import (
    CONF_B,
    UNKNOWN,
    S,
    admin_post,
    assignments_world,
    make_assignment,
    snapshot,
)

ALL_STATES = [s.value for s in S]
NOT_REMINDABLE = [s for s in ALL_STATES if s != S.ALLOCATED]
NOT_CANCELABLE = [S.ACCEPTED, S.EXPIRED, S.REVERSED]
REMIND_422 = "Nothing was changed: some assignments cannot be reminded."
CANCEL_422 = "Nothing was changed: some assignments cannot be cancelled."


@pytest.fixture
def world(enterprise_world):
    return assignments_world(enterprise_world)


def _uuids(*assignments) -> list[str]:
    return [str(a.uuid) for a in assignments]


def _actions(assignment, action_type: str) -> int:
    return LearnerContentAssignmentAction.objects.filter(assignment=assignment, action_type=action_type).count()


# --- remind ---------------------------------------------------------------------------------------------------


def test_reminding_allocated_assignments_answers_200_with_an_empty_body_and_records_a_reminded_action_each(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    abc, defg = (
        make_assignment("abc@example.com"),
        make_assignment("def@example.com", content_key="edx+api101", title="APIs 101"),
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_post(world, "remind", {"assignment_uuids": _uuids(abc, defg)})

    assert (response.status_code, response.content) == (200, b"")
    assert [_actions(abc, "reminded"), _actions(defg, "reminded")] == [1, 1]
    assert set(LearnerContentAssignment.objects.values_list("state", flat=True)) == {S.ALLOCATED}
    assert sorted((m.to[0], m.subject) for m in mailoutbox) == [
        ("abc@example.com", "Reminder: edX 101 is waiting for you"),
        ("def@example.com", "Reminder: APIs 101 is waiting for you"),
    ]


def test_the_reminder_e_mail_names_the_content_and_the_date_the_assignment_expires(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    allocated_at = timezone.now() - timedelta(days=30)
    abc = make_assignment("abc@example.com", allocated_at=allocated_at)

    with django_capture_on_commit_callbacks(execute=True):
        admin_post(world, "remind", {"assignment_uuids": _uuids(abc)})

    [mail] = mailoutbox
    expires = (allocated_at + timedelta(days=90)).date().isoformat()
    assert (mail.to, mail.subject, mail.body) == (
        ["abc@example.com"],
        "Reminder: edX 101 is waiting for you",
        f"Hello,\n\nA reminder that edX 101 (edx+101) is assigned to you. Enroll before {expires}.\n",
    )


def test_the_reminder_e_mails_go_out_only_after_commit(world, mailoutbox, django_capture_on_commit_callbacks):
    abc = make_assignment("abc@example.com")

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = admin_post(world, "remind", {"assignment_uuids": _uuids(abc)})

    assert (response.status_code, len(callbacks), mailoutbox) == (200, 1, [])


def test_reminding_an_empty_list_answers_200_and_sends_nothing(world, mailoutbox, django_capture_on_commit_callbacks):
    make_assignment("abc@example.com")
    before = snapshot()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = admin_post(world, "remind", {"assignment_uuids": []})

    assert (response.status_code, response.content, callbacks, mailoutbox) == (200, b"", [], [])
    assert snapshot() == before


def test_a_uuid_repeated_in_one_request_is_reminded_once(world, mailoutbox, django_capture_on_commit_callbacks):
    abc = make_assignment("abc@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_post(world, "remind", {"assignment_uuids": [str(abc.uuid), str(abc.uuid).upper()]})

    assert (response.status_code, _actions(abc, "reminded"), len(mailoutbox)) == (200, 1, 1)


@pytest.mark.parametrize("state", NOT_REMINDABLE)
def test_reminding_a_non_allocated_assignment_answers_422_listing_it_and_reminds_nobody(
    world, mailoutbox, django_capture_on_commit_callbacks, state
):
    allocated, other = make_assignment("abc@example.com"), make_assignment("def@example.com", state)
    before = snapshot()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = admin_post(world, "remind", {"assignment_uuids": _uuids(allocated, other)})

    assert (response.status_code, response.json()) == (
        422,
        {"detail": REMIND_422, "unknown_assignment_uuids": [], "non_remindable_assignment_uuids": [str(other.uuid)]},
    )
    assert (snapshot(), callbacks, mailoutbox) == (before, [], [])


def test_reminding_an_unknown_uuid_answers_422_listing_it_and_reminds_nobody(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    allocated = make_assignment("abc@example.com")
    before = snapshot()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = admin_post(world, "remind", {"assignment_uuids": [str(allocated.uuid), UNKNOWN]})

    assert (response.status_code, response.json()) == (
        422,
        {"detail": REMIND_422, "unknown_assignment_uuids": [UNKNOWN], "non_remindable_assignment_uuids": []},
    )
    assert (snapshot(), callbacks, mailoutbox) == (before, [], [])


def test_an_assignment_of_another_configuration_is_unknown_to_this_one(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    mine, theirs = make_assignment("abc@example.com"), make_assignment("abc@example.com", configuration=CONF_B)
    before = snapshot()

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_post(world, "remind", {"assignment_uuids": _uuids(mine, theirs)})

    assert (response.status_code, response.json()) == (
        422,
        {"detail": REMIND_422, "unknown_assignment_uuids": [str(theirs.uuid)], "non_remindable_assignment_uuids": []},
    )
    assert (snapshot(), mailoutbox) == (before, [])


def test_the_422_lists_unknown_and_ineligible_uuids_together_in_request_order(world):
    accepted, expired = make_assignment("a@example.com", S.ACCEPTED), make_assignment("e@example.com", S.EXPIRED)
    other = "11111111-1111-4111-8111-111111111111"

    response = admin_post(
        world, "remind", {"assignment_uuids": [str(expired.uuid), UNKNOWN, str(accepted.uuid), other]}
    )

    assert (response.status_code, response.json()) == (
        422,
        {
            "detail": REMIND_422,
            "unknown_assignment_uuids": [UNKNOWN, other],
            "non_remindable_assignment_uuids": [str(expired.uuid), str(accepted.uuid)],
        },
    )


def test_a_remind_422_is_xml_by_default(world):
    cancelled = make_assignment("abc@example.com", S.CANCELLED)

    response = admin_post(world, "remind", {"assignment_uuids": [str(cancelled.uuid), UNKNOWN]}, accept=None)

    assert (response.status_code, response["Content-Type"]) == (422, "application/xml; charset=utf-8")
    root = ET.fromstring(response.content)
    assert root.findtext("detail") == REMIND_422
    assert [i.text for i in root.find("unknown_assignment_uuids")] == [UNKNOWN]
    assert [i.text for i in root.find("non_remindable_assignment_uuids")] == [str(cancelled.uuid)]


# --- cancel ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("state", [S.ALLOCATED, S.ERRORED])
def test_cancelling_an_allocated_or_errored_assignment_cancels_it_records_the_action_and_e_mails_the_learner(
    world, mailoutbox, django_capture_on_commit_callbacks, state
):
    assignment = make_assignment("abc@example.com", state)
    before = timezone.now()

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_post(world, "cancel", {"assignment_uuids": _uuids(assignment)})

    assert (response.status_code, response.content) == (200, b"")
    assignment.refresh_from_db()
    assert assignment.state == S.CANCELLED
    assert before <= assignment.cancelled_at <= timezone.now()
    assert _actions(assignment, "cancelled") == 1
    [mail] = mailoutbox
    assert (mail.to, mail.subject, mail.body) == (
        ["abc@example.com"],
        "Your assignment of edX 101 was cancelled",
        "Hello,\n\nYour assignment of edX 101 (edx+101) has been cancelled by your organization.\n",
    )


def test_cancelling_several_assignments_cancels_each_and_sends_one_e_mail_each(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    a, b = make_assignment("a@example.com"), make_assignment("b@example.com", S.ERRORED)
    make_assignment("c@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_post(world, "cancel", {"assignment_uuids": _uuids(a, b)})

    assert response.status_code == 200
    assert dict(LearnerContentAssignment.objects.values_list("learner_email", "state")) == {
        "a@example.com": S.CANCELLED,
        "b@example.com": S.CANCELLED,
        "c@example.com": S.ALLOCATED,
    }
    assert sorted(m.to[0] for m in mailoutbox) == ["a@example.com", "b@example.com"]


def test_cancelling_an_already_cancelled_assignment_is_fine_and_changes_nothing(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    cancelled = make_assignment("abc@example.com", S.CANCELLED)
    before = snapshot()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = admin_post(world, "cancel", {"assignment_uuids": _uuids(cancelled)})

    assert (response.status_code, response.content) == (200, b"")
    assert (snapshot(), callbacks, mailoutbox) == (before, [], [])


def test_cancelling_a_cancelled_and_an_allocated_one_cancels_only_the_allocated_one(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    cancelled, allocated = make_assignment("old@example.com", S.CANCELLED), make_assignment("new@example.com")
    cancelled_at = cancelled.cancelled_at

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_post(world, "cancel", {"assignment_uuids": _uuids(cancelled, allocated)})

    assert response.status_code == 200
    cancelled.refresh_from_db()
    allocated.refresh_from_db()
    assert (cancelled.cancelled_at, _actions(cancelled, "cancelled")) == (cancelled_at, 0)
    assert (allocated.state, _actions(allocated, "cancelled")) == (S.CANCELLED, 1)
    assert [m.to for m in mailoutbox] == [["new@example.com"]]


def test_cancelling_an_empty_list_answers_200_and_changes_nothing(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    make_assignment("abc@example.com")
    before = snapshot()

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_post(world, "cancel", {"assignment_uuids": []})

    assert (response.status_code, response.content, snapshot(), mailoutbox) == (200, b"", before, [])


@pytest.mark.parametrize("state", NOT_CANCELABLE)
def test_cancelling_with_a_non_cancelable_assignment_answers_422_and_leaves_the_allocated_ones_allocated(
    world, mailoutbox, django_capture_on_commit_callbacks, state
):
    allocated, errored, other = (
        make_assignment("a@example.com"),
        make_assignment("e@example.com", S.ERRORED),
        make_assignment("x@example.com", state),
    )
    before = snapshot()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = admin_post(world, "cancel", {"assignment_uuids": _uuids(allocated, other, errored)})

    assert (response.status_code, response.json()) == (
        422,
        {"detail": CANCEL_422, "unknown_assignment_uuids": [], "non_cancelable_assignment_uuids": [str(other.uuid)]},
    )
    assert (snapshot(), callbacks, mailoutbox) == (before, [], [])
    assert dict(LearnerContentAssignment.objects.values_list("learner_email", "state")) == {
        "a@example.com": S.ALLOCATED,
        "e@example.com": S.ERRORED,
        "x@example.com": state,
    }


@pytest.mark.parametrize("unknown", [UNKNOWN, "other configuration"])
def test_cancelling_with_an_unknown_uuid_answers_422_listing_it_and_changes_nothing(
    world, mailoutbox, django_capture_on_commit_callbacks, unknown
):
    allocated = make_assignment("a@example.com")
    if unknown == "other configuration":
        unknown = str(make_assignment("a@example.com", configuration=CONF_B).uuid)
    before = snapshot()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = admin_post(world, "cancel", {"assignment_uuids": [str(allocated.uuid), unknown]})

    assert (response.status_code, response.json()) == (
        422,
        {"detail": CANCEL_422, "unknown_assignment_uuids": [unknown], "non_cancelable_assignment_uuids": []},
    )
    assert (snapshot(), callbacks, mailoutbox) == (before, [], [])


def test_a_cancel_422_is_xml_by_default(world):
    accepted = make_assignment("abc@example.com", S.ACCEPTED)

    response = admin_post(world, "cancel", {"assignment_uuids": [str(accepted.uuid)]}, accept=None)

    assert (response.status_code, response["Content-Type"]) == (422, "application/xml; charset=utf-8")
    root = ET.fromstring(response.content)
    assert root.findtext("detail") == CANCEL_422
    assert list(root.find("unknown_assignment_uuids")) == []
    assert [i.text for i in root.find("non_cancelable_assignment_uuids")] == [str(accepted.uuid)]
