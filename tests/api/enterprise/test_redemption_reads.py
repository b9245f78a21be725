"""GET credits_available and can-redeem (reference/learner_side.md §5.1–5.2; issue 12): bare lists
with the reference's field names, what they answer before and after a redemption, bad queries
(400) and the 404s of can-redeem, XML by default."""

from __future__ import annotations

import pytest

from coursegate.assignments.models import LearnerContentAssignment, SubsidyAccessPolicy
from coursegate.enterprise.services import learner_unlink
from tests.api.enterprise.test_redemption_support import (
    API101,
    BALANCE,
    CREDITS_URL,
    CUSTOMER_A,
    FIH,
    POLICY_A,
    PRICE,
    can_redeem_url,
    redeem,
    redemption_world,
)
from tests.assignments.conftest import CATALOG_A, CONFIGURATION_A, SUBSIDY_EXPIRATION

NOT_ASSIGNED = "You can't enroll right now because this course is not assigned to you."


@pytest.fixture
def world(enterprise_world, frozen, make_run):
    return redemption_world(enterprise_world, make_run)


def credits(world, caller="learner_a", **params):
    query = {"enterprise_customer_uuid": CUSTOMER_A, "lms_user_id": world.learner.pk, **params}
    return world.client(caller).get(CREDITS_URL, query)


def can_redeem(world, *keys, caller="learner_a", **params):
    return world.client(caller).get(can_redeem_url(), {"content_key": list(keys), **params})


def _policy_json() -> dict:
    return {
        "uuid": POLICY_A,
        "policy_type": "AssignedLearnerCreditAccessPolicy",
        "enterprise_customer_uuid": CUSTOMER_A,
        "display_name": "test policy",
        "description": "test policy",
        "active": True,
        "retired": False,
        "catalog_uuid": CATALOG_A,
        "subsidy_uuid": None,
        "access_method": "assigned",
        "spend_limit": 100_000_000,
        "per_learner_enrollment_limit": None,
        "per_learner_spend_limit": None,
        "assignment_configuration": CONFIGURATION_A,
        "subsidy_expiration_date": SUBSIDY_EXPIRATION.isoformat().replace("+00:00", "Z"),
        "policy_redemption_url": f"http://testserver/enterprise/v1/policy-redemption/{POLICY_A}/redeem/",
        "is_late_redemption_allowed": False,
    }


def test_credits_available_lists_the_policy_with_the_learners_assignment(world):
    response = credits(world)

    assert response.status_code == 200, response.content
    [item] = response.json()
    assignments = item.pop("learner_content_assignments")
    assert item == {**_policy_json(), "remaining_balance_per_user": None, "remaining_balance": BALANCE,
                    "learner_requests": [], "group_associations": []}  # fmt: skip
    [assignment] = assignments
    assert (assignment["uuid"], assignment["content_key"], assignment["state"], assignment["content_quantity"]) == (
        str(world.assignment.uuid),
        "edx+api101",
        "allocated",
        -PRICE,
    )
    assert assignment["learner_acknowledged"] is False
    assert [a["action_type"] for a in assignment["actions"]] == ["notified"]


def test_once_redeemed_the_policy_has_no_credit_left_for_the_learner(world):
    redeem(world)

    assert credits(world).json() == []


@pytest.mark.parametrize(
    "change",
    [
        lambda w: SubsidyAccessPolicy.objects.filter(pk=POLICY_A).update(subsidy_balance_cents=0),
        lambda w: SubsidyAccessPolicy.objects.filter(pk=POLICY_A).update(active=False),
        lambda w: learner_unlink(customer=w.customer_a, email=w.learner.email),
        lambda w: LearnerContentAssignment.objects.all().delete(),
    ],
    ids=["no-balance", "inactive", "not-linked", "no-assignment"],
)
def test_no_credit_means_an_empty_list(world, change):
    change(world)

    response = credits(world, caller="admin_a")

    assert (response.status_code, response.json()) == (200, [])


BAD_CREDIT_QUERIES = [
    ({"enterprise_customer_uuid": None, "lms_user_id": None},
     {"enterprise_customer_uuid": ["This field is required."], "lms_user_id": ["This field is required."]}),
    ({"enterprise_customer_uuid": "nope"}, {"enterprise_customer_uuid": ["Must be a valid UUID."]}),
    ({"lms_user_id": "x"}, {"lms_user_id": ["A valid integer is required."]}),
]  # fmt: skip


