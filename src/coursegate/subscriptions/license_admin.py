"""An administrator's view of one plan's licenses: the list with its filters, the overview by
status, the rows of the CSV export, and revoke-all (reference/learner_side.md §4.1-§4.3, §4.6;
license-manager's ``LicenseAdminViewSet``).

Revoke-all is set-based: one UPDATE revokes every assigned and activated license of the plan and
one INSERT adds their unassigned replacements (the rows travel as one JSON parameter, as in
enrollments/sql.py), so its cost in statements does not grow with the plan. Bulk revoke
(services.licenses_bulk_revoke) names its licenses one by one because it must report them; with
every live license of a plan there is nothing to choose or report.
"""

from __future__ import annotations

import json
import logging
import uuid as uuid_lib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Count, Field, Q, QuerySet
from django.utils import timezone

from coursegate.feed import services as feed
from coursegate.feed.sql import db_time, json_payload, uuid_text
from coursegate.subscriptions.exceptions import RevokeAllCapError
from coursegate.subscriptions.models import License, SubscriptionPlan
from coursegate.subscriptions.selectors import LIVE_STATUSES

log = logging.getLogger(__name__)

# Orderings an admin may ask for (``-`` for descending); unknown names are ignored, as the reference.
ADMIN_ORDERING_FIELDS = ("user_email", "status", "activation_date", "last_remind_date")
# The CSV export lists the licenses that were given to someone (reference §4.3).
CSV_STATUSES = (License.Status.ACTIVATED, License.Status.ASSIGNED, License.Status.REVOKED)


@dataclass(frozen=True)
class LicenseFilters:
    """The list's and the overview's filters; all that are given must match."""

    statuses: tuple[str, ...] = ()  # any of these statuses; empty: every status
    search: str = ""  # a case-insensitive part of the e-mail
    user_email: str = ""  # the e-mail, case-insensitively
    active_only: bool = False  # assigned and activated only
    ignore_null_emails: bool = False  # leave out revoked licenses whose e-mail was erased

    def condition(self) -> Q:
        q = Q()
        if self.statuses:
            q &= Q(status__in=self.statuses)
        if self.search:
            q &= Q(user_email__icontains=self.search)
        if self.user_email:
            q &= Q(user_email=self.user_email.strip().lower())  # stored lower-cased
        if self.active_only:
            q &= Q(status__in=LIVE_STATUSES)
        if self.ignore_null_emails:
            q &= ~Q(status=License.Status.REVOKED, user_email="")
        return q


def plan_licenses(
    *, plan: SubscriptionPlan, filters: LicenseFilters = LicenseFilters(), ordering: Sequence[str] = ()
) -> QuerySet[License]:
    """The plan's licenses matching ``filters``, every status (revoked included) by default.
    ``ordering``: names of ADMIN_ORDERING_FIELDS, ``-`` for descending, others ignored; default
    status then e-mail (reference §4.1). The uuid breaks ties, so pages are stable."""
    chosen = [name for name in ordering if name.lstrip("-") in ADMIN_ORDERING_FIELDS]
    return License.objects.filter(filters.condition(), plan=plan).order_by(
        *(chosen or ["status", "user_email"]), "uuid"
    )


def plan_license_overview(*, plan: SubscriptionPlan, filters: LicenseFilters = LicenseFilters()) -> list[dict]:
    """``[{"status", "count"}]`` of the matching licenses, the largest count first; statuses without
    a license are absent (reference §4.2). One query."""
    rows = (
        License.objects.filter(filters.condition(), plan=plan)
        .values("status")
        .annotate(count=Count("uuid"))
        .order_by("-count", "status")
    )
    return [{"status": row["status"], "count": row["count"]} for row in rows]


def plan_licenses_for_export(*, plan: SubscriptionPlan) -> QuerySet:
    """(status, user_email, activation_date, last_remind_date, activation_key) of every activated,
    assigned or revoked license of the plan, by status then e-mail; read in chunks."""
    return (
        License.objects.filter(plan=plan, status__in=CSV_STATUSES)
        .order_by("status", "user_email", "uuid")
        .values_list("status", "user_email", "activation_date", "last_remind_date", "activation_key")
    )


