"""Event store reads: a page by event id (inclusive) or by a half-open creation window.

Readers ask with an ``EventQuery`` (typed; the API family parses its query string into one).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg
from django.db import connection

from coursegate.events.models import COLUMNS, ApprenticeshipEvent

PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX = 1000, 10_000


@dataclass(frozen=True)
class EventQuery:
    """``from_event_id`` > 0 pages by id (the dates are then ignored); otherwise by the creation
    window ``since <= created_on < until`` (either end may be open). Pages are 1-based."""

    since: datetime | None = None
    until: datetime | None = None
    from_event_id: int = 0
    page_size: int = PAGE_SIZE_DEFAULT
    page_number: int = 1


PAGE_COLUMNS = COLUMNS


def events_page(query: EventQuery) -> list[tuple]:
    """Rows (tuples of PAGE_COLUMNS) — by id: ``id >= fromEventId`` in id order (an index range
    scan); otherwise by creation time: ``from <= created_on < to`` in (created_on, id) order, then
    the page offset. Tuples, not model instances: a page of 1000 is the hot path."""
    offset = query.page_size * (query.page_number - 1)
    if connection.vendor == "postgresql":
        return _page_postgresql(query, offset)
    qs = ApprenticeshipEvent.objects.all()
    if query.from_event_id > 0:
        qs = qs.filter(id__gte=query.from_event_id).order_by("id")
    else:
        if query.since is not None:
            qs = qs.filter(created_on__gte=query.since)
        if query.until is not None:
            qs = qs.filter(created_on__lt=query.until)
        qs = qs.order_by("created_on", "id")
    return list(qs.values_list(*PAGE_COLUMNS)[offset : offset + query.page_size])


class _BinaryCursor(psycopg.Cursor):
    """Rows in binary format. Django's cursors bind parameters client-side, which rules binary
    results out; this one binds them server-side and never prepares a statement (a connection
    pooler in transaction mode would lose prepared statements)."""

    def __init__(self, connection: psycopg.Connection):
        super().__init__(connection)
        self.format = psycopg.pq.Format.BINARY

    def execute(self, query, params=None, *, prepare=None, binary=None):
        return super().execute(query, params, prepare=False, binary=binary)


_SELECT = f"SELECT {', '.join(PAGE_COLUMNS)} FROM {ApprenticeshipEvent._meta.db_table}"


def _page_postgresql(query: EventQuery, offset: int) -> list[tuple]:
    """The same SQL as the ORM's, its rows fetched whole in PostgreSQL's binary format by
    psycopg's C loaders. Django reads timestamps as text through a Python loader of its own (it
    re-stamps every value with the connection's time zone, UTC, which psycopg's loaders give
    too); a page holds three a row, and that loader was most of a page's time. Binary rows cost
    less again to send and to load than text ones."""
    where: list[str] = []
    params: list[int | datetime] = []
    if query.from_event_id > 0:
        where.append("id >= %s")
        params.append(query.from_event_id)
        order = "id"
    else:
        if query.since is not None:
            where.append("created_on >= %s")
            params.append(query.since)
        if query.until is not None:
            where.append("created_on < %s")
            params.append(query.until)
        order = "created_on, id"
    sql = f"{_SELECT}{' WHERE ' + ' AND '.join(where) if where else ''} ORDER BY {order} LIMIT %s OFFSET %s"
    with connection.cursor():  # connected (and checked) as for any query
        raw: Any = _BinaryCursor(connection.connection)  # (django-stubs type the wrappers' argument oddly)
        wrapped = connection.make_debug_cursor(raw) if connection.queries_logged else connection.make_cursor(raw)
        with wrapped as cursor:
            cursor.execute(sql, [*params, query.page_size, offset])
            return cursor.fetchall()
