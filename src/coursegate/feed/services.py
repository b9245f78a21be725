"""Appending to the change feed (issue 14 §2): the domain's changes as generic events, written in
the change's own transaction.

The store is the generic event table (models.GenericEvent). Its ids are the feed's cursor
(``getSinceEvent``) and must commit in id order, so every append first takes the store's
transaction-scoped advisory lock on PostgreSQL (the same key coursegate.events uses for the
generic store) and holds it until the caller's transaction ends; SQLite serialises writers by
itself. Because the lock is held from the append to the commit, a writer appends as its LAST
write, once per transaction, with all its changes.

Two ways in, both a no-op when ``COURSEGATE_FEED_ENABLED`` is off:
- ``append(changes)``: ``Change`` values built in Python, in one statement whatever their number:
  on SQLite an ``INSERT ... SELECT`` from the rows sent as one JSON array parameter (as
  enrollments/sql.py does); on PostgreSQL the same with the advisory lock taken inside the
  statement for a few rows, and from COPY_THRESHOLD rows the lock then one binary COPY.
- ``append_select(select_sql, params)``: ``INSERT INTO <store> (created_on, type, payload,
  resource_type, resource_id) <select_sql>`` for set-based writers (one statement for a whole
  batch; sql.json_payload builds the payload expression on either backend).

Payloads are JSON objects; their keys per resource type are ENROLLMENT_KEYS, LICENSE_KEYS and
ASSIGNMENT_KEYS (docs/change-feed.md).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import orjson
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from coursegate.feed.models import GenericEvent

# "Coursevt" + 3: the generic store's advisory lock (coursegate.events numbers its stores from
# the apprenticeship store's key; the generic one is the fourth).
LOCK_KEY = 0x436F7572_73657674 + 3
TABLE = GenericEvent._meta.db_table
INSERT_COLUMNS = ("created_on", "type", "payload", "resource_type", "resource_id")
INSERT_BATCH = 500
COPY_THRESHOLD = 100  # rows from which PostgreSQL takes a COPY

ENROLLMENT_CREATED = "coursegate.enrollment.created"
ENROLLMENT_CHANGED = "coursegate.enrollment.changed"
ENROLLMENT_DEACTIVATED = "coursegate.enrollment.deactivated"
LICENSE_ASSIGNED = "coursegate.license.assigned"
LICENSE_ACTIVATED = "coursegate.license.activated"
LICENSE_REVOKED = "coursegate.license.revoked"
ASSIGNMENT_ALLOCATED = "coursegate.assignment.allocated"
ASSIGNMENT_ACCEPTED = "coursegate.assignment.accepted"
ASSIGNMENT_CANCELLED = "coursegate.assignment.cancelled"
ASSIGNMENT_EXPIRED = "coursegate.assignment.expired"
TYPES = (
    ENROLLMENT_CREATED, ENROLLMENT_CHANGED, ENROLLMENT_DEACTIVATED,
    LICENSE_ASSIGNED, LICENSE_ACTIVATED, LICENSE_REVOKED,
    ASSIGNMENT_ALLOCATED, ASSIGNMENT_ACCEPTED, ASSIGNMENT_CANCELLED, ASSIGNMENT_EXPIRED,
)  # fmt: skip

ENROLLMENT = "enrollment"
LICENSE = "license"
ASSIGNMENT = "assignment"

# Payload keys, in order. ``time`` is the change's time (ISO 8601, UTC); ``user`` a username or
# null; ``state`` the license's or assignment's status after the change.
ENROLLMENT_KEYS = ("user", "user_id", "course_id", "mode", "is_active", "source", "time")
LICENSE_KEYS = ("uuid", "plan_uuid", "email", "user", "user_id", "state", "time")
ASSIGNMENT_KEYS = ("uuid", "policy_uuid", "email", "user", "user_id", "state", "time")


@dataclass(frozen=True)
class Change:
    """One change to append: its event ``type``, the resource it is about and a JSON-serialisable
    ``payload`` (UUIDs, date-times and decimals are written as strings). ``created_on`` defaults to
    the append's time."""

    type: str
    resource_type: str
    resource_id: str | int | UUID
    payload: Mapping[str, Any]
    created_on: datetime | None = None


def enabled() -> bool:
    return bool(getattr(settings, "COURSEGATE_FEED_ENABLED", True))


