"""Delivery of the change feed to webhook subscriptions: at least once, in id order per subscription.

One deliverer per subscription at a time. A round claims a due subscription (active, out of
backoff, not held, with feed events after its cursor) by a lease: a conditional UPDATE setting
``lease_token``/``lease_until``, picked with ``SELECT ... FOR UPDATE SKIP LOCKED`` on PostgreSQL so
concurrent deliverers (the dispatcher's sweep, Celery workers) take different subscriptions without
waiting. The lease lasts LEASE = 2 x TIMEOUT + 5 s and is renewed before a send whenever less
than one send's time (TIMEOUT + 2 s) is left, so a live deliverer never loses it mid-send; a
killed one's lease runs out and the next round takes over from the cursor.

The round then POSTs the matching events after the cursor, in id order, one per request (a kept
connection), each signed (``signature``). A 2xx answer moves the cursor to that event at once, by
an UPDATE that only matches while this round holds the lease (committed on its own: a crash
re-sends at most the event in flight, which the receiver drops by its id). Anything else — an
error status, a redirect, a timeout, a refused address — ends the round: the same event is tried
again after BACKOFF_BASE x 2^(failures - 1) seconds (at most BACKOFF_MAX), so order holds. When
the event has waited longer than MAX_AGE (counted from the resume, for a resumed subscription),
the subscription is paused with the reason, and the pause is counted (metrics.PAUSES).

Events that match none of the subscription's types are passed over: ids commit in order (the
feed store's lock), so every id up to the newest seen is settled and the cursor may move past it.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import logging
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Q, Subquery
from django.utils import timezone

from coursegate.webhooks.metrics import DELIVERIES, PAUSES
from coursegate.webhooks.models import WebhookDelivery, WebhookSubscription
from coursegate.webhooks.receivers import guarded_connect
from coursegate.webhooks.selectors import FeedEvent, feed_events_due, feed_last_id

log = logging.getLogger(__name__)

SWEEP_LIMIT = 2000  # events one sweep sends at most, so the other sweeps get their turn
SWEEP_SECONDS = 30.0  # and the time after which it starts no new send (slow receivers)
ATTEMPTS_KEPT = 100  # delivery attempts kept per subscription (the log is bounded)
RESPONSE_READ_LIMIT = 64 * 1024  # bytes of a receiver's answer read (and dropped)
USER_AGENT = "Coursegate-Webhooks/1"
PING_TYPE = "coursegate.webhook.ping"


def setting(name: str) -> int:
    """One of the webhook settings (coursegate/integration_settings.py, merged into the settings)."""
    return int(getattr(settings, name))


def _timeout() -> float:
    return float(setting("COURSEGATE_WEBHOOK_TIMEOUT_SECONDS"))


def lease_length() -> timedelta:
    return timedelta(seconds=2 * _timeout() + 5)


def backoff(failures: int) -> timedelta:
    """The wait after the ``failures``-th failed try of an event (1, 2, ...)."""
    base, most = setting("COURSEGATE_WEBHOOK_BACKOFF_BASE_SECONDS"), setting("COURSEGATE_WEBHOOK_BACKOFF_MAX_SECONDS")
    return timedelta(seconds=min(most, base * 2 ** min(max(failures - 1, 0), 40)))


# --- What is sent -------------------------------------------------------------------------------


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def event_body(event: FeedEvent) -> bytes:
    """The JSON body of one event: the feed row, its payload parsed (a payload that is no JSON is
    sent as its string)."""
    try:
        payload = json.loads(event.payload)
    except ValueError:
        payload = event.payload
    body = {
        "id": event.id,
        "type": event.type,
        "resource_type": event.resource_type,
        "resource_id": event.resource_id,
        "payload": payload,
        "created_on": _iso(event.created_on),
    }
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()


def signature(*, secret: str, body: bytes, timestamp: int) -> str:
    """``X-Coursegate-Signature``: ``t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>``."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


