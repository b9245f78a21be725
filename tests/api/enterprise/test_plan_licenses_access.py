"""Who may call a plan's license list, overview, CSV, remind, remind-all and revoke-all
(reference/learner_side.md §4; issue 12): one matrix of callers x endpoints (tests/kit/permissions.py).
Admins of the plan's customer and operators; another customer's admin 403; learners and staff
without an admin role 403 before any lookup; an unknown plan 404 to admins. A refused revoke-all
revokes nothing; a refused reminder reminds nobody and sends nothing."""

from __future__ import annotations

import pytest

from coursegate.outbox.models import OutboxEmail
from coursegate.subscriptions.models import License
from tests.api.enterprise.license_support import PLAN_A, PLAN_B, UNKNOWN, licensed_world
from tests.kit.permissions import (
    ANONYMOUS,
    BAD_TOKEN,
    FORBIDDEN,
    INVALID_TOKEN,
    NOT_FOUND,
    NOT_PROVIDED,
    Endpoint,
    check,
    matrix,
    send,
)


@pytest.fixture
def licensed(enterprise_world, frozen, make_user):
    return licensed_world(enterprise_world, make_user)


def _path(plan: str, suffix: str) -> str:
    return f"/enterprise/v1/subscriptions/{plan}/licenses/{suffix}"


OF_B = {"admin_a": FORBIDDEN, "admin_b": 200}
DONE = {"admin_a": 204, "operator": 204}
DONE_B = {"admin_a": FORBIDDEN, "admin_b": 204, "operator": 204}
UNKNOWN_PLAN = {"admin_a": NOT_FOUND, "admin_b": NOT_FOUND, "operator": NOT_FOUND}
ENDPOINTS = [
    Endpoint("list", "get", _path(PLAN_A, "")),
    Endpoint("list-of-b", "get", _path(PLAN_B, ""), expect=OF_B),
    Endpoint("list-unknown", "get", _path(UNKNOWN, ""), expect=UNKNOWN_PLAN),
    Endpoint("list-malformed", "get", _path("not-a-uuid", ""), expect=UNKNOWN_PLAN),
    Endpoint("overview", "get", _path(PLAN_A, "overview/")),
    Endpoint("overview-of-b", "get", _path(PLAN_B, "overview"), expect=OF_B),
    Endpoint("overview-unknown", "get", _path(UNKNOWN, "overview/"), expect=UNKNOWN_PLAN),
    Endpoint("csv", "get", _path(PLAN_A, "csv/")),
    Endpoint("csv-of-b", "get", _path(PLAN_B, "csv"), expect=OF_B),
    Endpoint("csv-unknown", "get", _path(UNKNOWN, "csv/"), expect=UNKNOWN_PLAN),
    Endpoint("remind", "post", _path(PLAN_A, "remind/"), {"user_emails": ["bob@example.com"]}, expect=DONE),
    Endpoint("remind-of-b", "post", _path(PLAN_B, "remind"), {"user_emails": ["dave@example.com"]}, expect=DONE_B),
    Endpoint("remind-unknown", "post", _path(UNKNOWN, "remind/"), {"user_emails": ["bob@example.com"]},
             expect=UNKNOWN_PLAN),
    Endpoint("remind-all", "post", _path(PLAN_A, "remind-all/"), expect=DONE),
    Endpoint("remind-all-of-b", "post", _path(PLAN_B, "remind-all"), {"greeting": "Hi"}, expect=DONE_B),
    Endpoint("remind-all-unknown", "post", _path(UNKNOWN, "remind-all/"), expect=UNKNOWN_PLAN),
    # Plan A has a revocation cap: its admins get 422, which shows they passed the checks.
    Endpoint("revoke-all", "post", _path(PLAN_A, "revoke-all/"), expect={"admin_a": 422, "operator": 422}),
    Endpoint("revoke-all-of-b", "post", _path(PLAN_B, "revoke-all"), expect={"admin_a": FORBIDDEN, "admin_b": 204,
                                                                               "operator": 204}),
    Endpoint("revoke-all-unknown", "post", _path(UNKNOWN, "revoke-all/"), expect=UNKNOWN_PLAN),
]  # fmt: skip
CALLERS = {
    ANONYMOUS: NOT_PROVIDED,
    BAD_TOKEN: INVALID_TOKEN,
    "admin_a": 200,
    "admin_b": FORBIDDEN,
    "operator": 200,
    "learner_a": FORBIDDEN,
    "staff": FORBIDDEN,
}


@pytest.mark.parametrize(("endpoint", "caller", "expected"), matrix(ENDPOINTS, CALLERS))
def test_permission_matrix(licensed, endpoint, caller, expected):
    before = sorted(License.objects.values_list("uuid", "status", "last_remind_date"))

    check(send(licensed.client(caller), endpoint), expected)

    if expected.status != 204:
        assert sorted(License.objects.values_list("uuid", "status", "last_remind_date")) == before
        assert not OutboxEmail.objects.exists()
