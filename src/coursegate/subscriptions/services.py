"""Subscription writes: plans and their licenses — assignment, activation, bulk revocation
(seed 003_daa74488a5860cfd.txt "licenses/assign" and "licenses/bulk-revoke"; reference/enterprise.md
§4.6, §4.7, §5.2)."""

from __future__ import annotations

import json
import logging
import uuid as uuid_lib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import DatabaseError, connection, transaction
from django.db.models import F, Field
from django.utils import timezone

from coursegate.enterprise.services import learners_link_bulk
from coursegate.feed import services as feed
from coursegate.feed.changes import license_change
from coursegate.subscriptions.exceptions import (
    LicenseAssignInputError,
    LicenseNotFoundError,
    LicenseRevocationCapError,
    LicenseRevocationError,
    LicenseRevokeInputError,
    LicenseShortageError,
    LicenseStateError,
)
from coursegate.subscriptions.models import License, SubscriptionPlan
from coursegate.subscriptions.notifications import license_assignment_emails_enqueue
from coursegate.subscriptions.selectors import (
    LIVE_STATUSES,
    license_counts_for_plans,
    license_filter_q,
    revocations_for,
)

log = logging.getLogger(__name__)


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


# --- Assignment, activation and revocation ------------------------------------------------------
# Every license change of a plan runs under a lock of the plan's row (select_for_update), so
# concurrent assigns and revokes on one plan are serialized: a license is never handed to two
# e-mails, and a plan never gives out more licenses than it has (issue 4). A DB constraint backs
# this up: one assigned/activated license per e-mail and plan. On SQLite the database-wide write
# lock (transaction_mode IMMEDIATE) serializes them instead.


def _field(name: str) -> Field:
    """A concrete field of License (get_field may also answer a reverse relation)."""
    return cast(Field, License._meta.get_field(name))


def _column(name: str) -> str:
    return cast(str, _field(name).column)


SFID_MAX_LENGTH = cast(int, _field("user_sfid").max_length)
# A revoked license's row as bulk revoke reads it: its uuid, e-mail, status and learner (for the feed).
CHOSEN = ("uuid", "user_email", "status", "lms_user__username", "lms_user_id")
UPDATE_BATCH = 500  # rows per bulk_update statement (databases other than PostgreSQL and SQLite)


@dataclass(frozen=True)
class LicenseAssignment:
    user_email: str
    license_uuid: uuid_lib.UUID


@dataclass(frozen=True)
class AssignmentResult:
    assignments: list[LicenseAssignment]
    num_already_associated: int

    @property
    def num_successful_assignments(self) -> int:
        return len(self.assignments)


@dataclass(frozen=True)
class LicenseRevocation:
    user_email: str
    license_uuid: uuid_lib.UUID
    original_status: str


def _batches(items: list, size: int = 1000):
    # Bounded IN lists: SQLite caps the parameters of one statement.
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _licenses_write(*, rows: list[tuple], now) -> None:
    """Mark licenses assigned: ``rows`` are (license uuid, e-mail, Salesforce id, activation key).

    PostgreSQL: one ``UPDATE ... FROM`` the rows sent as one JSON array parameter. Why not typed
    arrays and ``unnest`` (as before issue 10): their exact row count made the planner hash the
    whole license table, every plan's licenses read for each call; a JSON set is estimated small
    and joined through the primary key, so the cost follows the rows assigned.
    SQLite: one prepared UPDATE run once per row by primary key (``executemany``, one call, in
    process): an ``UPDATE ... FROM`` join is planned from ANALYZE statistics that SQLite never
    scales to the table's real size, and statistics taken while the table was small make it scan
    the licenses once per row.
    Elsewhere bulk_update. Why not bulk_update everywhere: it builds a CASE expression per row and
    field in Python, about 0.3 ms a row, that the database then evaluates branch by branch
    (issue 4: 10,000 e-mails took 2.8 s on PostgreSQL and 6.8 s on SQLite with it).
    """
    names = ("uuid", "user_email", "user_sfid", "activation_key")
    quote = connection.ops.quote_name
    table = quote(License._meta.db_table)
    key, email, sfid, activation = (quote(_column(name)) for name in names)
    shared = ", ".join(f"{quote(_column(name))} = %s" for name in ("status", "assigned_date", "last_remind_date"))
    status = License.Status.ASSIGNED.value
    if connection.vendor == "postgresql":
        items = json.dumps([[str(u), e, s, str(k)] for u, e, s, k in rows], separators=(",", ":"))
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET {shared}, {email} = j.value ->> 1, {sfid} = j.value ->> 2, "
                f"{activation} = (j.value ->> 3)::uuid FROM json_array_elements(%s::json) AS j "
                f"WHERE {table}.{key} = (j.value ->> 0)::uuid",
                [status, now, now, items],
            )
        return
    if connection.vendor == "sqlite":
        fields = [_field(name) for name in names]
        when = _field("assigned_date").get_db_prep_value(now, connection)
        prepared = ([f.get_db_prep_value(v, connection) for f, v in zip(fields, row, strict=True)] for row in rows)
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {table} SET {shared}, {email} = %s, {sfid} = %s, {activation} = %s WHERE {key} = %s",
                [(status, when, when, e, s, k, u) for u, e, s, k in prepared],
            )
        return
    License.objects.bulk_update(
        [
            License(uuid=u, user_email=e, user_sfid=s, activation_key=k, status=status, assigned_date=now,
                    last_remind_date=now)
            for u, e, s, k in rows
        ],
        ["status", "user_email", "user_sfid", "activation_key", "assigned_date", "last_remind_date"],
        batch_size=UPDATE_BATCH,
    )  # fmt: skip