@dataclass(frozen=True)
class Outcome:
    """What one POST gave: the receiver's status (None when there was no answer), or the error."""

    status_code: int | None
    error: str
    duration_ms: int

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class Receiver:
    """One receiver URL and a kept-alive connection to it (http.client: redirects are not followed,
    and every connection goes through the SSRF guard, receivers.guarded_connect)."""

    def __init__(self, url: str):
        parts = urlsplit(url)
        self.https = parts.scheme.lower() == "https"
        self.host = parts.hostname or ""
        self.port = parts.port
        self.path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        self.connection: http.client.HTTPConnection | None = None

    def _connect(self) -> http.client.HTTPConnection:
        cls = http.client.HTTPSConnection if self.https else http.client.HTTPConnection
        conn = cls(self.host, self.port, timeout=_timeout())
        conn._create_connection = guarded_connect  # type: ignore[attr-defined]
        return conn

    def post(self, body: bytes, headers: dict[str, str]) -> Outcome:
        started = time.perf_counter()
        headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT, **headers}
        for fresh in (False, True):
            reused = self.connection is not None and not fresh
            if self.connection is None or fresh:
                self.close()
                self.connection = self._connect()
            try:
                self.connection.request("POST", self.path, body=body, headers=headers)
                response = self.connection.getresponse()
                response.read(RESPONSE_READ_LIMIT)
                if response.will_close or not response.isclosed():
                    self.close()
                return Outcome(response.status, "", _ms(started))
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as exc:
                self.close()
                if reused:
                    continue  # a kept connection the receiver had closed: once more on a new one
                return Outcome(None, _error_text(exc), _ms(started))
            except (OSError, http.client.HTTPException, ValueError) as exc:
                self.close()
                return Outcome(None, _error_text(exc), _ms(started))
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def _ms(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)


def _error_text(exc: BaseException) -> str:
    text = str(exc)
    return (f"{type(exc).__name__}: {text}" if text else type(exc).__name__)[:2000]


def send(receiver: Receiver, *, secret: str, body: bytes, event_id: str) -> Outcome:
    headers = {"X-Coursegate-Signature": signature(secret=secret, body=body, timestamp=int(time.time())),
               "X-Coursegate-Event-Id": event_id}  # fmt: skip
    return receiver.post(body, headers)


def ping(subscription: WebhookSubscription) -> Outcome:
    """Send one test event (type ``coursegate.webhook.ping``, ``id`` null) now, outside the feed's
    order; the attempt is logged. Returns the receiver's answer."""
    now = timezone.now()
    body = {"id": None, "type": PING_TYPE, "resource_type": "webhook_subscription",
            "resource_id": str(subscription.uuid), "payload": {"message": "Test delivery from Coursegate."},
            "created_on": _iso(now)}  # fmt: skip
    raw = json.dumps(body, separators=(",", ":")).encode()
    receiver = Receiver(subscription.url)
    try:
        outcome = send(receiver, secret=subscription.secret, body=raw, event_id="ping")
    finally:
        receiver.close()
    _log_attempts([_attempt(subscription, None, PING_TYPE, now, outcome)], subscription.pk)
    return outcome


# --- Rounds ---------------------------------------------------------------------------------------


def webhooks_sweep() -> int:
    """The webhooks' sweep (settings.COURSEGATE_SWEEPS): deliver what is due, a bounded amount;
    the number of delivery attempts."""
    return webhooks_deliver(limit=SWEEP_LIMIT, seconds=SWEEP_SECONDS)


