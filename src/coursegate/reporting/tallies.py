"""Tallies: exact counts of large tables, kept by the database as rows change (models.py).

Each ``Counted`` below names a source table, the rows it counts (``where``) and how a row is
grouped (``key``, ``sub``). ``tallies_install`` (run by migration 0002) creates, per counted
table, triggers that append ``+n``/``-n`` changes to ``reporting_tallychange`` in the same
transaction as the INSERT, UPDATE or DELETE of counted rows:

- PostgreSQL: statement-level triggers with transition tables, so an ``INSERT ... SELECT`` of a
  million rows appends one change per group (a few hundred rows), not a million;
- SQLite: row-level triggers (SQLite has no others). A DELETE is recorded only for a group that
  has a tally or a change: Django's test flush empties the reporting tables before some source
  tables, and a count cannot go below what was recorded.

``tallies_sweep`` (a sweep: settings.COURSEGATE_SWEEPS) folds changes into ``reporting_tally``.
``tallies_read`` returns tally + pending changes in one statement (one snapshot), so a figure is
exact whether or not the sweep has run. ``tallies_check`` compares every tally with a count of
its rows; ``tallies_rebuild`` recounts them (`coursegate tallies check|rebuild|sweep`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection, transaction

Expr = Callable[[str, str], str]  # (vendor, row prefix such as "NEW.") -> SQL expression
FOLD_BATCH = 100_000
# PostgreSQL advisory lock held by the one sweep that folds at a time (any constant of ours).
FOLD_LOCK = 0x7A11E5


def _column(name: str) -> Expr:
    return lambda vendor, row: f"{row}{name}"


def _text(name: str) -> Expr:
    return lambda vendor, row: f"CAST({row}{name} AS text)"


def _utc_day(name: str) -> Expr:
    """The UTC day of a datetime column as 'YYYY-MM-DD' (SQLite stores Django's datetimes as UTC text)."""
    return lambda vendor, row: (
        f"to_char({row}{name} AT TIME ZONE 'UTC', 'YYYY-MM-DD')" if vendor == "postgresql" else f"date({row}{name})"
    )


def _constant(sql: str) -> Expr:
    return lambda vendor, row: sql


@dataclass(frozen=True)
class Counted:
    kind: str
    table: str
    key: Expr
    sub: Expr
    where: Expr
    weight: Expr = field(default=lambda vendor, row: "1")  # what a row adds: 1 (a count) or a column (a sum)

    def exprs(self, vendor: str, row: str = "") -> tuple[str, str, str]:
        return self.key(vendor, row), self.sub(vendor, row), self.where(vendor, row)


# Enrollment history rows that leave the learner enrolled, per UTC day and source family.
ENROLLED = Counted("enrolled", "enrollments_enrollmenthistory", _utc_day("changed_at"), _column("source"),
                   _column("is_active"))  # fmt: skip
# Active enrollments per course run (key: the run's id).
ACTIVE_IN_RUN = Counted("run", "enrollments_enrollment", _text("course_run_id"), _constant("''"),
                        _column("is_active"))  # fmt: skip
# Licenses per plan (key: the plan's uuid as the database writes it) and status.
LICENSES = Counted("license", "subscriptions_license", _text("plan_id"), _column("status"), _constant("1=1"))
# Apprenticeship events per UTC day of their creation.
EVENTS = Counted("event", "events_apprenticeshipevent", _utc_day("created_on"), _constant("''"), _constant("1=1"))
# Learner content assignments per assignment configuration and state: how many, and their prices
# (content_quantity: minus the price in cents).
ASSIGNMENTS = Counted("assignment", "assignments_learnercontentassignment", _text("assignment_configuration_id"),
                      _column("state"), _constant("1=1"))  # fmt: skip
ASSIGNED_CENTS = Counted("assignment_cents", "assignments_learnercontentassignment",
                         _text("assignment_configuration_id"), _column("state"), _constant("1=1"),
                         _column("content_quantity"))  # fmt: skip
COUNTED = (ENROLLED, ACTIVE_IN_RUN, LICENSES, EVENTS, ASSIGNMENTS, ASSIGNED_CENTS)
BY_KIND = {counted.kind: counted for counted in COUNTED}
CHANGES = 'reporting_tallychange (kind, "key", sub, n)'


def _postgresql_triggers(counted: Counted) -> list[str]:
    key, sub, where = counted.exprs("postgresql")
    weight = counted.weight("postgresql", "")
    new = f'SELECT {key} AS "key", {sub} AS sub, {weight} AS n FROM new_rows WHERE {where}'
    old = f'SELECT {key} AS "key", {sub} AS sub, -({weight}) AS n FROM old_rows WHERE {where}'
    statements = []
    for op, rows, referencing in (
        ("insert", new, "NEW TABLE AS new_rows"),
        ("update", f"{new} UNION ALL {old}", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
        ("delete", old, "OLD TABLE AS old_rows"),
    ):
        name = f"reporting_tally_{counted.kind}_{op}"
        statements += [
            f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $fn$ BEGIN "
            f"INSERT INTO {CHANGES} SELECT '{counted.kind}', \"key\", sub, sum(n) FROM ({rows}) AS changed "
            'GROUP BY "key", sub HAVING sum(n) <> 0; RETURN NULL; END $fn$',
            f"DROP TRIGGER IF EXISTS {name} ON {counted.table}",
            f"CREATE TRIGGER {name} AFTER {op.upper()} ON {counted.table} REFERENCING {referencing} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()",
        ]
    return statements


def _sqlite_triggers(counted: Counted) -> list[str]:
    kind, table = counted.kind, counted.table
    new_key, new_sub, new_where = counted.exprs("sqlite", "NEW.")
    old_key, old_sub, old_where = counted.exprs("sqlite", "OLD.")
    new_weight, old_weight = counted.weight("sqlite", "NEW."), counted.weight("sqlite", "OLD.")
    recorded = " OR ".join(
        f"EXISTS (SELECT 1 FROM {t} WHERE kind = '{kind}' AND \"key\" = {old_key} AND sub = {old_sub})"
        for t in ("reporting_tally", "reporting_tallychange")
    )
    name = f"reporting_tally_{kind}"
    return [
        f"DROP TRIGGER IF EXISTS {name}_insert",
        f"CREATE TRIGGER {name}_insert AFTER INSERT ON {table} FOR EACH ROW WHEN {new_where} BEGIN "
        f"INSERT INTO {CHANGES} VALUES ('{kind}', {new_key}, {new_sub}, {new_weight}); END",
        f"DROP TRIGGER IF EXISTS {name}_update",
        f"CREATE TRIGGER {name}_update AFTER UPDATE ON {table} FOR EACH ROW "
        f"WHEN ({old_where}, {old_key}, {old_sub}, {old_weight}) IS NOT ({new_where}, {new_key}, {new_sub}, "
        f"{new_weight}) BEGIN "
        f"INSERT INTO {CHANGES} SELECT '{kind}', {old_key}, {old_sub}, -({old_weight}) WHERE {old_where}; "
        f"INSERT INTO {CHANGES} SELECT '{kind}', {new_key}, {new_sub}, {new_weight} WHERE {new_where}; END",
        f"DROP TRIGGER IF EXISTS {name}_delete",
        f"CREATE TRIGGER {name}_delete AFTER DELETE ON {table} FOR EACH ROW WHEN {old_where} AND ({recorded}) "
        f"BEGIN INSERT INTO {CHANGES} VALUES ('{kind}', {old_key}, {old_sub}, -({old_weight})); END",
    ]


def _live_sql(counted: Counted) -> str:
    """The groups and counts of a kind, counted from its rows."""
    key, sub, where = counted.exprs(connection.vendor)
    weight = counted.weight(connection.vendor, "")
    return (
        f'SELECT "key", sub, sum(n) FROM (SELECT {key} AS "key", {sub} AS sub, {weight} AS n FROM {counted.table} '
        f'WHERE {where}) AS counted GROUP BY "key", sub'
    )


def tallies_install(schema_connection=None) -> None:
    """Create (or replace) the triggers of every counted table, then count what is already there.

    Run inside the migration's transaction: on PostgreSQL ``CREATE TRIGGER`` locks each table
    against writes until the commit, so no row is counted twice or missed."""
    db = schema_connection or connection
    builder = _postgresql_triggers if db.vendor == "postgresql" else _sqlite_triggers
    with db.cursor() as cursor:
        for counted in COUNTED:
            for statement in builder(counted):
                cursor.execute(statement)
    _recount(COUNTED, db)


def tallies_uninstall(schema_connection=None) -> None:
    """Drop the triggers (the migration's reverse)."""
    db = schema_connection or connection
    with db.cursor() as cursor:
        for counted in COUNTED:
            for op in ("insert", "update", "delete"):
                name = f"reporting_tally_{counted.kind}_{op}"
                if db.vendor == "postgresql":
                    cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {counted.table}")
                    cursor.execute(f"DROP FUNCTION IF EXISTS {name}()")
                else:
                    cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def _recount(kinds, db) -> None:
    with db.cursor() as cursor:
        for counted in kinds:
            cursor.execute("DELETE FROM reporting_tallychange WHERE kind = %s", [counted.kind])
            cursor.execute("DELETE FROM reporting_tally WHERE kind = %s", [counted.kind])
            key, sub, where = counted.exprs(db.vendor)
            weight = counted.weight(db.vendor, "")
            cursor.execute(
                f'INSERT INTO reporting_tally (kind, "key", sub, n) SELECT %s, "key", sub, sum(n) FROM '
                f'(SELECT {key} AS "key", {sub} AS sub, {weight} AS n FROM {counted.table} WHERE {where}) AS counted '
                'GROUP BY "key", sub',
                [counted.kind],
            )


@transaction.atomic
def tallies_rebuild(*, kinds: tuple[str, ...] = ()) -> None:
    """Count the tallies of ``kinds`` (all when empty) again from their rows (a repair: the triggers
    keep them exact). On PostgreSQL each source table is locked against writes meanwhile."""
    chosen = [BY_KIND[kind] for kind in kinds] if kinds else list(COUNTED)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for counted in chosen:
                cursor.execute(f"LOCK TABLE {counted.table} IN SHARE MODE")
    _recount(chosen, connection)


def tallies_sweep() -> int:
    """Fold up to FOLD_BATCH pending changes into the tallies; returns how many were folded.

    Reads stay exact meanwhile: on PostgreSQL one statement deletes the changes it folds and adds
    them (a reader sees both or neither); on SQLite writers take turns. One sweep folds at a time
    (PostgreSQL: a transaction-scoped advisory lock; others return 0)."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [FOLD_LOCK])
            if not cursor.fetchone()[0]:
                return 0
            cursor.execute(
                "WITH folded AS (DELETE FROM reporting_tallychange WHERE id IN (SELECT id FROM reporting_tallychange "
                'ORDER BY id LIMIT %s) RETURNING kind, "key", sub, n), '
                'added AS (INSERT INTO reporting_tally (kind, "key", sub, n) SELECT kind, "key", sub, sum(n) '
                'FROM folded GROUP BY kind, "key", sub ORDER BY kind, "key", sub '
                'ON CONFLICT (kind, "key", sub) DO UPDATE SET n = reporting_tally.n + EXCLUDED.n RETURNING 1) '
                "SELECT count(*) FROM folded",
                [FOLD_BATCH],
            )
            return int(cursor.fetchone()[0])
        cursor.execute(
            "SELECT count(*), max(id) FROM (SELECT id FROM reporting_tallychange ORDER BY id LIMIT %s)", [FOLD_BATCH]
        )
        folded, last = cursor.fetchone()
        if not folded:
            return 0
        cursor.execute(
            'INSERT INTO reporting_tally (kind, "key", sub, n) SELECT kind, "key", sub, sum(n) '
            'FROM reporting_tallychange WHERE id <= %s GROUP BY kind, "key", sub '
            'ON CONFLICT (kind, "key", sub) DO UPDATE SET n = reporting_tally.n + excluded.n',
            [last],
        )
        cursor.execute("DELETE FROM reporting_tallychange WHERE id <= %s", [last])
        return int(folded)


@dataclass(frozen=True)
class TallyRead:
    counts: dict[tuple[str, str], int]  # (key, sub) -> count; groups at zero left out
    changes: int  # pending changes read with them (the sweep's lag)


def tallies_read(kind: str, *, key_from: str | None = None) -> TallyRead:
    """The exact counts of one kind, optionally only for keys >= ``key_from`` (days: 'YYYY-MM-DD')."""
    since = ' AND "key" >= %s' if key_from is not None else ""
    params = [kind, key_from] if key_from is not None else [kind]
    with connection.cursor() as cursor:
        cursor.execute(
            'SELECT "key", sub, sum(n), sum(pending) FROM ('
            f'SELECT "key", sub, n, 0 AS pending FROM reporting_tally WHERE kind = %s{since} UNION ALL '
            f'SELECT "key", sub, n, 1 AS pending FROM reporting_tallychange WHERE kind = %s{since}'
            ') AS t GROUP BY "key", sub',
            params + params,
        )
        rows = cursor.fetchall()
    counts = {(key, sub): int(n) for key, sub, n, _ in rows if n}
    return TallyRead(counts, sum(int(pending) for *_, pending in rows))


def tallies_check(*, kinds: tuple[str, ...] = ()) -> dict[str, dict[tuple[str, str], tuple[int, int]]]:
    """Every group whose tally differs from a count of its rows: {kind: {(key, sub): (tally, counted)}}.
    Empty when all agree. Counts every row: for operators and tests, not for pages."""
    differences: dict[str, dict[tuple[str, str], tuple[int, int]]] = {}
    for counted in [BY_KIND[kind] for kind in kinds] if kinds else COUNTED:
        # Two statements: rows written between them show as a difference (check a quiet database).
        kept = tallies_read(counted.kind).counts
        with connection.cursor() as cursor:
            cursor.execute(_live_sql(counted))
            live = {(key, sub): int(n) for key, sub, n in cursor.fetchall()}
        wrong = {group: (kept.get(group, 0), live.get(group, 0)) for group in kept.keys() | live.keys()}
        wrong = {group: pair for group, pair in wrong.items() if pair[0] != pair[1]}
        if wrong:
            differences[counted.kind] = wrong
    return differences
