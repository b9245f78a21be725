"""Learner credit redemption (reference/learner_side.md §5.2–5.3; issue 12): may a learner redeem
a course run with a policy (``redemption_evaluate``), redeem it (``policy_redeem``), and give a
redemption back (``redemption_reverse``).

``policy_redeem`` does everything in ONE transaction under the policy's row lock: the transaction
row, the enrollment through the shared enrollment service (the run's best paid mode, as a license
enrolls; source ``enterprise``, with its history), the enterprise enrollment record, the
assignment allocated -> accepted (action ``redeemed``), the subsidy balance and the learner's
e-mail (an outbox row). Spend is recorded once:
- an identical retry (same policy, learner, run) after success returns the same transaction and
  writes nothing (Coursegate's decision; the reference answers 422 then);
- the lock is waited for COURSEGATE_REDEEM_LOCK_WAIT_SECONDS at most (PostgreSQL ``SET LOCAL
  lock_timeout``), then PolicyLockedError; SQLite serialises writers anyway;
- the transaction's idempotency key is unique in the database, derived from (policy, learner, run,
  how many of those redemptions were reversed): the last defence if two redeems ever got past the
  lock together. After a reversal a new redemption gets a new key.
"""

from __future__ import annotations

import hashlib
import logging
import uuid as uuid_lib
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import F
from django.utils import timezone

from coursegate.accounts.models import User
from coursegate.assignments import reasons as R
from coursegate.assignments import redemption_selectors as sel
from coursegate.assignments.exceptions import PolicyLockedError, PolicyNotFoundError, RedemptionRefusedError
from coursegate.assignments.models import (
    LearnerContentAssignment,
    LearnerContentAssignmentAction,
    RedemptionTransaction,
    SubsidyAccessPolicy,
)
from coursegate.courses.selectors import course_run_best_paid_mode, course_run_get
from coursegate.enrollments.models import Source
from coursegate.enrollments.services import EnrollmentRequest, enrollments_bulk_upsert
from coursegate.enterprise.services import enterprise_enrollment_record
from coursegate.feed import services as feed
from coursegate.feed.changes import assignment_change
from coursegate.outbox.services import Email, emails_enqueue

log = logging.getLogger(__name__)

State = LearnerContentAssignment.State
Action = LearnerContentAssignmentAction.Type
DEFAULT_LOCK_WAIT_SECONDS = 5
# Why an assignment that is there but not allocated cannot be redeemed (reference constants.py).
STATE_REASONS: dict[str, str] = {
    State.CANCELLED: R.LEARNER_ASSIGNMENT_CANCELLED,
    State.ERRORED: R.LEARNER_ASSIGNMENT_FAILED,
    State.EXPIRED: R.LEARNER_ASSIGNMENT_EXPIRED,
    State.REVERSED: R.LEARNER_ASSIGNMENT_REVERSED,
}
ENROLLMENT_ERROR = "enrollment_error"  # Coursegate's: the enrollment service refused the run
ENROLLMENT_SOURCE = "learner_credit"  # the enterprise enrollment's seat delivery method


@dataclass(frozen=True)
class Evaluation:
    """Whether ``user`` may redeem ``content_key`` with ``policy`` now: ``reason`` is None when it
    may; ``assignment`` the allocated assignment it would accept; ``price_cents`` what it costs."""

    policy: SubsidyAccessPolicy
    reason: str | None
    assignment: LearnerContentAssignment | None
    price_cents: int

    @property
    def can_redeem(self) -> bool:
        return self.reason is None


@dataclass(frozen=True)
class RedemptionResult:
    transaction: RedemptionTransaction
    created: bool  # False: an identical earlier redemption, returned as it was


def _assignment_for(policy: SubsidyAccessPolicy, user: User, keys: list[str]) -> LearnerContentAssignment | None:
    """The learner's allocated assignment of the run or its course, else the one that says why not."""
    found = list(sel.learner_assignments(configuration_ids=[policy.assignment_configuration_id], user=user)
                 .filter(content_key__in=keys))  # fmt: skip
    order: list[str] = [State.ALLOCATED, State.CANCELLED, State.ERRORED, State.EXPIRED, State.REVERSED,
                        State.ACCEPTED]  # fmt: skip
    found.sort(key=lambda a: order.index(a.state))
    return found[0] if found else None


