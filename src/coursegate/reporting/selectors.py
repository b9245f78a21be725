"""Analytics reads: accounts by join date, enrollments by creation date, ordered by id.

They return lazy ``values()`` querysets (``limit`` is the caller's to apply); callers stream them
with ``.iterator()``, which on PostgreSQL is a server-side cursor, so memory does not grow with
the number of rows.
"""

from __future__ import annotations

from django.db.models import F, QuerySet

from coursegate.accounts.models import User
from coursegate.enrollments.models import Enrollment
from coursegate.reporting.filters import AnalyticsFilter

ACCOUNT_FIELDS = ("username", "date_joined", "is_active", "id", "email")
ENROLLMENT_FIELDS = ("username", "course_id", "user_id", "enrollment_id", "date_enrolled")


def accounts_joined_between(f: AnalyticsFilter) -> QuerySet:
    qs = User.objects.order_by("id")
    if f.since is not None:
        qs = qs.filter(date_joined__gte=f.since)
    if f.until is not None:
        qs = qs.filter(date_joined__lt=f.until)
    if f.after_id is not None:
        qs = qs.filter(id__gt=f.after_id)
    return qs.values(*ACCOUNT_FIELDS)


def enrollments_created_between(f: AnalyticsFilter) -> QuerySet:
    """Active and inactive enrollments, filtered on their creation time."""
    qs = Enrollment.objects.order_by("id")
    if f.course_run_key is not None:
        qs = qs.filter(course_run__key=f.course_run_key)
    if f.username is not None:
        qs = qs.filter(user__username=f.username)
    if f.since is not None:
        qs = qs.filter(created__gte=f.since)
    if f.until is not None:
        qs = qs.filter(created__lt=f.until)
    if f.after_id is not None:
        qs = qs.filter(id__gt=f.after_id)
    return qs.values(
        "user_id",
        username=F("user__username"),
        course_id=F("course_run__key"),
        enrollment_id=F("id"),
        date_enrolled=F("created"),
    )
