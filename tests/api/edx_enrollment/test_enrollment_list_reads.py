"""GET /api/enrollment/v1/enrollment reads everything in one query (enrollments/selectors.py,
core/rows.py): the answer is the one the ORM's select_related/prefetch_related objects render,
whatever the runs hold, and a request costs authentication + that query, with either token."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from coursegate.accounts.services import role_assign
from coursegate.api.edx_enrollment.serializers import EnrollmentOutput
from coursegate.courses.models import Course
from coursegate.enrollments.models import Enrollment
from coursegate.enrollments.selectors import enrollments_for_user
from tests.api.edx_enrollment.support import E

PAST = datetime(2020, 1, 1, 12, 30, tzinfo=UTC)
FUTURE = datetime(2031, 6, 1, 8, 0, 0, 123456, tzinfo=UTC)


@pytest.fixture
def varied(make_run, enroll, learner):
    """Runs unlike each other in every rendered field, the learner enrolled in each."""
    runs = [
        make_run(
            "course-v1:Org+Modes+Run",
            modes=[
                "audit",
                (
                    "verified",
                    {
                        "min_price": 49,
                        "suggested_prices": [49, 99],
                        "currency": "eur",
                        "expiration_datetime": FUTURE,
                        "sku": "SKU1",
                        "description": "Paid",
                    },
                ),
            ],
        ),
        make_run("course-v1:Org+Expired+Run", modes=[("honor", {}), ("verified", {"expiration_datetime": PAST})]),
        make_run(
            "course-v1:Org+NoModes+Run",
            modes=[],
            invite_only=True,
            pacing="self",
            start=PAST,
            end=FUTURE,
            enrollment_start=PAST,
            enrollment_end=FUTURE,
        ),
        make_run("Org/Legacy/Run", modes=["honor"]),
        make_run("course-v1:Org+Untitled+Run", title=""),
    ]
    Course.objects.filter(runs__key="course-v1:Org+Untitled+Run").update(title="")
    for run in runs:
        enroll(learner, run)
    Enrollment.objects.filter(user=learner, course_run=runs[3]).update(created=PAST)
    return runs


def _orm_rendering(user) -> list[dict]:
    """The same list read the ORM way, rendered by the same serializer."""
    enrollments = (
        Enrollment.objects.filter(user=user, is_active=True)
        .select_related("user", "course_run__course")
        .prefetch_related("course_run__modes")
        .order_by("created", "id")
    )
    return EnrollmentOutput(enrollments, many=True, context={"now": timezone.now()}).data


@pytest.mark.parametrize("kind", ["bearer", "jwt"])
def test_the_list_is_what_the_orm_objects_render(client_for, learner, varied, kind):
    response = client_for(learner, kind).get(f"{E}/enrollment")

    assert response.status_code == 200
    body = response.json()
    assert body == _orm_rendering(learner)
    assert [item["course_details"]["course_id"] for item in body][0] == "Org/Legacy/Run"  # oldest first
    by_run = {item["course_details"]["course_id"]: item["course_details"] for item in body}
    assert [m["slug"] for m in by_run["course-v1:Org+Expired+Run"]["course_modes"]] == ["honor"]
    assert [m["slug"] for m in by_run["course-v1:Org+NoModes+Run"]["course_modes"]] == ["audit"]  # the default
    paid = by_run["course-v1:Org+Modes+Run"]["course_modes"][1]
    assert (paid["suggested_prices"], paid["expiration_datetime"]) == ([49, 99], "2031-06-01T08:00:00.123456Z")
    assert by_run["course-v1:Org+NoModes+Run"]["enrollment_start"] == "2020-01-01T12:30:00Z"
    assert by_run["course-v1:Org+Untitled+Run"]["course_name"] == "course-v1:Org+Untitled+Run"


@pytest.mark.parametrize("kind", ["bearer", "jwt"])
@pytest.mark.parametrize("count", [1, 6])
def test_a_list_costs_two_queries_with_either_token(
    client_for, learner, make_run, enroll, django_assert_num_queries, kind, count
):
    for i in range(count):
        enroll(learner, make_run(f"course-v1:Org+Q{i}+Run", modes=["audit", "honor", "verified"]))
    client = client_for(learner, kind)

    # The token row with its user (a JWT's too, so that revoking it takes effect), then the
    # enrollments with their runs, courses and modes. No connection health check.
    with django_assert_num_queries(2):
        response = client.get(f"{E}/enrollment")

    assert len(response.json()) == count


def test_the_listed_runs_hold_their_modes_like_a_prefetch(learner, varied, django_assert_num_queries):
    with django_assert_num_queries(1):
        enrollments = enrollments_for_user(username="honor")
        modes = {e.course_run.key: [m.slug for m in e.course_run.modes.all()] for e in enrollments}
        courses = {e.course_run.course.title for e in enrollments}
        assert {e.user.username for e in enrollments} == {"honor"}

    assert modes["course-v1:Org+Modes+Run"] == ["audit", "verified"]
    assert modes["course-v1:Org+NoModes+Run"] == []
    assert len(courses) == len(varied)
    run = next(e.course_run for e in enrollments if e.course_run.key == "course-v1:Org+Modes+Run")
    # Anything built on the relation still asks the database, for this run's modes only.
    assert list(run.modes.filter(slug="verified").values_list("slug", flat=True)) == ["verified"]


def test_the_caller_s_own_account_is_not_read_again(learner, other_learner, varied, django_assert_num_queries):
    with django_assert_num_queries(1):
        own = enrollments_for_user(username="honor", user=learner)
    assert all(e.user is learner for e in own)
    assert [e.pk for e in own] == [e.pk for e in enrollments_for_user(username="honor")]
    # Another user's name with the caller's account: read by name.
    assert enrollments_for_user(username="audit", user=learner) == []


def test_the_list_limited_to_runs(learner, varied):
    keys = {"Org/Legacy/Run", "course-v1:Org+Modes+Run", "course-v1:Org+Unknown+Run"}

    listed = enrollments_for_user(username="honor", course_run_keys=keys)

    assert [e.course_run.key for e in listed] == ["Org/Legacy/Run", "course-v1:Org+Modes+Run"]
    assert enrollments_for_user(username="honor", course_run_keys=set()) == []


def test_inactive_enrollments_and_other_users_stay_out(learner, other_learner, make_run, enroll):
    enroll(learner, make_run("course-v1:Org+A+Run"))
    enroll(other_learner, make_run("course-v1:Org+B+Run"))
    Enrollment.objects.filter(user=learner).update(is_active=False)
    enroll(learner, make_run("course-v1:Org+C+Run"))

    assert [e.course_run.key for e in enrollments_for_user(username="honor")] == ["course-v1:Org+C+Run"]
    assert [e.course_run.key for e in enrollments_for_user(username="audit")] == ["course-v1:Org+B+Run"]
    assert enrollments_for_user(username="nobody") == []


def test_course_staff_listing_another_user_costs_one_more_query(
    client_for, learner, other_learner, varied, make_run, enroll, django_assert_num_queries
):
    enroll(other_learner, make_run("course-v1:Org+Staffed+Run"))
    role_assign(user=learner, role="course_staff", context="course-v1:Org+Staffed+Run")
    client = client_for(learner)

    with django_assert_num_queries(3):  # + the caller's role assignments
        response = client.get(f"{E}/enrollment?user=audit")

    assert [item["course_details"]["course_id"] for item in response.json()] == ["course-v1:Org+Staffed+Run"]


def test_an_expired_token_is_refused_at_the_next_request(client_for, learner, varied, time_machine):
    client = client_for(learner)
    assert client.get(f"{E}/enrollment").status_code == 200

    time_machine.move_to(timezone.now() + timedelta(days=2))

    response = client.get(f"{E}/enrollment")
    assert (response.status_code, response.json()) == (401, {"detail": "Invalid Token."})


def test_a_deactivated_account_is_refused(client_for, learner, varied):
    client = client_for(learner, "jwt")
    learner.is_active = False
    learner.save(update_fields=["is_active"])

    assert client.get(f"{E}/enrollment").status_code == 401


def test_no_connection_health_check_by_default():
    from coursegate import settings as project_settings

    assert project_settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is False
    assert project_settings.DATABASES["default"]["CONN_MAX_AGE"] > 0
    assert connection.vendor in {"sqlite", "postgresql"}


@pytest.mark.parametrize(
    "value",
    [
        datetime(2020, 1, 1, tzinfo=UTC),
        datetime(2031, 6, 1, 8, 0, 0, 123456, tzinfo=UTC),
        datetime(2031, 6, 1, 8, 0, tzinfo=timezone.get_fixed_timezone(120)),
        datetime(2031, 6, 1, 8, 0),  # naive: DRF's own path
        None,
    ],
)
def test_date_times_render_as_drf_renders_them(value):
    from rest_framework import serializers

    from coursegate.api.edx_enrollment.serializers import _iso_or_none

    expected = None if value is None else serializers.DateTimeField().to_representation(value)
    assert _iso_or_none(value) == expected
