"""GET /enterprise/v1/learner-licenses/?enterprise_customer_uuid= (reference/learner_side.md §3.2;
issue 12): the caller's own licenses with their plans, the page envelope with the customer's
agreement, the flags, every bad input and who may call."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from coursegate.subscriptions.services import licenses_assign
from tests.api.enterprise.conftest import CUSTOMER_A, CUSTOMER_B
from tests.api.enterprise.license_support import (
    AGREEMENT_A,
    LEARNER_EMAIL,
    PLAN_A,
    PLAN_A_EXPIRED,
    UNKNOWN,
    license_json,
    license_of,
    licensed_world,
)
from tests.api.enterprise.test_learner_activation import PLAN_A_JSON
from tests.kit.permissions import (
    ANONYMOUS,
    BAD_TOKEN,
    FORBIDDEN,
    INVALID_TOKEN,
    NOT_PROVIDED,
    Endpoint,
    check,
    matrix,
    send,
)

URL = "/enterprise/v1/learner-licenses/"


@pytest.fixture
def licensed(enterprise_world, frozen, make_user):
    return licensed_world(enterprise_world, make_user)


def _get(world, caller="learner_a", accept="application/json", **params):
    return world.client(caller, accept=accept).get(URL, params)


def _page(results, count=None, agreement=AGREEMENT_A) -> dict:
    return {
        "count": len(results) if count is None else count,
        "next": None,
        "previous": None,
        "num_pages": 1,
        "current_page": 1,
        "start": 0,
        "results": results,
        "customer_agreement": agreement,
    }


def test_a_learner_lists_its_own_license_with_its_key_its_plan_and_the_agreement(licensed):
    response = _get(licensed, enterprise_customer_uuid=CUSTOMER_A)

    assert response.status_code == 200
    mine = license_of(LEARNER_EMAIL)
    item = {**license_json(mine), "customer_agreement": AGREEMENT_A, "subscription_plan": PLAN_A_JSON}
    assert response.json() == _page([item])
    assert item["activation_key"] == str(mine.activation_key) and item["status"] == "assigned"


def test_the_page_is_xml_by_default(licensed):
    response = _get(licensed, accept=None, enterprise_customer_uuid=CUSTOMER_A)

    assert (response.status_code, response["Content-Type"]) == (200, "application/xml; charset=utf-8")
    root = ET.fromstring(response.content)
    assert [child.tag for child in root] == [
        "count", "next", "previous", "num_pages", "current_page", "start", "results", "customer_agreement",
    ]  # fmt: skip
    assert root.findtext("results/list-item/activation_key") == str(license_of(LEARNER_EMAIL).activation_key)
    assert root.findtext("customer_agreement/uuid") == ""


def test_expired_plans_and_revoked_licenses_are_left_out_unless_asked_for(licensed, make_user, jwt_for):
    expired = license_json(license_of(LEARNER_EMAIL, PLAN_A_EXPIRED))
    current = license_json(license_of(LEARNER_EMAIL))

    body = _get(licensed, enterprise_customer_uuid=CUSTOMER_A, current_plans_only="false").json()

    # Default order: status, then the plan expiring last first.
    assert [(r["uuid"], r["subscription_plan"]["is_current"]) for r in body["results"]] == [
        (current["uuid"], True),
        (expired["uuid"], False),
    ]
    assert body["results"][1]["subscription_plan"]["days_until_expiration"] == -1156
    # carol's revoked license, listed to carol (a learner of A) only when asked for
    carol = licensed.client(None)
    carol.credentials(
        HTTP_AUTHORIZATION=f"JWT {jwt_for(make_user('carol'), roles=[f'enterprise_learner:{CUSTOMER_A}'])}"
    )
    assert carol.get(URL, {"enterprise_customer_uuid": CUSTOMER_A}, HTTP_ACCEPT="application/json").json()["count"] == 0
    revoked = carol.get(
        URL, {"enterprise_customer_uuid": CUSTOMER_A, "include_revoked": "true"}, HTTP_ACCEPT="application/json"
    ).json()
    assert [(r["status"], r["user_email"]) for r in revoked["results"]] == [("revoked", "carol@example.com")]


def test_inactive_plans_are_listed_with_active_plans_only_false(licensed):
    licensed.plan.is_active = False
    licensed.plan.save(update_fields=["is_active"])

    assert _get(licensed, enterprise_customer_uuid=CUSTOMER_A).json()["count"] == 0
    body = _get(licensed, enterprise_customer_uuid=CUSTOMER_A, active_plans_only="false").json()
    assert [r["subscription_plan"]["is_active"] for r in body["results"]] == [False]


def test_a_license_of_another_customer_is_not_listed(licensed):
    licenses_assign(plan=licensed.plan_b, emails=[LEARNER_EMAIL], notify=False)  # links learner_a to B too

    a = _get(licensed, enterprise_customer_uuid=CUSTOMER_A).json()
    b = _get(licensed, enterprise_customer_uuid=CUSTOMER_B).json()

    assert [r["subscription_plan_uuid"] for r in a["results"]] == [PLAN_A]
    assert [r["subscription_plan_uuid"] for r in b["results"]] == [str(licensed.plan_b.uuid)]
    assert b["customer_agreement"]["enterprise_customer_slug"] == "customer-b"


def test_ordering_and_search(licensed):
    params = {"enterprise_customer_uuid": CUSTOMER_A, "current_plans_only": "false"}

    by_plan = _get(licensed, **params, ordering="-activation_date,status").json()["results"]
    found = _get(licensed, **params, search="LEARNER_A").json()["results"]
    nothing = _get(licensed, **params, search="alice").json()["results"]

    assert len(by_plan) == 2
    assert {r["subscription_plan_uuid"] for r in found} == {PLAN_A, PLAN_A_EXPIRED}
    assert nothing == []  # search narrows the caller's own licenses, never widens them


def test_an_admin_sees_only_its_own_licenses_too(licensed):
    assert _get(licensed, "admin_a", enterprise_customer_uuid=CUSTOMER_A).json() == _page([])


def test_the_list_costs_a_fixed_number_of_queries(licensed, django_assert_num_queries):
    client = licensed.client("learner_a")
    client.get(URL, {"enterprise_customer_uuid": CUSTOMER_A})  # token checks warmed up
    # token, roles, count, page, plan summaries (2), agreement
    with django_assert_num_queries(7):
        client.get(URL, {"enterprise_customer_uuid": CUSTOMER_A, "current_plans_only": "false"})


# --- bad inputs ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, {"detail": "missing enterprise_customer_uuid query param"}),
        ({"enterprise_customer_uuid": ""}, {"detail": "missing enterprise_customer_uuid query param"}),
        ({"enterprise_customer_uuid": "bad"}, {"detail": "bad is not a valid uuid."}),
        ({"enterprise_customer_uuid": CUSTOMER_A, "active_plans_only": "maybe"},
         {"active_plans_only": ["Must be a valid boolean."]}),
        ({"enterprise_customer_uuid": CUSTOMER_A, "current_plans_only": "2"},
         {"current_plans_only": ["Must be a valid boolean."]}),
        ({"enterprise_customer_uuid": CUSTOMER_A, "include_revoked": "x"},
         {"include_revoked": ["Must be a valid boolean."]}),
        ({"enterprise_customer_uuid": CUSTOMER_A, "page_size": "0"},
         {"page_size": ["Ensure this value is greater than or equal to 1."]}),
        ({"enterprise_customer_uuid": CUSTOMER_A, "page": "x"}, {"page": ["A valid integer is required."]}),
    ],
)  # fmt: skip
def test_bad_queries_are_400(licensed, params, expected):
    response = _get(licensed, **params)

    assert (response.status_code, response.json()) == (400, expected)


def test_a_page_past_the_end_is_404(licensed):
    response = _get(licensed, enterprise_customer_uuid=CUSTOMER_A, page=2)

    assert (response.status_code, response.json()) == (404, {"detail": "Invalid page."})


# --- who may call -------------------------------------------------------------------------------------

ENDPOINTS = [
    Endpoint("customer-a", "get", f"{URL}?enterprise_customer_uuid={CUSTOMER_A}"),
    Endpoint("customer-b", "get", f"{URL}?enterprise_customer_uuid={CUSTOMER_B}",
             expect={"admin_a": FORBIDDEN, "admin_b": 200, "learner_a": FORBIDDEN}),
    # A customer unknown here: nobody holds a role on it, operators list nothing.
    Endpoint("unknown-customer", "get", f"{URL}?enterprise_customer_uuid={UNKNOWN}",
             expect={"admin_a": FORBIDDEN, "learner_a": FORBIDDEN}),
    # The query is read only as far as the customer before the roles are checked.
    Endpoint("bad-flag", "get", f"{URL}?enterprise_customer_uuid={CUSTOMER_A}&include_revoked=x",
             expect={"admin_a": 400, "learner_a": 400, "operator": 400}),
]  # fmt: skip
CALLERS = {
    ANONYMOUS: NOT_PROVIDED,
    BAD_TOKEN: INVALID_TOKEN,
    "learner_a": 200,
    "admin_a": 200,
    "admin_b": FORBIDDEN,
    "operator": 200,
    "staff": FORBIDDEN,
}


@pytest.mark.parametrize(("endpoint", "caller", "expected"), matrix(ENDPOINTS, CALLERS))
def test_permission_matrix(licensed, endpoint, caller, expected):
    check(send(licensed.client(caller), endpoint), expected)


def test_an_operator_asking_for_an_unknown_customer_gets_an_empty_page_without_agreement(licensed):
    response = _get(licensed, "operator", enterprise_customer_uuid=UNKNOWN)

    assert (response.status_code, response.json()) == (200, _page([], agreement=None))
