"""Enrollment reads."""

from __future__ import annotations

from django.db.models import QuerySet
from django.db.models.functions import Lower

from coursegate.enrollments.models import Enrollment


def _with_details(qs: QuerySet) -> QuerySet:
    return qs.select_related("user", "course_run", "course_run__course").prefetch_related("course_run__modes")


def enrollment_get(*, username: str, course_run_key: str) -> Enrollment | None:
    """The enrollment (active or not) of a user in a run, with everything needed to render it."""
    return _with_details(Enrollment.objects.filter(user__username=username, course_run__key=course_run_key)).first()


def enrollments_for_user(*, username: str, course_run_keys: set[str] | None = None) -> list[Enrollment]:
    """A user's active enrollments, oldest first; ``course_run_keys`` limits them to those runs."""
    qs = Enrollment.objects.filter(user__username=username, is_active=True)
    if course_run_keys is not None:
        qs = qs.filter(course_run__key__in=course_run_keys)
    return list(_with_details(qs).order_by("created", "id"))


def enrollments_filtered(
    *, course_run_key: str | None = None, usernames: list[str] | None = None, emails: list[str] | None = None
) -> QuerySet:
    """Every enrollment (active or not) matching the filters, for the staff listing."""
    qs = Enrollment.objects.select_related("user", "course_run")
    if course_run_key:
        qs = qs.filter(course_run__key=course_run_key)
    if usernames:
        qs = qs.filter(user__username__in=usernames)
    if emails:
        qs = qs.annotate(user_email_ci=Lower("user__email")).filter(user_email_ci__in={e.lower() for e in emails})
    return qs
