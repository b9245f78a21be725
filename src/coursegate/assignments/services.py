"""Policy allocation and assignment administration (seed 003 "policy-allocation",
"assignment-configurations remind/cancel"; reference/enterprise.md §4.1–4.3, §5.1).

- ``policy_allocate`` upserts one assignment per (configuration, learner e-mail, content key) under
  a row lock on the policy, so concurrent allocations are serialised and can never overspend.
  Spend is counted on what would actually be created or re-allocated (ARCHITECTURE.md), not on the
  raw e-mail list.
- Remind and cancel (by uuid, and remind-all / cancel-all by filter): assignments/administration.py.
- ``assignments_expire`` is the periodic job: allocated assignments past their earliest expiration.
E-mails go out after commit.
"""

from __future__ import annotations

import logging
import uuid as uuid_lib
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce, Lower
from django.utils import timezone

from coursegate.accounts.models import User
from coursegate.assignments.exceptions import AllocationRefusedError
from coursegate.assignments.feed_events import assignments_to_feed
from coursegate.assignments.models import (
    ALLOCATION_TIMEOUT,
    AssignmentConfiguration,
    LearnerContentAssignment,
    LearnerContentAssignmentAction,
    SubsidyAccessPolicy,
)
from coursegate.assignments.notifications import assignment_emails_enqueue
from coursegate.assignments.reasons import customer_admin_emails, reason_entry
from coursegate.catalogs.models import CatalogItem, ContentItem
from coursegate.enterprise.services import learners_link_bulk
from coursegate.feed import services as feed

log = logging.getLogger(__name__)

State = LearnerContentAssignment.State
Action = LearnerContentAssignmentAction.Type
REALLOCATABLE = {State.CANCELLED, State.ERRORED, State.EXPIRED, State.REVERSED}
PRICE_LOWER, PRICE_UPPER = 0.95, 1.05


@dataclass(frozen=True)
class AllocationResult:
    created: list[LearnerContentAssignment]
    updated: list[LearnerContentAssignment]
    no_change: list[LearnerContentAssignment]


def _refuse(policy, reason: str, error_message: str = "") -> AllocationRefusedError:
    """The reference's refusal: its user_message and the customer's admins as metadata."""
    entry = reason_entry(reason, [policy.pk], customer_admin_emails(policy.customer_id))
    return AllocationRefusedError(entry=entry, error_message=error_message)


def _content_in_catalog(policy: SubsidyAccessPolicy, content_key: str) -> ContentItem | None:
    """The catalog item for ``content_key`` (a course, or a run whose course or itself is in the
    policy's catalog)."""
    items = {
        item.content_key: item
        for item in ContentItem.objects.filter(content_key=content_key).exclude(content_type=ContentItem.Type.PROGRAM)
    }
    item = items.get(content_key)
    if item is None:
        return None
    keys = {item.pk}
    if item.parent_key:
        parent = ContentItem.objects.filter(content_type=ContentItem.Type.COURSE, content_key=item.parent_key).first()
        if parent is not None:
            keys.add(parent.pk)
    if CatalogItem.objects.filter(catalog_id=policy.catalog_id, item_id__in=keys).exists():
        return item
    return None


def _canonical_price(item: ContentItem) -> int | None:
    if item.price_cents is not None:
        return item.price_cents
    if item.parent_key:
        parent = ContentItem.objects.filter(content_type=ContentItem.Type.COURSE, content_key=item.parent_key).first()
        if parent is not None:
            return parent.price_cents
    return None


def policy_committed_cents(policy: SubsidyAccessPolicy) -> tuple[int, int]:
    """(allocated, spent) in cents: open allocations and accepted (redeemed) assignments."""
    totals = {
        row["state"]: -(row["total"] or 0)
        for row in LearnerContentAssignment.objects.filter(
            assignment_configuration_id=policy.assignment_configuration_id,
            state__in=[State.ALLOCATED, State.ACCEPTED],
        )
        .values("state")
        .annotate(total=Sum("content_quantity"))
    }
    return totals.get(State.ALLOCATED, 0), totals.get(State.ACCEPTED, 0)


