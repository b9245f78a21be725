"""The business rules of the allocation service, ``policy_allocate`` (seed 003 "policy-allocation";
reference/enterprise.md §4.1, §5.1; issue 5): spend and subsidy arithmetic counted on what would
change, price validation, each refusal's reason and message (nothing written), and the order of
the business rules. The upsert itself: test_allocate_upsert.py.

Every prior state is set up with the ORM (conftest.assignment_create). Time stands still at NOW.
"""

from __future__ import annotations

import uuid as uuid_lib
from datetime import timedelta

import pytest

from coursegate.accounts.services import role_assign
from coursegate.assignments.models import LearnerContentAssignment, SubsidyAccessPolicy
from coursegate.assignments.services import policy_allocate
from coursegate.catalogs.models import ContentItem
from coursegate.catalogs.services import catalog_add_items, catalog_upsert, content_item_upsert
from coursegate.core.roles import Role
from coursegate.enterprise.services import customer_upsert
from tests.assignments.conftest import (
    CUSTOMER_A,
    NOW,
    POLICY_A,
    State,
    allocate,
    assignment_create,
    policy_change,
    refusal,
    snapshot,
)

pytestmark = pytest.mark.usefixtures("frozen")

CUSTOMER_B = "5b0e2c3a-7d1f-4c2e-9a4b-00000000000b"


# --- spend limit and subsidy balance ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "counts"),
    [
        (State.ALLOCATED, True),
        (State.ACCEPTED, True),
        (State.CANCELLED, False),
        (State.ERRORED, False),
        (State.EXPIRED, False),
        (State.REVERSED, False),
    ],
)
def test_allocated_and_accepted_assignments_count_toward_the_spend_limit_the_others_do_not(make_policy, state, counts):
    policy = make_policy(spend_limit=1999)
    assignment_create(policy, email="earlier@example.com", state=state, price=1000)

    if counts:
        assert refusal(policy, ["new@example.com"]).reason == "policy_spend_limit_reached"
        assert not LearnerContentAssignment.objects.filter(learner_email="new@example.com").exists()
    else:
        assert len(allocate(policy, ["new@example.com"]).created) == 1


def test_a_spend_limit_that_exactly_fits_the_new_learners_is_enough_and_repeats_cost_nothing(make_policy):
    # Already committed: 1000 allocated + 1000 accepted; a cancelled 1000 counts for nothing.
    policy = make_policy(spend_limit=2000 + 3 * 1000)
    assignment_create(policy, email="old@example.com", state=State.ALLOCATED)
    assignment_create(policy, email="done@example.com", state=State.ACCEPTED)
    assignment_create(policy, email="gone@example.com", state=State.CANCELLED)
    new = ["a@example.com", "b@example.com", "c@example.com"]

    first = allocate(policy, new)
    again = allocate(policy, [*new, "old@example.com", "done@example.com", "A@EXAMPLE.COM"])

    assert len(first.created) == 3
    assert (again.created, again.updated, len(again.no_change)) == ([], [], 5)
    # The limit is now exactly reached: one more new learner, or re-allocating the cancelled one, is refused.
    assert refusal(policy, ["d@example.com"]).reason == "policy_spend_limit_reached"
    assert refusal(policy, ["gone@example.com"]).reason == "policy_spend_limit_reached"
    assert refusal(policy, ["gone@example.com"], price=950).reason == "policy_spend_limit_reached"
    # Free content (no catalog price, allocated at 0) still fits.
    assert allocate(policy, ["d@example.com"], "MyUni+Sport101x", price=0).created[0].content_quantity == 0


def test_re_allocating_counts_its_new_price_toward_the_spend_limit(make_policy):
    policy = make_policy(spend_limit=1000)
    assignment_create(policy, email="gone@example.com", state=State.CANCELLED, price=1000)

    assert refusal(policy, ["gone@example.com", "new@example.com"]).reason == "policy_spend_limit_reached"
    assert [a.learner_email for a in allocate(policy, ["gone@example.com"]).updated] == ["gone@example.com"]


def test_duplicate_spellings_in_the_request_are_charged_once(make_policy):
    policy = make_policy(spend_limit=2000)

    result = allocate(policy, ["a@example.com", "A@example.com", "a@EXAMPLE.com", "b@example.com"])

    assert len(result.created) == 2


