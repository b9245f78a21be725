"""Writes of courses, runs and modes (used by the demo data set, admin and later catalog sync)."""

from __future__ import annotations

from django.db import transaction

from coursegate.core.course_keys import parse_course_run_key
from coursegate.courses.models import Course, CourseMode, CourseRun


@transaction.atomic
def course_run_upsert(*, key: str, title: str = "", **fields) -> CourseRun:
    """Create or update a run (and its course) by key. ``fields`` are CourseRun columns."""
    parsed = parse_course_run_key(key)
    course, _ = Course.objects.get_or_create(key=parsed.course_key, defaults={"org": parsed.org, "title": title})
    run, _ = CourseRun.objects.update_or_create(key=key, defaults={"course": course, "title": title, **fields})
    return run


def course_mode_upsert(*, course_run: CourseRun, slug: str, name: str, **fields) -> CourseMode:
    mode, _ = CourseMode.objects.update_or_create(course_run=course_run, slug=slug, defaults={"name": name, **fields})
    return mode
