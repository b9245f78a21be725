"""Event store writes.

Events arrive typed (``NewEvent``: the API family parses the contract's bodies into them) and
come back as ``StoredEvent``: the same values with their id and creation time, a tuple in the
order of ``selectors.PAGE_COLUMNS`` (a page row and a stored event are answered alike). The rules
a stored row must satisfy are the table's constraints (events/models.py); a batch holds at most
``MAX_BATCH`` events.

Appending takes a transaction-scoped advisory lock on PostgreSQL (SQLite serialises writers by
itself), so ids are committed in the order they are drawn: a reader paging with ``fromEventId``
never sees id N+1 before id N exists, and ``created_on`` never goes backwards along the ids.
Rows go in as multi-row INSERTs of up to 2000 events, or, for large batches on PostgreSQL, by
COPY with ids drawn from the sequence first (events/copy.py), without model instances.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import NamedTuple

from django.db import connection, transaction
from django.utils import timezone

from coursegate.events.copy import copy_rows
from coursegate.events.exceptions import EventBatchTooLargeError
from coursegate.events.models import ApprenticeshipEvent

APPEND_LOCK_KEY = 0x436F7572_73657674  # "Coursevt": one advisory lock for the whole store
INSERT_BATCH = 2000
MAX_BATCH = 10_000
COPY_THRESHOLD = 200


class NewEvent(NamedTuple):
    """One event to store: clean values (text trimmed, date-times in UTC, cost with two decimals).

    A named tuple (immutable, and built in a fraction of a frozen dataclass's time: a bulk
    request parses up to 10,000 of them), in the order of the table's columns after ``id`` and
    ``created_on``."""

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


class StoredEvent(NamedTuple):
    """A stored event: ``id`` and ``created_on``, then the NewEvent's values (selectors.PAGE_COLUMNS)."""

    id: int
    created_on: datetime
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

    @property
    def pk(self) -> int:
        return self.id


def events_store(*, events: Sequence[NewEvent]) -> list[StoredEvent]:
    """Store ``events`` in one transaction, all or none, with ids increasing in input order and
    one shared creation time.

    Raises EventBatchTooLargeError for more than MAX_BATCH events (nothing is stored).
    """
    if len(events) > MAX_BATCH:
        raise EventBatchTooLargeError(MAX_BATCH)
    return _append(events)


def event_store(*, event: NewEvent) -> StoredEvent:
    """Store one event."""
    [stored] = _append([event])
    return stored


@transaction.atomic
def _append(inputs: Sequence[NewEvent]) -> list[StoredEvent]:
    if not inputs:
        return []
    postgresql = connection.vendor == "postgresql"
    if postgresql:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [APPEND_LOCK_KEY])
    now = timezone.now()
    if postgresql and len(inputs) >= COPY_THRESHOLD:
        ids = copy_rows(ApprenticeshipEvent._meta.db_table, now, inputs)
    else:
        ids = _insert(now, inputs)
    return [StoredEvent(new_id, now, *event) for new_id, event in zip(ids, inputs, strict=True)]


def _insert(now: datetime, inputs: Sequence[NewEvent]) -> list[int]:
    """Small batches, and SQLite: multi-row INSERTs through the ORM (ids returned in input order)."""
    rows = [ApprenticeshipEvent(created_on=now, **event._asdict()) for event in inputs]
    return [row.id for row in ApprenticeshipEvent.objects.bulk_create(rows, batch_size=INSERT_BATCH)]