@pytest.mark.parametrize(
    ("existing", "new_learners", "refused"),
    [
        (None, 2, False),  # 2000 of 2000
        (None, 3, True),
        (State.ALLOCATED, 1, False),  # 1000 allocated + 1000 new
        (State.ALLOCATED, 2, True),
        (State.ACCEPTED, 2, False),  # redeemed already: the balance no longer holds it
        (State.CANCELLED, 2, False),
    ],
)
def test_the_subsidy_balance_must_hold_the_new_allocations_on_top_of_the_open_ones(
    make_policy, existing, new_learners, refused
):
    policy = make_policy(subsidy_balance_cents=2000)
    if existing:
        assignment_create(policy, email="earlier@example.com", state=existing)
    emails = [f"new{i}@example.com" for i in range(new_learners)]

    if refused:
        assert refusal(policy, emails).reason == "not_enough_value_in_subsidy"
    else:
        assert len(allocate(policy, emails).created) == new_learners


# --- price validation -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content_key", "price", "accepted"),
    [
        ("edx+101", 1000, True),
        ("edx+101", 950, True),  # exactly 95 %
        ("edx+101", 1050, True),  # exactly 105 %
        ("edx+101", 949, False),
        ("edx+101", 1051, False),
        ("edx+101", 0, False),
        ("HarvardX+FIH", 4655, True),
        ("HarvardX+FIH", 5145, True),
        ("HarvardX+FIH", 4654, False),
        ("HarvardX+FIH", 5146, False),
        ("course-v1:HarvardX+FIH+3T2023", 4900, True),
        ("course-v1:HarvardX+FIH+3T2023", 1000, False),
        # No known price: any price is accepted.
        ("MyUni+Sport101x", 0, True),
        ("MyUni+Sport101x", 1, True),
        ("MyUni+Sport101x", 999_999, True),
        ("course-v1:MyUni+Sport101x", 4321, True),
    ],
)
def test_the_price_must_be_within_95_to_105_percent_of_the_catalog_price_when_there_is_one(
    policy, content_key, price, accepted
):
    if accepted:
        assert allocate(policy, ["abc@example.com"], content_key, price).created[0].content_quantity == -price
        return
    canonical = ContentItem.objects.get(content_key=content_key).price_cents
    error = refusal(policy, ["abc@example.com"], content_key, price)
    assert (error.reason, error.entry["user_message"], error.entry["policy_uuids"], error.error_message) == (
        "PriceValidationError",
        "An error occurred while validating the provided price.",
        [str(policy.pk)],
        f"Requested price {price} for {content_key} outside of acceptable interval on canonical course price of "
        f"{canonical}.",
    )
    assert not LearnerContentAssignment.objects.exists()


# --- refusals: reason, message, metadata, nothing written ----------------------------------------------------

# The reference's learner-facing texts (subsidy_access_policy/constants.py, reasons.py); without any
# admin to turn to, the "no funds" and "funds expired" texts say where to go.
NO_FUNDS = "You can't enroll right now because your organization doesn't have enough funds."
FUNDS_EXPIRED = "You can't enroll right now because your funds expired."
NOT_IN_CATALOG = "You can't enroll right now because this course is no longer available in your organization's catalog."
PRICE_ERROR = "An error occurred while validating the provided price."
NO_ADMIN = {
    NO_FUNDS: NO_FUNDS + " Contact your administrator to request more.",
    FUNDS_EXPIRED: FUNDS_EXPIRED + " Contact your administrator for help.",
    NOT_IN_CATALOG: NOT_IN_CATALOG,
    PRICE_ERROR: PRICE_ERROR,
}

REFUSALS = {
    # name: (policy columns, content key, price, reason, user message when the customer has admins)
    "inactive": ({"active": False}, "edx+101", 1000, "policy_expired", NO_FUNDS),
    "retired": ({"retired": True}, "edx+101", 1000, "policy_expired", NO_FUNDS),
    "unknown content": ({}, "edx+nothing", 1000, "content_not_in_catalog", NOT_IN_CATALOG),
    "another catalog's content": ({}, "MITx+6.00x", 1000, "content_not_in_catalog", NOT_IN_CATALOG),
    "a program": ({}, "a3d6f3fb-4a8b-4b8a-9cde-5f1d6a0e7c11", 1000, "content_not_in_catalog", NOT_IN_CATALOG),
    "subsidy expired": ({"subsidy_expiration": NOW - timedelta(seconds=1)}, "edx+101", 1000, "subsidy_expired",
                        FUNDS_EXPIRED),
    "subsidy not started": ({"subsidy_active_from": NOW + timedelta(days=1)}, "edx+101", 1000, "subsidy_expired",
                            FUNDS_EXPIRED),
    "balance": ({"subsidy_balance_cents": 1999}, "edx+101", 1000, "not_enough_value_in_subsidy", NO_FUNDS),
    "spend limit": ({"spend_limit": 1999}, "edx+101", 1000, "policy_spend_limit_reached", NO_FUNDS),
    "price": ({}, "edx+101", 2000, "PriceValidationError", PRICE_ERROR),
}  # fmt: skip


