"""Analytics reads: accounts by join date, enrollments by creation date, ordered by id.

They take an ``AnalyticsQuery`` (already parsed and checked by the API that reads it) and return
lazy ``values()`` querysets: keyset paging (``limit``) is the caller's to apply. Callers stream
them with ``.iterator()``, which on PostgreSQL is a server-side cursor, so memory does not grow
with the number of rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import F, QuerySet

from coursegate.accounts.models import User
from coursegate.enrollments.models import Enrollment

ACCOUNT_FIELDS = ("username", "date_joined", "is_active", "id", "email")
ENROLLMENT_FIELDS = ("username", "course_id", "user_id", "enrollment_id", "date_enrolled")


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
