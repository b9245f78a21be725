"""Enrollment reads."""

from __future__ import annotations

from functools import cache

from django.contrib.auth import get_user_model
from django.db import connection, connections
from django.db.models import Q, QuerySet
from django.db.models.functions import Lower

from coursegate.core.rows import Columns, prefetched, read_cursor, related
from coursegate.courses.models import Course, CourseMode, CourseRun
from coursegate.enrollments.models import Enrollment


def _with_details(qs: QuerySet) -> QuerySet:
    return qs.select_related("user", "course_run", "course_run__course").prefetch_related("course_run__modes")


def enrollment_get(*, username: str, course_run_key: str) -> Enrollment | None:
    """The enrollment (active or not) of a user in a run, with everything needed to render it."""
    return _with_details(Enrollment.objects.filter(user__username=username, course_run__key=course_run_key)).first()


def enrollments_for_user(*, username: str, course_run_keys: set[str] | None = None, user=None) -> list[Enrollment]:
    """A user's active enrollments, oldest first; ``course_run_keys`` limits them to those runs.
    ``user``: that user's account when the caller already holds it (it is then not read again).

    Each comes with its user, run, course and modes (``run.modes.all()`` asks nothing more), all
    read in one query with the fields the enrollment list shows (the others load when first read,
    as with ``.only()``): that list is one of the most frequent requests, and this is its whole
    database work besides authentication (SQL written once, core/rows.py)."""
    if course_run_keys is not None and not course_run_keys:
        return []
    read = _listing_read(connection.vendor)
    known = user is not None and user.pk is not None and user.username == username
    sql = read.by_user_id if known else read.by_username
    params: list[str | int | bool] = [user.pk if known else username, True]
    if course_run_keys is not None:
        sql += f" AND {read.run.column('key')} IN ({', '.join(['%s'] * len(course_run_keys))})"
        params += sorted(course_run_keys)
    with read_cursor(connection) as cursor:
        cursor.execute(sql + read.order, params)
        return read.enrollments(cursor.fetchall(), user if known else None)


_RUN_FIELDS = ["key", "title", "start", "end", "enrollment_start", "enrollment_end", "invite_only", "pacing"]


class _ListingRead:
    """SELECT <enrollment>, <run>, <course>, <mode or NULLs>[, <user>] of a user's active
    enrollments: one row per (enrollment, mode), in the list's order (created, id) and the modes'
    (id). By user id, or by username (joining the user, whose columns then come last)."""

    def __init__(self) -> None:
        # What the list shows (the other fields load on access, as with .only()); modes whole.
        e = self.enrollment = Columns(
            Enrollment, "e", fields=["id", "user", "course_run", "mode", "is_active", "created"]
        )
        r = self.run = Columns(CourseRun, "r", fields=[*_RUN_FIELDS, "id", "course"])
        c = self.course = Columns(Course, "c", fields=["id", "title"])
        m = self.mode = Columns(CourseMode, "m")
        u = self.user = Columns(get_user_model(), "u")
        select = f"SELECT {', '.join(part.select for part in (e, r, c, m))}"
        joins = (
            f" FROM {e.table} e"
            f" JOIN {r.table} r ON {r.column('id')} = {e.column('course_run')}"
            f" JOIN {c.table} c ON {c.column('id')} = {r.column('course')}"
            f" LEFT JOIN {m.table} m ON {m.column('course_run')} = {r.column('id')}"
        )
        self.by_user_id = f"{select}{joins} WHERE {e.column('user')} = %s AND {e.column('is_active')} = %s"
        self.by_username = (
            f"{select}, {u.select}{joins} JOIN {u.table} u ON {u.column('id')} = {e.column('user')}"
            f" WHERE {u.column('username')} = %s AND {e.column('is_active')} = %s"
        )
        self.order = f" ORDER BY {e.column('created')}, {e.column('id')}, {m.column('id')}"
        self._enrollment_id = e.attnames.index("id")
        self._run_at = e.width
        self._course_at = self._run_at + r.width
        self._mode_at = self._course_at + c.width
        self._user_at = self._mode_at + m.width

    def enrollments(self, rows, user=None) -> list[Enrollment]:
        """The rows as model instances, related as select_related and prefetch_related relate them."""
        db = connections[self.enrollment.using]  # looked up once for the whole batch
        by_id: dict[int, tuple[Enrollment, list]] = {}
        for row in rows:
            entry = by_id.get(row[self._enrollment_id])
            if entry is None:
                enrollment = self.enrollment.required(row, 0, db)
                user = user or self.user.required(row, self._user_at, db)
                run = self.run.required(row, self._run_at, db)
                related(run, "course", self.course.required(row, self._course_at, db))
                related(enrollment, "user", user)
                related(enrollment, "course_run", run)
                entry = by_id[enrollment.pk] = (enrollment, [])
            mode = self.mode.instance(row, self._mode_at, db)
            if mode is not None:
                related(mode, "course_run", entry[0].course_run)
                entry[1].append(mode)
        for enrollment, modes in by_id.values():
            prefetched(enrollment.course_run, "modes", modes)
        return [enrollment for enrollment, _modes in by_id.values()]


@cache
def _listing_read(vendor: str) -> _ListingRead:
    return _ListingRead()


def enrollments_filtered(
    *,
    course_run_key: str | None = None,
    course_run_keys_like: list[str] | None = None,
    usernames: list[str] | None = None,
    emails: list[str] | None = None,
) -> QuerySet:
    """Every enrollment (active or not) matching all the filters given, for the staff listing.

    ``course_run_keys_like``: runs whose key contains any of these, in any case (the newest
    reference's ``course_ids``: a course id without its run matches every run). The match is a
    subquery over the course runs (one row per run, not per enrollment); the enrollments are then
    reached through their (course_run, is_active) index.
    """
    qs = Enrollment.objects.select_related("user", "course_run")
    if course_run_key:
        qs = qs.filter(course_run__key=course_run_key)
    if course_run_keys_like:
        like = Q()
        for fragment in course_run_keys_like:
            like |= Q(key__icontains=fragment)
        qs = qs.filter(course_run_id__in=CourseRun.objects.filter(like).values("id"))
    if usernames:
        qs = qs.filter(user__username__in=usernames)
    if emails:
        qs = qs.annotate(user_email_ci=Lower("user__email")).filter(user_email_ci__in={e.lower() for e in emails})
    return qs
