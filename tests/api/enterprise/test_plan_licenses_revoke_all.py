"""POST .../subscriptions/{plan}/licenses/revoke-all/ (reference/learner_side.md §4.6; issue 12):
atomic, set-based (a constant number of queries whatever the plan holds), refused with 422 where
the plan has a revocation cap. Who may call: test_plan_licenses_access.py."""

from __future__ import annotations

import pytest

from coursegate.subscriptions.models import License, SubscriptionPlan
from coursegate.subscriptions.selectors import license_counts_for_plans
from coursegate.subscriptions.services import licenses_assign
from tests.api.enterprise.license_support import PLAN_A, PLAN_B, S, license_of, licensed_world
from tests.assignments.conftest import NOW

CAPPED = "Cannot revoke all licenses when revocation cap is enabled for the subscription plan"


@pytest.fixture
def licensed(enterprise_world, frozen, make_user):
    return licensed_world(enterprise_world, make_user)


def _revoke_all(world, plan=PLAN_B, caller="admin_b", accept="application/json", body=None):
    client = world.client(caller, accept=accept)
    return client.post(f"/enterprise/v1/subscriptions/{plan}/licenses/revoke-all/", body, format="json")


def _statuses(plan) -> dict:
    return {s: n for s, n in vars(license_counts_for_plans([plan])[plan]).items()}


def test_revoke_all_revokes_every_assigned_and_activated_license_and_keeps_the_total(licensed):
    before = {row.pk: row.status for row in License.objects.filter(plan_id=PLAN_B)}

    response = _revoke_all(licensed)

    assert (response.status_code, response.content) == (204, b"")
    assert _statuses(PLAN_B) == {"activated": 0, "assigned": 0, "unassigned": 5, "revoked": 2}
    revoked = License.objects.filter(plan_id=PLAN_B, status=S.REVOKED)
    assert {(r.user_email, r.revoked_date) for r in revoked} == {("dave@example.com", NOW), ("erin@example.com", NOW)}
    assert {r.pk for r in revoked} == {pk for pk, status in before.items() if status != S.UNASSIGNED}
    fresh = License.objects.filter(plan_id=PLAN_B).exclude(pk__in=before)
    assert [(f.status, f.user_email, f.activation_key, f.lms_user_id, f.created) for f in fresh] == [
        (S.UNASSIGNED, "", None, None, NOW)
    ] * 2
    # The plan's lists see the change at once.
    listed = licensed.client("admin_b").get(f"/enterprise/v1/subscriptions/{PLAN_B}/licenses/", {"status": "revoked"})
    assert listed.json()["count"] == 2


def test_revoke_all_on_a_plan_without_licenses_given_is_204_and_changes_nothing(licensed):
    _revoke_all(licensed)
    snapshot = sorted(License.objects.filter(plan_id=PLAN_B).values_list("uuid", "status"))

    assert _revoke_all(licensed).status_code == 204
    assert sorted(License.objects.filter(plan_id=PLAN_B).values_list("uuid", "status")) == snapshot


def test_the_body_is_ignored(licensed):
    assert _revoke_all(licensed, body={"user_emails": ["nobody@example.com"]}).status_code == 204
    assert _statuses(PLAN_B)["revoked"] == 2


def test_a_plan_with_a_revocation_cap_is_422_and_nothing_changes(licensed):
    before = sorted(License.objects.filter(plan_id=PLAN_A).values_list("uuid", "status"))

    response = _revoke_all(licensed, PLAN_A, "admin_a")

    assert (response.status_code, response.json()) == (422, {"detail": CAPPED})
    assert sorted(License.objects.filter(plan_id=PLAN_A).values_list("uuid", "status")) == before
    assert SubscriptionPlan.objects.get(pk=PLAN_A).num_revocations_applied == 0


def test_the_422_is_xml_by_default(licensed):
    response = _revoke_all(licensed, PLAN_A, "admin_a", accept=None)

    assert response.status_code == 422
    assert response.content.decode().endswith(f"<root><detail>{CAPPED}</detail></root>")


def test_revoke_all_costs_the_same_queries_on_a_plan_of_many_licenses(
    licensed, make_user, django_assert_max_num_queries
):
    plan = licensed.plan_b
    License.objects.bulk_create([License(plan=plan) for _ in range(1500)])
    licenses_assign(plan=plan, emails=[f"bulk{i}@example.com" for i in range(1500)], notify=False)
    client = licensed.client("admin_b")
    client.get(f"/enterprise/v1/subscriptions/{PLAN_B}/licenses/overview/")  # token checks warmed up

    # token, roles, plan, lock, UPDATE, INSERT, the feed events, and the savepoint or transaction around them
    with django_assert_max_num_queries(9):
        response = client.post(f"/enterprise/v1/subscriptions/{PLAN_B}/licenses/revoke-all/")

    assert response.status_code == 204
    assert _statuses(PLAN_B) == {"activated": 0, "assigned": 0, "unassigned": 1505, "revoked": 1502}
    assert License.objects.filter(plan_id=PLAN_B).values("uuid").distinct().count() == 3007
    assert license_of("dave@example.com", PLAN_B, status=S.REVOKED).revoked_date == NOW


def test_licenses_can_be_assigned_again_after_revoke_all(licensed):
    _revoke_all(licensed)

    response = licensed.client("admin_b").post(
        f"/enterprise/v1/subscriptions/{PLAN_B}/licenses/assign", {"user_emails": ["dave@example.com"]}, format="json"
    )

    assert response.json()["num_successful_assignments"] == 1
    assert license_of("dave@example.com", PLAN_B).status == S.ASSIGNED
