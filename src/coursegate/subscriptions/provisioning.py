"""Licenses provisioned from files (``coursegate import licenses``, issue 13): the set-based forms
of ``licenses_assign`` for imports of any size.

Why not ``licenses_assign`` itself: it reads every live e-mail of the plan on each call and is
all or nothing, which is right for one API request but makes a 1,000,000-row import read the whole
plan once per batch. Here only the file's e-mails are read, and a plan short of unassigned
licenses assigns what there is (or, with ``add_missing``, adds licenses to the plan) and reports
the rest. Same rules otherwise: the plan's row is locked, one live license per e-mail and plan,
fresh activation keys, learners linked to the customer, e-mails through the outbox (only when
asked: a bulk import is quiet by default), one ``coursegate.license.assigned`` feed event per
license given, appended last.

- ``licenses_provision_staged`` (PostgreSQL): the import has loaded the whole file into a staging
  table with one ``COPY``; the rules run as a few set-based statements over it (duplicates, e-mails
  holding a live license, the plan's unassigned licenses, capacity) and the licenses are written
  with one ``UPDATE`` and one ``INSERT ... SELECT``, the feed events with one more.
- ``licenses_provision`` (SQLite and the others): one batch of e-mails, a constant number of
  queries per 1,000 e-mails.
"""

from __future__ import annotations

import logging
import time
import uuid as uuid_lib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from coursegate.enterprise.provisioning import learners_link_many
from coursegate.feed import services as feed
from coursegate.feed import sql as feed_sql
from coursegate.feed.changes import license_change
from coursegate.subscriptions.models import License, SubscriptionPlan
from coursegate.subscriptions.notifications import license_assignment_emails_enqueue
from coursegate.subscriptions.selectors import LIVE_STATUSES
from coursegate.subscriptions.services import _batches, _column, _licenses_write, _locked

log = logging.getLogger(__name__)

