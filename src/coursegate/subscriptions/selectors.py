"""Subscription reads: plans of customers, the current plan, license counts and renewal chains
(seed 003 "subscriptions Endpoint"; reference/enterprise.md §4.5), and the bulk-revoke filters."""

from __future__ import annotations

import math
import uuid as uuid_lib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from coursegate.core.uuids import uuid_or_none
from coursegate.subscriptions.exceptions import LicenseFilterError, PlanNotFoundError
from coursegate.subscriptions.models import License, SubscriptionPlan, SubscriptionPlanRenewal

LIVE_STATUSES = (License.Status.ASSIGNED, License.Status.ACTIVATED)
FILTER_NAMES = ("user_email", "status_in")


@dataclass(frozen=True)
class LicenseCounts:
    activated: int = 0
    assigned: int = 0
    unassigned: int = 0
    revoked: int = 0

    @property
    def total(self) -> int:
        """Licenses that are not revoked (a revoked one has an unassigned replacement)."""
        return self.activated + self.assigned + self.unassigned

    @property
    def allocated(self) -> int:
        return self.assigned + self.activated


@dataclass(frozen=True)
class Revocations:
    total: int  # revocations the cap allows
    used: int
    remaining: int


@dataclass(frozen=True)
class Renewal:
    prior_plan_id: uuid_lib.UUID
    prior_plan_start_date: datetime
    renewed_plan_id: uuid_lib.UUID
    renewed_plan_start_date: datetime


@dataclass(frozen=True)
class PlanSummary:
    """A plan with what the subscriptions list reports about it."""

    plan: SubscriptionPlan
    licenses: LicenseCounts
    revocations: Revocations | None  # None when the plan has no revocation cap
    prior_renewals: list[Renewal]
    days_until_expiration: int
    days_until_expiration_including_renewals: int


def plan_get(*, plan_uuid: object) -> SubscriptionPlan:
    """The plan (with its customer); PlanNotFoundError when unknown or not a uuid."""
    parsed = uuid_or_none(plan_uuid)
    plan = SubscriptionPlan.objects.select_related("customer").filter(uuid=parsed).first() if parsed else None
    if plan is None:
        raise PlanNotFoundError(plan_uuid)
    return plan


def _ordered(plans: QuerySet) -> QuerySet:
    # Reference: most recent start first; created and uuid make pages stable.
    return plans.order_by("-start_date", "-created", "uuid")


def plans_for_customer(*, customer_uuid) -> QuerySet:
    """The customer's active plans (reference/enterprise.md §4.5: a named customer lists active plans only)."""
    return _ordered(SubscriptionPlan.objects.filter(customer_id=customer_uuid, is_active=True))


def plans_for_customers(*, customer_uuids: Iterable | None) -> QuerySet:
    """Every plan, active or not, of these customers (None: of every customer). Values that are
    not uuids (a role context such as ``""``) match nothing."""
    plans = SubscriptionPlan.objects.all()
    if customer_uuids is not None:
        wanted = {u for u in map(uuid_or_none, customer_uuids) if u is not None}
        plans = plans.filter(customer_id__in=wanted)
    return _ordered(plans)


def plan_current(*, customer_uuid, now: datetime | None = None) -> SubscriptionPlan | None:
    """The customer's plan in force now: active, started, not expired; the most recently created
    one when several are (reference/enterprise.md §4.5 ``get_current_plan``)."""
    now = now or timezone.now()
    return (
        SubscriptionPlan.objects.filter(
            customer_id=customer_uuid, is_active=True, start_date__lte=now, expiration_date__gte=now
        )
        .order_by("-created", "uuid")
        .first()
    )


def license_counts_for_plans(plan_ids: Iterable) -> dict:
    """{plan uuid as given: LicenseCounts} in one aggregate query (plans without licenses get zeros)."""
    plan_ids = {plan_id: uuid_lib.UUID(str(plan_id)) for plan_id in plan_ids}
    tallies: dict = defaultdict(dict)
    rows = (
        License.objects.filter(plan_id__in=plan_ids.values())
        .values_list("plan_id", "status")
        .annotate(n=Count("uuid"))
        .order_by()
    )
    for plan_id, status, n in rows:
        tallies[plan_id][status] = n
    return {given: LicenseCounts(**tallies.get(plan_id, {})) for given, plan_id in plan_ids.items()}


