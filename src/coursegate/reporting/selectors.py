"""Analytics reads: accounts by join date, enrollments by creation date, ordered by id.

They take an ``AnalyticsQuery`` (already parsed and checked by the API that reads it) and return
lazy ``values()`` querysets: keyset paging (``limit``) is the caller's to apply; callers stream
them with ``.iterator()``, so memory does not grow with the number of rows. On PostgreSQL the
whole lists are also read already formatted, in chunks of bytes (``accounts_formatted``,
``enrollments_formatted``; reporting/formatted.py): the same rows, the same filters, no Python
object per row.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from django.db.models import F, QuerySet

from coursegate.accounts.models import User
from coursegate.enrollments.models import Enrollment
from coursegate.reporting.formatted import Column, Kind, Record, formatted_chunks

# The listed fields, in their order, with how each is written.
ACCOUNT_COLUMNS: tuple[Column, ...] = (
    ("username", Kind.TEXT),
    ("date_joined", Kind.DATETIME),
    ("is_active", Kind.BOOLEAN),
    ("id", Kind.INTEGER),
    ("email", Kind.TEXT),
)
ENROLLMENT_COLUMNS: tuple[Column, ...] = (
    ("username", Kind.TEXT),
    ("course_id", Kind.TEXT),
    ("user_id", Kind.INTEGER),
    ("enrollment_id", Kind.INTEGER),
    ("date_enrolled", Kind.DATETIME),
)
ACCOUNT_FIELDS = tuple(name for name, _ in ACCOUNT_COLUMNS)
ENROLLMENT_FIELDS = tuple(name for name, _ in ENROLLMENT_COLUMNS)


@dataclass(frozen=True)
class AnalyticsQuery:
    """What to list: rows from ``since`` (inclusive) until ``until`` (exclusive), of one course run
    and one username where given (enrollments only), with an id above ``after_id``."""

    since: datetime | None = None
    until: datetime | None = None
    course_run_key: str | None = None
    username: str | None = None
    after_id: int | None = None


def accounts_joined_between(query: AnalyticsQuery) -> QuerySet:
    """Every account, active or not, filtered on ``date_joined`` (course and username do not apply)."""
    qs = User.objects.order_by("id")
    if query.since is not None:
        qs = qs.filter(date_joined__gte=query.since)
    if query.until is not None:
        qs = qs.filter(date_joined__lt=query.until)
    if query.after_id is not None:
        qs = qs.filter(id__gt=query.after_id)
    return qs.values(*ACCOUNT_FIELDS)


def enrollments_created_between(query: AnalyticsQuery) -> QuerySet:
    """Active and inactive enrollments, filtered on their creation time."""
    qs = Enrollment.objects.order_by("id")
    if query.course_run_key is not None:
        qs = qs.filter(course_run__key=query.course_run_key)
    if query.username is not None:
        qs = qs.filter(user__username=query.username)
    if query.since is not None:
        qs = qs.filter(created__gte=query.since)
    if query.until is not None:
        qs = qs.filter(created__lt=query.until)
    if query.after_id is not None:
        qs = qs.filter(id__gt=query.after_id)
    return qs.values(
        "user_id",
        username=F("user__username"),
        course_id=F("course_run__key"),
        enrollment_id=F("id"),
        date_enrolled=F("created"),
    )


def accounts_formatted(query: AnalyticsQuery, *, record: Record, separator: str) -> Iterator[bytes]:
    """``accounts_joined_between`` formatted by PostgreSQL: chunks of JSON objects or CSV lines
    joined by ``separator`` (see reporting/formatted.py)."""
    return formatted_chunks(
        accounts_joined_between(query), columns=ACCOUNT_COLUMNS, key="id", record=record, separator=separator
    )


def enrollments_formatted(query: AnalyticsQuery, *, record: Record, separator: str) -> Iterator[bytes]:
    """``enrollments_created_between`` formatted by PostgreSQL, as ``accounts_formatted``."""
    return formatted_chunks(
        enrollments_created_between(query),
        columns=ENROLLMENT_COLUMNS,
        key="enrollment_id",
        record=record,
        separator=separator,
    )
