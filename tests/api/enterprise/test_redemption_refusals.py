"""Why a redeem is refused (reference/learner_side.md §5.3; enterprise-access constants.py): 422 with
``[{"reason", "user_message", "policy_uuids", "metadata": {"enterprise_administrators"}}]``, the
reference's texts, the customer's admins as metadata, and nothing written. One row per reason, in
the order the rules are checked; and the order itself where two rules fail at once."""

from __future__ import annotations

from datetime import timedelta

import pytest

from coursegate.accounts.services import role_assign
from coursegate.assignments.models import LearnerContentAssignment, SubsidyAccessPolicy
from coursegate.catalogs.models import CatalogItem, ContentItem
from coursegate.core.roles import Role
from coursegate.courses.models import CourseRun
from coursegate.enterprise.services import learner_unlink
from tests.api.enterprise.test_redemption_support import (
    API101,
    CUSTOMER_A,
    FIH,
    POLICY_A,
    redeem,
    redeem_body,
    redemption_world,
    state_of_world,
)
from tests.assignments.conftest import NOW

NO_FUNDS = "You can't enroll right now because your organization doesn't have enough funds."
NOT_ASSIGNED = "You can't enroll right now because this course is not assigned to you."
ADMINS = [{"email": "a.admin@a.example"}, {"email": "ent_admin_a@example.com"}, {"email": "z.admin@a.example"}]


@pytest.fixture
def world(enterprise_world, frozen, make_run, make_user):
    w = redemption_world(enterprise_world, make_run)
    for email in ("z.admin@a.example", "a.admin@a.example"):
        role_assign(user=make_user(email.split("@")[0], email=email), role=Role.ENTERPRISE_ADMIN, context=CUSTOMER_A)
    return w


def _policy(**columns):
    return lambda w: SubsidyAccessPolicy.objects.filter(pk=POLICY_A).update(**columns)


def _assignment(state):
    return lambda w: LearnerContentAssignment.objects.filter(pk=w.assignment.pk).update(state=state)


def _unlink(w):
    learner_unlink(customer=w.customer_a, email=w.learner.email)


def _out_of_catalog(w):
    CatalogItem.objects.filter(catalog=w.catalog_a, item__content_key__in=[API101, "edx+api101"]).delete()


def _deadline_passed(w):
    ContentItem.objects.filter(content_key=API101).update(enroll_by=NOW - timedelta(days=1))


REASONS = [
    ("policy-inactive", _policy(active=False), "policy_expired", NO_FUNDS),
    ("policy-retired", _policy(retired=True), "policy_expired", NO_FUNDS),
    ("subsidy-expired", _policy(subsidy_expiration=NOW - timedelta(seconds=1)), "subsidy_expired",
     "You can't enroll right now because your funds expired."),
    ("subsidy-not-started", _policy(subsidy_active_from=NOW + timedelta(days=1)), "subsidy_expired",
     "You can't enroll right now because your funds expired."),
    ("not-linked", _unlink, "learner_not_in_enterprise",
     "You can't enroll right now because your account is no longer associated with the organization."),
    ("not-in-catalog", _out_of_catalog, "content_not_in_catalog",
     "You can't enroll right now because this course is no longer available in your organization's catalog."),
    ("deadline", _deadline_passed, "beyond_enrollment_deadline",
     "You can't enroll right now because the enrollment deadline for this course has passed."),
    ("no-value", _policy(subsidy_balance_cents=999), "not_enough_value_in_subsidy", NO_FUNDS),
    ("spend-limit", _policy(spend_limit=999), "policy_spend_limit_reached", NO_FUNDS),
    ("cancelled", _assignment("cancelled"), "reason_learner_assignment_cancelled",
     "You can't enroll right now right now because your administrator canceled your course assignment."),
    ("errored", _assignment("errored"), "reason_learner_assignment_failed", NOT_ASSIGNED),
    ("expired", _assignment("expired"), "reason_learner_assignment_expired", NOT_ASSIGNED),
    ("reversed", _assignment("reversed"), "reason_learner_assignment_reversed", NOT_ASSIGNED),
    ("accepted-elsewhere", _assignment("accepted"), "reason_learner_not_assigned_content", NOT_ASSIGNED),
]  # fmt: skip


@pytest.mark.parametrize(("name", "arrange", "reason", "message"), REASONS, ids=[r[0] for r in REASONS])
def test_each_refusal_is_422_with_its_reason_message_and_admins(world, name, arrange, reason, message):
    arrange(world)
    before = state_of_world()

    response = redeem(world, "admin_a")

    assert response.status_code == 422, response.content
    assert response.json() == [
        {"reason": reason, "user_message": message, "policy_uuids": [POLICY_A],
         "metadata": {"enterprise_administrators": ADMINS}}
    ]  # fmt: skip
    assert state_of_world() == before


def test_content_never_assigned_is_not_assigned(world):
    response = redeem(world, body=redeem_body(world, FIH))

    assert (response.status_code, response.json()[0]["reason"]) == (422, "reason_learner_not_assigned_content")
    assert response.json()[0]["user_message"] == NOT_ASSIGNED


def test_another_learners_assignment_is_not_assigned_to_this_one(world, make_user):
    other = make_user("other_learner_a")
    from coursegate.enterprise.services import learner_link

    learner_link(customer=world.customer_a, email=other.email, user=other)
    response = redeem(world, "admin_a", body={"lms_user_id": other.pk, "content_key": API101})

    assert (response.status_code, response.json()[0]["reason"]) == (422, "reason_learner_not_assigned_content")


def test_an_unknown_lms_user_is_not_in_the_enterprise(world):
    response = redeem(world, "admin_a", body={"lms_user_id": 10**9, "content_key": API101})

    assert (response.status_code, response.json()[0]["reason"]) == (422, "learner_not_in_enterprise")


def test_the_first_failing_rule_wins(world):
    # Inactive policy, no funds, out of catalog and a cancelled assignment: the policy's reason.
    _policy(active=False, subsidy_balance_cents=0)(world)
    _out_of_catalog(world)
    _assignment("cancelled")(world)
    assert [e["reason"] for e in redeem(world, "admin_a").json()] == ["policy_expired"]
    # Active again: the catalog comes before the funds, the funds before the assignment.
    _policy(active=True)(world)
    assert [e["reason"] for e in redeem(world, "admin_a").json()] == ["content_not_in_catalog"]
    CatalogItem.objects.create(catalog=world.catalog_a, item=ContentItem.objects.get(content_key="edx+api101"))
    assert [e["reason"] for e in redeem(world, "admin_a").json()] == ["not_enough_value_in_subsidy"]


def test_without_admins_the_message_says_where_to_turn(world):
    from coursegate.accounts.models import RoleAssignment

    RoleAssignment.objects.filter(role=Role.ENTERPRISE_ADMIN).delete()
    _policy(subsidy_balance_cents=0)(world)

    [entry] = redeem(world, "operator").json()

    assert entry["user_message"] == NO_FUNDS + " Contact your administrator to request more."
    assert entry["metadata"] == {"enterprise_administrators": []}


def test_a_run_this_platform_does_not_offer_is_refused_with_the_enrollment_error(world):
    CourseRun.objects.filter(key=API101).update(key="course-v1:edx+api101+gone")
    before = state_of_world()

    response = redeem(world)

    assert response.status_code == 422, response.content
    [entry] = response.json()
    assert (entry["reason"], entry["policy_uuids"]) == ("enrollment_error", [POLICY_A])
    assert API101 in entry["error_message"]
    assert state_of_world() == before
