"""The allocation service, ``policy_allocate`` (seed 003 "policy-allocation"; reference/enterprise.md
§4.1, §5.1; issue 5): the upsert per (configuration, learner, content key) from every state —
created, updated (re-allocated from cancelled, errored, expired, reversed), no_change (allocated,
accepted) — with the columns, account links and actions it writes.
Spend, subsidy, price and refusals: test_allocate_business_rules.py; the earliest possible
expiration: test_allocate_expiration.py.

Every prior state is set up with the ORM (conftest.assignment_create). Time stands still at NOW.
"""

from __future__ import annotations

import uuid as uuid_lib

import pytest

from coursegate.assignments.models import LearnerContentAssignment, LearnerContentAssignmentAction
from coursegate.catalogs.models import ContentItem
from coursegate.catalogs.services import catalog_add_items, catalog_upsert, content_item_upsert
from coursegate.enterprise.services import customer_upsert
from tests.assignments.conftest import (
    CONFIGURATION_A,
    NOW,
    State,
    allocate,
    assignment_create,
    policy_create,
    refusal,
    snapshot,
)

pytestmark = pytest.mark.usefixtures("frozen")

Action = LearnerContentAssignmentAction.Type
TIMESTAMPS = ("accepted_at", "cancelled_at", "expired_at", "errored_at", "reversed_at")


def rows() -> dict[str, dict]:
    """learner e-mail -> the columns that matter, for every assignment."""
    return {
        row["learner_email"]: row
        for row in LearnerContentAssignment.objects.values(
            "uuid", "learner_email", "lms_user_id", "content_key", "parent_content_key", "is_assigned_course_run",
            "content_title", "content_quantity", "state", "transaction_uuid", "allocation_batch_id", "allocated_at",
            *TIMESTAMPS,
        )
    }  # fmt: skip


def action_types(assignment) -> list[tuple[str, object]]:
    return list(
        LearnerContentAssignmentAction.objects.filter(assignment_id=assignment.pk)
        .order_by("created", "completed_at")
        .values_list("action_type", "completed_at")
    )


# --- created ---------------------------------------------------------------------------------------------


def test_new_learners_get_allocated_assignments_at_the_requested_price(policy):
    result = allocate(policy, ["abc@example.com", "xyz@example.com"])

    assert ([a.learner_email for a in result.created], result.updated, result.no_change) == (
        ["abc@example.com", "xyz@example.com"],
        [],
        [],
    )
    stored = rows()
    batch = stored["abc@example.com"]["allocation_batch_id"]
    assert batch is not None
    for email in ("abc@example.com", "xyz@example.com"):
        assert stored[email] == {
            "uuid": stored[email]["uuid"],
            "learner_email": email,
            "lms_user_id": None,
            "content_key": "edx+101",
            "parent_content_key": None,
            "is_assigned_course_run": False,
            "content_title": "edX 101",
            "content_quantity": -1000,
            "state": State.ALLOCATED,
            "transaction_uuid": None,
            "allocation_batch_id": batch,
            "allocated_at": NOW,
            **dict.fromkeys(TIMESTAMPS),
        }
    assert set(LearnerContentAssignment.objects.values_list("assignment_configuration_id", flat=True)) == {
        uuid_lib.UUID(CONFIGURATION_A)
    }
    for assignment in result.created:
        assert action_types(assignment) == [(Action.NOTIFIED, NOW)]


def test_e_mails_are_de_duplicated_case_insensitively_and_stored_lower_cased(policy):
    result = allocate(policy, ["Abc@Example.COM", "abc@example.com", " ABC@EXAMPLE.COM", "xyz@example.com"])

    assert [a.learner_email for a in result.created] == ["abc@example.com", "xyz@example.com"]
    assert sorted(rows()) == ["abc@example.com", "xyz@example.com"]


def test_the_account_with_the_e_mail_is_linked_whatever_its_case(policy, make_user):
    user = make_user("mixed", email="Mixed.Case@Example.com")

    result = allocate(policy, ["mixed.case@example.com", "nobody@example.com"])

    assert {a.learner_email: a.lms_user_id for a in result.created} == {
        "mixed.case@example.com": user.pk,
        "nobody@example.com": None,
    }
    assert rows()["mixed.case@example.com"]["lms_user_id"] == user.pk


def test_a_course_run_key_is_allocated_with_its_parent_course_key(policy):
    result = allocate(policy, ["abc@example.com"], content_key="course-v1:edx+101+1T2025")

    assert [a.content_key for a in result.created] == ["course-v1:edx+101+1T2025"]
    row = rows()["abc@example.com"]
    assert (row["parent_content_key"], row["is_assigned_course_run"], row["content_title"]) == (
        "edx+101",
        True,
        "edX 101",
    )


def test_a_run_whose_course_is_in_the_catalog_is_allocatable_at_the_course_s_price(policy):
    # A new run of edx+101, not itself in the catalog and without a price of its own.
    content_item_upsert(content_type="courserun", content_key="course-v1:edx+101+2T2027", title="edX 101",
                        parent_key="edx+101")  # fmt: skip

    refused = refusal(policy, ["abc@example.com"], content_key="course-v1:edx+101+2T2027", price=2000)
    result = allocate(policy, ["abc@example.com"], content_key="course-v1:edx+101+2T2027", price=1000)

    assert refused.reason == "PriceValidationError"
    assert [(a.content_key, a.parent_content_key, a.content_quantity) for a in result.created] == [
        ("course-v1:edx+101+2T2027", "edx+101", -1000)
    ]