def webhooks_deliver(
    *, limit: int | None = None, seconds: float | None = None, subscription_ids: list[int] | None = None
) -> int:
    """Deliver due events now, each due subscription one round (only those of ``subscription_ids``
    when given), ``limit`` attempts at most, no new send after ``seconds``; returns the attempts
    made. Safe in any number of processes at once (see the module docstring)."""
    attempted, seen = 0, set[int]()
    last_id = feed_last_id()
    deadline = None if seconds is None else time.monotonic() + seconds
    while (limit is None or attempted < limit) and (deadline is None or time.monotonic() < deadline):
        claimed = _claim(last_id=last_id, seen=seen, ids=subscription_ids)
        if claimed is None:
            break
        subscription, token = claimed
        seen.add(subscription.pk)
        try:
            attempted += _round(subscription, token, None if limit is None else limit - attempted, deadline)
        finally:
            WebhookSubscription.objects.filter(pk=subscription.pk, lease_token=token).update(
                lease_token=None, lease_until=None
            )
    return attempted


def _due(now: datetime, last_id: int) -> Q:
    return (
        Q(is_active=True, last_delivered_id__lt=last_id)
        & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        & (Q(lease_until__isnull=True) | Q(lease_until__lte=now))
    )


def _claim(*, last_id: int, seen: set[int], ids: list[int] | None) -> tuple[WebhookSubscription, uuid.UUID] | None:
    while True:
        now, token = timezone.now(), uuid.uuid4()
        due = WebhookSubscription.objects.filter(_due(now, last_id)).exclude(pk__in=seen)
        if ids is not None:
            due = due.filter(pk__in=ids)
        with transaction.atomic():
            if connection.features.has_select_for_update_skip_locked:
                due = due.select_for_update(skip_locked=True)
            # Read and leased in one transaction: under the row lock on PostgreSQL, under the
            # database's write lock on SQLite (transactions begin IMMEDIATE), so the row is current.
            row = due.order_by("pk").first()
            if row is None:
                return None
            until = now + lease_length()
            taken = WebhookSubscription.objects.filter(_due(now, last_id), pk=row.pk).update(
                lease_token=token, lease_until=until
            )
        if taken:
            row.lease_token, row.lease_until = token, until
            return row, token
        seen.add(row.pk)  # another deliverer took it between the read and the update


def _round(subscription: WebhookSubscription, token: uuid.UUID, budget: int | None, deadline: float | None) -> int:
    """Send the subscription's due events until one fails, ``budget`` is spent or ``deadline``
    (monotonic) has passed; returns attempts."""
    upto = feed_last_id()
    size = setting("COURSEGATE_WEBHOOK_BATCH") if budget is None else min(setting("COURSEGATE_WEBHOOK_BATCH"), budget)
    events = feed_events_due(
        after=subscription.last_delivered_id, upto=upto, patterns=list(subscription.event_types), limit=size
    )
    held = WebhookSubscription.objects.filter(pk=subscription.pk, lease_token=token)
    if not events:
        held.update(last_delivered_id=upto)  # nothing there for this subscription: pass over them all
        return 0
    receiver, attempts = Receiver(subscription.url), []
    lease_end = subscription.lease_until or timezone.now()
    try:
        for index, event in enumerate(events):
            if deadline is not None and index and time.monotonic() >= deadline:
                break  # the rest waits for the next round, from the cursor
            now = timezone.now()
            if lease_end - now < timedelta(seconds=_timeout() + 2):
                lease_end = now + lease_length()
                if not held.update(lease_until=lease_end):
                    break  # the lease was lost (this process stalled): the new holder goes on
            outcome = send(receiver, secret=subscription.secret, body=event_body(event), event_id=str(event.id))
            attempts.append(_attempt(subscription, event.id, event.type, now, outcome))
            DELIVERIES.labels(outcome="delivered" if outcome.ok else "failed").inc()
            if not outcome.ok:
                _record_failure(subscription, token, event, outcome)
                break
            last = index == len(events) - 1 and len(events) < size
            # Committed now, on its own: a crash after this line never sends this event again.
            if not _advance(subscription.pk, token, upto if last else event.id):
                break
    finally:
        receiver.close()
        _log_attempts(attempts, subscription.pk)
    return len(attempts)


