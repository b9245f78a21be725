"""A licensed tenant set-up for the learner's and the plan's license tests (issue 12):
test_learner_*.py, test_plan_licenses_*.py.

At NOW (frozen): customer A's plan PLAN_A (10 licenses, revocation cap on) with the learner_a
caller's license assigned, alice's activated, bob's assigned, carol's revoked (replaced, so 10 stay
non-revoked); an expired plan of A holding an assigned license of learner_a; customer B's plan
PLAN_B (5 licenses, no cap) with dave's assigned and erin's activated.
"""

from __future__ import annotations

from datetime import UTC, datetime

from coursegate.subscriptions.models import License
from coursegate.subscriptions.selectors import live_license_for_email
from coursegate.subscriptions.services import license_activate, licenses_assign, licenses_bulk_revoke, plan_upsert
from tests.api.enterprise.conftest import CATALOG_A, CATALOG_B, CUSTOMER_A, CUSTOMER_B

PLAN_A = "904b1785-9d3a-1000-848d-6ae7a56e6355"
PLAN_A_EXPIRED = "904b1785-9d3a-1000-848d-0000000000e0"
PLAN_B = "22222222-2222-4222-8222-222222222222"
UNKNOWN = "99999999-9999-4999-8999-999999999999"
LEARNER_EMAIL = "ent_learner_a@example.com"  # the learner_a caller's (tests/api/enterprise/conftest.py)
S = License.Status


def _dt(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def licensed_world(enterprise_world, make_user):
    """The set-up above on ``enterprise_world``; call it under the ``frozen`` fixture (a module's
    ``licensed`` fixture)."""
    w = enterprise_world
    common = {"start_date": _dt("2024-01-01"), "expiration_date": _dt("2030-12-31")}
    w.plan = plan_upsert(
        uuid=PLAN_A, customer=w.customer_a, catalog=w.catalog_a, title="Customer A subscription", num_licenses=10,
        is_revocation_cap_enabled=True, **common,
    )  # fmt: skip
    w.expired = plan_upsert(
        uuid=PLAN_A_EXPIRED, customer=w.customer_a, catalog=w.catalog_a, title="A 2023", num_licenses=2,
        start_date=_dt("2023-01-01"), expiration_date=_dt("2024-01-01"),
    )  # fmt: skip
    w.plan_b = plan_upsert(
        uuid=PLAN_B, customer=w.customer_b, catalog=w.catalog_b, title="Customer B subscription", num_licenses=5,
        **common,
    )  # fmt: skip
    licenses_assign(plan=w.plan, emails=[LEARNER_EMAIL, "alice@example.com", "bob@example.com", "carol@example.com"],
                    notify=False)  # fmt: skip
    licenses_assign(plan=w.expired, emails=[LEARNER_EMAIL], notify=False)
    licenses_assign(plan=w.plan_b, emails=["dave@example.com", "erin@example.com"], notify=False)
    w.alice = make_user("alice")
    license_activate(license=live_license_for_email(plan=w.plan, email="alice@example.com"), user=w.alice)
    license_activate(license=live_license_for_email(plan=w.plan_b, email="erin@example.com"), user=make_user("erin"))
    licenses_bulk_revoke(plan=w.plan, user_emails=["carol@example.com"])
    return w


def license_of(email: str, plan: str = PLAN_A, *, status: str | None = None) -> License:
    licenses = License.objects.filter(plan_id=plan, user_email=email)
    return licenses.get(status=status) if status else licenses.exclude(status=S.REVOKED).get()


def iso(moment: datetime | None) -> str | None:
    """A time as DRF renders it."""
    return None if moment is None else moment.isoformat().replace("+00:00", "Z")


def license_json(license: License) -> dict:
    """A license as the admin's list shows it (LicenseSerializer's fields)."""
    return {
        "uuid": str(license.uuid),
        "status": license.status,
        "user_email": license.user_email or None,
        "activation_date": iso(license.activation_date),
        "last_remind_date": iso(license.last_remind_date),
        "subscription_plan_uuid": str(license.plan_id),
        "revoked_date": iso(license.revoked_date),
        "activation_key": str(license.activation_key) if license.activation_key else None,
    }


AGREEMENT_A = {
    "uuid": None,
    "enterprise_customer_uuid": CUSTOMER_A,
    "enterprise_customer_slug": "customer-a",
    "default_enterprise_catalog_uuid": CATALOG_A,
    "disable_expiration_notifications": None,
    "net_days_until_expiration": None,
    "subscription_for_auto_applied_licenses": None,
    "available_subscription_catalogs": None,
}
AGREEMENT_B = {**AGREEMENT_A, "enterprise_customer_uuid": CUSTOMER_B, "enterprise_customer_slug": "customer-b",
               "default_enterprise_catalog_uuid": CATALOG_B}  # fmt: skip
