"""Contract of GET /enterprise/v1/subscriptions (seed 003 "subscriptions Endpoint"; reference/
enterprise.md §4.5; issue 4): the seed's fields, license counts, the revocation cap, renewals,
``current``, paging, whose plans each caller sees, XML by default. Who may call it:
test_permissions.py."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import pytest
import time_machine

from coursegate.subscriptions.models import SubscriptionPlan, SubscriptionPlanRenewal
from coursegate.subscriptions.selectors import live_license_for_email
from coursegate.subscriptions.services import license_activate, licenses_assign, licenses_bulk_revoke, plan_upsert
from tests.api.enterprise.conftest import CUSTOMER_A, CUSTOMER_B

URL = "/enterprise/v1/subscriptions"
PLAN_A = "904b1785-9d3a-1000-848d-6ae7a56e6355"
PLAN_A_OLD = "4b27b24a-48f5-4266-448e-47d5b7deacb2"
PLAN_A_INACTIVE = "11111111-1111-4111-8111-111111111111"
PLAN_B = "22222222-2222-4222-8222-222222222222"
NOW = datetime(2025, 1, 1, 12, tzinfo=UTC)
SEED_FIELDS = [
    "title",
    "uuid",
    "start_date",
    "expiration_date",
    "enterprise_customer_uuid",
    "enterprise_catalog_uuid",
    "is_active",
    "is_revocation_cap_enabled",
    "days_until_expiration",
    "days_until_expiration_including_renewals",
    "is_locked_for_renewal_processing",
    "should_auto_apply_licenses",
    "licenses",
    "revocations",
    "prior_renewals",
]


def _dt(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(tzinfo=UTC)


def _plan(world, uuid, *, customer="a", num_licenses=10, **fields):
    customer_obj = world.customer_a if customer == "a" else world.customer_b
    catalog = world.catalog_a if customer == "a" else world.catalog_b
    return plan_upsert(
        uuid=uuid,
        customer=customer_obj,
        catalog=catalog,
        title=fields.pop("title", f"Plan {uuid[:4]}"),
        start_date=fields.pop("start_date", _dt("2024-01-01")),
        expiration_date=fields.pop("expiration_date", _dt("2030-12-31")),
        num_licenses=num_licenses,
        **fields,
    )


@pytest.fixture
def world(enterprise_world, make_user):
    """A's current plan (cap enabled; honor and audit activated, verified assigned, one revoked,
    renewed from an older plan), an inactive plan of A, and B's plan."""
    w = enterprise_world
    old = _plan(w, PLAN_A_OLD, title="A 2023", start_date=_dt("2023-01-01"), expiration_date=_dt("2024-01-01"))
    plan = _plan(w, PLAN_A, title="Customer A subscription", is_revocation_cap_enabled=True)
    SubscriptionPlanRenewal.objects.create(prior_plan=old, renewed_plan=plan, effective_date=_dt("2024-01-01"))
    _plan(w, PLAN_A_INACTIVE, title="A inactive", start_date=_dt("2024-06-01"), is_active=False)
    _plan(w, PLAN_B, customer="b", title="Customer B subscription", num_licenses=3)
    emails = ["honor@example.com", "audit@example.com", "verified@example.com", "former@example.com"]
    licenses_assign(plan=plan, emails=emails, notify=False)
    for name in ("honor", "audit"):
        license_activate(license=live_license_for_email(plan=plan, email=f"{name}@example.com"), user=make_user(name))
    licenses_bulk_revoke(plan=plan, user_emails=["former@example.com"])
    return w


def _get(world, caller="admin_a", accept="application/json", **params):
    return world.client(caller, accept=accept).get(URL, params)


