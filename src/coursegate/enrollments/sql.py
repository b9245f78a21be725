"""Set-based SQL of the bulk enrollment paths (issue 10): writes of enrollment rows and their
history in one statement per call whatever the number of rows, and sets of values for ``__in``
filters in one parameter.

Why not ``bulk_update``: it sends ``SET col = CASE WHEN id = 1 THEN ... WHEN id = 2 THEN ... END``
with one branch per row, which the database evaluates branch by branch for every row it updates
(O(rows x branches): 10,000 deactivations took 78 s), and it builds those expressions in Python.
Instead the rows travel as one JSON array parameter that the statement reads as a table:
``INSERT ... SELECT ... FROM json_array_elements(%s)`` and ``UPDATE ... FROM json_array_elements(%s)``
on PostgreSQL, ``INSERT ... SELECT ... FROM json_each(%s)`` on SQLite (3.35+, for ``RETURNING``;
Python's sqlite3 ships 3.40 here). One parameter means no per-statement parameter cap to batch
around, and it is the cheapest form to send: encoding 10,000 rows as JSON costs a fifth of the CPU
of psycopg's typed arrays for ``unnest``, and PostgreSQL, which estimates such a set small, joins
it to the table through the primary key (an array's exact count made it hash the whole table).

An UPDATE on SQLite is one prepared statement run once per row (``executemany``, one call): SQLite
plans ``UPDATE ... FROM json_each`` from its ANALYZE statistics, which it never scales to the
table's real size, so statistics taken while the table was small make it scan the table once per
row (4,000 deactivations: 15 s). Run in process, per row by primary key, the statement has no plan
to get wrong, for about the cost of the join.

Any other database goes through the ORM (``bulk_create``; one ``UPDATE ... WHERE id IN`` per
distinct (mode, active) pair).

Values shared by every row of a batch (the time, the actor, the source) are single parameters.

Reads filter on sets of thousands of usernames or addresses the same way (``json_set``): Django
binds ``IN (%s, %s, ...)`` one value at a time, some 5 µs a value in the ORM and psycopg together.
Not for a filter on two sets that one composite index answers (enrollments by user and run):
there PostgreSQL plans the literal lists as index array scans, better than a join with a subquery.
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime

from django.db import connection
from django.db.models.expressions import RawSQL

from coursegate.enrollments.models import Enrollment, EnrollmentAllowed, EnrollmentHistory

Pair = tuple[int, int]  # (user id, course run id)
NewRow = tuple[int, int, str, bool]  # (user id, course run id, mode, is_active)
ChangeRow = tuple[int, str, bool]  # (enrollment id, mode, is_active)


def set_based() -> bool:
    """Whether the connection takes the one-statement forms (else the ORM fallback)."""
    if connection.vendor == "postgresql":
        return True
    # RETURNING came with SQLite 3.35, UPDATE ... FROM with 3.33.
    return connection.vendor == "sqlite" and sqlite3.sqlite_version_info >= (3, 35)


def json_set(values: Iterable[int] | Iterable[str], sql_type: str = "text") -> RawSQL | list:
    """``values`` for a ``field__in=`` filter, as one JSON array parameter read by a subquery
    (``sql_type``: the PostgreSQL type to compare as, ``bigint`` for ids). An empty set stays an
    empty list, which Django answers without a query."""
    items = list(values)
    if not items:
        return []
    data = json.dumps(items, separators=(",", ":"))
    if connection.vendor == "postgresql":
        return RawSQL(f"SELECT value::{sql_type} FROM json_array_elements_text(%s::json)", [data])
    return RawSQL("SELECT value FROM json_each(%s)", [data])


def _names(model, *fields: str) -> tuple[str, list[str]]:
    quote = connection.ops.quote_name
    return quote(model._meta.db_table), [quote(model._meta.get_field(name).column) for name in fields]


def _rows() -> str:
    """The JSON array parameter as a table ``j``: one row per element (``j.value``), numbered in
    array order (``j.key``)."""
    if connection.vendor == "postgresql":
        return "json_array_elements(%s::json) WITH ORDINALITY AS j(value, key)"
    return "json_each(%s) AS j"


def _item(index: int, sql_type: str) -> str:
    """Element ``index`` of the row ``j.value``, as ``sql_type`` (PostgreSQL's ``->>`` gives text)."""
    if connection.vendor == "postgresql":
        return f"(j.value ->> {index})::{sql_type}"
    return f"json_extract(j.value, '$[{index}]')"  # SQLite: JSON true/false come out as 1/0


def _when(now: datetime):
    """``now`` as a raw statement takes it (SQLite stores text)."""
    return now if connection.vendor == "postgresql" else connection.ops.adapt_datetimefield_value(now)


def _json(rows: Sequence[tuple]) -> str:
    return json.dumps(rows, separators=(",", ":"))


def enrollments_insert(rows: Sequence[NewRow], *, now: datetime) -> dict[Pair, int]:
    """Insert new enrollments (created = modified = ``now``); returns their ids by (user, run)."""
    if not rows:
        return {}
    if not set_based():
        saved = Enrollment.objects.bulk_create(
            Enrollment(user_id=u, course_run_id=r, mode=m, is_active=a, created=now, modified=now)
            for u, r, m, a in rows
        )
        return {(e.user_id, e.course_run_id): e.pk for e in saved}
    table, (pk, user, run, mode, active, created, modified) = _names(
        Enrollment, "id", "user", "course_run", "mode", "is_active", "created", "modified"
    )
    values = ", ".join(_item(i, t) for i, t in enumerate(("bigint", "bigint", "varchar", "boolean")))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({user}, {run}, {mode}, {active}, {created}, {modified}) "
            f"SELECT {values}, %s, %s FROM {_rows()} RETURNING {pk}, {user}, {run}",
            [_when(now), _when(now), _json(rows)],
        )
        # Mapped by (user, run), unique per enrollment: no reliance on the order RETURNING uses.
        return {(u, r): i for i, u, r in cursor.fetchall()}


