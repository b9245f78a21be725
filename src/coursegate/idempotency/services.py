"""Idempotency keys: claim a key for a request, store its answer, release it, sweep expired keys.

The rules (docs/idempotency.md):
- A claim is an INSERT committed in its own transaction before the request's handler runs; the
  unique constraint on (client, key) decides between concurrent requests (never check-then-insert).
- A key older than COURSEGATE_IDEMPOTENCY_TTL_SECONDS is ignored: the next request with it runs
  and takes the row over (the sweep deletes what nobody takes over).
- An ``in_progress`` row whose claim is older than ``lease_seconds()`` belongs to a request that
  died between its handler and its answer (a killed worker): the next request takes it over.
- Every write after the claim names the claim's ``run``, so a request that lost its row to a
  take-over changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from coursegate.idempotency.exceptions import IdempotencyKeyInUseError, IdempotencyKeyReusedError
from coursegate.idempotency.models import IdempotencyKey

MIN_LEASE_SECONDS = 60
SWEEP_BATCH = 5000
_ROUNDS = 3  # insert, then read; a row deleted or taken over meanwhile costs one more round


def lease_seconds() -> int:
    """How long an ``in_progress`` row is the running request's: 60 s, or twice the web worker's
    timeout if that is longer (gunicorn has killed a request's worker by then)."""
    return max(MIN_LEASE_SECONDS, 2 * int(getattr(settings, "SERVE_TIMEOUT", 30)))


def ttl() -> timedelta:
    # (merged into settings from integration_settings.py, which the type checker does not see)
    return timedelta(seconds=int(getattr(settings, "COURSEGATE_IDEMPOTENCY_TTL_SECONDS", 24 * 3600)))


@dataclass(frozen=True)
class Claim:
    """A request's hold on its key: the row and the run that is this request's."""

    id: int
    run: int


@dataclass(frozen=True)
class StoredAnswer:
    status: int
    content_type: str
    headers: dict
    body: bytes


def key_claim(
    *, client: str, key: str, fingerprint: str, method: str, path: str, now: datetime | None = None
) -> Claim | StoredAnswer:
    """Claim ``key`` of ``client`` for the request ``fingerprint``; or the answer stored for it.

    Raises IdempotencyKeyReusedError (the key was used with another request, and has not expired)
    and IdempotencyKeyInUseError (its request still runs, within its lease)."""
    now = now or timezone.now()
    expired_before, lease_before = now - ttl(), now - timedelta(seconds=lease_seconds())
    for _ in range(_ROUNDS):
        try:
            outermost = not connection.in_atomic_block
            with transaction.atomic():
                if outermost:
                    _claim_commits_without_waiting()
                row = IdempotencyKey.objects.create(
                    client=client, key=key, fingerprint=fingerprint, method=method, path=path[:2048], created=now,
                    started=now,
                )  # fmt: skip
            return Claim(row.pk, row.run)
        except IntegrityError:
            pass
        found = IdempotencyKey.objects.filter(client=client, key=key).first()
        if found is None:
            continue  # released or swept since the insert failed: insert again
        row = found
        if row.created <= expired_before:
            # An expired key is a new key: this request runs, with the row as its own.
            claim = _take_over(row, now, fingerprint=fingerprint, method=method, path=path[:2048], created=now)
        elif row.fingerprint != fingerprint:
            raise IdempotencyKeyReusedError(key)
        elif row.state == IdempotencyKey.State.COMPLETE:
            return StoredAnswer(row.status or 200, row.content_type, dict(row.headers), bytes(row.body))
        elif row.started > lease_before:
            raise IdempotencyKeyInUseError(key)
        else:
            claim = _take_over(row, now)  # the first request died before storing its answer
        if claim is not None:
            return claim
    raise IdempotencyKeyInUseError(key)


def _claim_commits_without_waiting() -> None:
    """On PostgreSQL the claim's commit does not wait for its WAL flush (~6 ms of an fsync on a busy
    disk). Safe: the handler's own (synchronous) commit flushes the WAL up to itself, the claim
    included, so a claim can be lost in a database crash only together with everything its
    request wrote, and then the retry rightly runs again. The stored answer's commit does wait.
    Only for a transaction of the claim's own: inside an outer one, SET LOCAL would reach the
    handler's writes too."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def _take_over(row: IdempotencyKey, now: datetime, **changes) -> Claim | None:
    """Make ``row`` this request's claim, unless another request changed it first (compare-and-set
    on ``run``)."""
    updated = IdempotencyKey.objects.filter(pk=row.pk, run=row.run).update(
        state=IdempotencyKey.State.IN_PROGRESS, run=F("run") + 1, started=now, completed=None, status=None,
        content_type="", headers={}, body=b"", **changes,
    )  # fmt: skip
    return Claim(row.pk, row.run + 1) if updated else None


def key_settle(*, claim: Claim, answer: StoredAnswer) -> bool:
    """Store ``answer`` as the key's, for replay; False when the claim was lost meanwhile."""
    return bool(
        IdempotencyKey.objects.filter(pk=claim.id, run=claim.run, state=IdempotencyKey.State.IN_PROGRESS).update(
            state=IdempotencyKey.State.COMPLETE,
            completed=timezone.now(),
            status=answer.status,
            content_type=answer.content_type,
            headers=answer.headers,
            body=answer.body,
        )  # fmt: skip
    )


def key_release(*, claim: Claim) -> bool:
    """Forget the key (its request failed in a way a retry may fix): the next request runs."""
    deleted, _ = IdempotencyKey.objects.filter(pk=claim.id, run=claim.run).delete()
    return bool(deleted)


def idempotency_keys_sweep() -> int:
    """Delete keys older than the TTL (a sweep, settings.COURSEGATE_SWEEPS); how many were deleted.

    In batches of SWEEP_BATCH rows, each its own short statement."""
    cutoff = timezone.now() - ttl()
    total = 0
    while True:
        ids = list(IdempotencyKey.objects.filter(created__lt=cutoff).values_list("pk", flat=True)[:SWEEP_BATCH])
        if not ids:
            return total
        deleted, _ = IdempotencyKey.objects.filter(pk__in=ids, created__lt=cutoff).delete()
        total += deleted
        if len(ids) < SWEEP_BATCH:
            return total
