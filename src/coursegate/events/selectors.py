"""Event store reads: a page by event id (inclusive) or by a half-open creation window, the same
for every kind of event.

Readers ask with an ``EventQuery`` (typed; the API family parses its query string into one).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg
from django.db import connection, models

from coursegate.events.models import (
    ACCOUNT_COLUMNS,
    AGREEMENT_COLUMNS,
    COLUMNS,
    GENERIC_COLUMNS,
    AccountEvent,
    AgreementEvent,
    ApprenticeshipEvent,
    GenericEvent,
)

PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX = 1000, 10_000


@dataclass(frozen=True)
class EventQuery:
    """``from_event_id`` > 0 (or ``by_id``) pages by id, ``id >= from_event_id`` (the dates are
    then ignored); otherwise by the creation window ``since <= created_on < until`` (either end
    may be open). Pages are 1-based. ``event_type``, ``resource_type`` and ``resource_id`` filter
    generic events (equality) when given."""

    since: datetime | None = None
    until: datetime | None = None
    from_event_id: int = 0
    page_size: int = PAGE_SIZE_DEFAULT
    page_number: int = 1
    by_id: bool = False
    event_type: str | None = None
    resource_type: str | None = None
    resource_id: str | None = None


PAGE_COLUMNS = COLUMNS
_COLUMNS_OF: dict[type[models.Model], tuple[str, ...]] = {
    ApprenticeshipEvent: COLUMNS,
    AgreementEvent: AGREEMENT_COLUMNS,
    AccountEvent: ACCOUNT_COLUMNS,
    GenericEvent: GENERIC_COLUMNS,
}


def events_page(query: EventQuery) -> list[tuple]:
    """Apprenticeship events: rows (tuples of PAGE_COLUMNS) — by id: ``id >= fromEventId`` in id
    order (an index range scan); otherwise by creation time: ``from <= created_on < to`` in
    (created_on, id) order, then the page offset. Tuples, not model instances: a page of 1000 is
    the hot path."""
    return _page(ApprenticeshipEvent, query)


def agreement_events_page(query: EventQuery) -> list[tuple]:
    """Agreement events as rows of models.AGREEMENT_COLUMNS, paged as events_page."""
    return _page(AgreementEvent, query)


def account_events_page(query: EventQuery) -> list[tuple]:
    """Account events as rows of models.ACCOUNT_COLUMNS, paged as events_page."""
    return _page(AccountEvent, query)


def generic_events_page(query: EventQuery) -> list[tuple]:
    """Generic events as rows of models.GENERIC_COLUMNS, paged as events_page and filtered by the
    query's type and resource. By id, this is the feed: ids are committed in order (services.py),
    so a reader continuing from the last id it saw plus one never skips an event."""
    return _page(GenericEvent, query)


def _filters(query: EventQuery) -> list[tuple[str, str, Any]]:
    """(column, operator, value) conditions of ``query``."""
    where: list[tuple[str, str, Any]] = [
        (column, "=", value)
        for column, value in (
            ("type", query.event_type),
            ("resource_type", query.resource_type),
            ("resource_id", query.resource_id),
        )
        if value is not None
    ]
    if query.from_event_id > 0 or query.by_id:
        if query.from_event_id > 0:
            where.append(("id", ">=", query.from_event_id))
    else:
        if query.since is not None:
            where.append(("created_on", ">=", query.since))
        if query.until is not None:
            where.append(("created_on", "<", query.until))
    return where


_LOOKUPS = {"=": "exact", ">=": "gte", "<": "lt"}


def _page(model: type[models.Model], query: EventQuery) -> list[tuple]:
    offset = query.page_size * (query.page_number - 1)
    where = _filters(query)
    order = ("id",) if query.from_event_id > 0 or query.by_id else ("created_on", "id")
    columns = _COLUMNS_OF[model]
    if connection.vendor == "postgresql":
        return _page_postgresql(model, columns, where, order, query.page_size, offset)
    qs = model._default_manager.filter(**{f"{column}__{_LOOKUPS[op]}": value for column, op, value in where})
    return list(qs.order_by(*order).values_list(*columns)[offset : offset + query.page_size])


class _BinaryCursor(psycopg.Cursor):
    """Rows in binary format. Django's cursors bind parameters client-side, which rules binary
    results out; this one binds them server-side and never prepares a statement (a connection
    pooler in transaction mode would lose prepared statements)."""

    def __init__(self, connection: psycopg.Connection):
        super().__init__(connection)
        self.format = psycopg.pq.Format.BINARY

    def execute(self, query, params=None, *, prepare=None, binary=None):
        return super().execute(query, params, prepare=False, binary=binary)


def _page_postgresql(
    model: type[models.Model],
    columns: tuple[str, ...],
    where: list[tuple[str, str, Any]],
    order: tuple[str, ...],
    limit: int,
    offset: int,
) -> list[tuple]:
    """The same SQL as the ORM's, its rows fetched whole in PostgreSQL's binary format by
    psycopg's C loaders. Django reads timestamps as text through a Python loader of its own (it
    re-stamps every value with the connection's time zone, UTC, which psycopg's loaders give
    too); a page holds three a row, and that loader was most of a page's time. Binary rows cost
    less again to send and to load than text ones. (Column names and operators come from this
    module, never from the caller; values are bound parameters.)"""
    condition = " AND ".join(f"{column} {op} %s" for column, op, _ in where)
    sql = (
        f"SELECT {', '.join(columns)} FROM {model._meta.db_table}"
        f"{' WHERE ' + condition if where else ''} ORDER BY {', '.join(order)} LIMIT %s OFFSET %s"
    )
    with connection.cursor():  # connected (and checked) as for any query
        raw: Any = _BinaryCursor(connection.connection)  # (django-stubs type the wrappers' argument oddly)
        wrapped = connection.make_debug_cursor(raw) if connection.queries_logged else connection.make_cursor(raw)
        with wrapped as cursor:
            cursor.execute(sql, [*(value for _, _, value in where), limit, offset])
            return cursor.fetchall()
