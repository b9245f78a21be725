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
a binary COPY with ids drawn from the sequence first, without model instances.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from decimal import Decimal
from typing import NamedTuple

from django.db import connection, transaction
from django.utils import timezone

from coursegate.events.exceptions import EventBatchTooLargeError
from coursegate.events.models import COLUMNS, ApprenticeshipEvent

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


def events_store(*, events: Collection[NewEvent]) -> list[StoredEvent]:
    """Store ``events`` in one transaction, all or none, with ids increasing in input order and
    one shared creation time.

    ``events`` is read once, in order, inside the transaction: a collection that parses its
    events as they are read may raise instead of giving one, and then nothing is stored.

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
def _append(inputs: Collection[NewEvent]) -> list[StoredEvent]:
    if not len(inputs):
        return []
    postgresql = connection.vendor == "postgresql"
    if postgresql:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [APPEND_LOCK_KEY])
    now = timezone.now()
    if postgresql and len(inputs) >= COPY_THRESHOLD:
        return _copy(now, inputs)
    inputs = list(inputs)
    rows = [ApprenticeshipEvent(created_on=now, **event._asdict()) for event in inputs]
    ids = [row.id for row in ApprenticeshipEvent.objects.bulk_create(rows, batch_size=INSERT_BATCH)]
    return [StoredEvent(new_id, now, *event) for new_id, event in zip(ids, inputs, strict=True)]


# The PostgreSQL types of COLUMNS, which a binary COPY must name (varchar columns take text).
COPY_TYPES = (
    "int8", "timestamptz", "text", "int8", "text", "text", "text", "text", "text", "int2", "text", "timestamptz",
    "timestamptz", "numeric",
)  # fmt: skip


def _copy(now: datetime, inputs: Collection[NewEvent]) -> list[StoredEvent]:
    """PostgreSQL, large batches: draw the ids from the table's sequence in one query (the
    advisory lock keeps them in commit order), then COPY the rows in, without model instances.

    A StoredEvent is the table's row, so each is built once and handed to psycopg's binary COPY
    as it is: its C dumpers write the integers, texts, UTC date-times and decimals with no text
    formatting on either side (a fraction of a text COPY's cost, for the client and the server)."""
    table = ApprenticeshipEvent._meta.db_table
    stored: list[StoredEvent] = []
    keep, new = stored.append, tuple.__new__
    with connection.cursor() as cursor:
        # The sequence is looked up once (a sub-select), not once per drawn id.
        cursor.execute(
            "SELECT nextval((SELECT pg_get_serial_sequence(%s, 'id')::regclass)) FROM generate_series(1, %s)",
            [table, len(inputs)],
        )
        ids = sorted([row[0] for row in cursor.fetchall()])
        with cursor.cursor.copy(f"COPY {table} ({', '.join(COLUMNS)}) FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types(COPY_TYPES)
            write_row = copy.write_row
            for new_id, event in zip(ids, inputs, strict=True):
                row = new(StoredEvent, (new_id, now, *event))
                keep(row)
                write_row(row)
    return stored
