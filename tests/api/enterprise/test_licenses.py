"""Contract of POST /enterprise/v1/subscriptions/{plan}/licenses/assign and .../bulk-revoke (seed 003
"licenses/assign Endpoint", "licenses/bulk-revoke Endpoint"; reference/enterprise.md §4.6, §4.7;
issue 4): bodies, atomicity, e-mails after commit, XML by default. Who may call them:
test_permissions.py."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import pytest

from coursegate.enterprise.models import EnterpriseLearner
from coursegate.subscriptions.models import License, SubscriptionPlan
from coursegate.subscriptions.selectors import license_counts_for_plans, live_license_for_email
from coursegate.subscriptions.services import license_activate, licenses_assign, plan_upsert
from tests.api.enterprise.conftest import CUSTOMER_A

PLAN_A = "904b1785-9d3a-1000-848d-6ae7a56e6355"
PLAN_B = "22222222-2222-4222-8222-222222222222"
S = License.Status


def _assign_url(plan: str = PLAN_A) -> str:
    return f"/enterprise/v1/subscriptions/{plan}/licenses/assign"


def _revoke_url(plan: str = PLAN_A) -> str:
    return f"/enterprise/v1/subscriptions/{plan}/licenses/bulk-revoke"


@pytest.fixture
def world(enterprise_world, make_user):
    """A's plan of 10 licenses (revocation cap on: ceil(10 x 5%) = 1 revocation): alice activated,
    albert and bob assigned, 7 unassigned. B's plan of 3 licenses."""
    w = enterprise_world
    common = {"start_date": datetime(2024, 1, 1, tzinfo=UTC), "expiration_date": datetime(2030, 12, 31, tzinfo=UTC)}
    w.plan = plan_upsert(
        uuid=PLAN_A, customer=w.customer_a, catalog=w.catalog_a, title="Customer A subscription", num_licenses=10,
        is_revocation_cap_enabled=True, **common,
    )  # fmt: skip
    w.plan_b = plan_upsert(uuid=PLAN_B, customer=w.customer_b, catalog=w.catalog_b, title="B", num_licenses=3, **common)
    licenses_assign(plan=w.plan, emails=["alice@example.com", "albert@example.com", "bob@example.com"], notify=False)
    license_activate(license=live_license_for_email(plan=w.plan, email="alice@example.com"), user=make_user("alice"))
    return w


def _post(world, url, body, caller="admin_a", accept="application/json"):
    return world.client(caller, accept=accept).post(url, body, format="json")


def _counts(plan=PLAN_A):
    return license_counts_for_plans([plan])[plan]


def _live(plan=PLAN_A) -> dict[str, str]:
    return dict(
        License.objects.filter(plan_id=plan, status__in=[S.ASSIGNED, S.ACTIVATED]).values_list("user_email", "status")
    )


# --- assign --------------------------------------------------------------------------------------------


def test_assigning_answers_the_seed_s_body_with_the_licenses_given(world, mailoutbox):
    response = _post(world, _assign_url(), {"user_emails": ["Abc@Example.com", "xyz@example.com", "abc@example.com"]})

    assert response.status_code == 200
    body = response.json()
    stored = dict(
        License.objects.filter(user_email__in=["abc@example.com", "xyz@example.com"]).values_list("user_email", "uuid")
    )
    assert body == {
        "num_successful_assignments": 2,
        "num_already_associated": 0,
        "license_assignments": [
            {"user_email": "abc@example.com", "license": str(stored["abc@example.com"])},
            {"user_email": "xyz@example.com", "license": str(stored["xyz@example.com"])},
        ],
    }
    assert _live() == {
        "alice@example.com": S.ACTIVATED,
        "albert@example.com": S.ASSIGNED,
        "bob@example.com": S.ASSIGNED,
        "abc@example.com": S.ASSIGNED,
        "xyz@example.com": S.ASSIGNED,
    }
    assert set(EnterpriseLearner.objects.filter(customer_id=CUSTOMER_A).values_list("email", flat=True)) >= {
        "abc@example.com",
        "xyz@example.com",
    }


def test_already_associated_e_mails_are_counted_and_skipped(world):
    response = _post(world, _assign_url(), {"user_emails": ["ALICE@example.com", "bob@example.com", "new@example.com"]})

    assert response.status_code == 200
    assert response.json()["num_successful_assignments"] == 1
    assert response.json()["num_already_associated"] == 2
    assert [a["user_email"] for a in response.json()["license_assignments"]] == ["new@example.com"]


def test_assigning_only_associated_e_mails_answers_200_with_nothing_assigned(world):
    response = _post(world, _assign_url(), {"user_emails": ["alice@example.com"]})

    assert (response.status_code, response.json()) == (
        200,
        {"num_successful_assignments": 0, "num_already_associated": 1, "license_assignments": []},
    )


