"""Fixtures of the allocation tests (seed 003 "policy-allocation"; reference/enterprise.md §4.1, §5.1;
issue 5): customer A with a catalog holding the demo content, its assigned-learner-credit policy,
and assignments put into any state with the ORM.

The plain helpers (``policy_create``, ``assignment_create``, ``snapshot``) are imported by the
contract tests in tests/api/enterprise/ (test_allocation_outcomes.py, test_allocation_refusals.py,
allocation_support.py) too; ``allocate`` and ``refusal`` by the test_allocate_*.py modules here.
"""

from __future__ import annotations

import uuid as uuid_lib
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from coursegate.assignments.exceptions import AllocationRefusedError
from coursegate.assignments.models import (
    LearnerContentAssignment,
    LearnerContentAssignmentAction,
    SubsidyAccessPolicy,
)
from coursegate.assignments.services import policy_allocate, policy_upsert
from coursegate.catalogs.services import catalog_add_items, catalog_upsert, content_item_upsert
from coursegate.demo.content import DEMO_CONTENT
from coursegate.enterprise.services import customer_upsert

CUSTOMER_A = "904b1785-9d3a-1000-848d-6ae7a56e6355"
CATALOG_A = "3f56a21c-76c8-47c0-add8-a99714d40d94"
POLICY_A = "904b1785-9d3a-1000-848d-6ae7a56e6355"  # seed 003's example policy
CONFIGURATION_A = "6fc7ef56-d1c4-4aa8-a649-e6eb209f0000"
# The moment every time-sensitive test runs at (time_machine, tick=False).
NOW = datetime(2027, 3, 1, 9, 30, tzinfo=UTC)
SUBSIDY_EXPIRATION = datetime(2030, 12, 31, tzinfo=UTC)

State = LearnerContentAssignment.State
# Timestamp column each state sets when an assignment gets into it (reference §5.1).
STATE_TIMESTAMP = {
    State.ACCEPTED: "accepted_at",
    State.CANCELLED: "cancelled_at",
    State.ERRORED: "errored_at",
    State.EXPIRED: "expired_at",
    State.REVERSED: "reversed_at",
}


def policy_create(
    *,
    customer,
    catalog,
    uuid=POLICY_A,
    configuration_uuid=CONFIGURATION_A,
    spend_limit: int = 100_000_000,
    subsidy_balance_cents: int = 200_000_000,
    subsidy_expiration: datetime = SUBSIDY_EXPIRATION,
    **columns,
) -> SubsidyAccessPolicy:
    """A policy through the service; ``columns`` (active, retired, subsidy_active_from) set with the ORM."""
    policy = policy_upsert(
        uuid=uuid,
        configuration_uuid=configuration_uuid,
        customer=customer,
        catalog=catalog,
        spend_limit=spend_limit,
        subsidy_balance_cents=subsidy_balance_cents,
        subsidy_expiration=subsidy_expiration,
        description="test policy",
    )
    if columns:
        SubsidyAccessPolicy.objects.filter(pk=policy.pk).update(**columns)
    return SubsidyAccessPolicy.objects.get(pk=policy.pk)


def policy_change(policy: SubsidyAccessPolicy, **columns) -> SubsidyAccessPolicy:
    SubsidyAccessPolicy.objects.filter(pk=policy.pk).update(**columns)
    return SubsidyAccessPolicy.objects.get(pk=policy.pk)


def assignment_create(
    policy: SubsidyAccessPolicy,
    *,
    email: str,
    content_key: str = "edx+101",
    state: str = State.ALLOCATED,
    price: int = 1000,
    allocated_at: datetime | None = None,
    lms_user=None,
    **columns,
) -> LearnerContentAssignment:
    """An assignment put straight into ``state`` with the ORM (with the timestamp that state sets,
    and a transaction uuid when it was redeemed), plus one ``notified`` action."""
    allocated_at = allocated_at or NOW - timedelta(days=10)
    if state in STATE_TIMESTAMP:
        columns.setdefault(STATE_TIMESTAMP[state], allocated_at + timedelta(days=1))
    if state in (State.ACCEPTED, State.REVERSED):
        columns.setdefault("accepted_at", allocated_at + timedelta(hours=1))
        columns.setdefault("transaction_uuid", uuid_lib.uuid4())
    assignment = LearnerContentAssignment.objects.create(
        assignment_configuration_id=policy.assignment_configuration_id,
        learner_email=email,
        lms_user=lms_user,
        content_key=content_key,
        content_title=columns.pop("content_title", "edX 101"),
        content_quantity=-price,
        state=state,
        allocation_batch_id=columns.pop("allocation_batch_id", uuid_lib.uuid4()),
        allocated_at=allocated_at,
        **columns,
    )
    LearnerContentAssignmentAction.objects.create(
        assignment=assignment, action_type=LearnerContentAssignmentAction.Type.NOTIFIED, completed_at=allocated_at
    )
    return assignment


def snapshot() -> tuple[list, int]:
    """Every assignment row (all columns) and the number of actions: compare before/after a refusal."""
    rows = list(LearnerContentAssignment.objects.order_by("uuid").values())
    return rows, LearnerContentAssignmentAction.objects.count()


def allocate(policy, emails, content_key="edx+101", price=1000):
    return policy_allocate(
        policy_uuid=policy.pk, learner_emails=emails, content_key=content_key, content_price_cents=price
    )


def refusal(policy, emails, content_key="edx+101", price=1000) -> AllocationRefusedError:
    with pytest.raises(AllocationRefusedError) as caught:
        allocate(policy, emails, content_key, price)
    return caught.value


def load_content() -> dict:
    """The demo content items (demo/content.py), by content key."""
    return {
        key: content_item_upsert(content_type=kind, content_key=key, title=title, **columns)
        for kind, key, title, columns in DEMO_CONTENT
    }


@pytest.fixture
def frozen():
    """Time stands still at NOW for the whole test."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def customer(db):
    return customer_upsert(uuid=CUSTOMER_A, name="Customer A", slug="customer-a", contact_email="admin@a.example")


@pytest.fixture
def content(db) -> dict:
    return load_content()


@pytest.fixture
def catalog(customer, content):
    catalog = catalog_upsert(uuid=CATALOG_A, customer=customer, title="Customer A catalog")
    catalog_add_items(catalog=catalog, items=content.values())
    return catalog


@pytest.fixture
def make_policy(customer, catalog):
    """make_policy(**policy_create arguments) -> customer A's policy over the demo catalog."""

    def make(**fields) -> SubsidyAccessPolicy:
        return policy_create(customer=customer, catalog=catalog, **fields)

    return make


@pytest.fixture
def policy(make_policy) -> SubsidyAccessPolicy:
    return make_policy()
