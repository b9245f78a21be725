"""The staff listing's ``course_ids`` filter at scale (enrollments.selectors.enrollments_filtered;
issue 12 "Parity"): the case-insensitive match runs over the course runs (one row per run), and
the enrollments are reached through their (course_run, is_active) index, never a scan of every
enrollment. PostgreSQL's plan is checked; on SQLite the timing only."""

from __future__ import annotations

import time

import pytest
from django.db import connection
from django.utils import timezone

from coursegate.accounts.models import User
from coursegate.courses.models import Course, CourseRun
from coursegate.enrollments.models import Enrollment
from coursegate.enrollments.selectors import enrollments_filtered

RUNS = 400
USERS = 500  # x RUNS = 200,000 enrollments


@pytest.mark.slow
def test_course_ids_filter_uses_the_enrollment_index_on_200000_enrollments(db):
    now = timezone.now()
    course = Course.objects.create(key="Org+Big", title="Big")
    runs = CourseRun.objects.bulk_create(
        CourseRun(course=course, key=f"course-v1:Org+Big+R{i:04}", title=f"R{i}") for i in range(RUNS)
    )
    users = User.objects.bulk_create(User(username=f"u{i:05}", email=f"u{i:05}@example.com") for i in range(USERS))
    Enrollment.objects.bulk_create(
        (
            Enrollment(user=user, course_run=run, mode="audit", is_active=True, created=now, modified=now)
            for run in runs
            for user in users
        ),
        batch_size=10_000,
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    queryset = enrollments_filtered(course_run_keys_like=["COURSE-V1:ORG+BIG+R0007", "org+big+r0123"]).order_by(
        "-created", "-id"
    )
    started = time.monotonic()
    page = list(queryset[:101])
    elapsed = time.monotonic() - started

    assert len(page) == 101
    assert {e.course_run.key for e in page} <= {"course-v1:Org+Big+R0007", "course-v1:Org+Big+R0123"}
    assert elapsed < 2, f"{elapsed:.2f} s"
    if connection.vendor == "postgresql":
        plan = queryset[:101].explain()
        table = Enrollment._meta.db_table
        assert f"Seq Scan on {table}" not in plan, plan
        print(f"\ncourse_ids page of 101 from {RUNS * USERS} enrollments: {elapsed * 1000:.0f} ms\n{plan}")