def test_the_assignment_e_mail_goes_out_after_commit_with_greeting_and_closing(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    body = {
        "user_emails": ["abc@example.com", "xyz@example.com"],
        "user_sfids": ["001OE000001f26OXZP", "001OE000001a25WXYZ"],
        "greeting": "Hello",
        "closing": "Bye",
        "notify_users": True,
    }
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = _post(world, _assign_url(), body)

    assert response.status_code == 200
    assert len(callbacks) == 1
    assert sorted(m.to[0] for m in mailoutbox) == ["abc@example.com", "xyz@example.com"]
    for message in mailoutbox:
        key = License.objects.get(user_email=message.to[0], status=S.ASSIGNED).activation_key
        assert message.body.startswith("Hello\n\n")
        assert message.body.endswith("\n\nBye\n")
        assert str(key) in message.body
    assert dict(License.objects.filter(user_sfid__startswith="001").values_list("user_email", "user_sfid")) == {
        "abc@example.com": "001OE000001f26OXZP",
        "xyz@example.com": "001OE000001a25WXYZ",
    }


def test_notify_users_defaults_to_true(world, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _post(world, _assign_url(), {"user_emails": ["abc@example.com"]})

    assert [m.to for m in mailoutbox] == [["abc@example.com"]]


def test_notify_users_false_sends_nothing(world, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _post(world, _assign_url(), {"user_emails": ["abc@example.com"], "notify_users": False})

    assert (callbacks, mailoutbox) == ([], [])


def test_not_enough_licenses_is_400_and_assigns_nothing(world, mailoutbox, django_capture_on_commit_callbacks):
    emails = ["alice@example.com"] + [f"new{i}@example.com" for i in range(8)]
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(world, _assign_url(), {"user_emails": emails})

    assert (response.status_code, response.json()) == (
        400,
        {
            "detail": "There are not enough licenses that can be assigned to complete your request. "
            "You attempted to assign 8 licenses, but there are only 7 potentially available."
        },
    )
    assert _counts().unassigned == 7
    assert not License.objects.filter(user_email__startswith="new").exists()
    assert mailoutbox == []


@pytest.mark.parametrize(
    "body, errors",
    [
        ({}, {"user_emails": ["This field is required."]}),
        ({"user_emails": []}, {"user_emails": ["This list may not be empty."]}),
        ({"user_emails": "a@example.com"}, {"user_emails": ['Expected a list of items but got type "str".']}),
        ({"user_emails": ["a@example.com", "nope"]}, {"user_emails": {"1": ["Enter a valid email address."]}}),
        (
            {"user_emails": ["a@example.com", "b@example.com"], "user_sfids": ["001OE000001f26OXZP"]},
            {"non_field_errors": ["Number of Salesforce IDs did not match number of provided user emails."]},
        ),
        ({"user_emails": ["a@example.com"], "user_sfids": []}, {"user_sfids": ["No Salesforce Ids provided."]}),
        (
            {"user_emails": ["a@example.com"], "user_sfids": ["x" * 65]},
            {"user_sfids": {"0": ["Ensure this field has no more than 64 characters."]}},
        ),
        ({"user_emails": ["a@example.com"], "notify_users": "maybe"}, {"notify_users": ["Must be a valid boolean."]}),
        ({"user_emails": ["a@example.com"], "greeting": ["x"]}, {"greeting": ["Not a valid string."]}),
        (["a@example.com"], {"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]}),
    ],
)
def test_bad_assign_bodies_are_400_with_field_errors_and_assign_nothing(world, body, errors):
    response = _post(world, _assign_url(), body)

    assert (response.status_code, response.json()) == (400, errors)
    assert _counts().assigned == 2


def test_malformed_json_is_400(world):
    response = world.client("admin_a").post(_assign_url(), "{not json", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["detail"].startswith("JSON parse error")


def test_assign_answers_xml_by_default(world):
    response = _post(world, _assign_url(), {"user_emails": ["abc@example.com"], "notify_users": False}, accept=None)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    root = ET.fromstring(response.content)
    assert root.findtext("num_successful_assignments") == "1"
    assert root.findtext("license_assignments/list-item/user_email") == "abc@example.com"
    assert root.findtext("license_assignments/list-item/license") == str(
        live_license_for_email(plan=world.plan, email="abc@example.com").uuid
    )


def test_assign_accepts_a_trailing_slash_and_refuses_get(world):
    assert _post(world, _assign_url() + "/", {"user_emails": ["abc@example.com"]}).status_code == 200
    assert world.client("admin_a").get(_assign_url()).status_code == 405


# --- bulk revoke ---------------------------------------------------------------------------------------


def test_revoking_by_e_mail_is_204_and_replaces_each_license(world):
    response = _post(world, _revoke_url(), {"user_emails": ["Alice@example.com", "bob@example.com"]})

    assert response.status_code == 204
    assert response.content == b""
    assert _live() == {"albert@example.com": S.ASSIGNED}
    counts = _counts()
    assert (counts.revoked, counts.unassigned, counts.total) == (2, 9, 10)
    assert SubscriptionPlan.objects.get(pk=PLAN_A).num_revocations_applied == 1  # alice was activated


def test_an_e_mail_without_a_license_is_404_naming_it_and_nothing_is_revoked(world):
    response = _post(world, _revoke_url(), {"user_emails": ["bob@example.com", "ghost@example.com"]})

    message = (
        f"No license for these e-mails exists in plan {PLAN_A} with a status in ['activated', 'assigned']: "
        "ghost@example.com."
    )
    assert (response.status_code, response.json()) == (
        404,
        {
            "detail": message,
            "unsuccessful_revocations": [
                {"user_email": "ghost@example.com", "error": message, "error_response_status": 404}
            ],
        },
    )
    assert _counts().revoked == 0
    assert _live()["bob@example.com"] == S.ASSIGNED


def test_reaching_the_revocation_cap_is_400_naming_the_e_mails_and_nothing_is_revoked(world, make_user):
    licenses_assign(plan=world.plan, emails=["carol@example.com"], notify=False)
    license_activate(
        license=live_license_for_email(plan=world.plan, email="carol@example.com"), user=make_user("carol")
    )

    response = _post(
        world, _revoke_url(), {"user_emails": ["bob@example.com", "alice@example.com", "carol@example.com"]}
    )

    message = (
        "License revocation limit has been reached: revoking 2 activated licenses needs 2 revocations, "
        "the plan has 1 remaining."
    )
    assert (response.status_code, response.json()) == (
        400,
        {
            "detail": message,
            "unsuccessful_revocations": [
                {"user_email": "alice@example.com", "error": message, "error_response_status": 400},
                {"user_email": "carol@example.com", "error": message, "error_response_status": 400},
            ],
        },
    )
    assert _counts().revoked == 0
    assert SubscriptionPlan.objects.get(pk=PLAN_A).num_revocations_applied == 0


@pytest.mark.parametrize(
    "filters, revoked",
    [
        ([{"user_email": "al"}], {"alice@example.com", "albert@example.com"}),
        ([{"status_in": ["activated", "assigned"]}], {"alice@example.com", "albert@example.com", "bob@example.com"}),
        ([{"name": "user_email", "filter_value": "bob"}], {"bob@example.com"}),
        ([{"name": "status_in", "filter_value": ["assigned"]}], {"albert@example.com", "bob@example.com"}),
        ([{"status_in": ["unassigned"]}], set()),
    ],
)
def test_revoking_by_filters_in_the_seed_and_reference_shapes(world, filters, revoked):
    response = _post(world, _revoke_url(), {"filters": filters})

    assert response.status_code == 204
    assert set(License.objects.filter(status=S.REVOKED).values_list("user_email", flat=True)) == revoked
    assert _counts().total == 10


@pytest.mark.parametrize(
    "body, errors",
    [
        ({}, {"non_field_errors": ["Either user_emails or filters must be provided."]}),
        (
            {"user_emails": ["bob@example.com"], "filters": [{"user_email": "b"}]},
            {"non_field_errors": ["Either user_emails or filters must be provided, but not both."]},
        ),
        ({"user_emails": []}, {"user_emails": ["This list may not be empty."]}),
        ({"user_emails": ["nope"]}, {"user_emails": {"0": ["Enter a valid email address."]}}),
        ({"filters": []}, {"filters": ["This list may not be empty."]}),
        ({"filters": "al"}, {"filters": ['Expected a list of items but got type "str".']}),
        ({"filters": ["al"]}, {"filters": {"0": ['Expected a dictionary of items but got type "str".']}}),
        (
            {"filters": [{"email": "al"}]},
            {"filters": ["Malformed filters, supported filters are ['user_email', 'status_in']."]},
        ),
        (
            {"filters": [{"status_in": ["cancelled"]}]},
            {
                "filters": [
                    "The status_in filter needs a non-empty list of statuses among "
                    "['unassigned', 'assigned', 'activated', 'revoked']."
                ]
            },
        ),
    ],
)
def test_bad_revoke_bodies_are_400_and_revoke_nothing(world, body, errors):
    response = _post(world, _revoke_url(), body)

    assert (response.status_code, response.json()) == (400, errors)
    assert _counts().revoked == 0


def test_revoke_errors_are_xml_by_default(world):
    response = _post(world, _revoke_url(), {"user_emails": ["ghost@example.com"]}, accept=None)

    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/xml")
    root = ET.fromstring(response.content)
    assert root.findtext("unsuccessful_revocations/list-item/user_email") == "ghost@example.com"
    assert root.findtext("unsuccessful_revocations/list-item/error_response_status") == "404"


def test_a_successful_revoke_has_no_body_in_xml_either(world):
    response = _post(world, _revoke_url(), {"user_emails": ["bob@example.com"]}, accept=None)

    assert (response.status_code, response.content) == (204, b"")


def test_the_subscription_list_shows_the_effect_of_assign_and_revoke(world):
    _post(world, _assign_url(), {"user_emails": ["new@example.com"], "notify_users": False})
    _post(world, _revoke_url(), {"user_emails": ["bob@example.com"]})

    [plan] = (
        world.client("admin_a")
        .get("/enterprise/v1/subscriptions", {"enterprise_customer_uuid": CUSTOMER_A})
        .json()["results"]
    )

    assert plan["licenses"] == {
        "activated": 1,
        "assigned": 2,
        "unassigned": 7,
        "revoked": 1,
        "total": 10,
        "allocated": 3,
    }
