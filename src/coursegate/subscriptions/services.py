"""Subscription writes: plans and their licenses (assign and revoke follow below)."""

from __future__ import annotations

from django.db import transaction

from coursegate.subscriptions.models import License, SubscriptionPlan


@transaction.atomic
def plan_upsert(
    *, uuid, customer, catalog, title: str, start_date, expiration_date, num_licenses: int, **fields
) -> SubscriptionPlan:
    """Create or update a plan; top its licenses up to ``num_licenses`` non-revoked ones."""
    plan, _ = SubscriptionPlan.objects.update_or_create(
        uuid=uuid,
        defaults={
            "customer": customer,
            "catalog": catalog,
            "title": title,
            "start_date": start_date,
            "expiration_date": expiration_date,
            **fields,
        },
    )
    live = plan.licenses.exclude(status=License.Status.REVOKED).count()
    if live < num_licenses:
        License.objects.bulk_create([License(plan=plan) for _ in range(num_licenses - live)])
    return plan
