"""Licenses provisioned from files (``coursegate import licenses``, issue 13): the set-based form of
``licenses_assign`` for imports of any size.

Why not ``licenses_assign`` itself: it reads every live e-mail of the plan on each call and is
all or nothing, which is right for one API request but makes a 1,000,000-row import read the whole
plan once per batch. Here each batch reads only its own e-mails, and a batch short of unassigned
licenses assigns what there is (or, with ``add_missing``, adds licenses to the plan) and reports
the rest. Same rules otherwise: the plan's row is locked, one live license per e-mail and plan,
fresh activation keys, learners linked to the customer, e-mails through the outbox (only when
asked: a bulk import is quiet by default).
"""

from __future__ import annotations

import json
import uuid as uuid_lib
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone

from coursegate.enterprise.services import learners_link_bulk
from coursegate.subscriptions.models import License, SubscriptionPlan
from coursegate.subscriptions.notifications import license_assignment_emails_enqueue
from coursegate.subscriptions.selectors import LIVE_STATUSES
from coursegate.subscriptions.services import _batches, _column, _licenses_write, _locked


@dataclass(frozen=True)
class ProvisionResult:
    assigned: dict[str, uuid_lib.UUID] = field(default_factory=dict)  # e-mail -> license given now
    already: set[str] = field(default_factory=set)  # e-mails that held a live license of the plan
    short: list[str] = field(default_factory=list)  # e-mails left without: no unassigned license
    added: int = 0  # licenses added to the plan (add_missing)


def licenses_provision(
    *, plan: SubscriptionPlan, emails: Sequence[str], add_missing: bool = False, notify: bool = False
) -> ProvisionResult:
    """Give each e-mail (valid and lower-cased by the caller) a live license of ``plan``.

    E-mails that already hold an assigned or activated license are left alone (``already``). The
    others take unassigned licenses; when there are too few, ``add_missing`` creates the missing
    licenses already assigned (the plan grows), otherwise those e-mails are returned in ``short``.
    A constant number of queries per 1,000 e-mails.
    """
    wanted = list(dict.fromkeys(emails))
    with transaction.atomic():
        plan = _locked(plan)
        live: set[str] = set()
        for chunk in _batches(wanted):
            live.update(
                License.objects.filter(plan=plan, status__in=LIVE_STATUSES, user_email__in=chunk).values_list(
                    "user_email", flat=True
                )
            )
        new = [email for email in wanted if email not in live]
        if not new:
            return ProvisionResult(already=live)
        # Any unassigned license will do (no ORDER BY: a plan of a million licenses is not sorted per batch).
        free = list(
            License.objects.filter(plan=plan, status=License.Status.UNASSIGNED).values_list("uuid", flat=True)[
                : len(new)
            ]
        )
        now = timezone.now()
        rows = [(license_uuid, email, "", uuid_lib.uuid4()) for email, license_uuid in zip(new, free, strict=False)]
        if rows:
            _licenses_write(rows=rows, now=now)
        rest = new[len(rows) :]
        added = 0
        if rest and add_missing:
            extra = [(uuid_lib.uuid4(), email, "", uuid_lib.uuid4()) for email in rest]
            _licenses_insert(plan=plan, rows=extra, now=now)
            rows += extra
            added, rest = len(extra), []
        assigned = [email for _, email, _, _ in rows]
        learners_link_bulk(customer=plan.customer, emails=assigned)
        if notify:
            license_assignment_emails_enqueue(
                assignments=[(email, key) for _, email, _, key in rows],
                plan_title=plan.title,
                customer_name=plan.customer.name,
                expiration=plan.expiration_date,
            )
    return ProvisionResult(
        assigned={email: license_uuid for license_uuid, email, _, _ in rows}, already=live, short=rest, added=added
    )


def _licenses_insert(*, plan: SubscriptionPlan, rows: list[tuple], now) -> None:
    """Insert assigned licenses: ``rows`` are (uuid, e-mail, Salesforce id, activation key).
    PostgreSQL: one INSERT ... SELECT over the rows sent as one JSON parameter; elsewhere bulk_create."""
    if connection.vendor == "postgresql":
        quote = connection.ops.quote_name
        names = ("uuid", "plan", "status", "user_email", "user_sfid", "activation_key", "assigned_date",
                 "last_remind_date", "created")  # fmt: skip
        columns = ", ".join(quote(_column(name)) for name in names)
        items = json.dumps([[str(u), e, s, str(k)] for u, e, s, k in rows], separators=(",", ":"))
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {quote(License._meta.db_table)} ({columns}) "
                "SELECT (j.value ->> 0)::uuid, %s, %s, j.value ->> 1, j.value ->> 2, (j.value ->> 3)::uuid, %s, %s, %s "
                "FROM json_array_elements(%s::json) AS j",
                [plan.pk, License.Status.ASSIGNED.value, now, now, now, items],
            )
        return
    License.objects.bulk_create(
        [
            License(uuid=u, plan=plan, status=License.Status.ASSIGNED, user_email=e, user_sfid=s, activation_key=k,
                    assigned_date=now, last_remind_date=now)
            for u, e, s, k in rows
        ],
        batch_size=500,
    )  # fmt: skip