PLAN_A_JSON = {
    "title": "Customer A subscription",
    "uuid": PLAN_A,
    "start_date": "2024-01-01T00:00:00Z",
    "expiration_date": "2030-12-31T00:00:00Z",
    "enterprise_customer_uuid": CUSTOMER_A,
    "enterprise_catalog_uuid": "3f56a21c-76c8-47c0-add8-a99714d40d94",
    "is_active": True,
    "is_revocation_cap_enabled": True,
    # Whole 24-hour periods from NOW (2025-01-01 12:00) to 2030-12-31 00:00 (issue 12 parity).
    "days_until_expiration": 2189,
    "days_until_expiration_including_renewals": 2189,
    "is_locked_for_renewal_processing": False,
    "should_auto_apply_licenses": False,
    "licenses": {"activated": 2, "assigned": 1, "unassigned": 7, "revoked": 1, "total": 10, "allocated": 3},
    "revocations": {"total": 1, "used": 0, "remaining": 1},
    "prior_renewals": [
        {
            "prior_subscription_plan_id": PLAN_A_OLD,
            "prior_subscription_plan_start_date": "2023-01-01 00:00:00+00:00",
            "renewed_subscription_plan_id": PLAN_A,
            "renewed_subscription_plan_start_date": "2024-01-01 00:00:00+00:00",
        }
    ],
}


@time_machine.travel(NOW, tick=False)
def test_a_customer_s_plans_carry_every_field_of_the_seed_with_real_license_counts(world):
    response = _get(world, enterprise_customer_uuid=CUSTOMER_A)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert (body["count"], body["next"], body["previous"]) == (2, None, None)
    assert list(body["results"][0]) == SEED_FIELDS
    assert body["results"][0] == PLAN_A_JSON
    assert body["results"][1]["uuid"] == PLAN_A_OLD
    assert body["results"][1]["days_until_expiration"] == -367  # 366.5 days ago, floored
    assert body["results"][1]["days_until_expiration_including_renewals"] == 2189
    assert body["results"][1]["prior_renewals"] == []


def test_a_plan_without_a_revocation_cap_has_null_revocations(world):
    body = _get(world, "admin_b").json()

    assert [(p["uuid"], p["revocations"]) for p in body["results"]] == [(PLAN_B, None)]
    assert body["results"][0]["licenses"] == {
        "activated": 0,
        "assigned": 0,
        "unassigned": 3,
        "revoked": 0,
        "total": 3,
        "allocated": 0,
    }


@pytest.mark.parametrize(
    "caller, plans",
    [
        ("admin_a", [PLAN_A_INACTIVE, PLAN_A, PLAN_A_OLD]),
        ("admin_b", [PLAN_B]),
        ("operator", [PLAN_A_INACTIVE, PLAN_B, PLAN_A, PLAN_A_OLD]),  # same start: latest created first
    ],
)
def test_without_a_customer_the_caller_sees_every_plan_of_its_customers_active_or_not(world, caller, plans):
    response = _get(world, caller)

    assert response.status_code == 200
    assert [p["uuid"] for p in response.json()["results"]] == plans


@pytest.mark.parametrize(
    "params, body",
    [
        ({"enterprise_customer_uuid": "bad"}, {"detail": "bad is not a valid uuid."}),
        ({"enterprise_customer_uuid": "904b1785"}, {"detail": "904b1785 is not a valid uuid."}),
        (
            {"current": "true"},
            {"detail": "current=true needs enterprise_customer_uuid: the current plan is a customer's."},
        ),
        ({"enterprise_customer_uuid": CUSTOMER_A, "current": "maybe"}, {"current": ["Must be a valid boolean."]}),
    ],
)
def test_bad_query_parameters_are_400(world, params, body):
    response = _get(world, "operator", **params)

    assert (response.status_code, response.json()) == (400, body)


def test_an_operator_naming_an_unknown_customer_gets_an_empty_page(world):
    response = _get(world, "operator", enterprise_customer_uuid="99999999-9999-4999-8999-999999999999")

    assert response.json() == {"count": 0, "next": None, "previous": None, "results": []}


@pytest.mark.parametrize(
    "now, plans",
    [
        ("2025-01-01", [PLAN_A]),
        ("2023-06-01", [PLAN_A_OLD]),
        ("2031-06-01", []),
    ],
)
def test_current_gives_at_most_the_one_plan_in_force_now(world, now, plans):
    with time_machine.travel(_dt(now), tick=False):
        response = _get(world, enterprise_customer_uuid=CUSTOMER_A, current="true")

    assert response.status_code == 200
    assert response.json()["count"] == len(plans)
    assert [p["uuid"] for p in response.json()["results"]] == plans


