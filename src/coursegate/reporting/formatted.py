"""Analytics rows formatted by PostgreSQL itself, in keyset chunks (issue 10, "Exports").

On PostgreSQL the export does not build a Python object per row: each chunk of rows is one query
that formats every row in SQL (a JSON object or a CSV line, byte for byte what the Python
renderer of ``coursegate.core.streaming`` writes; ``FormattedRow`` over the fields of the
selector's own ``values()`` queryset, so filters and joins are the ORM's) and joins them into one
text value, which is loaded as bytes. The next chunk starts after the last id of the one before (keyset), so the
first rows leave after one short query and memory stays flat.

The chunks are read in one transaction that the returned generator owns (REPEATABLE READ, READ
ONLY: the whole export is one snapshot, as one cursor was), with UTC as the time zone of the
formatted date-times and no parallel workers. It ends when the generator does: committed after
the last chunk, rolled back when the generator is closed early (a client that went away) or
fails. Inside a transaction already open (tests), the chunks
are read in it, and the settings are put back after the last chunk.

Formatting rules, those of the Python renderer:
- text: JSON strings escaped as ``to_json`` does (the same bytes as orjson's); CSV fields quoted
  when they hold a comma, a double quote, CR or LF, quotes doubled (Python's csv, QUOTE_MINIMAL);
- date-times: ISO 8601 in UTC with a ``Z``, microseconds (6 digits) only when not zero;
- booleans ``true``/``false``; integers in decimal; NULL is JSON ``null`` and an empty CSV field.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import suppress
from enum import Enum
from typing import Literal

from django.core.exceptions import EmptyResultSet
from django.db import DatabaseError, connections
from django.db.models import Expression, F, QuerySet, TextField
from psycopg.adapt import Loader

# The first chunk is small, so that the first rows leave at once; a chunk of 10,000 rows is
# 1-2 MB, and a query costs ~0.3 ms to plan: the rows' own cost is all that is left.
FIRST_CHUNK_ROWS = 5_000
CHUNK_ROWS = 10_000
Record = Literal["json", "csv"]


class Kind(Enum):
    TEXT = "text"
    INTEGER = "integer"
    BOOLEAN = "boolean"
    DATETIME = "datetime"


Column = tuple[str, Kind]

_ISO_MICROSECONDS = """'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'"""
# The export's settings: the time zone makes to_char write UTC; no parallel workers (measured on
# 1M enrollments: a Gather Merge of formatted rows costs the leader about what it saves).
_SETTINGS = (("TimeZone", "UTC"), ("max_parallel_workers_per_gather", "0"))


def formats_rows_in_database(using: str = "default") -> bool:
    """True when the database formats its own rows (PostgreSQL)."""
    return connections[using].vendor == "postgresql"


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _datetime_sql(column: str) -> str:
    # Six digits of microseconds, or none when they are all zero (as Python's isoformat()).
    return f"replace(to_char({column}, {_ISO_MICROSECONDS}), '.000000Z', 'Z')"


def _boolean_sql(column: str) -> str:
    return f"CASE WHEN {column} THEN 'true' WHEN NOT {column} THEN 'false' END"


def _json_value(column: str, kind: Kind) -> str:
    if kind is Kind.TEXT:
        value = f"to_json({column}::text)::text"
    elif kind is Kind.INTEGER:
        value = f"{column}::text"
    elif kind is Kind.BOOLEAN:
        value = _boolean_sql(column)
    else:
        value = "'\"' || " + _datetime_sql(column) + " || '\"'"
    return f"COALESCE({value}, 'null')"


def _csv_value(column: str, kind: Kind) -> str:
    if kind is Kind.TEXT:
        text = f"{column}::text"
        needs_quotes = " OR ".join(f"strpos({text}, {sign}) > 0" for sign in ("','", "'\"'", "E'\\r'", "E'\\n'"))
        value = f"CASE WHEN {needs_quotes} THEN '\"' || replace({text}, '\"', '\"\"') || '\"' ELSE {text} END"
    elif kind is Kind.INTEGER:
        value = f"{column}::text"
    elif kind is Kind.BOOLEAN:
        value = _boolean_sql(column)
    else:
        value = _datetime_sql(column)
    return f"COALESCE({value}, '')"


def record_sql(columns: Sequence[tuple[str, str, Kind]], record: Record) -> str:
    """One row as a JSON object (keys in ``columns`` order) or a CSV line (no line end), in SQL;
    ``columns`` are (name, SQL of the value, kind)."""
    if record == "csv":
        return " || ',' || ".join(_csv_value(sql, kind) for _, sql, kind in columns)
    parts = [
        _literal(("{" if i == 0 else ",") + '"' + name + '":') + " || " + _json_value(sql, kind)
        for i, (name, sql, kind) in enumerate(columns)
    ]
    return " || ".join(parts) + " || '}'"


class FormattedRow(Expression):
    """The row of a ``values()`` queryset, formatted (``record_sql``) from its fields ``columns``."""

    output_field = TextField()

    def __init__(self, columns: Sequence[Column], record: Record):
        super().__init__()
        self.columns, self.record = tuple(columns), record
        self.values: list = [F(name) for name, _ in self.columns]

    def get_source_expressions(self) -> list:
        return self.values

    def set_source_expressions(self, exprs) -> None:
        self.values = list(exprs)

    def as_sql(self, compiler, connection):
        compiled = [compiler.compile(value) for value in self.values]
        if any(params for _, params in compiled):
            raise ValueError("a formatted row is made of columns only")
        values = [(name, value, kind) for (name, kind), (value, _) in zip(self.columns, compiled, strict=True)]
        return record_sql(values, self.record).replace("%", "%%"), []


class _BytesLoader(Loader):
    """Text as the bytes PostgreSQL sent (UTF-8): the chunk goes to the response as it is."""

    def load(self, data) -> bytes:
        return bytes(data)


def formatted_chunks(
    queryset: QuerySet,
    *,
    columns: Sequence[Column],
    key: str,
    record: Record,
    separator: str,
    chunk_rows: int | None = None,
    first_chunk_rows: int | None = None,
) -> Iterator[bytes]:
    """The rows of ``queryset`` (a ``values()`` queryset ordered by its primary key, whose value
    is the column ``key``) formatted as ``record`` and joined by ``separator``, in chunks of up to
    ``chunk_rows`` rows (default ``CHUNK_ROWS``; the first one ``first_chunk_rows``, default
    ``FIRST_CHUNK_ROWS``, when fewer); nothing is yielded for no rows. PostgreSQL only
    (``formats_rows_in_database``)."""
    chunk_rows = chunk_rows or CHUNK_ROWS
    size = min(first_chunk_rows or FIRST_CHUNK_ROWS, chunk_rows)
    rows = queryset.values(formatted_row=FormattedRow(columns, record), row_key=F(key))
    connection = connections[queryset.db]
    with connection.cursor() as cursor:
        # Django knows nothing of this transaction (no atomic block is left open while the
        # response is streamed); the ``finally`` ends it, however the generator ends.
        own = connection.get_autocommit() and not connection.in_atomic_block
        saved: Sequence[str] = ()
        if own:
            cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        else:
            cursor.execute("SELECT " + ", ".join(f"current_setting({_literal(name)})" for name, _ in _SETTINGS))
            saved = cursor.fetchone()
        ended = False
        try:
            _configure(cursor, [value for _, value in _SETTINGS])
            cursor.cursor.adapters.register_loader("text", _BytesLoader)
            last = None
            while True:
                page = rows if last is None else rows.filter(pk__gt=last)
                try:
                    sql, params = page[:size].query.sql_with_params()
                except EmptyResultSet:  # a filter no row can pass (an id beyond the column's range)
                    break
                cursor.execute(
                    f"SELECT string_agg(t.formatted_row, %s), max(t.row_key), count(*) FROM ({sql}) t",
                    [separator, *params],
                )
                text, last, count = cursor.fetchone()
                if count:
                    yield text
                if count < size:
                    break
                size = chunk_rows
            if own:
                cursor.execute("COMMIT")
            else:
                _configure(cursor, saved)
            ended = True
        finally:
            if own and not ended:
                # A broken connection cannot roll back; Django then finds it unusable and closes it.
                with suppress(DatabaseError):
                    cursor.execute("ROLLBACK")


def _configure(cursor, values: Sequence[str]) -> None:
    assignments = ", ".join(f"set_config({_literal(name)}, %s, true)" for name, _ in _SETTINGS)
    cursor.execute(f"SELECT {assignments}", list(values))