def test_the_same_learner_can_hold_assignments_of_different_content(policy):
    assignment_create(policy, email="abc@example.com", content_key="edx+api101", content_title="APIs 101")

    result = allocate(policy, ["abc@example.com"], content_key="edx+101")

    assert [a.content_key for a in result.created] == ["edx+101"]
    assert LearnerContentAssignment.objects.filter(learner_email="abc@example.com").count() == 2


# --- updated: re-allocation from cancelled, errored, expired, reversed --------------------------------


@pytest.mark.parametrize("state", [State.CANCELLED, State.ERRORED, State.EXPIRED, State.REVERSED])
def test_a_cancelled_errored_expired_or_reversed_assignment_is_re_allocated_at_the_new_price(policy, state):
    old = assignment_create(policy, email="abc@example.com", state=state, price=1000)
    old_row = rows()["abc@example.com"]
    assert old_row[f"{state}_at"] is not None  # the ORM set-up put it in that state

    result = allocate(policy, ["abc@example.com"], price=1040)

    assert ([a.pk for a in result.updated], result.created, result.no_change) == ([old.pk], [], [])
    row = rows()["abc@example.com"]
    assert row["uuid"] == old.pk
    assert (row["state"], row["content_quantity"], row["allocated_at"], row["transaction_uuid"]) == (
        State.ALLOCATED,
        -1040,
        NOW,
        None,
    )
    assert {name: row[name] for name in TIMESTAMPS} == dict.fromkeys(TIMESTAMPS)
    assert row["allocation_batch_id"] not in (None, old_row["allocation_batch_id"])
    assert LearnerContentAssignment.objects.count() == 1
    assert action_types(old) == [(Action.NOTIFIED, old.allocated_at), (Action.NOTIFIED, NOW)]


def test_re_allocation_links_an_account_created_since(policy, make_user):
    old = assignment_create(policy, email="late@example.com", state=State.CANCELLED)
    user = make_user("late", email="late@example.com")

    allocate(policy, ["late@example.com"])

    assert LearnerContentAssignment.objects.get(pk=old.pk).lms_user_id == user.pk


# --- no_change: allocated, accepted ----------------------------------------------------------------------


@pytest.mark.parametrize("state", [State.ALLOCATED, State.ACCEPTED])
def test_an_allocated_or_accepted_assignment_is_left_as_it_is(policy, state):
    old = assignment_create(policy, email="abc@example.com", state=state, price=1000)
    before = snapshot()

    result = allocate(policy, ["ABC@example.com"], price=1040)

    assert ([a.pk for a in result.no_change], result.created, result.updated) == ([old.pk], [], [])
    assert snapshot() == before  # price, state, timestamps, transaction uuid and actions untouched
    assert rows()["abc@example.com"]["content_quantity"] == -1000


def test_one_request_sorts_each_learner_into_created_updated_or_no_change(policy):
    assignment_create(policy, email="allocated@example.com", state=State.ALLOCATED)
    assignment_create(policy, email="accepted@example.com", state=State.ACCEPTED)
    assignment_create(policy, email="cancelled@example.com", state=State.CANCELLED)
    assignment_create(policy, email="expired@example.com", state=State.EXPIRED)

    result = allocate(
        policy,
        ["expired@example.com", "new1@example.com", "allocated@example.com", "cancelled@example.com",
         "accepted@example.com", "new2@example.com"],
    )  # fmt: skip

    assert [a.learner_email for a in result.created] == ["new1@example.com", "new2@example.com"]
    assert [a.learner_email for a in result.updated] == ["expired@example.com", "cancelled@example.com"]
    assert [a.learner_email for a in result.no_change] == ["allocated@example.com", "accepted@example.com"]
    assert {email: row["state"] for email, row in rows().items()} == {
        "allocated@example.com": State.ALLOCATED,
        "accepted@example.com": State.ACCEPTED,
        "cancelled@example.com": State.ALLOCATED,
        "expired@example.com": State.ALLOCATED,
        "new1@example.com": State.ALLOCATED,
        "new2@example.com": State.ALLOCATED,
    }


def test_assignments_of_another_configuration_are_not_touched(policy, catalog):
    other_customer = customer_upsert(uuid="5b0e2c3a-7d1f-4c2e-9a4b-00000000000b", name="B", slug="customer-b")
    other_catalog = catalog_upsert(uuid="7c1d2e3f-4a5b-4c6d-8e9f-00000000000b", customer=other_customer, title="B")
    catalog_add_items(catalog=other_catalog, items=ContentItem.objects.filter(content_key="edx+101"))
    other = policy_create(customer=other_customer, catalog=other_catalog,
                          uuid="bbbbbbbb-0000-4000-8000-00000000000b",
                          configuration_uuid="bbbbbbbb-0000-4000-8000-0000000000cf")  # fmt: skip
    theirs = assignment_create(other, email="abc@example.com", state=State.ACCEPTED)

    result = allocate(policy, ["abc@example.com"])

    assert len(result.created) == 1
    assert result.created[0].pk != theirs.pk
    assert LearnerContentAssignment.objects.get(pk=theirs.pk).state == State.ACCEPTED