def _locked(plan: SubscriptionPlan) -> SubscriptionPlan:
    return SubscriptionPlan.objects.select_for_update(of=("self",)).select_related("customer").get(pk=plan.pk)


def _normalized_emails(emails: Iterable[str]) -> list[str]:
    normalized = [(e or "").strip().lower() for e in emails]
    invalid = []
    for email in normalized:
        try:
            validate_email(email)
        except DjangoValidationError:
            invalid.append(email)
    if invalid:
        raise LicenseAssignInputError(f"Enter valid e-mail addresses: {', '.join(invalid)}.")
    return normalized


def licenses_assign(
    *,
    plan: SubscriptionPlan,
    emails: Sequence[str],
    user_sfids: Sequence[str | None] | None = None,
    greeting: str = "",
    closing: str = "",
    notify: bool = True,
    actor=None,
) -> AssignmentResult:
    """Give unassigned licenses of ``plan`` to ``emails`` (seed 003 "licenses/assign Endpoint";
    reference/enterprise.md §4.6).

    E-mails are lower-cased and de-duplicated (with ``user_sfids``, which must match ``emails`` one
    to one, the last duplicate's id wins). E-mails that already hold an assigned or activated
    license in the plan are counted in ``num_already_associated`` and skipped. All or nothing:
    when the plan has fewer unassigned licenses than new e-mails, LicenseShortageError and nothing
    is assigned. Each assigned license gets a fresh activation key; the new e-mails are linked to
    the plan's customer as learners. With ``notify``, the assignment e-mail (``greeting`` first,
    ``closing`` last) goes out after commit. Set-based: a constant number of queries per 1,000 e-mails.
    Raises LicenseAssignInputError (bad e-mail, ids not matching), LicenseShortageError.
    """
    emails = _normalized_emails(emails)
    if user_sfids is not None and len(user_sfids) != len(emails):
        raise LicenseAssignInputError("Number of Salesforce IDs did not match number of provided user emails.")
    if any(sfid and len(sfid.strip()) > SFID_MAX_LENGTH for sfid in user_sfids or []):
        raise LicenseAssignInputError(f"Salesforce IDs have at most {SFID_MAX_LENGTH} characters.")
    wanted = list(dict.fromkeys(emails))  # first-seen order
    sfids = dict(zip(emails, ((sfid or "").strip() for sfid in user_sfids), strict=True)) if user_sfids else {}

    with transaction.atomic():
        plan = _locked(plan)
        live = set(License.objects.filter(plan=plan, status__in=LIVE_STATUSES).values_list("user_email", flat=True))
        new = [email for email in wanted if email not in live]
        if not new:
            return AssignmentResult([], len(wanted))
        free = list(
            License.objects.filter(plan=plan, status=License.Status.UNASSIGNED)
            .order_by("created", "uuid")
            .values_list("uuid", flat=True)[: len(new)]
        )
        if len(free) < len(new):
            available = License.objects.filter(plan=plan, status=License.Status.UNASSIGNED).count()
            raise LicenseShortageError(requested=len(new), available=available)

        rows = [
            (license_uuid, email, sfids.get(email, ""), uuid_lib.uuid4())
            for email, license_uuid in zip(new, free, strict=True)
        ]
        now = timezone.now()
        _licenses_write(rows=rows, now=now)
        learners_link_bulk(customer=plan.customer, emails=new)
        log.info("%s assigned %d licenses of plan %s", actor or "system", len(rows), plan.uuid)
        if notify:
            mails = [(email, activation_key) for _, email, _, activation_key in rows]
            title, customer_name, expiration = plan.title, plan.customer.name, plan.expiration_date
            license_assignment_emails_enqueue(
                assignments=mails, plan_title=title, customer_name=customer_name, expiration=expiration,
                greeting=greeting, closing=closing,
            )  # fmt: skip
        assigned = License.Status.ASSIGNED.value
        feed.append(
            [license_change(feed.LICENSE_ASSIGNED, uuid=u, plan_uuid=plan.uuid, email=e, state=assigned, at=now)
             for u, e, _, _ in rows]
        )  # fmt: skip
    return AssignmentResult(
        [LicenseAssignment(email, license_uuid) for license_uuid, email, _, _ in rows],
        num_already_associated=len(wanted) - len(new),
    )


