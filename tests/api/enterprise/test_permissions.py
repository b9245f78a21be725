"""Who may call the Enterprise API's catalog, subscription and assignment endpoints: one matrix of
callers x endpoints (tests/kit/permissions.py; ARCHITECTURE.md "Authentication and authorization").

No token: 401; a forged one: 401; learners and staff without an enterprise role: 403; an admin of
customer A acts on A's objects only (B's: 403); operators act on every customer's. Unknown objects:
404 once authenticated — for everyone on catalogs, policies and configurations (looked up first),
for admins only on plans (callers with no admin role are refused before any lookup). Each answer
is checked for its side effects too: a refused call writes and sends nothing.
"""

from __future__ import annotations

import pytest
import time_machine
from django.urls import resolve

from coursegate.api.enterprise import urls as enterprise_urls
from coursegate.assignments.models import LearnerContentAssignment, LearnerContentAssignmentAction
from coursegate.demo.content import PROGRAM_UUID
from coursegate.subscriptions.models import License
from coursegate.subscriptions.services import licenses_assign, plan_upsert
from tests.api.enterprise.conftest import CATALOG_A, CATALOG_B, CUSTOMER_A
from tests.assignments.conftest import CONFIGURATION_A, NOW, POLICY_A, SUBSIDY_EXPIRATION, policy_create
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

PLAN_A = "904b1785-9d3a-1000-848d-6ae7a56e6355"
PLAN_B = "22222222-2222-4222-8222-222222222222"
POLICY_B = "7c1d2e3f-4a5b-4c6d-8e9f-00000000b0b0"
CONFIGURATION_B = "7c1d2e3f-4a5b-4c6d-8e9f-0000000c0f0b"
ASSIGNMENT_A = "aaaaaaaa-0000-4000-8000-00000000000a"
ASSIGNMENT_B = "bbbbbbbb-0000-4000-8000-00000000000b"
UNKNOWN = "99999999-9999-4999-8999-999999999999"

CATALOGS = "/enterprise/v2/enterprise-catalogs"
SUBSCRIPTIONS = "/enterprise/v1/subscriptions"


def _callers(ok: int) -> dict:
    """Every caller, answered as on an object of customer A; ``ok``: the endpoint's success status."""
    return {
        ANONYMOUS: NOT_PROVIDED,
        BAD_TOKEN: INVALID_TOKEN,
        "admin_a": ok,
        "admin_b": FORBIDDEN,
        "operator": ok,
        "learner_a": FORBIDDEN,
        "staff": FORBIDDEN,
    }


def _of_b(ok: int) -> dict:
    return {"admin_a": FORBIDDEN, "admin_b": ok}


# Unknown object, looked up before the caller's roles are: 404 for anyone authenticated.
UNKNOWN_FOR_ANYONE = {caller: NOT_FOUND for caller in ("admin_a", "admin_b", "operator", "learner_a", "staff")}
# Unknown plan: callers without any admin role were refused first.
UNKNOWN_FOR_ADMINS = {caller: NOT_FOUND for caller in ("admin_a", "admin_b", "operator")}


def _catalog(catalog: str, suffix: str = "") -> str:
    return f"{CATALOGS}/{catalog}{suffix}"


def _assign(plan: str) -> str:
    return f"{SUBSCRIPTIONS}/{plan}/licenses/assign"


def _revoke(plan: str) -> str:
    return f"{SUBSCRIPTIONS}/{plan}/licenses/bulk-revoke"


def _allocate(policy: str) -> str:
    return f"/enterprise/v1/policy-allocation/{policy}/allocate/"


def _assignments(configuration: str, action: str = "") -> str:
    base = f"/enterprise/v1/assignment-configurations/{configuration}/admin/assignments/"
    return f"{base}{action}/" if action else base


ASSIGN = {"user_emails": ["abc@example.com"], "notify_users": False}
# MyUni+Sport101x is in both customers' catalogs.
ALLOCATE = {"learner_emails": ["abc@example.com"], "content_key": "MyUni+Sport101x", "content_price_cents": 0}

