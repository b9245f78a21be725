"""Run reads: the enrollment window and the modes a run offers (with Open edX's default mode)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from coursegate.core.exceptions import NotFoundError
from coursegate.courses.exceptions import CourseRunNotFoundError, CourseRunsNotFoundError
from coursegate.courses.models import CourseRun
from coursegate.courses.selectors import (
    DefaultMode,
    course_run_best_paid_mode,
    course_run_default_mode,
    course_run_get,
    course_run_mode_get,
    course_run_modes,
    course_run_require,
    course_runs_by_key,
    course_runs_require,
)

NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)
SECOND = timedelta(seconds=1)


@pytest.mark.parametrize(
    ("enrollment_start", "enrollment_end", "is_open"),
    [
        pytest.param(None, None, True, id="no-window"),
        pytest.param(NOW - DAY, NOW + DAY, True, id="inside"),
        pytest.param(NOW, None, True, id="start-is-inclusive"),
        pytest.param(NOW + SECOND, None, False, id="not-yet-open"),
        pytest.param(None, NOW, False, id="end-is-exclusive"),
        pytest.param(None, NOW + SECOND, True, id="just-before-end"),
        pytest.param(NOW - 2 * DAY, NOW - DAY, False, id="closed"),
    ],
)
def test_enrollment_window_contains_the_start_but_not_the_end(enrollment_start, enrollment_end, is_open):
    run = CourseRun(key="course-v1:edX+DemoX+Run", enrollment_start=enrollment_start, enrollment_end=enrollment_end)

    assert run.enrollment_open_at(NOW) is is_open


def test_run_get_loads_course_and_modes_in_two_queries(make_run, django_assert_num_queries):
    make_run("course-v1:edX+DemoX+Demo_Course", modes=("audit", "verified"))

    with django_assert_num_queries(2):
        run = course_run_get("course-v1:edX+DemoX+Demo_Course")
        assert run.course.key == "edX+DemoX"
        assert [mode.slug for mode in run.modes.all()] == ["audit", "verified"]


def test_run_get_matches_the_key_exactly(make_run):
    make_run("course-v1:edX+DemoX+Demo_Course")

    assert course_run_get("course-v1:edx+demox+demo_course") is None
    assert course_run_get("edX/DemoX/Demo_Course") is None


def test_runs_by_key_returns_only_the_existing_runs(make_run):
    make_run("course-v1:edX+DemoX+Demo_Course")
    make_run("edX/DemoX/Demo_Course")

    runs = course_runs_by_key(["edX/DemoX/Demo_Course", "course-v1:edX+DemoX+Demo_Course", "course-v1:No+Such+Run"])

    assert sorted(runs) == ["course-v1:edX+DemoX+Demo_Course", "edX/DemoX/Demo_Course"]


def test_run_require_returns_the_run_or_raises_a_not_found_error(make_run, django_assert_num_queries):
    make_run("course-v1:edX+DemoX+Demo_Course", modes=("audit",))

    with django_assert_num_queries(2):
        assert course_run_require("course-v1:edX+DemoX+Demo_Course").key == "course-v1:edX+DemoX+Demo_Course"
    with pytest.raises(CourseRunNotFoundError) as excinfo:
        course_run_require("course-v1:edx+demox+demo_course")
    assert isinstance(excinfo.value, NotFoundError)
    assert excinfo.value.key == "course-v1:edx+demox+demo_course"


def test_runs_require_returns_the_runs_in_the_order_given(make_run, django_assert_num_queries):
    make_run("course-v1:edX+DemoX+Demo_Course")
    make_run("edX/DemoX/Demo_Course")

    with django_assert_num_queries(2):
        runs = course_runs_require(["edX/DemoX/Demo_Course", "course-v1:edX+DemoX+Demo_Course"])

    assert [run.key for run in runs] == ["edX/DemoX/Demo_Course", "course-v1:edX+DemoX+Demo_Course"]


def test_runs_require_names_every_missing_run(make_run):
    make_run("course-v1:edX+DemoX+Demo_Course")

    with pytest.raises(CourseRunsNotFoundError) as excinfo:
        course_runs_require(["course-v1:No+Such+Run", "course-v1:edX+DemoX+Demo_Course", "course-v1:No+Other+Run"])

    assert excinfo.value.keys == ["course-v1:No+Such+Run", "course-v1:No+Other+Run"]
    assert isinstance(excinfo.value, CourseRunNotFoundError)


def test_a_run_without_modes_offers_the_implicit_audit_mode(make_run):
    run = make_run(modes=())

    assert course_run_modes(run, now=NOW) == [DefaultMode()]
    assert course_run_mode_get(run, "audit", now=NOW).slug == "audit"
    assert course_run_mode_get(run, "honor", now=NOW) is None


def test_expired_modes_are_hidden_unless_asked_for(make_run):
    run = make_run(modes=(("verified", {"expiration_datetime": NOW}), "audit"))

    assert [m.slug for m in course_run_modes(run, now=NOW)] == ["audit"]
    assert [m.slug for m in course_run_modes(run, now=NOW, include_expired=True)] == ["verified", "audit"]
    assert course_run_mode_get(run, "verified", now=NOW) is None
    assert course_run_mode_get(run, "verified", now=NOW - SECOND).slug == "verified"


@pytest.mark.parametrize(
    ("modes", "expected"),
    [
        pytest.param(("verified", "honor", "audit"), "audit", id="audit-first"),
        pytest.param(("verified", "honor"), "honor", id="honor-without-audit"),
        pytest.param(("verified", "professional"), "audit", id="paid-modes-only"),
        pytest.param(("professional",), "audit", id="one-paid-mode"),
        pytest.param((), "audit", id="no-modes"),
        pytest.param((("audit", {"expiration_datetime": NOW - DAY}), "honor"), "honor", id="expired-audit-skipped"),
    ],
)
def test_default_mode_is_audit_then_honor_then_the_platform_audit(make_run, modes, expected):
    run = make_run(modes=modes)

    assert course_run_default_mode(run, now=NOW) == expected


@pytest.mark.parametrize(
    ("modes", "expected"),
    [
        pytest.param(("audit", "honor", "verified"), "verified", id="verified-first"),
        pytest.param(("audit", "professional"), "professional", id="professional-over-audit"),
        pytest.param(("audit", "honor"), "honor", id="honor-over-audit"),
        pytest.param((("verified", {"expiration_datetime": NOW}), "audit"), "audit", id="expired-verified-skipped"),
        pytest.param(("masters",), None, id="none-of-them"),
    ],
)
def test_the_best_paid_mode_follows_the_enterprise_order(make_run, modes, expected):
    assert course_run_best_paid_mode(make_run(modes=modes), now=NOW) == expected