def licenses_revoke_all(*, plan: SubscriptionPlan, actor=None) -> int:
    """Revoke every assigned and activated license of ``plan`` at once (reference §4.6), each
    replaced by a new unassigned license so the plan's total stays constant; returns how many were
    revoked (0 is fine). Atomic, under the plan's row lock like every license change.

    Refused with RevokeAllCapError, nothing changed, when the plan has a revocation cap: revoking
    everything is what the cap exists to prevent. Two statements whatever the plan's size (plus the
    lock).
    """
    with transaction.atomic():
        plan = SubscriptionPlan.objects.select_for_update().get(pk=plan.pk)
        if plan.is_revocation_cap_enabled:
            raise RevokeAllCapError()
        now = timezone.now()
        revoked = License.objects.filter(plan=plan, status__in=LIVE_STATUSES).update(
            status=License.Status.REVOKED, revoked_date=now
        )
        _unassigned_insert(plan=plan, count=revoked, now=now)
        _revoked_to_feed(plan=plan, now=now)
    log.info("%s revoked all %d licenses of plan %s", actor or "system", revoked, plan.uuid)
    return revoked


def _revoked_to_feed(*, plan: SubscriptionPlan, now) -> None:
    """The feed events of the licenses revoke-all just revoked (those of the plan revoked at
    ``now``, under the plan's lock), in one INSERT ... SELECT, by e-mail."""
    quote = connection.ops.quote_name
    license_table, user_table = quote(License._meta.db_table), quote(get_user_model()._meta.db_table)
    fields = {name: cast(Field, License._meta.get_field(name)) for name in ("plan", "revoked_date")}
    payload = json_payload(
        [("uuid", uuid_text("l.uuid")), ("plan_uuid", "CAST(%s AS text)"), ("email", "l.user_email"),
         ("user", "u.username"), ("user_id", "l.lms_user_id"), ("state", "l.status"), ("time", "CAST(%s AS text)")]
    )  # fmt: skip
    feed.append_select(
        f"SELECT %s, %s, {payload}, %s, {uuid_text('l.uuid')} FROM {license_table} l "
        f"LEFT JOIN {user_table} u ON u.id = l.lms_user_id "
        f"WHERE l.plan_id = %s AND l.status = %s AND l.revoked_date = %s ORDER BY l.user_email, l.uuid",
        [
            db_time(now), feed.LICENSE_REVOKED, str(plan.uuid), feed.iso(now), feed.LICENSE,
            fields["plan"].get_db_prep_value(plan.pk, connection), License.Status.REVOKED.value,
            fields["revoked_date"].get_db_prep_value(now, connection),
        ],
    )  # fmt: skip


def _unassigned_insert(*, plan: SubscriptionPlan, count: int, now) -> None:
    """``count`` new unassigned licenses in ``plan``, in one INSERT on PostgreSQL and SQLite."""
    if count <= 0:
        return
    if connection.vendor not in ("postgresql", "sqlite"):
        License.objects.bulk_create([License(plan=plan, created=now) for _ in range(count)], batch_size=1000)
        return
    quote = connection.ops.quote_name
    fields = {name: cast(Field, License._meta.get_field(name)) for name in
              ("uuid", "plan", "status", "user_email", "user_sfid", "created")}  # fmt: skip
    columns = ", ".join(quote(cast(str, field.column)) for field in fields.values())
    if connection.vendor == "postgresql":
        keys = json.dumps([str(uuid_lib.uuid4()) for _ in range(count)])
        source, key = "json_array_elements_text(%s::json) AS j(value)", "j.value::uuid"
    else:  # SQLite stores a uuid as its 32 hex digits
        keys = json.dumps([uuid_lib.uuid4().hex for _ in range(count)])
        source, key = "json_each(%s) AS j", "j.value"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(License._meta.db_table)} ({columns}) SELECT {key}, %s, %s, '', '', %s FROM {source}",
            [
                fields["plan"].get_db_prep_value(plan.pk, connection),
                License.Status.UNASSIGNED.value,
                fields["created"].get_db_prep_value(now, connection),
                keys,
            ],
        )
