"""Contract of POST /enterprise/v1/policy-allocation/{policy_uuid}/allocate/ when it refuses (seed 003
"policy-allocation Endpoint"; reference/enterprise.md §4.1, §5.1; issue 5):

- 400 in DRF's field-error shape for a bad body; 404 for an unknown or malformed policy uuid; 403
  for another customer's admin, learners and staff (the matrix of test_permissions.py); 405 for
  anything but POST.
- 422 ``[{"reason", "user_message", "policy_uuids", "metadata": {"enterprise_administrators"}}]`` when a
  business rule refuses: the reference's learner-facing texts (issue 12), the customer's admins by
  e-mail, and the "Contact your administrator ..." texts when it has none.
- Nothing is written or e-mailed on any 4xx.
What it allocates (202) and e-mails: test_allocation_outcomes.py.
"""

from __future__ import annotations

from datetime import timedelta
from xml.etree import ElementTree

import pytest

from coursegate.accounts.services import role_assign
from coursegate.assignments.models import LearnerContentAssignment
from coursegate.catalogs.services import catalog_add_items, content_item_upsert
from coursegate.core.roles import Role
from tests.api.enterprise.allocation_support import allocate_post, allocate_url, allocation_world, payload
from tests.api.enterprise.conftest import CUSTOMER_A, CUSTOMER_B, FORBIDDEN
from tests.assignments.conftest import NOW, POLICY_A, State, assignment_create, policy_change, snapshot

UNKNOWN = "99999999-9999-4999-8999-999999999999"


@pytest.fixture
def world(enterprise_world, frozen):
    return allocation_world(enterprise_world)


# --- 400 ------------------------------------------------------------------------------------------------

VALID = payload()
BAD_BODIES = {
    "empty e-mail list": ({**VALID, "learner_emails": []}, {"learner_emails": ["This list may not be empty."]}),
    "invalid e-mail": ({**VALID, "learner_emails": ["abc@example.com", "not-an-email"]},
                       {"learner_emails": {"1": ["Enter a valid email address."]}}),
    "e-mails not a list": ({**VALID, "learner_emails": "abc@example.com"},
                           {"learner_emails": ['Expected a list of items but got type "str".']}),
    "no e-mails": ({"content_key": "edx+101", "content_price_cents": 1000},
                   {"learner_emails": ["This field is required."]}),
    "no content key": ({"learner_emails": ["abc@example.com"], "content_price_cents": 1000},
                       {"content_key": ["This field is required."]}),
    "blank content key": ({**VALID, "content_key": "  "}, {"content_key": ["This field may not be blank."]}),
    "no price": ({"learner_emails": ["abc@example.com"], "content_key": "edx+101"},
                 {"content_price_cents": ["This field is required."]}),
    "negative price": ({**VALID, "content_price_cents": -1},
                       {"content_price_cents": ["Ensure this value is greater than or equal to 0."]}),
    "fractional price": ({**VALID, "content_price_cents": 999.5},
                         {"content_price_cents": ["A valid integer is required."]}),
    "text price": ({**VALID, "content_price_cents": "ten"}, {"content_price_cents": ["A valid integer is required."]}),
    "boolean price": ({**VALID, "content_price_cents": True},
                      {"content_price_cents": ["A valid integer is required."]}),
    "null price": ({**VALID, "content_price_cents": None}, {"content_price_cents": ["This field may not be null."]}),
    "empty body": ({}, {"learner_emails": ["This field is required."], "content_key": ["This field is required."],
                        "content_price_cents": ["This field is required."]}),
}  # fmt: skip


@pytest.mark.parametrize("case", list(BAD_BODIES))
def test_a_bad_body_is_a_400_with_drf_s_field_errors_and_writes_nothing(world, mailoutbox, case):
    body, errors = BAD_BODIES[case]
    assignment_create(world.policy, email="cancelled@example.com", state=State.CANCELLED)
    before = snapshot()

    response = allocate_post(world, body)

    assert (response.status_code, response.json()) == (400, errors)
    assert snapshot() == before
    assert mailoutbox == []