@pytest.mark.parametrize("value", ["false", "False", "0", ""])
def test_current_false_or_blank_lists_every_active_plan(world, value):
    response = _get(world, enterprise_customer_uuid=CUSTOMER_A, current=value)

    assert response.json()["count"] == 2


def test_license_counts_follow_assignments_and_revocations(world):
    plan = SubscriptionPlan.objects.get(pk=PLAN_A)
    licenses_bulk_revoke(plan=plan, user_emails=["verified@example.com", "honor@example.com"])

    [summary] = _get(world, enterprise_customer_uuid=CUSTOMER_A, current="true").json()["results"]

    assert summary["licenses"] == {
        "activated": 1,
        "assigned": 0,
        "unassigned": 9,
        "revoked": 3,
        "total": 10,
        "allocated": 1,
    }
    assert summary["revocations"] == {"total": 1, "used": 1, "remaining": 0}


def test_pages_hold_one_hundred_plans(world):
    for n in range(101):
        _plan(world, f"33333333-3333-4333-8333-{n:012d}", customer="b", num_licenses=0, start_date=_dt("2020-01-01"))

    first = _get(world, "admin_b").json()
    second = _get(world, "admin_b", page="2").json()

    assert (first["count"], len(first["results"]), first["previous"]) == (102, 100, None)
    assert first["next"] == "http://testserver/enterprise/v1/subscriptions?page=2"
    assert (len(second["results"]), second["next"]) == (2, None)
    assert second["previous"] == "http://testserver/enterprise/v1/subscriptions"
    assert _get(world, "admin_b", page="3").status_code == 404


@pytest.mark.parametrize("extra_plans", [0, 20])
def test_the_list_runs_the_same_queries_whatever_the_number_of_plans(world, extra_plans, django_assert_num_queries):
    for n in range(extra_plans):
        _plan(world, f"44444444-4444-4444-8444-{n:012d}", num_licenses=2, start_date=_dt("2020-01-01"))
    client = world.client("admin_a")

    # token, the caller's roles, count, page, license counts (one aggregate), renewals
    with django_assert_num_queries(6):
        response = client.get(URL)

    assert response.json()["count"] == 3 + extra_plans


def test_the_current_plan_takes_five_queries(world, django_assert_num_queries):
    client = world.client("admin_a")

    # token, the caller's roles, current plan, license counts, renewals
    with django_assert_num_queries(5):
        response = client.get(URL, {"enterprise_customer_uuid": CUSTOMER_A, "current": "true"})

    assert response.json()["count"] == 1


@time_machine.travel(NOW, tick=False)
def test_xml_is_the_default_representation(world):
    response = _get(world, accept=None, enterprise_customer_uuid=CUSTOMER_A, current="true")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    root = ET.fromstring(response.content)
    assert root.tag == "root"
    assert root.findtext("count") == "1"
    plan = root.find("results/list-item")
    assert plan.findtext("uuid") == PLAN_A
    assert plan.findtext("licenses/allocated") == "3"
    assert plan.findtext("revocations/remaining") == "1"
    assert plan.findtext("prior_renewals/list-item/prior_subscription_plan_id") == PLAN_A_OLD


def test_errors_are_xml_by_default_too(world):
    response = _get(world, "operator", accept=None, enterprise_customer_uuid="bad")

    assert response.status_code == 400
    assert ET.fromstring(response.content).findtext("detail") == "bad is not a valid uuid."


def test_format_json_asks_for_json_without_an_accept_header(world):
    response = _get(world, accept=None, format="json", enterprise_customer_uuid=CUSTOMER_B)

    assert (response.status_code, response["Content-Type"]) == (403, "application/json")


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_other_methods_are_not_allowed(world, method):
    response = getattr(world.client("admin_a"), method)(URL)

    assert response.status_code == 405