@pytest.mark.parametrize(("params", "errors"), BAD_CREDIT_QUERIES)
def test_credits_available_bad_queries_are_400(world, params, errors):
    query = {"enterprise_customer_uuid": CUSTOMER_A, "lms_user_id": world.learner.pk, **params}
    query = {k: v for k, v in query.items() if v is not None}
    response = world.client("learner_a").get(CREDITS_URL, query)
    assert (response.status_code, response.json()) == (400, errors)


def test_can_redeem_an_allocated_run(world):
    response = can_redeem(world, API101)

    assert response.status_code == 200, response.content
    assert response.json() == [
        {
            "content_key": API101,
            "list_price": {"usd": 10.0, "usd_cents": PRICE},
            "redemptions": [],
            "has_successful_redemption": False,
            "redeemable_subsidy_access_policy": _policy_json(),
            "can_redeem": True,
            "reasons": [],
            "display_reason": None,
        }
    ]


def test_can_redeem_says_why_not_for_each_key_in_order(world):
    response = can_redeem(world, FIH, API101)

    fih, api = response.json()
    reason = {
        "reason": "reason_learner_not_assigned_content",
        "user_message": NOT_ASSIGNED,
        "policy_uuids": [POLICY_A],
        "metadata": {"enterprise_administrators": []},  # no admin has a role row in this world
    }
    assert fih == {
        "content_key": FIH,
        "list_price": {"usd": 49.0, "usd_cents": 4900},
        "redemptions": [],
        "has_successful_redemption": False,
        "redeemable_subsidy_access_policy": None,
        "can_redeem": False,
        "reasons": [reason],
        "display_reason": reason,
    }
    assert (api["content_key"], api["can_redeem"]) == (API101, True)


def test_after_redeeming_can_redeem_shows_the_successful_redemption(world):
    txn = redeem(world).json()

    [element] = can_redeem(world, API101).json()

    assert (element["has_successful_redemption"], element["can_redeem"], element["reasons"]) == (True, False, [])
    assert element["redemptions"] == [txn]
    assert element["redeemable_subsidy_access_policy"] is None


def test_a_plus_decoded_to_a_space_is_read_back(world):
    response = world.client("learner_a").get(can_redeem_url() + "?content_key=course-v1:edx+api101+1T2025")
    assert response.status_code == 200, response.content
    assert response.json()[0]["content_key"] == API101


def test_an_admin_asks_for_a_learner(world):
    [element] = can_redeem(world, API101, caller="admin_a", lms_user_id=world.learner.pk).json()
    assert element["can_redeem"] is True
    # For itself (no assignment), the admin cannot redeem it.
    [own] = can_redeem(world, API101, caller="admin_a").json()
    assert own["can_redeem"] is False


@pytest.mark.parametrize(
    ("query", "errors"),
    [
        ("", {"content_key": ["This field is required."]}),
        ("?content_key=edx%2Bapi101", {"content_key": {"0": ["Invalid content_key: edx+api101"]}}),
        (f"?content_key={API101}&content_key=nope", {"content_key": {"1": ["Invalid content_key: nope"]}}),
        (f"?content_key={API101}&lms_user_id=abc", {"lms_user_id": ["A valid integer is required."]}),
    ],
    ids=["missing", "course-key", "second-bad", "bad-user-id"],
)
def test_can_redeem_bad_queries_are_400(world, query, errors):
    response = world.client("learner_a").get(can_redeem_url() + query)
    assert (response.status_code, response.json()) == (400, errors)


def test_can_redeem_without_an_active_policy_is_404(world):
    SubsidyAccessPolicy.objects.filter(customer_id=CUSTOMER_A).update(retired=True)

    response = can_redeem(world, API101)

    assert (response.status_code, response.json()) == (404, {"detail": "No active policies for this customer"})


def test_reads_are_xml_by_default(world):
    xml = world.client("learner_a", accept=None).get(can_redeem_url(), {"content_key": API101})
    assert xml.status_code == 200 and xml["Content-Type"].startswith("application/xml")
    assert b"<can_redeem>True</can_redeem>" in xml.content
    listed = world.client("learner_a", accept=None).get(
        CREDITS_URL, {"enterprise_customer_uuid": CUSTOMER_A, "lms_user_id": world.learner.pk}
    )
    assert listed["Content-Type"].startswith("application/xml")
    assert f"<uuid>{POLICY_A}</uuid>".encode() in listed.content
    bad = world.client("learner_a", accept=None).get(CREDITS_URL)
    assert bad.status_code == 400 and bad["Content-Type"].startswith("application/xml")