def enrollments_update(rows: Sequence[ChangeRow], *, now: datetime) -> None:
    """Set mode and is_active of existing enrollments, and ``modified`` to ``now``: one statement."""
    if not rows:
        return
    if not set_based():
        by_value: defaultdict[tuple[str, bool], list[int]] = defaultdict(list)
        for enrollment_id, new_mode, is_active in rows:
            by_value[(new_mode, is_active)].append(enrollment_id)
        for (new_mode, is_active), ids in by_value.items():
            Enrollment.objects.filter(pk__in=ids).update(mode=new_mode, is_active=is_active, modified=now)
        return
    table, (pk, mode, active, modified) = _names(Enrollment, "id", "mode", "is_active", "modified")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"UPDATE {table} SET {mode} = {_item(1, 'varchar')}, {active} = {_item(2, 'boolean')}, {modified} = %s "
                f"FROM {_rows()} WHERE {table}.{pk} = {_item(0, 'bigint')}",
                [_when(now), _json(rows)],
            )
            return
        # SQLite: one prepared statement run per row, in process; see the module's docstring.
        when = _when(now)
        cursor.executemany(
            f"UPDATE {table} SET {mode} = %s, {active} = %s, {modified} = %s WHERE {pk} = %s",
            [(m, a, when, i) for i, m, a in rows],
        )


def history_insert(rows: Sequence[ChangeRow], *, now: datetime, actor_id: int | None, source: str) -> None:
    """One history row per change, in the order given (ids ascend with it): one statement."""
    if not rows:
        return
    if not set_based():
        EnrollmentHistory.objects.bulk_create(
            EnrollmentHistory(enrollment_id=e, mode=m, is_active=a, changed_at=now, actor_id=actor_id, source=source)
            for e, m, a in rows
        )
        return
    table, (enrollment, mode, active, changed_at, actor, source_column) = _names(
        EnrollmentHistory, "enrollment", "mode", "is_active", "changed_at", "actor", "source"
    )
    values = ", ".join(_item(i, t) for i, t in enumerate(("bigint", "varchar", "boolean")))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({enrollment}, {mode}, {active}, {changed_at}, {actor}, {source_column}) "
            f"SELECT {values}, %s, %s, %s FROM {_rows()} ORDER BY j.key",
            [_when(now), actor_id, source, _json(rows)],
        )


def invitations_insert(rows: Sequence[tuple[str, int, bool]], *, now: datetime) -> None:
    """New invitations (lower-cased e-mail, run id, auto_enroll), created ``now``: one statement.
    An invitation already there for the same e-mail and run (a concurrent writer's) is kept."""
    if not rows:
        return
    if not set_based():
        EnrollmentAllowed.objects.bulk_create(
            [EnrollmentAllowed(email=e, course_run_id=r, auto_enroll=a, created=now) for e, r, a in rows],
            ignore_conflicts=True,
        )
        return
    table, (email, run, auto_enroll, created) = _names(
        EnrollmentAllowed, "email", "course_run", "auto_enroll", "created"
    )
    values = ", ".join(_item(i, t) for i, t in enumerate(("varchar", "bigint", "boolean")))
    with connection.cursor() as cursor:
        # WHERE true: SQLite's parser needs it between INSERT ... SELECT and ON CONFLICT.
        cursor.execute(
            f"INSERT INTO {table} ({email}, {run}, {auto_enroll}, {created}) "
            f"SELECT {values}, %s FROM {_rows()} WHERE true ON CONFLICT DO NOTHING",
            [_when(now), _json(rows)],
        )