def redemption_evaluate(
    *, policy: SubsidyAccessPolicy, user: User, content_key: str, now: datetime | None = None
) -> Evaluation:
    """The reference's ``can_redeem`` for an assigned-learner-credit policy; the first failing rule
    wins, in this order: policy_expired, subsidy_expired, learner_not_in_enterprise,
    content_not_in_catalog, beyond_enrollment_deadline, not_enough_value_in_subsidy,
    policy_spend_limit_reached, then the assignment's (not assigned, cancelled, failed, expired,
    reversed). A run key matches a course-level assignment through its parent course."""
    now = now or timezone.now()
    run, course = sel.content_items_for(content_key)
    keys = [content_key] + ([course.content_key] if course is not None else [])
    assignment = _assignment_for(policy, user, keys)
    price = -assignment.content_quantity if assignment is not None else sel.catalog_price_cents(run, course)

    def verdict(reason: str | None) -> Evaluation:
        allocated = assignment if assignment is not None and assignment.state == State.ALLOCATED else None
        return Evaluation(policy, reason, allocated, price)

    if not policy.active or policy.retired:
        return verdict(R.POLICY_EXPIRED)
    if policy.subsidy_expiration <= now or (policy.subsidy_active_from and policy.subsidy_active_from > now):
        return verdict(R.SUBSIDY_EXPIRED)
    if sel.learner_link_get(customer_id=policy.customer_id, user=user) is None:
        return verdict(R.LEARNER_NOT_IN_ENTERPRISE)
    if not sel.catalog_holds(catalog_id=policy.catalog_id, items=(run, course)):
        return verdict(R.CONTENT_NOT_IN_CATALOG)
    deadline = sel.enroll_by(run, course)
    if deadline is not None and deadline <= now:
        return verdict(R.BEYOND_ENROLLMENT_DEADLINE)
    if price > policy.subsidy_balance_cents:
        return verdict(R.NOT_ENOUGH_VALUE_IN_SUBSIDY)
    if sel.policy_spent_cents(policy) + price > policy.spend_limit:
        return verdict(R.POLICY_SPEND_LIMIT_REACHED)
    if assignment is None or assignment.state == State.ACCEPTED:
        return verdict(R.LEARNER_NOT_ASSIGNED_CONTENT)
    if assignment.state != State.ALLOCATED:
        return verdict(STATE_REASONS[assignment.state])
    return verdict(None)


def refusal_entries(evaluations: list[Evaluation]) -> list[dict]:
    """The refusal list: one entry per reason (in first-seen order) naming every policy it refused."""
    administrators: dict = {}
    by_reason: dict[str, list] = {}
    for evaluation in evaluations:
        if evaluation.reason is not None:
            by_reason.setdefault(evaluation.reason, []).append(evaluation.policy)
    entries = []
    for reason, policies in by_reason.items():
        customer_id = policies[0].customer_id
        if customer_id not in administrators:
            administrators[customer_id] = R.customer_admin_emails(customer_id)
        entries.append(R.reason_entry(reason, [p.pk for p in policies], administrators[customer_id]))
    return entries


def _lock_policy(policy_uuid) -> SubsidyAccessPolicy:
    """The policy's row, locked for this transaction; PolicyLockedError when another redemption
    holds it longer than COURSEGATE_REDEEM_LOCK_WAIT_SECONDS (PostgreSQL). The connection's own
    lock_timeout (settings "Database") is put back once the lock is held."""
    wait = getattr(settings, "COURSEGATE_REDEEM_LOCK_WAIT_SECONDS", DEFAULT_LOCK_WAIT_SECONDS)
    if connection.vendor != "postgresql":
        policy = SubsidyAccessPolicy.objects.select_for_update().filter(pk=policy_uuid).first()
    else:
        with connection.cursor() as cursor:
            cursor.execute("SHOW lock_timeout")
            previous = cursor.fetchone()[0]
            cursor.execute("SELECT set_config('lock_timeout', %s, true)", [f"{max(1, int(wait * 1000))}ms"])
        try:
            with transaction.atomic():  # a savepoint: the failed statement does not poison the caller's
                policy = SubsidyAccessPolicy.objects.select_for_update().filter(pk=policy_uuid).first()
        except OperationalError as exc:
            if getattr(exc.__cause__, "sqlstate", None) == "55P03":  # lock_not_available
                raise PolicyLockedError() from exc
            raise
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('lock_timeout', %s, true)", [previous])
    if policy is None:
        raise PolicyNotFoundError(policy_uuid)
    return policy


def _idempotency_key(policy: SubsidyAccessPolicy, user: User, content_key: str) -> str:
    reversed_before = RedemptionTransaction.objects.filter(
        policy=policy, lms_user=user, content_key=content_key, reversed_at__isnull=False
    ).count()
    digest = hashlib.sha256(f"{policy.pk}|{user.pk}|{content_key}|{reversed_before}".encode()).hexdigest()
    return f"ledger-for-policy-{policy.pk}-{digest}"


def _best_mode(run, now) -> str | None:
    """The track learner credit pays for: the same as a license's (courses.selectors)."""
    return course_run_best_paid_mode(run, now=now)


def _enrollment_refused(policy: SubsidyAccessPolicy, message: str) -> RedemptionRefusedError:
    entry = R.reason_entry(ENROLLMENT_ERROR, [policy.pk], R.customer_admin_emails(policy.customer_id))
    entry["error_message"] = message
    return RedemptionRefusedError([entry])


