"""The outbox sender: claim due rows, send them, record each outcome as soon as it is known.

Claiming: a batch of due rows (pending and due, or ``sending`` with a lease that has passed) is
taken in one short transaction — ``SELECT ... FOR UPDATE SKIP LOCKED`` then an UPDATE on
PostgreSQL, so concurrent senders split the rows without waiting on each other; a conditional
UPDATE (re-checking "due") on SQLite, whose writes are serialised anyway. The claim sets
``status=sending``, a fresh ``claim`` token and a lease (``claimed_until``), then commits.

Sending: one connection of the configured mail backend per batch; each row is marked ``sent``
(and committed) right after its own successful send, by an UPDATE that only matches while the
row is still held under this claim's token. A crash therefore re-sends at most the message in
flight, and a row marked sent is never claimed again. The lease is renewed before a send whenever
less than half of it remains, so a live sender keeps its rows unless one single send outlasts
half a lease (COURSEGATE_OUTBOX_LEASE_SECONDS, 120 s by default: twelve SMTP timeouts).

Failures: a refused message costs that row one attempt; a connection that cannot be opened or
breaks (refused, timed out, dropped) costs every row left in the batch one attempt and ends this
round, since the next rows would only wait on the same dead server. A row that failed is due again
after COURSEGATE_OUTBOX_RETRY_SECONDS * 2**(attempts - 1) (capped at
COURSEGATE_OUTBOX_RETRY_MAX_SECONDS, 6 h by default) and ``failed`` after
COURSEGATE_OUTBOX_MAX_ATTEMPTS attempts. A lease that ran out counts as one attempt too, so a
message that kills its sender cannot loop for ever.
"""

from __future__ import annotations

import logging
import smtplib
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import connection as db_connection
from django.db import transaction
from django.db.models import Case, F, PositiveIntegerField, Q, When
from django.utils import timezone

from coursegate.outbox.models import OutboxEmail

log = logging.getLogger(__name__)

_COUNT = PositiveIntegerField()
BATCH = 100  # rows claimed at once and sent over one connection
SWEEP_LIMIT = 1000  # rows one sweep handles at most, so the other sweeps get their turn
Status = OutboxEmail.Status
# Errors about one message: the server answered and refused it; the connection is still usable.
MESSAGE_ERRORS = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError)


def _lease() -> timedelta:
    return timedelta(seconds=getattr(settings, "COURSEGATE_OUTBOX_LEASE_SECONDS", 120))


def _backoff(attempts: int) -> timedelta:
    cap = getattr(settings, "COURSEGATE_OUTBOX_RETRY_MAX_SECONDS", 6 * 3600)
    return timedelta(seconds=min(cap, settings.COURSEGATE_OUTBOX_RETRY_SECONDS * 2 ** max(attempts - 1, 0)))


def outbox_send_due(*, limit: int | None = None, ids: Sequence[int] | None = None) -> int:
    """Deliver due rows now (only among ``ids`` when given); returns how many rows were attempted
    (sent or failed). Stops early when the mail server cannot be reached. Safe in any number of
    processes at once. Only rows due when the call starts are taken, so each is attempted at most
    once per call (a failed row due again at once, or a lease that ran out meanwhile, waits for
    the next call instead of looping here)."""
    _fail_exhausted_leases()
    handled, start = 0, timezone.now()
    chunks = [list(ids[i : i + BATCH]) for i in range(0, len(ids), BATCH)] if ids is not None else None
    while limit is None or handled < limit:
        size = BATCH if limit is None else min(BATCH, limit - handled)
        if chunks is not None:
            if not chunks:
                break
            token, rows = _claim(size=BATCH, due_by=start, ids=chunks.pop(0))
            if not rows:
                continue
        else:
            token, rows = _claim(size=size, due_by=start)
            if not rows:
                break
        attempted, reachable = _deliver(rows, token)
        handled += attempted
        if not reachable:
            break
    return handled


def outbox_sweep() -> int:
    """The outbox's sweep (settings.COURSEGATE_SWEEPS): deliver what is due, a bounded amount."""
    return outbox_send_due(limit=SWEEP_LIMIT)


def _due(now: datetime) -> Q:
    return Q(status=Status.PENDING, next_attempt_at__lte=now) | Q(status=Status.SENDING, claimed_until__lte=now)


