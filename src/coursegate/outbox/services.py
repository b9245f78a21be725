"""Writes of the outbox: enqueue e-mails with the change that causes them, and retry failed ones.

``emails_enqueue`` must run inside the caller's transaction (``transaction.atomic``): the rows and
the change commit together or not at all, which is the whole point of an outbox. Called in
autocommit it raises OutboxTransactionError instead of quietly writing rows that no longer belong
to any change (a caller that truly has no change to pair them with wraps the call in an atomic
block itself).

After the commit, ONE kick per transaction hands the new rows to a sender: with CELERY_BROKER_URL
it publishes the ``coursegate.outbox.send`` task (a broker error is logged, never raised: the rows
are safe and the sweep delivers them); without a broker it delivers them in-process at once, as
the notifications did before the outbox (at most COURSEGATE_OUTBOX_INLINE_MAX of them, so a
notify of thousands does not hold the response). Either way the sweep (``outbox_sweep``) delivers
whatever a kick did not: a process killed between the commit and the send loses nothing.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from coursegate.outbox.exceptions import OutboxTransactionError
from coursegate.outbox.models import OutboxEmail
from coursegate.outbox.sender import BATCH, outbox_send_due

log = logging.getLogger(__name__)

INSERT_BATCH = 10_000  # rows per INSERT (each INSERT reads its rows from one JSON parameter)


@dataclass(frozen=True)
class Email:
    """One e-mail to enqueue. ``from_email`` defaults to DEFAULT_FROM_EMAIL at enqueue time."""

    kind: str
    to: Sequence[str]
    subject: str
    body: str
    from_email: str = ""
    reply_to: Sequence[str] = ()
    headers: dict[str, str] = field(default_factory=dict)


def emails_enqueue(messages: Iterable[Email]) -> list[int]:
    """Write one outbox row per message in the current transaction and arrange their delivery after
    commit (see the module docstring); returns the new rows' ids. Nothing is written for no
    messages. Raises OutboxTransactionError outside an atomic block."""
    if not transaction.get_connection().in_atomic_block:
        raise OutboxTransactionError("emails_enqueue() must be called inside the transaction of the change")
    now = timezone.now()
    default_from = settings.DEFAULT_FROM_EMAIL
    items = [
        [m.kind, list(m.to), m.from_email or default_from, m.subject, m.body, list(m.reply_to), dict(m.headers)]
        for m in messages
    ]
    if not items:
        return []
    ids: list[int] = []
    for start in range(0, len(items), INSERT_BATCH):
        ids += _insert(items[start : start + INSERT_BATCH], now)
    _kick_after_commit(ids)
    return ids


_COLUMNS = (
    '"kind", "to", "from_email", "subject", "body", "reply_to", "headers", "status", "attempts", '
    '"next_attempt_at", "last_error", "created"'
)


def _insert(items: list[list], now) -> list[int]:
    """One INSERT ... SELECT of ``items`` read from one JSON array parameter (as enrollments/sql.py
    does): no per-value parameter binding, which made bulk_create cost about 0.5 ms a row (a
    100,000-license remind-all spent 50 s here)."""
    table = OutboxEmail._meta.db_table
    data = json.dumps(items, separators=(",", ":"))
    if connection.vendor == "postgresql":
        values = (
            "j.value->>0, (j.value->1)::jsonb, j.value->>2, j.value->>3, j.value->>4, (j.value->5)::jsonb, "
            "(j.value->6)::jsonb"
        )
        source = "json_array_elements(%s::json) WITH ORDINALITY AS j(value, key)"
        when = now
    elif connection.vendor == "sqlite":
        values = ", ".join(f"json_extract(j.value, '$[{i}]')" for i in range(7))
        source = "json_each(%s) AS j"
        when = connection.ops.adapt_datetimefield_value(now)
    else:  # another backend: the ORM's way
        rows = [
            OutboxEmail(kind=k, to=t, from_email=f, subject=s, body=b, reply_to=r, headers=h, next_attempt_at=now)
            for k, t, f, s, b, r, h in items
        ]
        return [row.pk for row in OutboxEmail.objects.bulk_create(rows) if row.pk is not None]
    sql = (
        f"INSERT INTO \"{table}\" ({_COLUMNS}) SELECT {values}, %s, 0, %s, '', %s FROM {source} ORDER BY j.key "
        "RETURNING id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [OutboxEmail.Status.PENDING.value, when, when, data])
        return [row[0] for row in cursor.fetchall()]


def outbox_retry(*, ids: Sequence[int] | None = None, failed: bool = False) -> int:
    """Make rows due now with a fresh count of attempts: every failed row with ``failed``, and/or
    the rows ``ids`` that are failed or pending. A sent row is never touched (it is never sent
    twice), nor one being sent. Returns how many rows changed. The dispatcher's next sweep (or
    `coursegate outbox send`) delivers them."""
    retryable = [OutboxEmail.Status.FAILED, OutboxEmail.Status.PENDING]
    changed = 0
    with transaction.atomic():
        now = timezone.now()
        if failed:
            changed += OutboxEmail.objects.filter(status=OutboxEmail.Status.FAILED).update(
                status=OutboxEmail.Status.PENDING, attempts=0, next_attempt_at=now
            )
        if ids:
            changed += OutboxEmail.objects.filter(pk__in=list(ids), status__in=retryable).update(
                status=OutboxEmail.Status.PENDING, attempts=0, next_attempt_at=now
            )
    log.info("outbox: %d e-mails due again", changed)
    return changed


class _Kick:
    """The after-commit callback of one transaction: collects the ids every ``emails_enqueue`` of
    that transaction wrote, then hands them over once. ``fired`` tells a later transaction's
    enqueue apart from this one's (tests run callbacks without ever committing, so a fired kick
    may still sit in the connection's list)."""

    def __init__(self) -> None:
        self.ids: list[int] = []
        self.fired = False
        self.__qualname__ = "outbox delivery kick"  # Django names a failing robust callback by it

    def __call__(self) -> None:
        self.fired = True
        if settings.CELERY_BROKER_URL:
            _publish(self.ids)
        else:
            # Inside the request that committed them: a bounded number, the sweep sends the rest.
            outbox_send_due(ids=self.ids[: settings.COURSEGATE_OUTBOX_INLINE_MAX])


def _kick_after_commit(ids: list[int]) -> None:
    # One kick per transaction, however many services enqueue in it: look for this transaction's
    # kick among the callbacks Django will run on commit (a kick registered in a savepoint that
    # was rolled back is gone from that list, and a new one is registered).
    for entry in transaction.get_connection().run_on_commit:
        callback = entry[1]
        if isinstance(callback, _Kick) and not callback.fired:
            callback.ids.extend(ids)
            return
    kick = _Kick()
    kick.ids.extend(ids)
    transaction.on_commit(kick, robust=True)


def _publish(ids: list[int]) -> None:
    from coursegate.outbox.tasks import outbox_send

    try:
        for start in range(0, len(ids), BATCH):
            outbox_send.apply_async(args=[ids[start : start + BATCH]])
    except Exception:
        # The rows are committed: the sweep delivers them when the broker is back.
        log.exception("outbox: could not publish %d e-mails to the broker; the sweep will send them", len(ids))
