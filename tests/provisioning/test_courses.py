"""coursegate import courses: course_run_key and any of the run's columns; modes as slugs."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from coursegate.courses.models import Course, CourseRun

pytestmark = pytest.mark.django_db

HEADER = "course_run_key,title,start,end,enrollment_start,enrollment_end,invite_only,max_enrollments,pacing,modes"
ROW = "course-v1:MyOrg+CS101+2026,Intro to CS,2026-01-05,2026-06-30T12:00:00Z,,,false,200,self,audit;verified"


def test_a_good_file_creates_runs_with_their_course_and_modes(write, run_import):
    result = run_import("courses", write("c.csv", [HEADER, ROW, "edX/Legacy/Run,,,,,,true,,,"]))

    assert result.status == 0, result.err
    assert "2 created, 0 updated, 0 unchanged, 0 failed" in result.out
    run = CourseRun.objects.get(key="course-v1:MyOrg+CS101+2026")
    assert (run.title, run.start, run.end) == (
        "Intro to CS",
        datetime(2026, 1, 5, tzinfo=UTC),
        datetime(2026, 6, 30, 12, tzinfo=UTC),
    )
    assert (run.max_enrollments, run.pacing, run.invite_only) == (200, "self", False)
    assert sorted(run.modes.values_list("slug", flat=True)) == ["audit", "verified"]
    assert Course.objects.get(key="MyOrg+CS101").org == "MyOrg"
    assert CourseRun.objects.get(key="edX/Legacy/Run").invite_only is True


def test_a_rerun_is_unchanged_and_a_changed_column_updates_only_that_field(write, run_import):
    path = write("c.csv", [HEADER, ROW])
    run_import("courses", path)

    again = run_import("courses", path)
    changed = run_import(
        "courses",
        write("c2.jsonl", [{"course_run_key": "course-v1:MyOrg+CS101+2026", "title": "CS 101", "modes": "honor"}]),
    )

    assert "0 created, 0 updated, 1 unchanged, 0 failed" in again.out
    assert "0 created, 1 updated, 0 unchanged, 0 failed" in changed.out
    run = CourseRun.objects.get(key="course-v1:MyOrg+CS101+2026")
    assert (run.title, run.max_enrollments) == ("CS 101", 200)  # a column left out keeps its value
    assert sorted(run.modes.values_list("slug", flat=True)) == ["audit", "honor", "verified"]  # none removed


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("not a key,,,,,,,,,", "course_run_key: 'not a key' is not a course run key"),
        ("course-v1:A+B+C,,yesterday,,,,,,,", "start: 'yesterday' is not an ISO 8601 date or date-time"),
        ("course-v1:A+B+C,,,,2026-02-01,2026-01-01,,,,", "enrollment_end: must not be before enrollment_start"),
        ("course-v1:A+B+C,,,,,,,-3,,", "max_enrollments: '-3' is not a whole number from 1 to 1000000000"),
        ("course-v1:A+B+C,,,,,,,,fast,", "pacing: one of instructor, self"),
        ("course-v1:A+B+C,,,,,,,,,a b", "modes: a b is not a mode slug"),
    ],
)
def test_a_bad_row_fails_with_its_line_and_writes_nothing_of_it(write, run_import, row, message):
    result = run_import("courses", write("c.csv", [HEADER, ROW, row]))

    assert result.status == 1
    assert f"line 3: {message}" in result.err
    assert list(CourseRun.objects.values_list("key", flat=True)) == ["course-v1:MyOrg+CS101+2026"]


def test_a_header_with_an_unknown_column_is_a_usage_error(write, run_import):
    result = run_import("courses", write("c.csv", ["course_run_key,colour", "course-v1:A+B+C,red"]))

    assert result.status == 2
    assert "line 1: unknown column(s) colour" in result.err
    assert not CourseRun.objects.exists()


def test_export_round_trips_through_an_empty_database(write, run_import, run_export):
    run_import("courses", write("c.csv", [HEADER, ROW, "edX/Legacy/Run,Legacy,,,,,true,,,audit"]))
    _, text = run_export("courses")
    CourseRun.objects.all().delete()
    Course.objects.all().delete()

    result = run_import("courses", write("again.csv", text.splitlines()))
    _, text_again = run_export("courses", "again-out.csv")

    assert result.status == 0 and "2 created" in result.out
    assert text_again == text


def test_a_row_that_breaks_a_database_constraint_fails_alone(write, run_import):
    run_import("courses", write("c.csv", ["course_run_key,enrollment_end", "course-v1:A+B+C,2026-01-01"]))

    result = run_import(
        "courses",
        write(
            "c2.csv", ["course_run_key,enrollment_start", "course-v1:A+B+C,2026-02-01", "course-v1:A+B+D,2026-02-01"]
        ),
    )

    assert result.status == 1
    assert "1 created, 0 updated, 0 unchanged, 1 failed" in result.out
    assert "line 2: refused by the database: " in result.err and "courses_run_enrollment_window_ordered" in result.err
    assert CourseRun.objects.get(key="course-v1:A+B+C").enrollment_start is None