# By success status: 200, 204, 202.
OK_200 = [
    Endpoint("catalog-list", "get", CATALOGS, expect={"admin_b": 200}),
    Endpoint("catalog-list-slash", "get", f"{CATALOGS}/", expect={"admin_b": 200}),
    Endpoint("catalog", "get", _catalog(CATALOG_A)),
    Endpoint("catalog-course", "get", _catalog(CATALOG_A, "/courses/MyUni+Sport101x")),
    Endpoint("catalog-course-run", "get", _catalog(CATALOG_A, "/course-runs/course-v1:HarvardX+FIH+3T2023")),
    Endpoint("catalog-program", "get", _catalog(CATALOG_A, f"/programs/{PROGRAM_UUID}")),
    Endpoint("catalog-of-b", "get", _catalog(CATALOG_B), expect=_of_b(200)),
    Endpoint("catalog-unknown", "get", _catalog(UNKNOWN), expect=UNKNOWN_FOR_ANYONE),
    Endpoint("subscriptions", "get", SUBSCRIPTIONS, expect={"admin_b": 200}),
    Endpoint("subscriptions-of-a", "get", f"{SUBSCRIPTIONS}?enterprise_customer_uuid={CUSTOMER_A}"),
    Endpoint(
        "subscriptions-malformed-customer",
        "get",
        f"{SUBSCRIPTIONS}?enterprise_customer_uuid=bad",
        expect={a: Expected(400, {"detail": "bad is not a valid uuid."}) for a in ("admin_a", "admin_b", "operator")},
    ),
    Endpoint("licenses-assign", "post", _assign(PLAN_A), ASSIGN),
    Endpoint("licenses-assign-of-b", "post", _assign(PLAN_B), ASSIGN, expect=_of_b(200)),
    Endpoint("licenses-assign-unknown", "post", _assign(UNKNOWN), ASSIGN, expect=UNKNOWN_FOR_ADMINS),
    Endpoint("licenses-assign-malformed", "post", _assign("not-a-uuid"), ASSIGN, expect=UNKNOWN_FOR_ADMINS),
    Endpoint("assignments-list", "get", _assignments(CONFIGURATION_A)),
    Endpoint("assignments-list-of-b", "get", _assignments(CONFIGURATION_B), expect=_of_b(200)),
    Endpoint("assignments-list-unknown", "get", _assignments(UNKNOWN), expect=UNKNOWN_FOR_ANYONE),
    *(
        Endpoint(
            f"assignments-{action}{suffix}",
            "post",
            _assignments(configuration, action),
            {"assignment_uuids": uuids},
            expect=expect,
        )
        for action in ("remind", "cancel")
        for suffix, configuration, uuids, expect in [
            ("", CONFIGURATION_A, [ASSIGNMENT_A], {}),
            ("-of-b", CONFIGURATION_B, [ASSIGNMENT_B], _of_b(200)),
            ("-unknown", UNKNOWN, [], UNKNOWN_FOR_ANYONE),
        ]
    ),
]
OK_204 = [
    Endpoint("licenses-bulk-revoke", "post", _revoke(PLAN_A), {"user_emails": ["bob@example.com"]}),
    Endpoint(
        "licenses-bulk-revoke-of-b", "post", _revoke(PLAN_B), {"user_emails": ["carol@example.com"]}, expect=_of_b(204)
    ),
    Endpoint(
        "licenses-bulk-revoke-unknown",
        "post",
        _revoke(UNKNOWN),
        {"user_emails": ["bob@example.com"]},
        expect=UNKNOWN_FOR_ADMINS,
    ),
]
OK_202 = [
    Endpoint("policy-allocate", "post", _allocate(POLICY_A), ALLOCATE),
    Endpoint("policy-allocate-of-b", "post", _allocate(POLICY_B), ALLOCATE, expect=_of_b(202)),
    Endpoint("policy-allocate-unknown", "post", _allocate(UNKNOWN), ALLOCATE, expect=UNKNOWN_FOR_ANYONE),
    # remind-all / cancel-all: no body, the list's filters in the query string (issue 12).
    *(
        Endpoint(f"assignments-{action}{suffix}", "post", _assignments(configuration, action) + query, expect=expect)
        for action in ("remind-all", "cancel-all")
        for suffix, configuration, query, expect in [
            ("", CONFIGURATION_A, "", {}),
            ("-of-b", CONFIGURATION_B, "?state=allocated", _of_b(202)),
            ("-unknown", UNKNOWN, "", UNKNOWN_FOR_ANYONE),
            ("-malformed", "not-a-uuid", "", UNKNOWN_FOR_ANYONE),
        ]
    ),
]
MATRIX = matrix(OK_200, _callers(200)) + matrix(OK_204, _callers(204)) + matrix(OK_202, _callers(202))


@pytest.fixture
def world(enterprise_world):
    """enterprise_world plus, for customer A and customer B each: a plan (A's: bob@ holds a
    license; B's: carol@), a policy with its configuration, and one allocated assignment. Time
    stands still at NOW."""
    with time_machine.travel(NOW, tick=False):
        w = enterprise_world
        dates = {"start_date": NOW.replace(year=2024), "expiration_date": SUBSIDY_EXPIRATION}
        for plan, customer, catalog, email in [
            (PLAN_A, w.customer_a, w.catalog_a, "bob@example.com"),
            (PLAN_B, w.customer_b, w.catalog_b, "carol@example.com"),
        ]:
            made = plan_upsert(uuid=plan, customer=customer, catalog=catalog, title=plan, num_licenses=5, **dates)
            licenses_assign(plan=made, emails=[email], notify=False)
        for policy, configuration, customer, catalog, assignment in [
            (POLICY_A, CONFIGURATION_A, w.customer_a, w.catalog_a, ASSIGNMENT_A),
            (POLICY_B, CONFIGURATION_B, w.customer_b, w.catalog_b, ASSIGNMENT_B),
        ]:
            policy_create(customer=customer, catalog=catalog, uuid=policy, configuration_uuid=configuration)
            LearnerContentAssignment.objects.create(
                uuid=assignment, assignment_configuration_id=configuration, learner_email=f"{policy[:4]}@example.com",
                content_key="edx+101", content_title="edX 101", content_quantity=-1000,
                state=LearnerContentAssignment.State.ALLOCATED, allocated_at=NOW,
            )  # fmt: skip
        yield w


