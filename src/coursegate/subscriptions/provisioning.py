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

from coursegate.enterprise.provisioning import learners_link_many
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
    A constant number of queries whatever the number of e-mails on PostgreSQL, per 1,000 elsewhere.
    """
    wanted = list(dict.fromkeys(emails))
    with transaction.atomic():
        plan = _locked(plan)
        now = timezone.now()
        added = 0
        if add_missing and connection.vendor == "postgresql" and not _has_unassigned(plan):
            # Nothing to hand out: one new license per e-mail, in one INSERT whose ON CONFLICT on the
            # one-live-license-per-e-mail index skips the e-mails that hold one (no separate lookup).
            rows = _licenses_insert(plan=plan, emails=wanted, now=now, skip_live=True)
            inserted = {email for _, email, _, _ in rows}
            live, rest, added = {email for email in wanted if email not in inserted}, [], len(rows)
        else:
            live = _live_emails(plan, wanted)
            new = [email for email in wanted if email not in live]
            if not new:
                return ProvisionResult(already=live)
            # Any unassigned license will do (no ORDER BY: a plan of a million licenses is not sorted per batch).
            free = list(
                License.objects.filter(plan=plan, status=License.Status.UNASSIGNED).values_list("uuid", flat=True)[
                    : len(new)
                ]
            )
            rows = [(uuid, email, "", uuid_lib.uuid4()) for email, uuid in zip(new, free, strict=False)]
            if rows:
                _licenses_write(rows=rows, now=now)
            rest = new[len(rows) :]
            if rest and add_missing:
                extra = _licenses_insert(plan=plan, emails=rest, now=now)
                rows += extra
                added, rest = len(extra), []
        assigned = [email for _, email, _, _ in rows]
        learners_link_many(customer=plan.customer, emails=assigned)
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


def _has_unassigned(plan: SubscriptionPlan) -> bool:
    return License.objects.filter(plan=plan, status=License.Status.UNASSIGNED).exists()


def _live_emails(plan: SubscriptionPlan, emails: list[str]) -> set[str]:
    """Which of ``emails`` hold an assigned or activated license of the plan. PostgreSQL: one
    statement over the e-mails sent as one JSON parameter (index on plan and e-mail); elsewhere
    IN lists of 1,000 (SQLite caps a statement's parameters)."""
    if connection.vendor == "postgresql":
        quote = connection.ops.quote_name
        plan_id, email, status = (quote(_column(name)) for name in ("plan", "user_email", "status"))
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT l.{email} FROM {quote(License._meta.db_table)} l "
                f"JOIN json_array_elements_text(%s::json) AS s(email) ON l.{email} = s.email "
                f"WHERE l.{plan_id} = %s AND l.{status} = ANY(%s)",
                [json.dumps(emails, separators=(",", ":")), plan.pk, [str(s) for s in LIVE_STATUSES]],
            )
            return {row[0] for row in cursor.fetchall()}
    live: set[str] = set()
    for chunk in _batches(emails):
        live.update(
            License.objects.filter(plan=plan, status__in=LIVE_STATUSES, user_email__in=chunk).values_list(
                "user_email", flat=True
            )
        )
    return live


def _licenses_insert(*, plan: SubscriptionPlan, emails: list[str], now, skip_live: bool = False) -> list[tuple]:
    """Insert one assigned license per e-mail; returns (uuid, e-mail, Salesforce id, activation key)
    rows. PostgreSQL: one INSERT ... SELECT over the e-mails sent as one JSON parameter, uuids and
    activation keys drawn by the database (``skip_live``: e-mails holding a live license of the plan
    are skipped by the unique index and not returned); elsewhere bulk_create."""
    if connection.vendor == "postgresql":
        quote = connection.ops.quote_name
        names = ("uuid", "plan", "status", "user_email", "user_sfid", "activation_key", "assigned_date",
                 "last_remind_date", "created")  # fmt: skip
        columns = ", ".join(quote(_column(name)) for name in names)
        key, email, activation = (quote(_column(name)) for name in ("uuid", "user_email", "activation_key"))
        plan_id, status = quote(_column("plan")), quote(_column("status"))
        # The index subscriptions_one_live_license_per_email: (plan, user_email) WHERE status IN live.
        conflict = f"ON CONFLICT ({plan_id}, {email}) WHERE {status} IN (%s, %s) DO NOTHING " if skip_live else ""
        statuses = [str(s) for s in LIVE_STATUSES] if skip_live else []
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {quote(License._meta.db_table)} ({columns}) "
                "SELECT gen_random_uuid(), %s, %s, s.email, '', gen_random_uuid(), %s, %s, %s "
                f"FROM json_array_elements_text(%s::json) AS s(email) {conflict}"
                f"RETURNING {key}, {email}, {activation}",
                [plan.pk, License.Status.ASSIGNED.value, now, now, now, json.dumps(emails, separators=(",", ":")),
                 *statuses],
            )  # fmt: skip
            return [(u, e, "", k) for u, e, k in cursor.fetchall()]
    rows = [(uuid_lib.uuid4(), email, "", uuid_lib.uuid4()) for email in emails]
    License.objects.bulk_create(
        [
            License(uuid=u, plan=plan, status=License.Status.ASSIGNED, user_email=e, user_sfid=s, activation_key=k,
                    assigned_date=now, last_remind_date=now)
            for u, e, s, k in rows
        ],
        batch_size=500,
    )  # fmt: skip
    return rows