def test_a_body_that_is_not_json_is_a_400(world):
    response = world.client("admin_a").post(allocate_url(), "learner_emails=abc", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["detail"].startswith("JSON parse error")
    assert not LearnerContentAssignment.objects.exists()


# --- 422 ------------------------------------------------------------------------------------------------

NO_FUNDS = "You can't enroll right now because your organization doesn't have enough funds."
FUNDS_EXPIRED = "You can't enroll right now because your funds expired."
NOT_IN_CATALOG = "You can't enroll right now because this course is no longer available in your organization's catalog."
# Without any admin to turn to, the reference adds where to go (reasons.py).
NO_ADMIN_SUFFIX = {NO_FUNDS: " Contact your administrator to request more.",
                   FUNDS_EXPIRED: " Contact your administrator for help.", NOT_IN_CATALOG: ""}  # fmt: skip

REFUSALS = {
    "policy inactive": ({"active": False}, payload(), "policy_expired", NO_FUNDS),
    "policy retired": ({"retired": True}, payload(), "policy_expired", NO_FUNDS),
    "content not in the catalog": ({}, payload(content_key="edx+nothing"), "content_not_in_catalog", NOT_IN_CATALOG),
    "subsidy expired": ({"subsidy_expiration": NOW - timedelta(minutes=1)}, payload(), "subsidy_expired",
                        FUNDS_EXPIRED),
    "spend limit": ({"spend_limit": 1999}, payload(["a@example.com", "b@example.com"]), "policy_spend_limit_reached",
                    NO_FUNDS),
    "subsidy balance": ({"subsidy_balance_cents": 1999}, payload(["a@example.com", "b@example.com"]),
                        "not_enough_value_in_subsidy", NO_FUNDS),
}  # fmt: skip


def customer_a_admins(world, make_user, *emails):
    """Customer A's admins, as role rows (what the refusal's metadata lists), plus customer B's
    admin and customer A's learner, who are not listed."""
    for email in emails:
        role_assign(user=make_user(email.split("@")[0], email=email), role=Role.ENTERPRISE_ADMIN, context=CUSTOMER_A)
    role_assign(user=make_user("b_admin", email="b_admin@b.example"), role=Role.ENTERPRISE_ADMIN, context=CUSTOMER_B)
    role_assign(user=make_user("a_learner", email="a_learner@a.example"), role=Role.ENTERPRISE_LEARNER,
                context=CUSTOMER_A)  # fmt: skip


@pytest.mark.parametrize("case", list(REFUSALS))
def test_a_business_rule_refusal_is_a_422_with_the_reference_s_text_and_the_admins_and_writes_nothing(
    world, make_user, mailoutbox, case
):
    columns, body, reason, message = REFUSALS[case]
    customer_a_admins(world, make_user, "zed@a.example", "amy@a.example")
    policy_change(world.policy, **columns)
    assignment_create(world.policy, email="b@example.com", state=State.CANCELLED)
    before = snapshot()

    response = allocate_post(world, body)

    assert (response.status_code, response.json()) == (
        422,
        [{
            "reason": reason,
            "user_message": message,
            "policy_uuids": [POLICY_A],
            # The calling admin (ent_admin_a) is one of them too.
            "metadata": {"enterprise_administrators": [
                {"email": "amy@a.example"}, {"email": "ent_admin_a@example.com"}, {"email": "zed@a.example"}]},
        }],
    )  # fmt: skip
    assert snapshot() == before
    assert mailoutbox == []


@pytest.mark.parametrize("case", list(REFUSALS))
def test_a_customer_without_admins_gets_the_contact_your_administrator_texts(world, case):
    columns, body, reason, message = REFUSALS[case]
    policy_change(world.policy, **columns)

    response = allocate_post(world, body, caller="operator")  # customer A has no admin then

    assert (response.status_code, response.json()) == (
        422,
        [{"reason": reason, "user_message": message + NO_ADMIN_SUFFIX[message], "policy_uuids": [POLICY_A],
          "metadata": {"enterprise_administrators": []}}],
    )  # fmt: skip


def test_a_refusal_is_xml_by_default_with_the_metadata(world, make_user):
    customer_a_admins(world, make_user, "amy@a.example")
    policy_change(world.policy, spend_limit=0)

    response = allocate_post(world, payload(), accept=None)

    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/xml")
    root = ElementTree.fromstring(response.content)
    item = root.find("list-item")
    assert item.findtext("reason") == "policy_spend_limit_reached"
    assert item.findtext("user_message") == NO_FUNDS
    assert item.findtext("policy_uuids/list-item") == POLICY_A
    assert [e.text for e in item.findall("metadata/enterprise_administrators/list-item/email")] == [
        "amy@a.example", "ent_admin_a@example.com"]  # fmt: skip


def test_content_only_in_another_customer_s_catalog_is_not_in_the_policy_s_catalog(world):
    item = content_item_upsert(content_type="course", content_key="MITx+6.00x", title="6.00x", price_cents=1000)
    catalog_add_items(catalog=world.catalog_b, items=[item])

    response = allocate_post(world, payload(content_key="MITx+6.00x"))

    assert response.status_code == 422
    assert response.json()[0]["reason"] == "content_not_in_catalog"
    assert not LearnerContentAssignment.objects.exists()


def test_a_price_outside_the_interval_is_a_422_price_validation_error(world, mailoutbox):
    response = allocate_post(world, payload(["a@example.com", "b@example.com"], content_key="HarvardX+FIH", price=5146),
                             caller="operator")  # fmt: skip

    assert (response.status_code, response.json()) == (
        422,
        [{
            "reason": "PriceValidationError",
            "user_message": "An error occurred while validating the provided price.",
            "policy_uuids": [POLICY_A],
            "metadata": {"enterprise_administrators": []},
            "error_message": "Requested price 5146 for HarvardX+FIH outside of acceptable interval on canonical "
                             "course price of 4900.",
        }],
    )  # fmt: skip
    assert (LearnerContentAssignment.objects.count(), mailoutbox) == (0, [])


# --- 404, permissions, methods ----------------------------------------------------------------------------


@pytest.mark.parametrize("policy", [UNKNOWN, "not-a-uuid", "904b1785"])
def test_an_unknown_or_malformed_policy_uuid_is_a_404(world, policy):
    response = allocate_post(world, payload(), policy=policy)

    assert (response.status_code, response.json()) == (404, {"detail": "Not found."})
    assert not LearnerContentAssignment.objects.exists()


def test_another_customer_s_admin_is_refused_before_the_body_is_read(world):
    response = allocate_post(world, {"learner_emails": []}, caller="admin_b")

    assert (response.status_code, response.json()) == (403, FORBIDDEN)


@pytest.mark.parametrize("method", ["get", "put", "patch", "delete"])
def test_only_post_is_allowed(world, method):
    response = getattr(world.client("admin_a"), method)(allocate_url(), payload(), format="json")

    assert (response.status_code, response.json()) == (405, {"detail": f'Method "{method.upper()}" not allowed.'})
    assert not LearnerContentAssignment.objects.exists()