def append(changes: Sequence[Change]) -> int:
    """Append ``changes`` in the caller's transaction (one is opened if there is none), ids in input
    order; returns the number appended (0 when the feed is off or there is nothing to append)."""
    if not changes or not enabled():
        return 0
    now = timezone.now()
    rows = [
        (c.created_on or now, c.type, payload_json(c.payload), c.resource_type, str(c.resource_id)) for c in changes
    ]
    columns = ", ".join(INSERT_COLUMNS)
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        if connection.vendor == "postgresql" and len(rows) >= COPY_THRESHOLD:
            # Many rows: the lock, then a binary COPY (psycopg's C dumpers; a third of the time of
            # an INSERT ... SELECT from JSON at 10,000 rows).
            _lock(cursor)
            with cursor.cursor.copy(f"COPY {TABLE} ({columns}) FROM STDIN (FORMAT BINARY)") as copy:
                copy.set_types(["timestamptz", "text", "text", "text", "text"])
                for row in rows:
                    copy.write_row(row)
        elif connection.vendor == "postgresql":
            # A few rows: one statement, the lock included. No row reaches the INSERT (which draws
            # its id) before the join has read the one-row lock relation, so every id is drawn
            # under the lock.
            data = _rows_json([(c.isoformat(), *rest) for c, *rest in rows])
            values = ", ".join(f"(j.value ->> {i}){cast}" for i, cast in enumerate(("::timestamptz", "", "", "", "")))
            cursor.execute(
                f"INSERT INTO {TABLE} ({columns}) SELECT {values} FROM (SELECT pg_advisory_xact_lock(%s)) AS feed_lock "
                f"CROSS JOIN json_array_elements(%s::json) WITH ORDINALITY AS j(value, key) ORDER BY j.key",
                [LOCK_KEY, data],
            )
        elif connection.vendor == "sqlite":
            # One statement (SQLite serialises writers itself): the rows as one JSON array parameter.
            adapt = connection.ops.adapt_datetimefield_value
            data = _rows_json([(adapt(c), *rest) for c, *rest in rows])
            values = ", ".join(f"json_extract(j.value, '$[{i}]')" for i in range(len(INSERT_COLUMNS)))
            cursor.execute(
                f"INSERT INTO {TABLE} ({columns}) SELECT {values} FROM json_each(%s) AS j ORDER BY j.key", [data]
            )
        else:
            for start in range(0, len(rows), INSERT_BATCH):
                batch = rows[start : start + INSERT_BATCH]
                placeholders = ", ".join(["(%s, %s, %s, %s, %s)"] * len(batch))
                cursor.execute(
                    f"INSERT INTO {TABLE} ({columns}) VALUES {placeholders}", [v for row in batch for v in row]
                )
    return len(rows)


def append_select(select_sql: str, params: Sequence[Any] | Mapping[str, Any] | None = None) -> int:
    """``INSERT INTO <store> (created_on, type, payload, resource_type, resource_id) <select_sql>``
    in the caller's transaction, under the store's lock; returns the number of rows appended.

    ``select_sql`` yields those five columns in that order (an ORDER BY gives the ids' order).
    Portable SQL: ``CAST(%s AS text)`` for text parameters inside sql.json_payload (PostgreSQL
    cannot type a bare parameter there), sql.db_time(value) for a date-time parameter."""
    if not enabled():
        return 0
    columns = ", ".join(INSERT_COLUMNS)
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        if connection.vendor == "postgresql" and not isinstance(params, Mapping):
            # One statement, the lock included: the rows reach the INSERT (which draws their ids)
            # through a join with the one-row lock relation, so only once the lock is held; a
            # cross join with one row keeps the select's order.
            cursor.execute(
                f"INSERT INTO {TABLE} ({columns}) SELECT feed_rows.* FROM (SELECT pg_advisory_xact_lock(%s)) AS "
                f"feed_lock CROSS JOIN ({select_sql}) AS feed_rows",
                [LOCK_KEY, *(params or [])],
            )
        else:
            _lock(cursor)
            cursor.execute(f"INSERT INTO {TABLE} ({columns}) {select_sql}", params)
        return max(cursor.rowcount, 0)


def _rows_json(rows: list[tuple[Any, ...]]) -> str:
    return orjson.dumps(rows, default=_json_value).decode()


def payload_json(payload: Mapping[str, Any]) -> str:
    """A payload as the compact JSON object string the store keeps (orjson: a tenth of the json
    module's time, which shows at 10,000 events a batch; date-times as ISO 8601, UUIDs as text)."""
    return orjson.dumps(payload, default=_json_value).decode()


def iso(value: datetime) -> str:
    """A change's ``time`` as payloads write it: ISO 8601 in UTC."""
    return value.astimezone(UTC).isoformat()


def _json_value(value: Any) -> str:
    if isinstance(value, datetime):  # orjson writes these itself; kept for the other encoders
        return iso(value) if timezone.is_aware(value) else value.isoformat()
    if isinstance(value, date | UUID | Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _lock(cursor: Any) -> None:
    if connection.vendor == "postgresql":
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
