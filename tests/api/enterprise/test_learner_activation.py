"""POST /enterprise/v1/license-activation/?activation_key= (reference/learner_side.md §3.1; issue
12): the learner activates its own license; exact bodies in JSON and XML, every bad input, who
may call, the e-mail after commit and the link (and learner role) it makes."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from coursegate.accounts.models import RoleAssignment
from coursegate.enterprise.models import EnterpriseLearner
from coursegate.enterprise.services import learner_links_claim, learner_unlink
from coursegate.subscriptions.models import License, SubscriptionPlan
from tests.api.enterprise.conftest import CUSTOMER_A, CUSTOMER_B
from tests.api.enterprise.license_support import (
    AGREEMENT_A,
    LEARNER_EMAIL,
    PLAN_A,
    PLAN_A_EXPIRED,
    PLAN_B,
    UNKNOWN,
    S,
    iso,
    license_json,
    license_of,
    licensed_world,
)
from tests.assignments.conftest import NOW
from tests.kit.permissions import ANONYMOUS, BAD_TOKEN, INVALID_TOKEN, NOT_FOUND, NOT_PROVIDED, Expected, check

URL = "/enterprise/v1/license-activation/"


@pytest.fixture
def licensed(enterprise_world, frozen, make_user):
    return licensed_world(enterprise_world, make_user)


PLAN_A_JSON = {
    "title": "Customer A subscription",
    "uuid": PLAN_A,
    "start_date": "2024-01-01T00:00:00Z",
    "expiration_date": "2030-12-31T00:00:00Z",
    "enterprise_customer_uuid": CUSTOMER_A,
    "enterprise_catalog_uuid": "3f56a21c-76c8-47c0-add8-a99714d40d94",
    "is_active": True,
    "is_current": True,
    "is_revocation_cap_enabled": True,
    "days_until_expiration": 1400,  # whole 24-hour periods from NOW (2027-03-01 09:30)
    "days_until_expiration_including_renewals": 1400,
    "is_locked_for_renewal_processing": False,
    "should_auto_apply_licenses": False,
    "created": "2027-03-01T09:30:00Z",
    "plan_type": "Standard Paid",
    "salesforce_opportunity_line_item": "",
}


def _activate(world, key, caller="learner_a", accept="application/json"):
    suffix = "" if key is None else f"?activation_key={key}"
    return world.client(caller, accept=accept).post(f"{URL}{suffix}")


def test_activating_an_assigned_license_answers_200_with_the_activated_license(licensed):
    key = license_of(LEARNER_EMAIL).activation_key

    response = _activate(licensed, key)

    assert response.status_code == 200, response.content
    stored = license_of(LEARNER_EMAIL)
    assert (stored.status, stored.lms_user, stored.activation_date) == (S.ACTIVATED, licensed.users["learner_a"], NOW)
    assert response.json() == {
        "uuid": str(stored.uuid),
        "status": "activated",
        "user_email": LEARNER_EMAIL,
        "activation_date": "2027-03-01T09:30:00Z",
        "last_remind_date": "2027-03-01T09:30:00Z",
        "subscription_plan_uuid": PLAN_A,
        "revoked_date": None,
        "activation_key": str(key),
        "customer_agreement": AGREEMENT_A,
        "subscription_plan": PLAN_A_JSON,
    }


def test_the_answer_is_xml_by_default(licensed):
    key = license_of(LEARNER_EMAIL).activation_key

    response = _activate(licensed, key, accept=None)

    assert (response.status_code, response["Content-Type"]) == (200, "application/xml; charset=utf-8")
    root = ET.fromstring(response.content)
    assert [child.tag for child in root] == list(license_json(license_of(LEARNER_EMAIL))) + [
        "customer_agreement",
        "subscription_plan",
    ]
    assert (root.findtext("status"), root.findtext("activation_key"), root.findtext("revoked_date")) == (
        "activated",
        str(key),
        "",
    )
    assert root.findtext("subscription_plan/is_current") == "True"
    assert root.findtext("customer_agreement/enterprise_customer_slug") == "customer-a"


def test_activating_again_changes_nothing_and_answers_the_same_license(licensed, frozen):
    key = license_of(LEARNER_EMAIL).activation_key
    first = _activate(licensed, key)
    frozen.shift(60)

    again = _activate(licensed, key)

    assert (again.status_code, again.json()) == (200, first.json())
    assert license_of(LEARNER_EMAIL).activation_date == NOW


def test_activation_sends_one_e_mail_after_commit(licensed, mailoutbox, django_capture_on_commit_callbacks):
    key = license_of(LEARNER_EMAIL).activation_key

    with django_capture_on_commit_callbacks(execute=True):
        _activate(licensed, key)
    with django_capture_on_commit_callbacks(execute=True):
        _activate(licensed, key)  # a no-op: no second e-mail

    assert [(m.to, m.subject) for m in mailoutbox] == [
        ([LEARNER_EMAIL], "Your license to Customer A subscription is active")
    ]


def test_activation_links_the_account_to_the_customer_with_the_learner_role(licensed, make_user, jwt_for):
    frank = make_user("frank")
    License.objects.filter(pk=license_of("bob@example.com").pk).update(user_email="frank@example.com")
    EnterpriseLearner.objects.filter(email="frank@example.com").delete()  # as if linked by nothing
    key = license_of("frank@example.com").activation_key
    client = licensed.client(None)
    client.credentials(HTTP_AUTHORIZATION=f"JWT {jwt_for(frank, roles=[f'enterprise_admin:{CUSTOMER_A}'])}")

    assert client.post(f"{URL}?activation_key={key}").status_code == 200
    assert EnterpriseLearner.objects.get(customer_id=CUSTOMER_A, email="frank@example.com").user == frank
    assert RoleAssignment.objects.filter(user=frank, role="enterprise_learner", context=CUSTOMER_A).exists()


# --- bad inputs ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("suffix", "expected"),
    [
        ("", {"detail": "activation_key is a required parameter"}),
        ("?activation_key=", {"detail": "activation_key is a required parameter"}),
        ("?activation_key=%20", {"detail": "activation_key is a required parameter"}),
        ("?activation_key=abc", {"detail": "abc is not a valid activation key."}),
        ("?activation_key=904b1785-9d3a", {"detail": "904b1785-9d3a is not a valid activation key."}),
        ("?other=1", {"detail": "activation_key is a required parameter"}),
    ],
)
def test_a_missing_or_malformed_key_is_400(licensed, suffix, expected):
    response = licensed.client("learner_a").post(f"{URL}{suffix}")

    assert (response.status_code, response.json()) == (400, expected)
    assert license_of(LEARNER_EMAIL).status == S.ASSIGNED


def test_a_malformed_key_is_400_in_xml_by_default(licensed):
    response = licensed.client("learner_a", accept=None).post(f"{URL}?activation_key=abc")

    assert response.status_code == 400
    assert ET.fromstring(response.content).findtext("detail") == "abc is not a valid activation key."


def test_an_unknown_key_is_404(licensed):
    check(_activate(licensed, UNKNOWN), NOT_FOUND)


def test_another_learner_s_key_is_404_as_an_unknown_one_and_changes_nothing(licensed):
    key = license_of("bob@example.com").activation_key

    check(_activate(licensed, key), NOT_FOUND)
    assert license_of("bob@example.com").status == S.ASSIGNED


def test_a_license_of_an_expired_plan_is_404(licensed):
    key = license_of(LEARNER_EMAIL, PLAN_A_EXPIRED).activation_key

    check(_activate(licensed, key), NOT_FOUND)
    assert license_of(LEARNER_EMAIL, PLAN_A_EXPIRED).status == S.ASSIGNED


def test_a_license_of_an_inactive_plan_is_404(licensed):
    SubscriptionPlan.objects.filter(pk=PLAN_A).update(is_active=False)

    check(_activate(licensed, license_of(LEARNER_EMAIL).activation_key), NOT_FOUND)


def test_a_revoked_license_is_422_and_stays_revoked(licensed, make_user, jwt_for):
    carol = make_user("carol")
    revoked = license_of("carol@example.com", status=S.REVOKED)
    client = licensed.client(None)
    client.credentials(HTTP_AUTHORIZATION=f"JWT {jwt_for(carol, roles=[f'enterprise_learner:{CUSTOMER_A}'])}")

    response = client.post(f"{URL}?activation_key={revoked.activation_key}", HTTP_ACCEPT="application/json")

    assert (response.status_code, response.json()) == (422, {"detail": "Cannot activate a revoked license."})
    assert License.objects.get(pk=revoked.pk).status == S.REVOKED


# --- who may call -------------------------------------------------------------------------------------

# learner_a's own key: a caller is matched by its e-mail first, so for anyone else it is unknown.
CALLERS = {
    ANONYMOUS: NOT_PROVIDED,
    BAD_TOKEN: INVALID_TOKEN,
    "learner_a": Expected(200),
    "admin_a": NOT_FOUND,
    "admin_b": NOT_FOUND,
    "operator": NOT_FOUND,
    "staff": NOT_FOUND,
}


@pytest.mark.parametrize(("caller", "expected"), list(CALLERS.items()), ids=list(CALLERS))
def test_only_the_license_s_learner_activates_it(licensed, caller, expected):
    key = license_of(LEARNER_EMAIL).activation_key

    check(_activate(licensed, key, caller), expected)
    assert license_of(LEARNER_EMAIL).status == (S.ACTIVATED if expected.status == 200 else S.ASSIGNED)


def test_the_license_s_learner_without_a_role_on_its_customer_is_403(licensed, make_user, bearer_for):
    dave = make_user("dave")  # an account made without taking its e-mail's pending link over
    key = license_of("dave@example.com", PLAN_B).activation_key
    client = licensed.client(None)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {bearer_for(dave)}", HTTP_ACCEPT="application/json")

    check(client.post(f"{URL}?activation_key={key}"), Expected(403))
    assert license_of("dave@example.com", PLAN_B).status == S.ASSIGNED

    learner_links_claim(user=dave)  # the link and the role: the same token may now activate
    assert client.post(f"{URL}?activation_key={key}").status_code == 200
    learner_unlink(customer=licensed.customer_b, email="dave@example.com")
    check(client.post(f"{URL}?activation_key={key}"), Expected(403))
    assert not RoleAssignment.objects.filter(user=dave, context=CUSTOMER_B).exists()


def test_the_caller_must_be_authenticated_before_the_key_is_read(licensed):
    check(licensed.client(None).post(f"{URL}?activation_key=abc"), NOT_PROVIDED)
    assert iso(None) is None