@transaction.atomic
def policy_redeem(*, policy_uuid, user: User, content_key: str, metadata: dict | None = None,
                  actor: User | None = None) -> RedemptionResult:  # fmt: skip
    """Redeem ``content_key`` (a course run) for ``user`` with the policy (see the module
    docstring). Raises PolicyNotFoundError, PolicyLockedError, RedemptionRefusedError (nothing
    written)."""
    policy = _lock_policy(policy_uuid)
    existing = sel.committed_transaction(policy=policy, user=user, content_key=content_key)
    if existing is not None:
        return RedemptionResult(existing, created=False)
    now = timezone.now()
    evaluation = redemption_evaluate(policy=policy, user=user, content_key=content_key, now=now)
    if not evaluation.can_redeem:
        raise RedemptionRefusedError(refusal_entries([evaluation]))
    assignment = evaluation.assignment
    assert assignment is not None  # can_redeem holds only with an allocated assignment
    run = course_run_get(content_key)
    if run is None:
        raise _enrollment_refused(policy, f"Course run {content_key} is not offered on this platform.")
    try:
        with transaction.atomic():
            txn = RedemptionTransaction.objects.create(
                idempotency_key=_idempotency_key(policy, user, content_key), policy=policy, assignment=assignment,
                lms_user=user, content_key=content_key, quantity=-evaluation.price_cents, metadata=metadata or {},
            )  # fmt: skip
    except IntegrityError:
        # An identical redemption committed between our check and our insert (the lock makes it
        # all but impossible): answer it, spend nothing.
        earlier = sel.committed_transaction(policy=policy, user=user, content_key=content_key)
        if earlier is None:
            raise
        return RedemptionResult(earlier, created=False)
    [result] = enrollments_bulk_upsert(
        requests=[EnrollmentRequest(user=user, course_run=run, mode=_best_mode(run, now))],
        actor=actor or user,
        source=Source.ENTERPRISE,
    )
    if result.error is not None or result.enrollment is None:
        raise _enrollment_refused(policy, str(result.error))
    link = sel.learner_link_get(customer_id=policy.customer_id, user=user)
    enterprise_enrollment_record(customer=policy.customer, learner=link, enrollment=result.enrollment,
                                 source=ENROLLMENT_SOURCE)  # fmt: skip
    txn.reference_id = str(result.enrollment.pk)
    txn.save(update_fields=["reference_id", "modified"])
    LearnerContentAssignment.objects.filter(pk=assignment.pk).update(
        state=State.ACCEPTED, accepted_at=now, transaction_uuid=txn.uuid, modified=now
    )
    LearnerContentAssignmentAction.objects.create(assignment=assignment, action_type=Action.REDEEMED, completed_at=now)
    SubsidyAccessPolicy.objects.filter(pk=policy.pk).update(
        subsidy_balance_cents=F("subsidy_balance_cents") - evaluation.price_cents
    )
    if user.email:
        emails_enqueue([_enrolled_email(policy, user, run)])
    feed.append(
        [assignment_change(feed.ASSIGNMENT_ACCEPTED, uuid=assignment.pk, policy_uuid=policy.pk,
                           state=State.ACCEPTED.value, email=assignment.learner_email, at=now, user=user.username,
                           user_id=user.pk)]
    )  # fmt: skip
    log.info("%s redeemed %s with policy %s (transaction %s)", user.pk, content_key, policy.pk, txn.uuid)
    return RedemptionResult(txn, created=True)


def _enrolled_email(policy: SubsidyAccessPolicy, user: User, run) -> Email:
    customer = policy.customer.name
    return Email(
        kind="redemption_enrolled",
        to=[user.email],
        subject=f"You have been enrolled in {run.display_name}",
        body=(
            f"Dear learner,\n\nYou have been enrolled in {run.display_name} ({run.key}), paid with the learner "
            f"credit of {customer}.\n\nHappy learning!\n"
        ),
    )


@transaction.atomic
def redemption_reverse(*, transaction_uuid, actor: User | None = None) -> RedemptionTransaction:
    """Give a redemption back (the ledger's reversal): the price returns to the subsidy and the
    assignment it accepted becomes ``reversed`` (action ``reversed``), so an admin may allocate it
    again and a new redemption gets a new transaction. The enrollment is left as it is. Reversing
    twice changes nothing."""
    txn = RedemptionTransaction.objects.get(pk=transaction_uuid)
    _lock_policy(txn.policy_id)
    txn = RedemptionTransaction.objects.select_for_update().get(pk=transaction_uuid)
    if txn.reversed_at is not None:
        return txn
    now = timezone.now()
    txn.reversal_uuid, txn.reversed_at = uuid_lib.uuid4(), now
    txn.save(update_fields=["reversal_uuid", "reversed_at", "modified"])
    SubsidyAccessPolicy.objects.filter(pk=txn.policy_id).update(
        subsidy_balance_cents=F("subsidy_balance_cents") - txn.quantity
    )
    reversed_ = txn.assignment_id is not None and LearnerContentAssignment.objects.filter(
        pk=txn.assignment_id, state=State.ACCEPTED, transaction_uuid=txn.uuid
    ).update(state=State.REVERSED, reversed_at=now, modified=now)
    if reversed_ and txn.assignment_id is not None:
        LearnerContentAssignmentAction.objects.create(
            assignment_id=txn.assignment_id, action_type=Action.REVERSED, completed_at=now
        )
    return txn
