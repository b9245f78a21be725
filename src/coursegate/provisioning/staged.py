"""``coursegate import licenses`` on PostgreSQL: the whole file staged with one ``COPY``, then the
rules and the writes set-based in SQL (subscriptions.provisioning.licenses_provision_staged).

Python only parses and checks each row (columns, plan UUID, e-mail address) and streams it, with
its line number, into a temporary table; a bad row goes in with its message. Then, in SQL: unknown
plans, and for each plan one locked pass (duplicates, e-mails that hold a live license, capacity,
the licenses written, learners linked). The summary and the report of bad rows are counted and
read back from the stage, in line order.

Atomicity: per plan. Each plan's rows are applied in one savepoint: a database error rolls back
that plan's rows and reports each of them failed; a rule a row breaks fails that row only. The
whole file is one transaction (its stage lives in it), so a dry run rolls everything back. The
feed events of the licenses given are its last write.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator
from uuid import UUID

from django.db import DatabaseError, connection, transaction

from coursegate.provisioning.files import Row
from coursegate.provisioning.runner import CREATED, FAILED, UNCHANGED, Options, RowError, RowResult, Summary
from coursegate.provisioning.values import PLAIN_EMAIL, email_value, uuid_value
from coursegate.subscriptions.models import SubscriptionPlan
from coursegate.subscriptions.provisioning import licenses_provision_staged

log = logging.getLogger(__name__)

STAGE = "coursegate_import_licenses_stage"
COPY_BLOCK = 20_000  # rows per write to the COPY stream (and per progress update)
REPORT_CHUNK = 10_000
# COPY's text format: backslash, tab and line breaks escaped; \N is NULL.
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _failed(line: int, message: str) -> str:
    return f"{line}\t\\N\t\\N\t{message.translate(_ESCAPES)}\n"


def _stage_rows(rows: Iterable[Row], on_batch: Callable[..., None]) -> Iterator[str]:
    """The COPY lines of the rows, in blocks; each row parsed and checked as the batched path does
    (the common case, a plain address of the regex's safe characters, needs no escaping)."""
    plan_texts: dict[str, str] = {}  # a file names few plans: each text parsed once
    block: list[str] = []
    count = 0
    plain = PLAIN_EMAIL.fullmatch
    for row in rows:
        count += 1
        values = row.values
        try:
            if row.error:
                raise RowError(row.error)
            text = values.get("plan_uuid", "")
            plan = plan_texts.get(text) or plan_texts.setdefault(text, str(uuid_value(values, "plan_uuid")))
            email = values.get("email", "").lower()
            if not (len(email) <= 254 and plain(email)):
                email = email_value(values, "email").translate(_ESCAPES)
        except RowError as exc:
            block.append(_failed(row.line, str(exc)))
        else:
            block.append(f"{row.line}\t{plan}\t{email}\t\\N\n")
        if len(block) >= COPY_BLOCK:
            yield "".join(block)
            block.clear()
            on_batch(count, stage="reading")
    if block:
        yield "".join(block)
    on_batch(count, stage="reading")


def import_licenses_staged(
    rows: Iterable[Row],
    *,
    options: Options,
    on_result: Callable[[RowResult], None],
    on_batch: Callable[..., None],
) -> Summary:
    summary = Summary()
    with transaction.atomic(), connection.cursor() as cursor:
        _temp_buffers(cursor)
        cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{STAGE}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {STAGE} (line integer, plan_uuid uuid, email text, message text) ON COMMIT DROP"
        )
        total, started = 0, time.perf_counter()
        with cursor.copy(f"COPY {STAGE} (line, plan_uuid, email, message) FROM STDIN") as copy:
            for block in _stage_rows(rows, on_batch):
                copy.write(block)
                total += block.count("\n")
        log.info("import licenses: %d rows read and staged in %.1f s", total, time.perf_counter() - started)
        cursor.execute(f"SELECT DISTINCT plan_uuid FROM {STAGE} WHERE message IS NULL")
        named = [row[0] for row in cursor.fetchall()]
        plans = SubscriptionPlan.objects.select_related("customer").in_bulk(named)
        for plan_uuid in named:
            if plan_uuid not in plans:
                _fail_pending(cursor, plan_uuid, f"plan_uuid: no subscription plan {plan_uuid}")
        created = licenses_provision_staged(
            plans=list(plans.values()), stage=STAGE, add_missing=options.add_licenses, notify=options.notify,
            on_plan=lambda plan: on_batch(total, stage=f"writing the licenses of plan {plan.uuid}"),
        )  # fmt: skip
        cursor.execute(f"SELECT line, message FROM {STAGE} WHERE message IS NOT NULL ORDER BY line")
        failed = 0
        while chunk := cursor.fetchmany(REPORT_CHUNK):
            for line, message in chunk:
                on_result(RowResult(line, FAILED, message))
            failed += len(chunk)
        summary.counts.update({CREATED: created, UNCHANGED: total - created - failed, FAILED: failed})
        if options.dry_run:
            transaction.set_rollback(True)
    return summary


def _fail_pending(cursor, plan_uuid: UUID, message: str) -> None:
    cursor.execute(f"UPDATE {STAGE} SET message = %s WHERE plan_uuid = %s AND message IS NULL", [message, plan_uuid])


def _temp_buffers(cursor) -> None:
    """A bigger buffer for this session's temporary tables (8 MB by default: a million-row stage
    would go back and forth to disk). PostgreSQL accepts it only before the session's first use of
    a temporary table; later the default stays."""
    try:
        with transaction.atomic():
            cursor.execute("SET LOCAL temp_buffers = '256MB'")
    except DatabaseError:
        pass