def license_activate(*, license: License, user) -> License:
    """The learner accepts an assigned license: assigned -> activated, bound to ``user``.
    Idempotent for the same user. Runs under the plan's lock, so a concurrent revocation counts it
    with the status it really has. Raises LicenseStateError for any other state."""
    with transaction.atomic():
        _locked(license.plan)
        row = License.objects.get(pk=license.pk)
        if row.status == License.Status.ACTIVATED and row.lms_user_id == user.pk:
            return row
        if row.status != License.Status.ASSIGNED:
            raise LicenseStateError(f"License {row.uuid} is {row.status}; only an assigned license can be activated.")
        row.status = License.Status.ACTIVATED
        row.lms_user = user
        row.activation_date = timezone.now()
        row.save(update_fields=["status", "lms_user", "activation_date"])
        feed.append([_activated(row, user)])
    return row


def _activated(row: License, user) -> feed.Change:
    """The feed event of ``row`` just activated by ``user``."""
    return license_change(
        feed.LICENSE_ACTIVATED, uuid=row.uuid, plan_uuid=row.plan_id, email=row.user_email,
        state=License.Status.ACTIVATED.value, at=cast(datetime, row.activation_date), user=user.username,
        user_id=user.pk,
    )  # fmt: skip


def licenses_bulk_revoke(
    *, plan: SubscriptionPlan, user_emails: Sequence[str] | None = None, filters: list | None = None, actor=None
) -> list[LicenseRevocation]:
    """Revoke the assigned/activated licenses named by ``user_emails`` or matched by ``filters``
    (exactly one of them; filter shapes: selectors.license_filter_q) — seed 003
    "licenses/bulk-revoke Endpoint", reference/enterprise.md §4.7.

    Atomic, as the seed says: every license is revoked or none is. Each revoked license is
    replaced by a new unassigned one, so the plan's total stays constant. With the revocation cap
    enabled, only activated licenses count against it and each one revoked is added to
    ``num_revocations_applied``. A filter that matches nothing revokes nothing.
    Raises LicenseRevokeInputError, LicenseFilterError, LicenseNotFoundError (e-mails without an
    assigned/activated license), LicenseRevocationCapError, LicenseRevocationError (any other failure).
    """
    if (user_emails is None) == (filters is None):
        raise LicenseRevokeInputError("Either user_emails or filters must be provided, but not both.")
    condition = license_filter_q(filters) if filters is not None else None
    wanted = list(dict.fromkeys((e or "").strip().lower() for e in user_emails or []))
    chosen: list = []
    try:
        with transaction.atomic():
            plan = _locked(plan)
            live = License.objects.filter(plan=plan, status__in=LIVE_STATUSES)
            if condition is not None:
                chosen = list(live.filter(condition).order_by("user_email").values_list(*CHOSEN))
            else:
                by_email = {row[1]: row for row in live.values_list(*CHOSEN)}
                missing = [email for email in wanted if email not in by_email]
                if missing:
                    raise LicenseNotFoundError(
                        f"No license for these e-mails exists in plan {plan.uuid} with a status in "
                        f"['activated', 'assigned']: {', '.join(missing)}.",
                        emails=missing,
                    )
                chosen = [by_email[email] for email in wanted]
            if not chosen:
                return []

            activated = [email for _, email, status, _, _ in chosen if status == License.Status.ACTIVATED]
            if plan.is_revocation_cap_enabled and activated:
                cap = revocations_for(plan, license_counts_for_plans([plan.uuid])[plan.uuid])
                if cap is not None and len(activated) > cap.remaining:
                    raise LicenseRevocationCapError(
                        f"License revocation limit has been reached: revoking {len(activated)} activated "
                        f"licenses needs {len(activated)} revocations, the plan has {cap.remaining} remaining.",
                        emails=activated,
                    )
            now = timezone.now()
            revoked = sum(
                License.objects.filter(uuid__in=batch).update(status=License.Status.REVOKED, revoked_date=now)
                for batch in _batches([row[0] for row in chosen])
            )
            if revoked != len(chosen):  # cannot happen under the plan lock; never half-revoke
                raise DatabaseError(f"revoked {revoked} of {len(chosen)} licenses")
            License.objects.bulk_create([License(plan=plan) for _ in chosen])
            if plan.is_revocation_cap_enabled and activated:
                SubscriptionPlan.objects.filter(pk=plan.pk).update(
                    num_revocations_applied=F("num_revocations_applied") + len(activated)
                )
            feed.append(
                [
                    license_change(feed.LICENSE_REVOKED, uuid=u, plan_uuid=plan.uuid, email=e, state="revoked", at=now,
                                   user=username, user_id=user_id)
                    for u, e, _, username, user_id in chosen
                ]
            )  # fmt: skip
    except DatabaseError as exc:
        emails = wanted or [row[1] for row in chosen]
        log.exception("bulk revocation on plan %s failed", plan.uuid)
        raise LicenseRevocationError(
            f"The revocations could not be committed; no license was revoked ({exc.__class__.__name__}).",
            emails=emails,
        ) from exc
    log.info("%s revoked %d licenses of plan %s", actor or "system", len(chosen), plan.uuid)
    return [LicenseRevocation(email, license_uuid, status) for license_uuid, email, status, _, _ in chosen]
