"""The allocation service, ``policy_allocate`` (seed 003 "policy-allocation"; reference/enterprise.md
§4.1, §5.1; issue 5): the upsert per (configuration, learner, content key) from every state,
spend and subsidy arithmetic counted on what would change, price validation, the order of the
business rules, and the earliest possible expiration (with the periodic job that applies it).

Every prior state is set up with the ORM (conftest.assignment_create). Time stands still at NOW.
"""

from __future__ import annotations

import uuid as uuid_lib
from datetime import timedelta

import pytest

from coursegate.assignments.exceptions import AllocationRefusedError
from coursegate.assignments.models import LearnerContentAssignment, LearnerContentAssignmentAction, SubsidyAccessPolicy
from coursegate.assignments.selectors import assignment_expiration
from coursegate.assignments.services import assignments_expire, policy_allocate
from coursegate.catalogs.models import ContentItem
from coursegate.catalogs.services import catalog_add_items, catalog_upsert, content_item_upsert
from coursegate.enterprise.services import customer_upsert
from tests.assignments.conftest import (
    CONFIGURATION_A,
    NOW,
    POLICY_A,
    State,
    assignment_create,
    policy_change,
    policy_create,
    snapshot,
)

pytestmark = pytest.mark.usefixtures("frozen")

Action = LearnerContentAssignmentAction.Type
TIMESTAMPS = ("accepted_at", "cancelled_at", "expired_at", "errored_at", "reversed_at")


def allocate(policy, emails, content_key="edx+101", price=1000):
    return policy_allocate(
        policy_uuid=policy.pk, learner_emails=emails, content_key=content_key, content_price_cents=price
    )


def refusal(policy, emails, content_key="edx+101", price=1000) -> AllocationRefusedError:
    with pytest.raises(AllocationRefusedError) as caught:
        allocate(policy, emails, content_key, price)
    return caught.value


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
    assert (error.reason, error.user_message, error.policy_uuid, error.error_message) == (
        "PriceValidationError",
        "An error occurred while validating the provided price.",
        policy.pk,
        f"Requested price {price} for {content_key} outside of acceptable interval on canonical course price of "
        f"{canonical}.",
    )
    assert not LearnerContentAssignment.objects.exists()


# --- refusals: reason, message, nothing written ------------------------------------------------------------

REFUSALS = {
    # name: (policy columns, content key, price, reason, user message)
    "inactive": ({"active": False}, "edx+101", 1000, "policy_expired",
                 "You can't enroll right now because this budget is no longer active."),
    "retired": ({"retired": True}, "edx+101", 1000, "policy_expired",
                "You can't enroll right now because this budget is no longer active."),
    "unknown content": ({}, "edx+nothing", 1000, "content_not_in_catalog",
                        "This content is not in the budget's catalog."),
    "another catalog's content": ({}, "MITx+6.00x", 1000, "content_not_in_catalog",
                                  "This content is not in the budget's catalog."),
    "a program": ({}, "a3d6f3fb-4a8b-4b8a-9cde-5f1d6a0e7c11", 1000, "content_not_in_catalog",
                  "This content is not in the budget's catalog."),
    "subsidy expired": ({"subsidy_expiration": NOW - timedelta(seconds=1)}, "edx+101", 1000, "subsidy_expired",
                        "You can't enroll right now because your funds expired."),
    "subsidy not started": ({"subsidy_active_from": NOW + timedelta(days=1)}, "edx+101", 1000, "subsidy_expired",
                            "You can't enroll right now because your funds expired."),
    "balance": ({"subsidy_balance_cents": 1999}, "edx+101", 1000, "not_enough_value_in_subsidy",
                "You can't enroll right now because your organization doesn't have enough funds."),
    "spend limit": ({"spend_limit": 1999}, "edx+101", 1000, "policy_spend_limit_reached",
                    "You can't enroll right now because this budget's spend limit would be exceeded."),
    "price": ({}, "edx+101", 2000, "PriceValidationError", "An error occurred while validating the provided price."),
}  # fmt: skip


