"""``licenses``: ``plan_uuid,email`` — the e-mail holds a live (assigned or activated) license of
the plan. On PostgreSQL the whole file is staged with one COPY and applied set-based
(provisioning/staged.py); elsewhere batch by batch through subscriptions.provisioning.licenses_provision,
a constant number of queries per batch and plan, whatever the batch size."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from uuid import UUID

from coursegate.provisioning.files import Row
from coursegate.provisioning.runner import CREATED, FAILED, UNCHANGED, Kind, Options, RowError, RowResult
from coursegate.provisioning.staged import import_licenses_staged
from coursegate.provisioning.values import email_value, uuid_value
from coursegate.subscriptions.models import License, SubscriptionPlan
from coursegate.subscriptions.provisioning import licenses_provision
from coursegate.subscriptions.selectors import LIVE_STATUSES


def apply(rows: list[Row], options: Options) -> list[RowResult]:
    results: list[RowResult] = []
    by_plan: dict = defaultdict(list)  # plan uuid -> [(line, email)]
    plan_uuids: dict[str, UUID] = {}  # a file names few plans: each text parsed once
    for row in rows:
        try:
            text = row.values.get("plan_uuid", "")
            plan_uuid = plan_uuids.get(text) or plan_uuids.setdefault(text, uuid_value(row.values, "plan_uuid"))
            by_plan[plan_uuid].append((row.line, email_value(row.values, "email")))
        except RowError as exc:
            results.append(RowResult(row.line, FAILED, str(exc)))
    plans = SubscriptionPlan.objects.select_related("customer").in_bulk(list(by_plan))
    for plan_uuid, items in by_plan.items():
        plan = plans.get(plan_uuid)
        if plan is None:
            results += [RowResult(line, FAILED, f"plan_uuid: no subscription plan {plan_uuid}") for line, _ in items]
            continue
        outcome = licenses_provision(
            plan=plan, emails=[email for _, email in items], add_missing=options.add_licenses, notify=options.notify
        )
        short = set(outcome.short)
        seen: set[str] = set()
        for line, email in items:
            if email in short:
                results.append(
                    RowResult(line, FAILED, f"plan {plan_uuid} has no unassigned license left (see --add-licenses)")
                )
            elif email in outcome.assigned and email not in seen:
                results.append(RowResult(line, CREATED))
            else:  # held a license already, or a repeat of an e-mail earlier in the batch
                results.append(RowResult(line, UNCHANGED))
            seen.add(email)
    return results


def export() -> Iterator[dict]:
    rows = (
        License.objects.filter(status__in=LIVE_STATUSES)
        .order_by("plan_id", "user_email")
        .values_list("plan_id", "user_email")
        .iterator(chunk_size=5000)
    )
    for plan_uuid, email in rows:
        yield {"plan_uuid": str(plan_uuid), "email": email}


KIND = Kind(
    "licenses", required=("plan_uuid", "email"), optional=(), apply=apply, export=export, staged=import_licenses_staged
)