def _of(endpoint: Endpoint, a, b):
    return b if "-of-b" in endpoint.name else a


def _effects(endpoint: Endpoint, caller: str, response, ok: bool, mailoutbox) -> None:
    """What the call changed (or, refused, did not change), by the endpoint's kind."""
    kind = endpoint.name.removesuffix("-of-b").removesuffix("-unknown").removesuffix("-malformed")
    if kind == "subscriptions" and ok:
        seen = {"admin_a": [PLAN_A], "admin_b": [PLAN_B], "operator": [PLAN_B, PLAN_A]}[caller]
        assert [p["uuid"] for p in response.json()["results"]] == seen
    elif kind == "subscriptions-of-a" and ok:
        assert [p["uuid"] for p in response.json()["results"]] == [PLAN_A]
    elif kind == "licenses-assign":
        assert License.objects.filter(user_email="abc@example.com").exists() == ok
        if ok:
            assert response.json()["num_successful_assignments"] == 1
    elif kind == "licenses-bulk-revoke":
        assert License.objects.filter(status=License.Status.REVOKED).count() == (1 if ok else 0)
    elif kind == "policy-allocate":
        allocated = LearnerContentAssignment.objects.filter(content_key="MyUni+Sport101x")
        assert allocated.exists() == ok
        if ok:
            configuration = _of(endpoint, CONFIGURATION_A, CONFIGURATION_B)
            assert [a["assignment_configuration"] for a in response.json()["created"]] == [configuration]
            assert allocated.get().learner_email == "abc@example.com"
    elif kind.removesuffix("-all") in ("assignments-remind", "assignments-cancel"):
        action = {"assignments-remind": "reminded", "assignments-cancel": "cancelled"}[kind.removesuffix("-all")]
        acted = LearnerContentAssignmentAction.objects.filter(action_type=action)
        assert [str(a) for a in acted.values_list("assignment_id", flat=True)] == (
            [_of(endpoint, ASSIGNMENT_A, ASSIGNMENT_B)] if ok else []
        )
        assert [m.to for m in mailoutbox] == ([[f"{_of(endpoint, POLICY_A, POLICY_B)[:4]}@example.com"]] if ok else [])
        if ok:
            assert response.content == b""
        if not ok and kind == "assignments-cancel-all":
            assert not LearnerContentAssignment.objects.filter(state=LearnerContentAssignment.State.CANCELLED).exists()
    elif kind == "assignments-list" and ok:
        assert [a["uuid"] for a in response.json()["results"]] == [_of(endpoint, ASSIGNMENT_A, ASSIGNMENT_B)]


@pytest.mark.parametrize(("endpoint", "caller", "expected"), MATRIX)
def test_permission_matrix(world, endpoint, caller, expected, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = send(world.client(caller), endpoint)

    check(response, expected)
    _effects(endpoint, caller, response, expected.status < 300, mailoutbox)


def test_the_matrix_covers_every_catalog_subscription_and_assignment_route():
    # The bulk license enrollment and learner summary routes have matrices of their own, as the
    # learner's and the plan's license routes and contains_content_items (test_learner_*.py,
    # test_plan_licenses_*.py, test_contains_*.py).
    routes = {p.name for p in enterprise_urls.urlpatterns}
    routes -= {"enterprise-bulk-license-enrollment", "enterprise-learner-summary"}
    routes -= {"enterprise-license-activation", "enterprise-learner-licenses", "enterprise-catalog-contains"}
    routes -= {"enterprise-customer-contains", "enterprise-plan-licenses", "enterprise-plan-licenses-overview"}
    routes -= {"enterprise-plan-licenses-csv", "enterprise-plan-licenses-revoke-all"}
    # Issue 12's license reminders and learner credit redemption: matrices in their own files too.
    routes -= {"enterprise-plan-licenses-remind", "enterprise-plan-licenses-remind-all"}
    routes -= {"enterprise-policy-redeem", "enterprise-policy-can-redeem", "enterprise-policy-credits-available"}

    assert {resolve(e.path.split("?")[0]).url_name for e in OK_200 + OK_204 + OK_202} == routes