@transaction.atomic
def policy_allocate(
    *, policy_uuid, learner_emails: Sequence[str], content_key: str, content_price_cents: int, actor=None
) -> AllocationResult:
    """Allocate ``content_key`` at ``content_price_cents`` to each learner (upsert, see the module
    docstring). Raises SubsidyAccessPolicy.DoesNotExist or AllocationRefusedError."""
    policy = SubsidyAccessPolicy.objects.select_for_update().get(pk=policy_uuid)
    now = timezone.now()
    emails = list(dict.fromkeys(e.strip().lower() for e in learner_emails))

    item = _content_in_catalog(policy, content_key)
    price = _canonical_price(item) if item is not None else None
    if (
        item is not None
        and price is not None
        and not (PRICE_LOWER * price <= content_price_cents <= PRICE_UPPER * price)
    ):
        raise _refuse(
            policy,
            "PriceValidationError",
            f"Requested price {content_price_cents} for {content_key} outside of acceptable interval on canonical "
            f"course price of {price}.",
        )
    if not policy.active or policy.retired:
        raise _refuse(policy, "policy_expired")
    if item is None:
        raise _refuse(policy, "content_not_in_catalog")
    if policy.subsidy_expiration <= now or (policy.subsidy_active_from and policy.subsidy_active_from > now):
        raise _refuse(policy, "subsidy_expired")

    existing = {
        a.learner_email: a
        for a in LearnerContentAssignment.objects.select_for_update().filter(
            assignment_configuration_id=policy.assignment_configuration_id,
            content_key=content_key,
            learner_email__in=emails,
        )
    }
    to_create = [e for e in emails if e not in existing]
    to_reallocate = [existing[e] for e in emails if e in existing and existing[e].state in REALLOCATABLE]
    no_change = [existing[e] for e in emails if e in existing and existing[e].state not in REALLOCATABLE]

    new_cost = content_price_cents * (len(to_create) + len(to_reallocate))
    allocated, spent = policy_committed_cents(policy)
    if new_cost > policy.subsidy_balance_cents - allocated:
        raise _refuse(policy, "not_enough_value_in_subsidy")
    if new_cost + allocated + spent > policy.spend_limit:
        raise _refuse(policy, "policy_spend_limit_reached")

    users = {
        u.email_ci: u
        for u in User.objects.annotate(email_ci=Lower("email")).filter(email_ci__in=set(to_create) | {
            a.learner_email for a in to_reallocate
        })
    }  # fmt: skip
    batch = uuid_lib.uuid4()
    fields = {
        "content_title": item.title,
        "parent_content_key": item.parent_key or None,
        "is_assigned_course_run": item.content_type == ContentItem.Type.COURSE_RUN,
        "content_quantity": -content_price_cents,
        "state": State.ALLOCATED,
        "allocation_batch_id": batch,
        "allocated_at": now,
    }
    created = LearnerContentAssignment.objects.bulk_create(
        [
            LearnerContentAssignment(
                assignment_configuration_id=policy.assignment_configuration_id,
                learner_email=email,
                lms_user=users.get(email),
                content_key=content_key,
                **fields,
            )
            for email in to_create
        ]
    )
    for assignment in to_reallocate:
        for name, value in fields.items():
            setattr(assignment, name, value)
        assignment.lms_user = assignment.lms_user or users.get(assignment.learner_email)
        assignment.accepted_at = assignment.cancelled_at = assignment.expired_at = None
        assignment.errored_at = assignment.reversed_at = None
        assignment.transaction_uuid = None
        assignment.modified = now
    if to_reallocate:
        # One set-based UPDATE (not bulk_update's CASE per row, O(rows x branches), issue 10): every
        # value is shared but the learner's account, found as `users` found it (one account per
        # lower-cased e-mail: accounts_user_email_ci_unique).
        account = User.objects.annotate(email_ci=Lower("email")).filter(email_ci=OuterRef("learner_email"))
        LearnerContentAssignment.objects.filter(pk__in=[a.pk for a in to_reallocate]).update(
            **fields, lms_user=Coalesce("lms_user", Subquery(account.values("pk")[:1])), accepted_at=None,
            cancelled_at=None, expired_at=None, errored_at=None, reversed_at=None, transaction_uuid=None, modified=now,
        )  # fmt: skip
    notified = created + to_reallocate
    LearnerContentAssignmentAction.objects.bulk_create(
        [LearnerContentAssignmentAction(assignment=a, action_type=Action.NOTIFIED, completed_at=now) for a in notified]
    )
    if notified:
        # The learners become the customer's learners (the reference's `learner_linked` step): a
        # link with an account carries the enterprise_learner role, and an address without an
        # account is linked when one registers with it.
        learners_link_bulk(customer=policy.customer, emails=[a.learner_email for a in notified])
        assignment_emails_enqueue("allocated", notified, policy=policy)
        assignments_to_feed(feed.ASSIGNMENT_ALLOCATED, [a.pk for a in notified], now=now)
    log.info("%s allocated %s to %d learners of policy %s", actor or "system", content_key, len(notified), policy.pk)
    return AllocationResult(created=created, updated=to_reallocate, no_change=no_change)