@pytest.fixture
def foreign_content(db):
    """MITx+6.00x: a priced course in another customer's catalog only."""
    customer = customer_upsert(uuid="5b0e2c3a-7d1f-4c2e-9a4b-00000000000b", name="B", slug="customer-b")
    catalog = catalog_upsert(uuid="7c1d2e3f-4a5b-4c6d-8e9f-00000000000b", customer=customer, title="B")
    item = content_item_upsert(content_type="course", content_key="MITx+6.00x", title="6.00x", price_cents=1000)
    catalog_add_items(catalog=catalog, items=[item])
    return item


@pytest.mark.parametrize("case", list(REFUSALS))
def test_each_business_rule_refuses_with_its_reason_and_writes_nothing(policy, foreign_content, case):
    columns, content_key, price, reason, message = REFUSALS[case]
    policy = policy_change(policy, **columns)
    assignment_create(policy, email="cancelled@example.com", state=State.CANCELLED)
    before = snapshot()

    error = refusal(policy, ["new@example.com", "other@example.com", "cancelled@example.com"], content_key, price)

    assert (error.reason, error.user_message, str(error.policy_uuid)) == (reason, message, POLICY_A)
    assert snapshot() == before


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


# --- earliest possible expiration ------------------------------------------------------------------------


EXPIRATIONS = pytest.mark.parametrize(
    ("enroll_by", "subsidy_expiration", "expected"),
    [
        (None, None, (NOW + timedelta(days=90), "NINETY_DAYS_PASSED")),
        (NOW + timedelta(days=91), NOW + timedelta(days=92), (NOW + timedelta(days=90), "NINETY_DAYS_PASSED")),
        (NOW + timedelta(days=30), None, (NOW + timedelta(days=30), "ENROLLMENT_DATE_PASSED")),
        (None, NOW + timedelta(days=20), (NOW + timedelta(days=20), "SUBSIDY_EXPIRED")),
        (NOW + timedelta(days=30), NOW + timedelta(days=20), (NOW + timedelta(days=20), "SUBSIDY_EXPIRED")),
        (NOW + timedelta(days=10), NOW + timedelta(days=20), (NOW + timedelta(days=10), "ENROLLMENT_DATE_PASSED")),
    ],
    ids=["ninety days", "ninety days first", "enroll-by", "subsidy", "subsidy first", "enroll-by first"],
)


def _allocate_with_dates(policy, enroll_by, subsidy_expiration) -> LearnerContentAssignment:
    if enroll_by:
        ContentItem.objects.filter(content_key="edx+101").update(enroll_by=enroll_by)
    if subsidy_expiration:
        policy = policy_change(policy, subsidy_expiration=subsidy_expiration)
    (assignment,) = allocate(policy, ["abc@example.com"]).created
    return LearnerContentAssignment.objects.select_related("assignment_configuration__policy").get(pk=assignment.pk)


@EXPIRATIONS
def test_the_earliest_possible_expiration_is_the_first_of_ninety_days_enroll_by_and_subsidy_expiry(
    policy, enroll_by, subsidy_expiration, expected
):
    assignment = _allocate_with_dates(policy, enroll_by, subsidy_expiration)

    expiration = assignment_expiration(assignment)

    assert (expiration["date"], expiration["reason"]) == expected


@EXPIRATIONS
def test_the_periodic_job_expires_an_allocation_at_its_earliest_possible_expiration_not_a_second_before(
    policy, frozen, enroll_by, subsidy_expiration, expected
):
    assignment = _allocate_with_dates(policy, enroll_by, subsidy_expiration)

    frozen.move_to(expected[0] - timedelta(seconds=1))
    assert assignments_expire() == 0
    frozen.move_to(expected[0])
    assert assignments_expire() == 1
    assert LearnerContentAssignment.objects.get(pk=assignment.pk).state == State.EXPIRED


def test_re_allocation_restarts_the_ninety_days(policy):
    old = assignment_create(policy, email="abc@example.com", state=State.EXPIRED, allocated_at=NOW - timedelta(days=95))

    allocate(policy, ["abc@example.com"])

    stored = LearnerContentAssignment.objects.select_related("assignment_configuration__policy").get(pk=old.pk)
    assert assignment_expiration(stored) == {"date": NOW + timedelta(days=90), "reason": "NINETY_DAYS_PASSED"}
