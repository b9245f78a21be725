"""Event store writes.

Events arrive typed (``NewEvent``: the API family parses the contract's bodies into them). The
rules a stored row must satisfy are the table's constraints (events/models.py); a batch holds at
most ``MAX_BATCH`` events.

Appending takes a transaction-scoped advisory lock on PostgreSQL (SQLite serialises writers by
itself), so ids are committed in the order they are drawn: a reader paging with ``fromEventId``
never sees id N+1 before id N exists, and ``created_on`` never goes backwards along the ids.
Rows go in as multi-row INSERTs of up to 2000 events, or, for large batches on PostgreSQL, by
COPY with ids drawn from the sequence first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from coursegate.events.exceptions import EventBatchTooLargeError
from coursegate.events.models import ApprenticeshipEvent

APPEND_LOCK_KEY = 0x436F7572_73657674  # "Coursevt": one advisory lock for the whole store
INSERT_BATCH = 2000
MAX_BATCH = 10_000


@dataclass(frozen=True, slots=True)
class NewEvent:
    """One event to store: clean values (text trimmed, date-times in UTC, cost with two decimals)."""

    event: str
    apprenticeship_id: int
    payment_status: str
    agreement_status: str
    provider_id: str
    learner_id: str
    employer_account_id: str
    training_type: int
    training_id: str
    training_start_date: datetime
    training_end_date: datetime
    training_total_cost: Decimal


def events_store(*, events: Sequence[NewEvent]) -> list[ApprenticeshipEvent]:
    """Store ``events`` in one transaction, all or none, with ids increasing in input order and
    one shared creation time.

    Raises EventBatchTooLargeError for more than MAX_BATCH events (nothing is stored).
    """
    if len(events) > MAX_BATCH:
        raise EventBatchTooLargeError(MAX_BATCH)
    return _append(events)


def event_store(*, event: NewEvent) -> ApprenticeshipEvent:
    """Store one event."""
    [stored] = _append([event])
    return stored


@transaction.atomic
def _append(inputs: Sequence[NewEvent]) -> list[ApprenticeshipEvent]:
    if not inputs:
        return []
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [APPEND_LOCK_KEY])
    now = timezone.now()
    rows = [
        ApprenticeshipEvent(
            created_on=now,
            event=e.event,
            apprenticeship_id=e.apprenticeship_id,
            payment_status=e.payment_status,
            agreement_status=e.agreement_status,
            provider_id=e.provider_id,
            learner_id=e.learner_id,
            employer_account_id=e.employer_account_id,
            training_type=e.training_type,
            training_id=e.training_id,
            training_start_date=e.training_start_date,
            training_end_date=e.training_end_date,
            training_total_cost=e.training_total_cost,
        )
        for e in inputs
    ]
    if connection.vendor == "postgresql" and len(rows) >= COPY_THRESHOLD:
        _copy_with_reserved_ids(rows)
        return rows
    return ApprenticeshipEvent.objects.bulk_create(rows, batch_size=INSERT_BATCH)


COPY_THRESHOLD = 200
_COLUMNS = (
    "id", "created_on", "event", "apprenticeship_id", "payment_status", "agreement_status", "provider_id",
    "learner_id", "employer_account_id", "training_type", "training_id", "training_start_date", "training_end_date",
    "training_total_cost",
)  # fmt: skip


def _copy_with_reserved_ids(rows: list[ApprenticeshipEvent]) -> None:
    """PostgreSQL, large batches: draw the ids from the table's sequence in one query, then COPY
    the rows in. Several times faster than a multi-row INSERT for thousands of events; the
    advisory lock taken by the caller keeps the drawn ids contiguous and in commit order."""
    table = ApprenticeshipEvent._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, len(rows)]
        )
        for row, (new_id,) in zip(rows, sorted(cursor.fetchall()), strict=True):
            row.id = new_id
        with cursor.cursor.copy(f"COPY {table} ({', '.join(_COLUMNS)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([getattr(row, column) for column in _COLUMNS])