def _advance(pk: int, token: uuid.UUID, cursor: int) -> bool:
    """Move the cursor after a delivery, while ``token`` holds the lease: one plain UPDATE (the hot
    path: the ORM's update() cost about as much as the statement itself), committed at once.

    On PostgreSQL the commit does not wait for the WAL flush (``synchronous_commit = off``: an
    fsync per event held delivery to ~60 events/s on a busy disk). A killed worker loses nothing
    by it (the server has the commit); only a crash of the database server itself could forget
    the last few moves, and those events are sent again — at least once, as every crash."""
    model = WebhookSubscription
    table, quote = model._meta.db_table, connection.ops.quote_name
    sql = (f"UPDATE {quote(table)} SET last_delivered_id = %s, failures = 0, next_attempt_at = NULL, "
           f"last_error = '', last_success_at = %s WHERE id = %s AND lease_token = %s")  # fmt: skip
    now = model._meta.get_field("last_success_at").get_db_prep_value(timezone.now(), connection)
    lease = model._meta.get_field("lease_token").get_db_prep_value(token, connection)
    with transaction.atomic(), connection.cursor() as cursor_:
        if connection.vendor == "postgresql":
            cursor_.execute("SET LOCAL synchronous_commit TO OFF")
        cursor_.execute(sql, [cursor, now, pk, lease])
        return cursor_.rowcount == 1


def _record_failure(subscription: WebhookSubscription, token: uuid.UUID, event: FeedEvent, outcome: Outcome) -> None:
    now = timezone.now()
    error = outcome.error or f"The receiver answered {outcome.status_code}."
    failures = subscription.failures + 1
    waiting_since = max(event.created_on, subscription.resumed_at or event.created_on)
    max_age = timedelta(seconds=setting("COURSEGATE_WEBHOOK_MAX_AGE_SECONDS"))
    held = WebhookSubscription.objects.filter(pk=subscription.pk, lease_token=token)
    if now - waiting_since > max_age:
        reason = (f"Paused: event {event.id} ({event.type}) stayed undelivered for more than "
                  f"{max_age.total_seconds():.0f} s; last error: {error}")  # fmt: skip
        if held.update(is_active=False, paused_reason=reason[:2000], paused_at=now, failures=failures,
                       next_attempt_at=None, last_error=error):  # fmt: skip
            PAUSES.inc()
            log.error("webhooks: subscription %s paused: %s", subscription.uuid, reason)
        return
    held.update(failures=failures, next_attempt_at=now + backoff(failures), last_error=error)
    log.warning("webhooks: delivery of event %s to %s failed (%s), try %d", event.id, subscription.uuid, error,
                failures)  # fmt: skip


def _attempt(
    subscription: WebhookSubscription, event_id: int | None, event_type: str, at: datetime, outcome: Outcome
) -> WebhookDelivery:
    return WebhookDelivery(subscription_id=subscription.pk, event_id=event_id, event_type=event_type, attempted_at=at,
                           status_code=outcome.status_code, ok=outcome.ok, error=outcome.error,
                           duration_ms=outcome.duration_ms)  # fmt: skip


def _log_attempts(attempts: list[WebhookDelivery], subscription_id: int) -> None:
    """Write the attempts, then drop the subscription's older ones beyond ATTEMPTS_KEPT."""
    if not attempts:
        return
    try:
        with transaction.atomic():
            WebhookDelivery.objects.bulk_create(attempts[-ATTEMPTS_KEPT:])
    except IntegrityError:
        return  # the subscription was deleted meanwhile: its log went with it
    # One DELETE: the attempts up to the first one past the newest ATTEMPTS_KEPT (none if fewer).
    newest = WebhookDelivery.objects.filter(subscription_id=subscription_id).order_by("-id").values("id")
    WebhookDelivery.objects.filter(
        subscription_id=subscription_id, id__lte=Subquery(newest[ATTEMPTS_KEPT : ATTEMPTS_KEPT + 1])
    ).delete()
