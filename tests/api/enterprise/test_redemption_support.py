"""The set-up shared by the learner credit redemption tests (reference/learner_side.md §5; issue 12):
test_redemption_*.py here and tests/assignments/test_redemption*.py. No tests in this module.

``redemption_world`` (at NOW, frozen): enterprise_world's customers, catalogs and callers; customer
A's policy POLICY_A (the allocation tests' one, 2,000,000 cents of subsidy) and customer B's
POLICY_B; the course run API101 on this platform (audit and verified); the learner_a caller linked
to customer A (so it holds the learner role as data too) with the course ``edx+api101``
allocated to it at 1000 cents (a course-level assignment: the run matches it through its course).
"""

from __future__ import annotations

from coursegate.assignments.models import (
    LearnerContentAssignment,
    LearnerContentAssignmentAction,
    RedemptionTransaction,
    SubsidyAccessPolicy,
)
from coursegate.enrollments.models import Enrollment
from coursegate.enterprise.models import EnterpriseEnrollment
from coursegate.enterprise.services import learner_link
from coursegate.outbox.models import OutboxEmail
from tests.api.enterprise.allocation_support import POLICY_B, allocation_world
from tests.api.enterprise.conftest import CUSTOMER_A
from tests.assignments.conftest import POLICY_A, allocate

API101 = "course-v1:edx+api101+1T2025"  # in catalog A through its course edx+api101; price 1000
FIH = "course-v1:HarvardX+FIH+3T2023"  # in catalog A, not allocated to anyone
SPORT = "course-v1:MyUni+Sport101x"  # in catalog B only (and in A)
UNKNOWN = "99999999-9999-4999-8999-999999999999"
PRICE = 1000
BALANCE = 2_000_000
LOCKED = {"detail": "Enrollment currently locked for this subsidy access policy."}

__all__ = ["API101", "CUSTOMER_A", "FIH", "POLICY_A", "POLICY_B", "SPORT", "UNKNOWN"]


def redemption_world(enterprise_world, make_run):
    w = allocation_world(enterprise_world)
    SubsidyAccessPolicy.objects.filter(pk=w.policy.pk).update(subsidy_balance_cents=BALANCE)
    w.policy.refresh_from_db()
    w.run = make_run(API101, modes=("audit", "verified"), title="APIs 101")
    make_run(FIH, modes=("audit", "verified"))
    w.learner = w.users["learner_a"]
    learner_link(customer=w.customer_a, email=w.learner.email, user=w.learner)
    [w.assignment] = allocate(w.policy, [w.learner.email], "edx+api101", PRICE).created
    return w


def redeem_url(policy: str = POLICY_A) -> str:
    return f"/enterprise/v1/policy-redemption/{policy}/redeem/"


def can_redeem_url(customer: str = CUSTOMER_A) -> str:
    return f"/enterprise/v1/policy-redemption/enterprise-customer/{customer}/can-redeem/"


CREDITS_URL = "/enterprise/v1/policy-redemption/credits_available/"


def redeem_body(world, content_key: str = API101, **extra) -> dict:
    return {"lms_user_id": world.learner.pk, "content_key": content_key, **extra}


def redeem(world, caller: str = "learner_a", body=None, *, policy: str = POLICY_A, **kwargs):
    body = redeem_body(world) if body is None else body
    return world.client(caller, **kwargs).post(redeem_url(policy), body, format="json")


def state_of_world() -> dict:
    """What a redemption writes: compare before/after a refusal (nothing may change)."""
    return {
        "transactions": RedemptionTransaction.objects.count(),
        "assignments": sorted(LearnerContentAssignment.objects.values_list("uuid", "state", "transaction_uuid")),
        "actions": LearnerContentAssignmentAction.objects.count(),
        "balances": sorted(SubsidyAccessPolicy.objects.values_list("uuid", "subsidy_balance_cents")),
        "enrollments": Enrollment.objects.count(),
        "enterprise_enrollments": EnterpriseEnrollment.objects.count(),
        "emails": OutboxEmail.objects.filter(kind="redemption_enrolled").count(),
    }