def revocations_for(plan: SubscriptionPlan, counts: LicenseCounts) -> Revocations | None:
    """The revocation cap: ceil(total x revoke_max_percentage / 100) revocations of activated
    licenses (reference/enterprise.md §4.5 ``num_revocations_remaining``); None when disabled."""
    if not plan.is_revocation_cap_enabled:
        return None
    allowed = math.ceil(counts.total * plan.revoke_max_percentage / 100)
    used = plan.num_revocations_applied
    return Revocations(total=allowed, used=used, remaining=max(0, allowed - used))


def _days_until(moment: datetime, now: datetime) -> int:
    # Reference (license-manager ``days_until_expiration``): whole 24-hour periods left,
    # ``(expiration - now).days`` — floored, so a plan expired an hour ago is at -1 (issue 12 parity).
    return (moment - now).days


def plan_summaries(plans: Iterable[SubscriptionPlan], *, now: datetime | None = None) -> list[PlanSummary]:
    """Summaries of a page of plans: two queries whatever the page size (license counts, renewals)."""
    plans = list(plans)
    if not plans:
        return []
    now = now or timezone.now()
    counts = license_counts_for_plans(plan.uuid for plan in plans)
    # Renewals stay within a customer: one query loads every chain the page can touch.
    renewals, expirations = [], {plan.uuid: plan.expiration_date for plan in plans}
    for prior_id, prior_start, renewed_id, renewed_start, renewed_expiration in (
        SubscriptionPlanRenewal.objects.filter(prior_plan__customer_id__in={plan.customer_id for plan in plans})
        .order_by("effective_date", "id")
        .values_list(
            "prior_plan_id",
            "prior_plan__start_date",
            "renewed_plan_id",
            "renewed_plan__start_date",
            "renewed_plan__expiration_date",
        )
    ):
        renewal = Renewal(prior_id, prior_start, renewed_id, renewed_start)
        renewals.append(renewal)
        expirations[renewal.renewed_plan_id] = renewed_expiration
    into = {r.renewed_plan_id: r for r in renewals}
    out_of = {r.prior_plan_id: r for r in renewals}

    summaries = []
    for plan in plans:
        prior, seen, cursor = [], {plan.uuid}, plan.uuid
        while cursor in into and into[cursor].prior_plan_id not in seen:
            prior.append(into[cursor])
            cursor = into[cursor].prior_plan_id
            seen.add(cursor)
        last, seen = plan.uuid, {plan.uuid}
        while last in out_of and out_of[last].renewed_plan_id not in seen:
            last = out_of[last].renewed_plan_id
            seen.add(last)
        summaries.append(
            PlanSummary(
                plan=plan,
                licenses=counts[plan.uuid],
                revocations=revocations_for(plan, counts[plan.uuid]),
                prior_renewals=prior[::-1],
                days_until_expiration=_days_until(plan.expiration_date, now),
                days_until_expiration_including_renewals=_days_until(expirations.get(last, plan.expiration_date), now),
            )
        )
    return summaries


def live_license_for_email(*, plan: SubscriptionPlan, email: str) -> License | None:
    """The e-mail's assigned or activated license in the plan (at most one: a DB constraint)."""
    return License.objects.filter(plan=plan, user_email=email.strip().lower(), status__in=LIVE_STATUSES).first()


def license_filter_q(filters: list) -> Q:
    """A Q for bulk-revoke filters, all of which must match. Accepted shapes (each a JSON object):
    the seed's ``{"user_email": "<substring>"}`` and ``{"status_in": [...]}`` and the reference's
    ``{"name": "user_email" | "status_in", "filter_value": ...}``. Raises LicenseFilterError."""
    if not isinstance(filters, list) or not filters:
        raise LicenseFilterError("Provide a non-empty list of filters.")
    malformed = f"Malformed filters, supported filters are {list(FILTER_NAMES)}."
    q = Q()
    for item in filters:
        if not isinstance(item, dict) or not item:
            raise LicenseFilterError(malformed)
        if "name" in item or "filter_value" in item:
            if set(item) != {"name", "filter_value"}:
                raise LicenseFilterError(malformed)
            pairs = [(item["name"], item["filter_value"])]
        else:
            pairs = list(item.items())
        for name, value in pairs:
            q &= _filter_condition(name, value, malformed)
    return q


def _filter_condition(name, value, malformed: str) -> Q:
    if name == "user_email":
        if not isinstance(value, str) or not value.strip():
            raise LicenseFilterError("The user_email filter needs a non-empty string.")
        return Q(user_email__icontains=value.strip())
    if name == "status_in":
        statuses = License.Status.values
        if not isinstance(value, list) or not value or any(v not in statuses for v in value):
            raise LicenseFilterError(f"The status_in filter needs a non-empty list of statuses among {statuses}.")
        return Q(status__in=value)
    raise LicenseFilterError(malformed)
