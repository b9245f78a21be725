"""Who may call credits_available, can-redeem and redeem (reference/learner_side.md §2, §5; issue
12): one matrix of callers x endpoints (tests/kit/permissions.py). Learners, admins and operators of
the customer; another customer's learner or admin 403; staff without a role 403; an unknown policy
or customer 404. A learner acts for itself only (403 for another lms_user_id); the check order is
unknown policy 404 -> role 403 -> body 400 -> acting for someone else 403."""

from __future__ import annotations

import dataclasses

import pytest
from rest_framework.test import APIClient

from coursegate.assignments.models import RedemptionTransaction
from tests.api.enterprise.conftest import CUSTOMER_B
from tests.api.enterprise.test_redemption_support import (
    API101,
    CREDITS_URL,
    CUSTOMER_A,
    POLICY_A,
    POLICY_B,
    UNKNOWN,
    can_redeem_url,
    redeem_url,
    redemption_world,
)
from tests.kit.permissions import (
    ANONYMOUS,
    BAD_TOKEN,
    FORBIDDEN,
    INVALID_TOKEN,
    NOT_FOUND,
    NOT_PROVIDED,
    Endpoint,
    Expected,
    check,
    matrix,
    send,
)


@pytest.fixture
def world(enterprise_world, frozen, make_run, make_user, jwt_for):
    w = redemption_world(enterprise_world, make_run)
    learner_b = make_user("ent_learner_b")
    w.learner_b_token = jwt_for(learner_b, roles=[f"enterprise_learner:{CUSTOMER_B}"])
    return w


def client(world, caller: str) -> APIClient:
    if caller != "learner_b":
        return world.client(caller)
    c = APIClient()
    c.credentials(HTTP_AUTHORIZATION=f"JWT {world.learner_b_token}", HTTP_ACCEPT="application/json")
    return c


def _credits(customer: str) -> str:
    return f"{CREDITS_URL}?enterprise_customer_uuid={customer}&lms_user_id={{learner}}"


def _can_redeem(customer: str) -> str:
    return f"{can_redeem_url(customer)}?content_key=course-v1:edx%2Bapi101%2B1T2025"


REDEEM = {"lms_user_id": "{learner}", "content_key": API101}
# Authenticated callers all get the 404 of an unknown object (looked up before the role).
UNKNOWN_OBJECT = {c: NOT_FOUND for c in ("admin_a", "admin_b", "operator", "learner_a", "learner_b", "staff")}
ENDPOINTS = [
    Endpoint("credits", "get", _credits(CUSTOMER_A)),
    # A customer unknown to this server: only an operator has a role on it (an empty list).
    Endpoint("credits-unknown-customer", "get", _credits(UNKNOWN),
             expect={"admin_a": FORBIDDEN, "learner_a": FORBIDDEN}),
    Endpoint("can-redeem", "get", _can_redeem(CUSTOMER_A)),
    Endpoint("can-redeem-unknown-customer", "get", _can_redeem(UNKNOWN), expect=UNKNOWN_OBJECT),
    Endpoint("redeem", "post", redeem_url(POLICY_A), REDEEM),
    Endpoint("redeem-unknown-policy", "post", redeem_url(UNKNOWN), REDEEM, expect=UNKNOWN_OBJECT),
    Endpoint("redeem-malformed-policy", "post", redeem_url("not-a-uuid"), REDEEM, expect=UNKNOWN_OBJECT),
    # Customer B's policy: its admin and the operator pass the checks and get the refusal (the
    # learner is not B's learner); A's learner and admin are refused first.
    Endpoint("redeem-policy-of-b", "post", redeem_url(POLICY_B), REDEEM,
             expect={"admin_a": FORBIDDEN, "learner_a": FORBIDDEN, "admin_b": 422, "operator": 422}),
]  # fmt: skip
CALLERS = {
    ANONYMOUS: NOT_PROVIDED,
    BAD_TOKEN: INVALID_TOKEN,
    "learner_a": 200,
    "admin_a": 200,
    "operator": 200,
    "admin_b": FORBIDDEN,
    "learner_b": FORBIDDEN,
    "staff": FORBIDDEN,
}


def _for(world, endpoint: Endpoint) -> Endpoint:
    """The endpoint with the learner's id put in (ids are known once the world exists)."""
    pk = world.learner.pk
    body = {k: (pk if v == "{learner}" else v) for k, v in endpoint.body.items()} if endpoint.body else None
    return dataclasses.replace(endpoint, path=endpoint.path.format(learner=pk), body=body)


@pytest.mark.parametrize(("endpoint", "caller", "expected"), matrix(ENDPOINTS, CALLERS))
def test_permission_matrix(world, endpoint, caller, expected):
    response = send(client(world, caller), _for(world, endpoint))

    check(response, expected)
    redeemed = endpoint.name == "redeem" and expected.status == 200
    assert RedemptionTransaction.objects.count() == (1 if redeemed else 0)


@pytest.fixture
def other(world, make_user):
    return make_user("someone_else")


def test_a_learner_may_not_redeem_for_another_learner(world, other):
    response = world.client("learner_a").post(redeem_url(), {"lms_user_id": other.pk, "content_key": API101},
                                              format="json")  # fmt: skip
    check(response, FORBIDDEN)
    assert RedemptionTransaction.objects.count() == 0


def test_a_learner_may_not_read_another_learners_credits_or_redemptions(world, other):
    learner = world.client("learner_a")
    check(learner.get(CREDITS_URL, {"enterprise_customer_uuid": CUSTOMER_A, "lms_user_id": other.pk}), FORBIDDEN)
    check(learner.get(can_redeem_url(), {"content_key": API101, "lms_user_id": other.pk}),
          FORBIDDEN)  # fmt: skip


def test_an_admin_reads_another_learners_credits(world):
    response = world.client("admin_a").get(
        CREDITS_URL, {"enterprise_customer_uuid": CUSTOMER_A, "lms_user_id": world.learner.pk}
    )
    assert response.status_code == 200
    assert [p["uuid"] for p in response.json()] == [POLICY_A]


CHECK_ORDER = [
    # (caller, policy, body, expected): an unknown policy is 404 whatever the body; a caller
    # without the role 403 before the body is read; a bad body 400 before "for someone else".
    ("admin_b", UNKNOWN, {}, NOT_FOUND),
    ("admin_b", POLICY_A, {}, FORBIDDEN),
    ("learner_a", POLICY_A, {"lms_user_id": "other", "content_key": "bad"},
     Expected(400, {"content_key": ["Invalid content_key: bad"]})),
    ("learner_a", POLICY_A, {"lms_user_id": "other", "content_key": API101}, FORBIDDEN),
]  # fmt: skip


@pytest.mark.parametrize(("caller", "policy", "body", "expected"), CHECK_ORDER)
def test_check_order(world, other, caller, policy, body, expected):
    body = {k: (other.pk if v == "other" else v) for k, v in body.items()}
    check(world.client(caller).post(redeem_url(policy), body, format="json"), expected)