@transaction.atomic
def assignments_expire(*, now=None) -> int:
    """The periodic job: allocated assignments whose earliest possible expiration has passed
    become expired. Only those rows are selected and locked (one query for the content whose
    enroll-by date has passed, one for the due assignments). Returns how many expired."""
    now = now or timezone.now()
    late_content = list(ContentItem.objects.filter(enroll_by__lte=now).values_list("content_key", flat=True).distinct())
    expiring = list(
        # of=("self",): PostgreSQL cannot lock the nullable side of the outer join to the policy.
        LearnerContentAssignment.objects.select_for_update(of=("self",))
        .filter(state=State.ALLOCATED)
        .filter(
            Q(allocated_at__lte=now - ALLOCATION_TIMEOUT)
            | Q(assignment_configuration__policy__subsidy_expiration__lte=now)
            | Q(content_key__in=late_content)
        )
    )
    for assignment in expiring:
        assignment.state, assignment.expired_at, assignment.modified = State.EXPIRED, now, now
    if expiring:
        LearnerContentAssignment.objects.filter(pk__in=[a.pk for a in expiring]).update(
            state=State.EXPIRED, expired_at=now, modified=now
        )
        LearnerContentAssignmentAction.objects.bulk_create(
            [LearnerContentAssignmentAction(assignment=a, action_type=Action.EXPIRED, completed_at=now)
             for a in expiring]
        )  # fmt: skip
        assignments_to_feed(feed.ASSIGNMENT_EXPIRED, [a.pk for a in expiring], now=now)
    return len(expiring)


def policy_upsert(*, uuid, configuration_uuid, customer, catalog, spend_limit: int, subsidy_balance_cents: int,
                  subsidy_expiration, description: str = "") -> SubsidyAccessPolicy:  # fmt: skip
    """Create or update a policy and its assignment configuration (demo data, admin tooling)."""
    configuration, _ = AssignmentConfiguration.objects.get_or_create(
        uuid=configuration_uuid, defaults={"customer": customer}
    )
    policy, _ = SubsidyAccessPolicy.objects.update_or_create(
        uuid=uuid,
        defaults={"customer": customer, "catalog": catalog, "assignment_configuration": configuration,
                  "spend_limit": spend_limit, "subsidy_balance_cents": subsidy_balance_cents,
                  "subsidy_expiration": subsidy_expiration, "description": description},
    )  # fmt: skip
    return policy


@transaction.atomic
def assignment_ensure_allocated(*, uuid, policy: SubsidyAccessPolicy, learner_email: str, content_key: str,
                                content_price_cents: int) -> LearnerContentAssignment:  # fmt: skip
    """An allocated assignment with a chosen uuid (the demo data's seed examples): created, or put
    back into ``allocated`` (every later state's traces cleared) if an earlier run moved it on; the
    learner's account, when one has that e-mail, is its ``lms_user``."""
    now = timezone.now()
    item = ContentItem.objects.filter(content_key=content_key).first()
    account = User.objects.annotate(email_ci=Lower("email")).filter(email_ci=learner_email.lower()).first()
    assignment, created = LearnerContentAssignment.objects.update_or_create(
        uuid=uuid,
        defaults={
            "assignment_configuration_id": policy.assignment_configuration_id,
            "learner_email": learner_email.lower(),
            "content_key": content_key,
            "content_title": item.title if item else "",
            "parent_content_key": (item.parent_key or None) if item else None,
            "is_assigned_course_run": bool(item and item.content_type == ContentItem.Type.COURSE_RUN),
            "content_quantity": -content_price_cents,
            "state": State.ALLOCATED,
            "allocated_at": now,
            "cancelled_at": None,
            "expired_at": None,
            "accepted_at": None,
            "errored_at": None,
            "reversed_at": None,
            "transaction_uuid": None,
            "lms_user": account,
        },
    )
    if created:
        LearnerContentAssignmentAction.objects.create(
            assignment=assignment, action_type=Action.NOTIFIED, completed_at=now
        )
    return assignment