def _claim(*, size: int, due_by: datetime, ids: list[int] | None = None) -> tuple[uuid.UUID, list[OutboxEmail]]:
    token, now = uuid.uuid4(), timezone.now()
    due = OutboxEmail.objects.filter(_due(due_by))
    if ids is not None:
        due = due.filter(pk__in=ids)
    with transaction.atomic():
        if db_connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        pks = list(due.order_by("pk").values_list("pk", flat=True)[:size])
        if not pks:
            return token, []
        # A lease that ran out was an attempt cut short (its sender died): it counts.
        cut_short = When(status=Status.SENDING, then=F("attempts") + 1)
        OutboxEmail.objects.filter(_due(due_by), pk__in=pks).update(
            status=Status.SENDING,
            claim=token,
            claimed_until=now + _lease(),
            attempts=Case(cut_short, default=F("attempts"), output_field=_COUNT),
        )
    return token, list(OutboxEmail.objects.filter(claim=token, status=Status.SENDING).order_by("pk"))


def _fail_exhausted_leases() -> None:
    """Rows whose sender died during their last allowed attempt: failed, not claimed again."""
    now = timezone.now()
    last = settings.COURSEGATE_OUTBOX_MAX_ATTEMPTS - 1
    OutboxEmail.objects.filter(status=Status.SENDING, claimed_until__lte=now, attempts__gte=last).update(
        status=Status.FAILED, attempts=F("attempts") + 1, claim=None, claimed_until=None,
        last_error="The sender stopped during the last attempt (its lease ran out).",
    )  # fmt: skip


def _message(row: OutboxEmail) -> EmailMessage:
    return EmailMessage(
        subject=row.subject, body=row.body, from_email=row.from_email, to=list(row.to),
        reply_to=list(row.reply_to) or None, headers=dict(row.headers) or None,
    )  # fmt: skip


def _deliver(rows: list[OutboxEmail], token: uuid.UUID) -> tuple[int, bool]:
    """Send the claimed ``rows``; returns (rows attempted, whether the mail server was reachable)."""
    mail = get_connection()
    try:
        mail.open()
    except Exception as exc:
        _record_failures(rows, token, exc)
        return len(rows), False
    lease_end = rows[0].claimed_until or timezone.now()
    try:
        for index, row in enumerate(rows):
            if timezone.now() + _lease() / 2 > lease_end:
                lease_end, held = _renew(rows[index:], token)
                if row.pk not in held:
                    continue  # another sender took it over; it is theirs now
            try:
                if not mail.send_messages([_message(row)]):
                    raise ValueError("The mail backend accepted no recipient.")
            except OSError as exc:
                if isinstance(exc, MESSAGE_ERRORS):
                    _record_failures([row], token, exc)
                    mail.close()  # reopened by the next send, in a clean state
                    continue
                _record_failures(rows[index:], token, exc)
                return len(rows), False
            except Exception as exc:  # a message that cannot be built or encoded
                _record_failures([row], token, exc)
                continue
            OutboxEmail.objects.filter(pk=row.pk, claim=token, status=Status.SENDING).update(
                status=Status.SENT, sent_at=timezone.now(), claim=None, claimed_until=None, last_error=""
            )
    finally:
        try:
            mail.close()
        except Exception:
            log.warning("outbox: closing the mail connection failed", exc_info=True)
    return len(rows), True


def _renew(rows: list[OutboxEmail], token: uuid.UUID) -> tuple[datetime, set[int]]:
    lease_end = timezone.now() + _lease()
    held = OutboxEmail.objects.filter(pk__in=[r.pk for r in rows], claim=token, status=Status.SENDING)
    held.update(claimed_until=lease_end)
    return lease_end, set(held.values_list("pk", flat=True))


def _record_failures(rows: list[OutboxEmail], token: uuid.UUID, exc: BaseException) -> None:
    error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    log.warning("outbox: could not send %d e-mails (%s)", len(rows), error)
    now, most = timezone.now(), settings.COURSEGATE_OUTBOX_MAX_ATTEMPTS
    for row in rows:
        attempts = row.attempts + 1
        fields = {"attempts": attempts, "last_error": error[:2000], "claim": None, "claimed_until": None}
        if attempts >= most:
            fields["status"] = Status.FAILED
            log.error("outbox: e-mail %s (%s) failed %d times, giving up: %s", row.pk, row.kind, attempts, error)
        else:
            fields.update(status=Status.PENDING, next_attempt_at=now + _backoff(attempts))
        OutboxEmail.objects.filter(pk=row.pk, claim=token, status=Status.SENDING).update(**fields)