ASSIGNED = License.Status.ASSIGNED.value


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
    A constant number of queries per 1,000 e-mails (SQLite caps a statement's parameters).
    """
    wanted = list(dict.fromkeys(emails))
    with transaction.atomic():
        plan = _locked(plan)
        now = timezone.now()
        live = _live_emails(plan, wanted)
        new = [email for email in wanted if email not in live]
        if not new:
            return ProvisionResult(already=live)
        # Any unassigned license will do (no ORDER BY: a plan of a million licenses is not sorted per batch).
        free = License.objects.filter(plan=plan, status=License.Status.UNASSIGNED).values_list("uuid", flat=True)
        rows = [(uuid, email, "", uuid_lib.uuid4()) for email, uuid in zip(new, free[: len(new)], strict=False)]
        if rows:
            _licenses_write(rows=rows, now=now)
        rest, added = new[len(rows) :], 0
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
        feed.append(
            [license_change(feed.LICENSE_ASSIGNED, uuid=u, plan_uuid=plan.uuid, email=e, state=ASSIGNED, at=now)
             for u, e, _, _ in rows]
        )  # fmt: skip
    return ProvisionResult(
        assigned={email: license_uuid for license_uuid, email, _, _ in rows}, already=live, short=rest, added=added
    )


def _live_emails(plan: SubscriptionPlan, emails: list[str]) -> set[str]:
    """Which of ``emails`` hold an assigned or activated license of the plan (IN lists of 1,000)."""
    live: set[str] = set()
    for chunk in _batches(emails):
        live.update(
            License.objects.filter(plan=plan, status__in=LIVE_STATUSES, user_email__in=chunk).values_list(
                "user_email", flat=True
            )
        )
    return live


def _licenses_insert(*, plan: SubscriptionPlan, emails: list[str], now) -> list[tuple]:
    """Insert one assigned license per e-mail; returns (uuid, e-mail, Salesforce id, activation key) rows."""
    rows = [(uuid_lib.uuid4(), email, "", uuid_lib.uuid4()) for email in emails]
    License.objects.bulk_create(
        [
            License(uuid=u, plan=plan, status=ASSIGNED, user_email=e, user_sfid=s, activation_key=k,
                    assigned_date=now, last_remind_date=now)
            for u, e, s, k in rows
        ],
        batch_size=500,
    )  # fmt: skip
    return rows


# The staged form. The stage is a temporary table of the caller's, one row per line of the file:
#   line integer, plan_uuid uuid, email text (valid, lower-cased), message text
# ``message`` NULL: a row still to apply; not NULL: a failed row and why (the import's report).
NO_LICENSE_LEFT = "plan {plan} has no unassigned license left (see --add-licenses)"
LINK_CHUNK = 50_000  # e-mails per learners_link_many call (one JSON parameter each)
NEW_TABLE = "coursegate_import_new_licenses"  # a plan's new e-mails (temporary, dropped at commit)
GIVEN_TABLE = "coursegate_import_given_licenses"  # every plan's licenses given (for the feed)


def licenses_provision_staged(
    *,
    plans: Sequence[SubscriptionPlan],
    stage: str,
    add_missing: bool = False,
    notify: bool = False,
    on_plan: Callable[[SubscriptionPlan], None] = lambda plan: None,
) -> int:
    """Give each e-mail of the stage's pending rows of each plan a live license; returns how many
    licenses were given (one per new e-mail: the first line naming it is "created", its repeats and
    the e-mails that held a live license are unchanged).

    New e-mails take the plan's unassigned licenses in the order of their first line; the rest get
    new licenses with ``add_missing``, otherwise every line of theirs is marked failed in the stage.
    Each plan in a savepoint: a database error fails that plan's pending rows (in the stage) and
    the other plans go on. The feed events of every plan are appended at the end, in one statement,
    the caller's last write (the feed's lock is held from there to the commit). Runs inside the
    caller's transaction (the stage's); PostgreSQL only; a constant number of statements per plan
    whatever the number of rows (plus one learner-link call per 50,000 licenses given).
    """
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{GIVEN_TABLE}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {GIVEN_TABLE} (license uuid, plan_uuid uuid, email text) ON COMMIT DROP"
        )
        given = 0
        for plan in plans:
            on_plan(plan)
            try:
                with transaction.atomic():
                    given += _plan_provision(plan=plan, stage=stage, now=now, add_missing=add_missing, notify=notify)
            except DatabaseError as exc:
                log.exception("import: the licenses of plan %s failed", plan.uuid)
                cursor.execute(
                    f"UPDATE {stage} SET message = %s WHERE plan_uuid = %s AND message IS NULL",
                    [f"database error, the plan's rows rolled back: {exc}".strip(), plan.pk],
                )
    if given:
        started = time.perf_counter()
        _feed_assigned(at=now)
        log.info("import: feed events of %d licenses appended in %.1f s", given, time.perf_counter() - started)
    return given


def _plan_provision(*, plan: SubscriptionPlan, stage: str, now, add_missing: bool, notify: bool) -> int:
    """One plan's part of licenses_provision_staged; its licenses given are added to the given table."""
    began = time.perf_counter()
    plan = _locked(plan)
    quote = connection.ops.quote_name
    table = quote(License._meta.db_table)
    key, plan_id, status, email, sfid, activation, assigned, reminded, created = (
        quote(_column(name))
        for name in ("uuid", "plan", "status", "user_email", "user_sfid", "activation_key", "assigned_date",
                     "last_remind_date", "created")
    )  # fmt: skip
    live = [str(s) for s in LIVE_STATUSES]
    unassigned = License.Status.UNASSIGNED.value
    new = NEW_TABLE
    with connection.cursor() as cursor:
        # Sorting a million e-mails in memory rather than in temporary files.
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{new}")
        # The new e-mails: the first line of each e-mail of the plan that holds no live license,
        # numbered in the order of the file (who gets the unassigned licenses first), each with the
        # uuid of the license it will get (an unassigned license's, set below, or a new one). The
        # new uuids (random, version 4) are handed out in the e-mails' order: rows written in that
        # order then grow the uuid and the e-mail indexes (licenses, learner links, feed) at one
        # end instead of touching pages at random, a large share of a million-row import's time.
        # The table is written in that order, so reading it in its order needs no sort (an
        # ORDER BY would sort the feed's wide rows, their payloads built before the sort).
        cursor.execute(
            f"CREATE TEMPORARY TABLE {new} ON COMMIT DROP AS WITH firsts AS MATERIALIZED ("
            f"SELECT DISTINCT ON (s.email) s.email, s.line FROM {stage} s "
            "WHERE s.plan_uuid = %s AND s.message IS NULL AND NOT EXISTS ("
            f"SELECT 1 FROM {table} l WHERE l.{plan_id} = %s AND l.{email} = s.email AND l.{status} IN (%s, %s)) "
            "ORDER BY s.email, s.line), "
            "keys AS (SELECT u, row_number() OVER (ORDER BY u) AS k "
            "FROM (SELECT gen_random_uuid() AS u FROM generate_series(1, (SELECT count(*) FROM firsts))) AS g) "
            "SELECT f.email, f.line, row_number() OVER (ORDER BY f.line) AS rn, keys.u AS license "
            "FROM (SELECT email, line, row_number() OVER (ORDER BY email) AS k FROM firsts) AS f "
            "JOIN keys ON keys.k = f.k ORDER BY keys.u",
            [plan.pk, plan.pk, *live],
        )
        wanted = cursor.rowcount
        if wanted <= 0:
            return 0
        cursor.execute(f"SELECT count(*) FROM {table} WHERE {plan_id} = %s AND {status} = %s", [plan.pk, unassigned])
        free = min(cursor.fetchone()[0], wanted)
        if free:
            # Any unassigned licenses will do (no ORDER BY: a plan of a million is not sorted).
            cursor.execute(
                f"WITH f AS (SELECT {key} AS license, row_number() OVER () AS rn FROM {table} "
                f"WHERE {plan_id} = %s AND {status} = %s LIMIT %s), "
                f"pairs AS MATERIALIZED (SELECT f.license, n.rn, n.email FROM f JOIN {new} n ON n.rn = f.rn), "
                f"given AS (UPDATE {table} SET {status} = %s, {email} = pairs.email, {sfid} = '', "
                f"{activation} = gen_random_uuid(), {assigned} = %s, {reminded} = %s "
                f"FROM pairs WHERE {table}.{key} = pairs.license) "
                f"UPDATE {new} SET license = pairs.license FROM pairs WHERE {new}.rn = pairs.rn",
                [plan.pk, unassigned, free, ASSIGNED, now, now],
            )
        if wanted > free and add_missing:
            # In the table's order: the uuids' and the e-mails' (see above).
            cursor.execute(
                f"INSERT INTO {table} ({key}, {plan_id}, {status}, {email}, {sfid}, {activation}, {assigned}, "
                f"{reminded}, {created}) SELECT n.license, %s, %s, n.email, '', gen_random_uuid(), %s, %s, %s "
                f"FROM {new} n WHERE n.rn > %s",
                [plan.pk, ASSIGNED, now, now, now, free],
            )
        elif wanted > free:
            cursor.execute(
                f"UPDATE {stage} s SET message = %s FROM {new} n "
                "WHERE n.rn > %s AND s.plan_uuid = %s AND s.email = n.email AND s.message IS NULL",
                [NO_LICENSE_LEFT.format(plan=plan.uuid), free, plan.pk],
            )
            cursor.execute(f"DELETE FROM {new} WHERE rn > %s", [free])
        given = wanted if add_missing else free
        cursor.execute(f"SELECT email FROM {new} ORDER BY email")
        while chunk := cursor.fetchmany(LINK_CHUNK):
            learners_link_many(customer=plan.customer, emails=[row[0] for row in chunk])
        if notify:
            cursor.execute(
                f"SELECT n.email, l.{activation} FROM {new} n JOIN {table} l ON l.{key} = n.license ORDER BY n.line"
            )
            license_assignment_emails_enqueue(
                assignments=cursor.fetchall(), plan_title=plan.title, customer_name=plan.customer.name,
                expiration=plan.expiration_date,
            )  # fmt: skip
        cursor.execute(f"INSERT INTO {GIVEN_TABLE} SELECT license, %s, email FROM {new}", [plan.pk])
    log.info("import: %d licenses of plan %s given in %.1f s", given, plan.uuid, time.perf_counter() - began)
    return given


def _feed_assigned(*, at) -> None:
    """One ``coursegate.license.assigned`` event per license given: one ``INSERT ... SELECT`` from
    the given table, in its order (each plan's in the uuids' order: the feed's resource index grows
    at one end)."""
    payload = feed_sql.json_payload(
        [("uuid", "g.license::text"), ("plan_uuid", "g.plan_uuid::text"), ("email", "g.email"), ("user", "NULL"),
         ("user_id", "NULL"), ("state", "CAST(%s AS text)"), ("time", "CAST(%s AS text)")]
    )  # fmt: skip
    feed.append_select(
        f"SELECT %s, %s, {payload}, %s, g.license::text FROM {GIVEN_TABLE} g",
        [at, feed.LICENSE_ASSIGNED, ASSIGNED, feed.iso(at), feed.LICENSE],
    )
