"""Course, run and mode writes: runs are keyed exactly as given and hang off their Org+Course."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import IntegrityError, transaction

from coursegate.core.course_keys import InvalidKeyError
from coursegate.courses.models import Course, CourseMode, CourseRun
from coursegate.courses.services import course_mode_upsert, course_run_upsert

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("run_key", "course_key", "org"),
    [
        ("course-v1:edX+DemoX+Demo_Course", "edX+DemoX", "edX"),
        ("course-v1:MyUni+Sport101x", "MyUni+Sport101x", "MyUni"),
        ("edX/DemoX/Demo_Course", "edX+DemoX", "edX"),
    ],
)
def test_run_upsert_creates_the_run_under_its_catalog_course(run_key, course_key, org):
    run = course_run_upsert(key=run_key, title="Demo")

    run.refresh_from_db()
    assert run.key == run_key
    assert run.title == "Demo"
    assert (run.course.key, run.course.org, run.course.title) == (course_key, org, "Demo")


def test_runs_of_the_same_course_in_both_key_forms_share_one_course_row():
    new_form = course_run_upsert(key="course-v1:edX+DemoX+Demo_Course")
    legacy = course_run_upsert(key="edX/DemoX/Demo_Course")

    assert new_form.pk != legacy.pk
    assert new_form.course_id == legacy.course_id
    assert list(Course.objects.values_list("key", flat=True)) == ["edX+DemoX"]


def test_run_upsert_updates_an_existing_run_by_key():
    first = course_run_upsert(key="course-v1:edX+DemoX+Demo_Course", title="Old", max_enrollments=5)
    second = course_run_upsert(key="course-v1:edX+DemoX+Demo_Course", title="New", invite_only=True)

    assert second.pk == first.pk
    second.refresh_from_db()
    assert (second.title, second.invite_only, second.max_enrollments) == ("New", True, 5)
    assert CourseRun.objects.count() == 1


@pytest.mark.parametrize("key", ["", "edX+DemoX", "course-v1:edX+Demo X+Run", "edX/DemoX"])
def test_run_upsert_refuses_a_malformed_key_and_writes_nothing(key):
    with pytest.raises(InvalidKeyError):
        course_run_upsert(key=key)

    assert CourseRun.objects.count() == 0
    assert Course.objects.count() == 0


def test_mode_upsert_is_idempotent_per_run_and_slug(make_run):
    run = make_run("course-v1:edX+DemoX+Demo_Course", modes=())

    first = course_mode_upsert(course_run=run, slug="verified", name="Verified", min_price=10)
    second = course_mode_upsert(course_run=run, slug="verified", name="Verified Certificate", min_price=49)

    assert second.pk == first.pk
    assert list(CourseMode.objects.values_list("slug", "name", "min_price")) == [
        ("verified", "Verified Certificate", 49)
    ]


def test_the_database_refuses_an_enrollment_window_that_ends_before_it_starts():
    course = Course.objects.create(key="edX+DemoX", org="edX")
    start = datetime(2024, 6, 1, tzinfo=UTC)

    with pytest.raises(IntegrityError), transaction.atomic():
        CourseRun.objects.create(
            key="course-v1:edX+DemoX+Run",
            course=course,
            enrollment_start=start,
            enrollment_end=start - timedelta(seconds=1),
        )