@pytest.fixture
def foreign_content(db):
    """MITx+6.00x: a priced course in another customer's catalog only."""
    customer = customer_upsert(uuid=CUSTOMER_B, name="B", slug="customer-b")
    catalog = catalog_upsert(uuid="7c1d2e3f-4a5b-4c6d-8e9f-00000000000b", customer=customer, title="B")
    item = content_item_upsert(content_type="course", content_key="MITx+6.00x", title="6.00x", price_cents=1000)
    catalog_add_items(catalog=catalog, items=[item])
    return item


@pytest.mark.parametrize("case", list(REFUSALS))
def test_each_business_rule_refuses_with_its_reason_the_reference_s_text_and_the_admins_and_writes_nothing(
    policy, foreign_content, make_user, case
):
    columns, content_key, price, reason, message = REFUSALS[case]
    policy = policy_change(policy, **columns)
    for name in ("zoe", "adam"):
        role_assign(user=make_user(name, email=f"{name}@a.example"), role=Role.ENTERPRISE_ADMIN, context=CUSTOMER_A)
    # Not customer A's admins: another customer's, and customer A's learner.
    role_assign(user=make_user("other", email="other@b.example"), role=Role.ENTERPRISE_ADMIN, context=CUSTOMER_B)
    role_assign(user=make_user("learner", email="learner@a.example"), role=Role.ENTERPRISE_LEARNER, context=CUSTOMER_A)
    assignment_create(policy, email="cancelled@example.com", state=State.CANCELLED)
    before = snapshot()

    error = refusal(policy, ["new@example.com", "other@example.com", "cancelled@example.com"], content_key, price)

    assert error.reason == reason
    assert error.entry == {
        "reason": reason,
        "user_message": message,
        "policy_uuids": [POLICY_A],
        "metadata": {"enterprise_administrators": [{"email": "adam@a.example"}, {"email": "zoe@a.example"}]},
    }
    assert snapshot() == before


@pytest.mark.parametrize("case", list(REFUSALS))
def test_without_any_admin_the_texts_say_to_contact_your_administrator(policy, foreign_content, case):
    columns, content_key, price, reason, message = REFUSALS[case]
    policy = policy_change(policy, **columns)

    error = refusal(policy, ["new@example.com", "other@example.com"], content_key, price)

    assert (error.entry["user_message"], error.entry["metadata"]) == (
        NO_ADMIN[message],
        {"enterprise_administrators": []},
    )


@pytest.mark.parametrize(
    ("columns", "content_key", "price", "reason"),
    [
        ({"active": False}, "edx+101", 2000, "PriceValidationError"),
        ({"active": False}, "edx+nothing", 1000, "policy_expired"),
        ({"subsidy_expiration": NOW - timedelta(days=1)}, "edx+nothing", 1000, "content_not_in_catalog"),
        ({"subsidy_expiration": NOW - timedelta(days=1), "spend_limit": 0}, "edx+101", 1000, "subsidy_expired"),
        ({"subsidy_balance_cents": 0, "spend_limit": 0}, "edx+101", 1000, "not_enough_value_in_subsidy"),
    ],
    ids=["price before policy", "inactive before catalog", "catalog before subsidy", "subsidy before spend",
         "balance before spend limit"],
)  # fmt: skip
def test_the_first_failing_rule_wins_in_the_reference_s_order(policy, columns, content_key, price, reason):
    policy = policy_change(policy, **columns)

    assert refusal(policy, ["new@example.com"], content_key, price).reason == reason


def test_an_unknown_policy_is_not_found(db):
    with pytest.raises(SubsidyAccessPolicy.DoesNotExist):
        policy_allocate(policy_uuid=uuid_lib.uuid4(), learner_emails=["a@example.com"], content_key="edx+101",
                        content_price_cents=1000)  # fmt: skip
