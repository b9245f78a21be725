"""``courses``: one row per course run, ``course_run_key`` and any of its columns; the run's course
(``Org+Course``) is created with it. A column left out of the file leaves that field as it is; a
column present but empty clears it (dates, capacity) or sets its default. ``modes`` lists mode
slugs separated by ``;`` (``audit;verified``): missing modes are added, none is removed. Row by row
through courses.services (a catalog of runs is small)."""

from __future__ import annotations

from collections.abc import Iterator

from coursegate.core.course_keys import is_course_run_key
from coursegate.courses.models import CourseRun
from coursegate.courses.services import course_mode_upsert, course_run_upsert
from coursegate.provisioning.files import Row
from coursegate.provisioning.runner import CREATED, UNCHANGED, UPDATED, Kind, Options, RowError, RowResult, per_row
from coursegate.provisioning.values import bool_value, datetime_value, int_value, iso

DATES = ("start", "end", "enrollment_start", "enrollment_end")
COLUMNS = ("title", *DATES, "invite_only", "max_enrollments", "pacing", "modes")


def _fields(values: dict[str, str]) -> dict:
    fields: dict = {}
    if "title" in values:
        fields["title"] = values["title"][:255]
    for name in DATES:
        if name in values:
            fields[name] = datetime_value(values, name)
    if "invite_only" in values:
        fields["invite_only"] = bool_value(values, "invite_only", False)
    if "max_enrollments" in values:
        fields["max_enrollments"] = int_value(values, "max_enrollments", minimum=1)
    if "pacing" in values:
        pacing = values["pacing"] or CourseRun.Pacing.INSTRUCTOR
        if pacing not in CourseRun.Pacing.values:
            raise RowError(f"pacing: one of {', '.join(CourseRun.Pacing.values)}")
        fields["pacing"] = pacing
    start, end = fields.get("enrollment_start"), fields.get("enrollment_end")
    if start and end and start > end:
        raise RowError("enrollment_end: must not be before enrollment_start")
    return fields


def _modes(values: dict[str, str]) -> list[str]:
    slugs = [s.strip() for s in values.get("modes", "").split(";") if s.strip()]
    bad = [s for s in slugs if not s.replace("-", "").replace("_", "").isalnum() or len(s) > 100]
    if bad:
        raise RowError(f"modes: {', '.join(bad)} is not a mode slug")
    return slugs


def _course_row(row: Row, options: Options) -> RowResult:
    key = row.values.get("course_run_key", "")
    if not is_course_run_key(key):
        raise RowError(f"course_run_key: {key!r} is not a course run key")
    fields, slugs = _fields(row.values), _modes(row.values)
    run = existed = CourseRun.objects.filter(key=key).first()
    have = set(run.modes.values_list("slug", flat=True)) if run else set()
    changed = run is None or any(getattr(run, name) != value for name, value in fields.items())
    if changed:
        title = fields.pop("title", run.title if run else "")
        run = course_run_upsert(key=key, title=title, **fields)
    missing = [slug for slug in slugs if slug not in have]
    assert run is not None  # found above or just written
    for slug in missing:
        course_mode_upsert(course_run=run, slug=slug, name=slug.replace("-", " ").replace("_", " ").title())
    if not changed and not missing:
        return RowResult(row.line, UNCHANGED)
    return RowResult(row.line, CREATED if existed is None else UPDATED)


def _courses_export() -> Iterator[dict]:
    for run in CourseRun.objects.prefetch_related("modes").order_by("id").iterator(chunk_size=1000):
        row: dict[str, object] = {"course_run_key": run.key, "title": run.title}
        row.update({name: iso(getattr(run, name)) for name in DATES})
        row.update(invite_only=run.invite_only, max_enrollments=run.max_enrollments, pacing=run.pacing,
                   modes=";".join(m.slug for m in sorted(run.modes.all(), key=lambda m: m.id)))  # fmt: skip
        yield row


COURSES = Kind("courses", required=("course_run_key",), optional=COLUMNS,
               apply=lambda rows, options: per_row(rows, _course_row, options), export=_courses_export)  # fmt: skip
