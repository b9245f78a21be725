"""The import loop shared by every kind: rows in batches, each batch in its own transaction, per-row
outcomes counted and bad rows reported with their line numbers.

Atomicity: per batch. A row that fails validation or a domain rule is reported and skipped; the
good rows of its batch are still imported. A batch that hits a database error is rolled back whole
and each of its rows is reported failed. ``dry_run`` runs everything inside one outer transaction
that is rolled back at the end: every rule is checked, later batches see earlier ones, nothing is
kept (no e-mail either: outbox rows are part of the transaction).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass, field
from itertools import islice

from django.db import DatabaseError, connection, transaction

from coursegate.provisioning.files import Row

log = logging.getLogger(__name__)

CREATED, UPDATED, UNCHANGED, FAILED = "created", "updated", "unchanged", "failed"
OUTCOMES = (CREATED, UPDATED, UNCHANGED, FAILED)


class RowError(Exception):
    """A row's value is unusable (raised by the value parsers, caught per row)."""


@dataclass(frozen=True, slots=True)
class RowResult:
    line: int
    outcome: str
    message: str = ""


@dataclass(frozen=True)
class Options:
    dry_run: bool = False
    notify: bool = False
    force: bool = False
    add_licenses: bool = False


@dataclass(frozen=True)
class Kind:
    """One kind of object: its columns, how a batch of rows is applied, and how rows are exported."""

    name: str
    required: tuple[str, ...]
    optional: tuple[str, ...]
    apply: Callable[[list[Row], Options], list[RowResult]]
    export: Callable[[], Iterator[dict]]
    # The whole file at once on PostgreSQL (rows, options=, on_result=, on_batch=) -> Summary, when
    # the kind has a set-based form there (licenses: staged with COPY); otherwise ``apply`` per batch.
    staged: Callable[..., Summary] | None = None

    @property
    def columns(self) -> tuple[str, ...]:
        return self.required + self.optional


@dataclass
class Summary:
    counts: Counter[str] = field(default_factory=Counter)

    @property
    def rows(self) -> int:
        return sum(self.counts.values())

    @property
    def failed(self) -> int:
        return self.counts[FAILED]

    def line(self) -> str:
        return ", ".join(f"{self.counts[o]} {o}" for o in OUTCOMES)


def batches(rows: Iterable[Row], size: int) -> Iterator[list[Row]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


def per_row(rows: list[Row], apply_one: Callable[[Row, Options], RowResult], options: Options) -> list[RowResult]:
    """Apply a per-row function, each row in a savepoint: a RowError or a database error (a
    constraint) fails that row only."""
    results = []
    for row in rows:
        try:
            with transaction.atomic():
                results.append(apply_one(row, options))
        except RowError as exc:
            results.append(RowResult(row.line, FAILED, str(exc)))
        except DatabaseError as exc:  # a constraint the row breaks (its savepoint is rolled back)
            results.append(RowResult(row.line, FAILED, f"refused by the database: {str(exc).strip()}"))
    return results


def import_rows(
    kind: Kind,
    rows: Iterable[Row],
    *,
    options: Options,
    batch_size: int,
    on_result: Callable[[RowResult], None],
    on_batch: Callable[..., None] = lambda rows, stage=None: None,
) -> Summary:
    """Import ``rows``; ``on_result`` gets each failed row (in line order), ``on_batch`` the number
    of rows done so far (and a ``stage`` keyword naming the step, for the staged kinds)."""
    if kind.staged is not None and connection.vendor == "postgresql":
        return kind.staged(rows, options=options, on_result=on_result, on_batch=on_batch)
    summary = Summary()
    # Not a dry run: no outer transaction, so each batch commits on its own.
    with transaction.atomic() if options.dry_run else nullcontext():
        for batch in batches(rows, batch_size):
            results = [RowResult(r.line, FAILED, r.error) for r in batch if r.error]
            good = [r for r in batch if not r.error]
            if good:
                results += _apply_batch(kind, good, options)
            for result in sorted(results, key=lambda r: r.line):
                summary.counts[result.outcome] += 1
                if result.outcome == FAILED:
                    on_result(result)
            on_batch(summary.rows)
        if options.dry_run:
            transaction.set_rollback(True)
    return summary


def _apply_batch(kind: Kind, rows: list[Row], options: Options) -> list[RowResult]:
    try:
        with transaction.atomic():
            results = kind.apply(rows, options)
    except DatabaseError as exc:
        log.exception("import of %s: a batch of %d rows failed", kind.name, len(rows))
        return [RowResult(r.line, FAILED, f"database error, batch rolled back: {exc}".strip()) for r in rows]
    if len(results) != len(rows):  # every kind answers one result per row
        raise AssertionError(f"{kind.name}: {len(results)} results for {len(rows)} rows")
    return results
