"""License and assignment changes on the feed (issue 14 §2): assigned, activated, revoked (one by
one and revoke-all, set-based), allocated, cancelled, expired — each event's type, resource and
payload, read back through getSinceEvent. Accepted is in test_families.py (a redemption)."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from django.utils import timezone

from coursegate.accounts.models import User
from coursegate.assignments.administration import assignments_cancel
from coursegate.assignments.models import LearnerContentAssignment, SubsidyAccessPolicy
from coursegate.assignments.services import assignments_expire, policy_allocate
from coursegate.demo.loading import PLAN_A, PLAN_B, POLICY_A
from coursegate.subscriptions.learner import learner_license_activate
from coursegate.subscriptions.license_admin import licenses_revoke_all
from coursegate.subscriptions.models import License, SubscriptionPlan
from coursegate.subscriptions.services import licenses_assign, licenses_bulk_revoke
from tests.feed.support import cursor, feed_since


def _check(event: dict, *, type: str, resource: str, uuid, owner_key: str, owner, email: str, user, state: str):
    assert (event["type"], event["resourceType"], event["resourceId"]) == (type, resource, str(uuid))
    payload = event["payload"]
    expected = {"uuid": str(uuid), owner_key: str(owner), "email": email, "user": user and user.username,
                "user_id": user and user.pk, "state": state, "time": payload["time"]}  # fmt: skip
    assert payload == expected


def test_a_license_assigned_activated_and_revoked(demo, make_user):
    newcomer, plan, start = make_user("newcomer"), SubscriptionPlan.objects.get(pk=PLAN_A), cursor()

    licenses_assign(plan=plan, emails=["NewComer@example.com"], notify=False)
    row = License.objects.get(plan=plan, user_email="newcomer@example.com", status="assigned")
    learner_license_activate(license=row, user=newcomer)
    licenses_bulk_revoke(plan=plan, user_emails=["newcomer@example.com"])

    assigned, activated, revoked = feed_since(demo, start)
    common = {"resource": "license", "uuid": row.uuid, "owner_key": "plan_uuid", "owner": PLAN_A,
              "email": "newcomer@example.com"}  # fmt: skip
    _check(assigned, type="coursegate.license.assigned", user=None, state="assigned", **common)
    _check(activated, type="coursegate.license.activated", user=newcomer, state="activated", **common)
    _check(revoked, type="coursegate.license.revoked", user=newcomer, state="revoked", **common)
    assert assigned["id"] < activated["id"] < revoked["id"]


def test_revoke_all_appends_one_event_per_live_license_in_one_pass(demo):
    plan, start = SubscriptionPlan.objects.get(pk=PLAN_B), cursor()
    live = {lic.uuid: lic for lic in License.objects.filter(plan=plan, status__in=["assigned", "activated"])}
    assert live and not plan.is_revocation_cap_enabled

    assert licenses_revoke_all(plan=plan) == len(live)

    events = feed_since(demo, start)
    assert len(events) == len(live)
    for event in events:
        lic = live[UUID(event["resourceId"])]
        user = User.objects.filter(pk=lic.lms_user_id).first()
        _check(event, type="coursegate.license.revoked", resource="license", uuid=lic.uuid, owner_key="plan_uuid",
               owner=PLAN_B, email=lic.user_email, user=user, state="revoked")  # fmt: skip


def test_assignments_allocated_cancelled_and_expired(demo, make_user):
    newcomer, policy, start = make_user("newcomer"), SubsidyAccessPolicy.objects.get(pk=POLICY_A), cursor()

    result = policy_allocate(policy_uuid=POLICY_A, learner_emails=["newcomer@example.com", "nobody@example.com"],
                             content_key="edx+101", content_price_cents=1000)  # fmt: skip
    mine, nobodys = sorted(result.created, key=lambda a: a.learner_email)
    assignments_cancel(configuration=policy.assignment_configuration, assignment_uuids=[str(mine.uuid)])
    still_allocated = set(LearnerContentAssignment.objects.filter(state="allocated").values_list("uuid", flat=True))
    expired_count = assignments_expire(now=timezone.now() + timedelta(days=3650))

    events = feed_since(demo, start)
    allocated, cancelled, expired = events[:2], events[2], events[3:]
    common = {"resource": "assignment", "owner_key": "policy_uuid", "owner": POLICY_A}
    _check(allocated[0], type="coursegate.assignment.allocated", uuid=mine.uuid, email="newcomer@example.com",
           user=newcomer, state="allocated", **common)  # fmt: skip
    _check(allocated[1], type="coursegate.assignment.allocated", uuid=nobodys.uuid, email="nobody@example.com",
           user=None, state="allocated", **common)  # fmt: skip
    _check(cancelled, type="coursegate.assignment.cancelled", uuid=mine.uuid, email="newcomer@example.com",
           user=newcomer, state="cancelled", **common)  # fmt: skip
    assert len(expired) == expired_count == len(still_allocated) and nobodys.uuid in still_allocated
    assert {UUID(e["resourceId"]) for e in expired} == still_allocated
    assert {(e["type"], e["payload"]["state"]) for e in expired} == {("coursegate.assignment.expired", "expired")}
