"""Reads of learner credit redemption (reference/learner_side.md §5.1–5.3): the learner's link to a
customer, the content a run key names, the learner's assignments and transactions, and the
policies with credit for a learner (``credits_available``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet, Sum

from coursegate.accounts.models import User
from coursegate.assignments.models import LearnerContentAssignment, RedemptionTransaction, SubsidyAccessPolicy
from coursegate.catalogs.models import CatalogItem, ContentItem
from coursegate.enterprise.models import EnterpriseLearner

State = LearnerContentAssignment.State
# An assignment the learner has not acted on yet: the reference lists a policy in credits_available
# while the learner has one it has not acknowledged; Coursegate records no acknowledgements, so a
# cancelled, errored or expired assignment counts until an admin re-allocates it.
OPEN_STATES = (State.ALLOCATED, State.CANCELLED, State.ERRORED, State.EXPIRED)


def user_for_lms_id(lms_user_id: int) -> User | None:
    return User.objects.filter(pk=lms_user_id).first()


def learner_link_get(*, customer_id: Any, user: User) -> EnterpriseLearner | None:
    """The learner's active link with an account to the customer (what carries its learner role)."""
    return EnterpriseLearner.objects.filter(customer_id=customer_id, user=user, active=True).first()


def content_items_for(content_key: str) -> tuple[ContentItem | None, ContentItem | None]:
    """(the run's catalog item, its course's item), either None when the metadata lacks it."""
    run = ContentItem.objects.filter(content_type=ContentItem.Type.COURSE_RUN, content_key=content_key).first()
    course = None
    if run is not None and run.parent_key:
        course = ContentItem.objects.filter(content_type=ContentItem.Type.COURSE, content_key=run.parent_key).first()
    return run, course


def catalog_holds(*, catalog_id: Any, items: Iterable[ContentItem | None]) -> bool:
    """Whether the catalog holds any of ``items`` (a run is in it by itself or through its course)."""
    ids = [item.pk for item in items if item is not None]
    return bool(ids) and CatalogItem.objects.filter(catalog_id=catalog_id, item_id__in=ids).exists()


def catalog_price_cents(run: ContentItem | None, course: ContentItem | None) -> int:
    """The run's price, else its course's, else 0 (the catalog's first paid seat price)."""
    for item in (run, course):
        if item is not None and item.price_cents is not None:
            return item.price_cents
    return 0


def enroll_by(run: ContentItem | None, course: ContentItem | None) -> datetime | None:
    return next((item.enroll_by for item in (run, course) if item is not None and item.enroll_by), None)


def learner_assignments(*, configuration_ids: Sequence[object], user: User) -> QuerySet[LearnerContentAssignment]:
    """The learner's assignments in these configurations: made for its account or its e-mail."""
    email = (user.email or "").strip().lower()
    mine = Q(lms_user=user) | Q(learner_email=email) if email else Q(lms_user=user)
    return (
        LearnerContentAssignment.objects.filter(assignment_configuration_id__in=list(configuration_ids))
        .filter(mine)
        .select_related("assignment_configuration__policy")
        .order_by("-created", "uuid")
    )


def policy_spent_cents(policy: SubsidyAccessPolicy) -> int:
    """What the policy's redemptions spent and still hold (reversed ones are given back)."""
    total = RedemptionTransaction.objects.filter(policy=policy, reversed_at__isnull=True).aggregate(
        total=Sum("quantity")
    )["total"]
    return -(total or 0)


def committed_transaction(*, policy: SubsidyAccessPolicy, user: User, content_key: str) -> RedemptionTransaction | None:
    """The learner's unreversed redemption of ``content_key`` with this policy, if any."""
    return (
        RedemptionTransaction.objects.filter(
            policy=policy, lms_user=user, content_key=content_key, reversed_at__isnull=True
        )
        .order_by("created")
        .first()
    )


def transactions_for_learner(*, policy_ids: Sequence[object], user: User, content_key: str) -> list:
    """The learner's transactions for ``content_key`` with any of the policies, oldest first."""
    return list(
        RedemptionTransaction.objects.filter(policy_id__in=list(policy_ids), lms_user=user, content_key=content_key)
        .select_related("policy")
        .order_by("created", "uuid")
    )


def redeemable_policies(*, customer_id: Any, now: datetime) -> list[SubsidyAccessPolicy]:
    """The customer's active, unretired policies in the reference's priority order: sooner subsidy
    expiry first, then lower balance."""
    return list(
        SubsidyAccessPolicy.objects.filter(customer_id=customer_id, active=True, retired=False).order_by(
            "subsidy_expiration", "subsidy_balance_cents", "uuid"
        )
    )


def policies_with_credit(*, customer_id: Any, user: User, now: datetime) -> list[tuple[SubsidyAccessPolicy, list]]:
    """``credits_available``: (policy, the learner's assignments in it, any state) for each of the
    customer's policies that is active and current, has balance and spend left, and holds an
    assignment of the learner's it has not acted on (OPEN_STATES) — when the learner is linked to
    the customer at all."""
    if learner_link_get(customer_id=customer_id, user=user) is None:
        return []
    candidates = [
        policy
        for policy in redeemable_policies(customer_id=customer_id, now=now)
        if policy.subsidy_balance_cents > 0
        and policy.subsidy_expiration > now
        and (policy.subsidy_active_from is None or policy.subsidy_active_from <= now)
    ]
    if not candidates:
        return []
    by_configuration: dict = {policy.assignment_configuration_id: [] for policy in candidates}
    for assignment in learner_assignments(configuration_ids=list(by_configuration), user=user):
        by_configuration[assignment.assignment_configuration_id].append(assignment)
    return [
        (policy, by_configuration[policy.assignment_configuration_id])
        for policy in candidates
        if any(a.state in OPEN_STATES for a in by_configuration[policy.assignment_configuration_id])
        and policy_spent_cents(policy) < policy.spend_limit
    ]
