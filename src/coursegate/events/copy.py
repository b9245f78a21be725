"""PostgreSQL: append a batch of new events by COPY, without model instances.

The ids are drawn from the table's sequence in one statement (the caller holds the store's
advisory lock, so no other appender draws in between), then each typed event goes to psycopg's
binary COPY as it is: its C dumpers write the integers, texts, UTC date-times and decimals with no
text formatting on either side (a binary COPY of these rows costs a fraction of a text one, for
the client and the server alike).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from django.db import connection

from coursegate.events.models import COLUMNS

if TYPE_CHECKING:
    from coursegate.events.services import NewEvent

# The PostgreSQL types of COLUMNS, which a binary COPY must name (varchar columns take text).
COLUMN_TYPES = (
    "int8", "timestamptz", "text", "int8", "text", "text", "text", "text", "text", "int2", "text", "timestamptz",
    "timestamptz", "numeric",
)  # fmt: skip


def copy_rows(table: str, created_on: datetime, events: Sequence[NewEvent]) -> list[int]:
    """COPY ``events`` into ``table`` with ids drawn from its sequence (in input order), all
    stamped ``created_on``; answers the ids."""
    with connection.cursor() as cursor:
        # The sequence is looked up once (a sub-select), not once per drawn id.
        cursor.execute(
            "SELECT nextval((SELECT pg_get_serial_sequence(%s, 'id')::regclass)) FROM generate_series(1, %s)",
            [table, len(events)],
        )
        ids = sorted([row[0] for row in cursor.fetchall()])
        with cursor.cursor.copy(f"COPY {table} ({', '.join(COLUMNS)}) FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types(COLUMN_TYPES)
            write_row = copy.write_row
            for new_id, event in zip(ids, events, strict=True):
                write_row((new_id, created_on, *event))
    return ids
