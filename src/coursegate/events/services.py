"""Event store writes, one append-only design for every kind of event.

Events arrive typed (``NewEvent``, ``NewAgreementEvent``, ``NewAccountEvent``,
``NewGenericEvent``: the API family parses the contract's bodies into them) and come back stored
(``StoredEvent``, ...): the same values with their id and creation time, a tuple in the order of
the table's columns (events/models.py), so a page row and a stored event are answered alike. The
rules a stored row must satisfy are the table's constraints; a batch holds at most ``MAX_BATCH``
events.

Ids in commit order (what a ``fromEventId`` / ``getSinceEvent`` cursor needs). With two writers,
a sequence alone is not enough: writer A draws id 10, writer B draws id 11 and commits first, a
reader pages past 11 and sets its cursor to 12, then A commits 10 — skipped for ever. So an
append takes a transaction-scoped advisory lock, one per store, *before* it draws any id, and
holds it until its transaction ends: every id is committed before the next one is drawn, and
what a reader sees is always a prefix of the ids (gaps are rolled-back appends, never later
arrivals). SQLite serialises writers by itself (the INSERT takes the database's write lock, held
until commit). A caller that appends inside a longer transaction (issue 14's change feed) holds
the store's lock from the append to its commit: it should append as its last write.

Rows go in as multi-row INSERTs of up to 2000 events, or, for large apprenticeship batches on
PostgreSQL, by a binary COPY with ids drawn from the sequence first, without model instances.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, NamedTuple

from django.db import connection, models, transaction
from django.utils import timezone

from coursegate.events.exceptions import EventBatchTooLargeError
from coursegate.events.models import COLUMNS, AccountEvent, AgreementEvent, ApprenticeshipEvent
from coursegate.feed.models import GenericEvent
from coursegate.feed.services import LOCK_KEY as FEED_LOCK_KEY

APPEND_LOCK_KEY = 0x436F7572_73657674  # "Coursevt": the apprenticeship store's advisory lock
INSERT_BATCH = 2000
MAX_BATCH = 10_000
COPY_THRESHOLD = 200


class NewEvent(NamedTuple):
    """One apprenticeship event to store: clean values (text trimmed, date-times in UTC, cost with
    two decimals; enums by name).

    A named tuple (immutable, and built in a fraction of a frozen dataclass's time: a bulk
    request parses up to 10,000 of them), in the order of the table's columns after ``id`` and
    ``created_on``: the seed's twelve, then the .NET client's optional fields."""

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
    paused_on_date: datetime | None = None
    stopped_on_date: datetime | None = None
    payment_order: int | None = None
    legal_entity_id: str | None = None
    legal_entity_name: str | None = None
    legal_entity_organisation_type: str | None = None
    account_legal_entity_public_hashed_id: str | None = None
    effective_from: datetime | None = None
    effective_to: datetime | None = None
    date_of_birth: datetime | None = None
    price_history: list[dict[str, Any]] | None = None
    transfer_sender_id: int | None = None
    transfer_sender_name: str | None = None
    transfer_approval_status: str | None = None
    transfer_approval_actioned_on: datetime | None = None


# The values a NewEvent holds when none of the optional fields is given.
OPTIONAL_DEFAULTS = tuple(NewEvent._field_defaults.values())


class StoredEvent(NamedTuple):
    """A stored apprenticeship event: ``id`` and ``created_on``, then the NewEvent's values
    (models.COLUMNS)."""

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
    paused_on_date: datetime | None = None
    stopped_on_date: datetime | None = None
    payment_order: int | None = None
    legal_entity_id: str | None = None
    legal_entity_name: str | None = None
    legal_entity_organisation_type: str | None = None
    account_legal_entity_public_hashed_id: str | None = None
    effective_from: datetime | None = None
    effective_to: datetime | None = None
    date_of_birth: datetime | None = None
    price_history: list[dict[str, Any]] | None = None
    transfer_sender_id: int | None = None
    transfer_sender_name: str | None = None
    transfer_approval_status: str | None = None
    transfer_approval_actioned_on: datetime | None = None

    @property
    def pk(self) -> int:
        return self.id


class NewAgreementEvent(NamedTuple):
    event: str
    provider_id: str
    contract_type: str


class StoredAgreementEvent(NamedTuple):
    id: int
    created_on: datetime
    event: str
    provider_id: str
    contract_type: str


class NewAccountEvent(NamedTuple):
    event: str
    resource_uri: str


class StoredAccountEvent(NamedTuple):
    id: int
    created_on: datetime
    event: str
    resource_uri: str


class NewGenericEvent(NamedTuple):
    type: str
    payload: str
    resource_type: str | None = None
    resource_id: str | None = None


class StoredGenericEvent(NamedTuple):
    id: int
    created_on: datetime
    type: str
    payload: str
    resource_type: str | None
    resource_id: str | None


@dataclass(frozen=True)
class _Store:
    """One append-only table: its model, the tuple its stored events are, its advisory lock."""

    model: type[models.Model]
    stored: Callable[..., Any]
    lock_key: int


APPRENTICESHIPS = _Store(ApprenticeshipEvent, StoredEvent, APPEND_LOCK_KEY)
AGREEMENTS = _Store(AgreementEvent, StoredAgreementEvent, APPEND_LOCK_KEY + 1)
ACCOUNTS = _Store(AccountEvent, StoredAccountEvent, APPEND_LOCK_KEY + 2)
# The generic store is the change feed's (coursegate.feed): one lock for its every writer.
GENERIC = _Store(GenericEvent, StoredGenericEvent, FEED_LOCK_KEY)


def events_store(*, events: Collection[NewEvent]) -> list[StoredEvent]:
    """Store apprenticeship ``events`` in one transaction, all or none, with ids increasing in
    input order and one shared creation time.

    ``events`` is read once, in order, inside the transaction: a collection that parses its
    events as they are read may raise instead of giving one, and then nothing is stored.

    Raises EventBatchTooLargeError for more than MAX_BATCH events (nothing is stored).
    """
    if len(events) > MAX_BATCH:
        raise EventBatchTooLargeError(MAX_BATCH)
    return _append(APPRENTICESHIPS, events)


def event_store(*, event: NewEvent) -> StoredEvent:
    """Store one apprenticeship event."""
    [stored] = _append(APPRENTICESHIPS, [event])
    return stored


def agreement_event_store(*, event: NewAgreementEvent) -> StoredAgreementEvent:
    """Store one agreement (engagement) event."""
    [stored] = _append(AGREEMENTS, [event])
    return stored


def account_event_store(*, event: NewAccountEvent) -> StoredAccountEvent:
    """Store one account event."""
    [stored] = _append(ACCOUNTS, [event])
    return stored


def generic_events_store(*, events: Collection[NewGenericEvent]) -> list[StoredGenericEvent]:
    """Append generic events, all or none, ids increasing in input order and committed in id
    order (the feed's cursor never skips one: see the module docstring). Inside a caller's
    transaction the store's lock is held until that transaction ends.

    Raises EventBatchTooLargeError for more than MAX_BATCH events (nothing is stored)."""
    if len(events) > MAX_BATCH:
        raise EventBatchTooLargeError(MAX_BATCH)
    return _append(GENERIC, events)


def generic_event_store(*, event: NewGenericEvent) -> StoredGenericEvent:
    """Append one generic event."""
    [stored] = _append(GENERIC, [event])
    return stored


@transaction.atomic
def _append(store: _Store, inputs: Collection[Any]) -> list[Any]:
    if not len(inputs):
        return []
    postgresql = connection.vendor == "postgresql"
    if postgresql:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [store.lock_key])
    now = timezone.now()
    if store is APPRENTICESHIPS and postgresql and len(inputs) >= COPY_THRESHOLD:
        return _copy(now, inputs)
    inputs = list(inputs)
    model, stored = store.model, store.stored
    rows = [model(created_on=now, **event._asdict()) for event in inputs]
    ids = [row.pk for row in model._default_manager.bulk_create(rows, batch_size=INSERT_BATCH)]
    return [stored(new_id, now, *event) for new_id, event in zip(ids, inputs, strict=True)]


# The PostgreSQL types of COLUMNS, which a binary COPY must name (varchar columns take text).
COPY_TYPES = (
    "int8", "timestamptz", "text", "int8", "text", "text", "text", "text", "text", "int2", "text", "timestamptz",
    "timestamptz", "numeric",
    "timestamptz", "timestamptz", "int4", "text", "text", "text", "text", "timestamptz", "timestamptz",
    "timestamptz", "jsonb", "int8", "text", "text", "timestamptz",
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
