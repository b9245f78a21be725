"""GET /api/enrollment/v1/enrollment[?user=<username>] (reference §1.5, §6 cases 25-26)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from coursegate.accounts.services import role_assign
from coursegate.enrollments.models import Enrollment
from tests.api.edx_enrollment.support import E, post_enrollment

C1 = "course-v1:Org+Num+One"
C2 = "course-v1:Org+Num+Two"
C3 = "Org/Num/Three"


@pytest.fixture
def runs(make_run):
    return [make_run(C1, modes=["audit", "verified"]), make_run(C2), make_run(C3, modes=["honor"])]


def _set_created(user, run, when: datetime) -> None:
    Enrollment.objects.filter(user=user, course_run=run).update(created=when)


def _course_ids(response) -> list[str]:
    return [item["course_details"]["course_id"] for item in response.json()]


def test_list_holds_only_active_enrollments_oldest_first(client_for, learner, runs, enroll):
    one, two, three = runs
    # Created in id order one, two, three; their creation dates say three, one, two.
    enroll(learner, one, "verified")
    enroll(learner, two, "audit", is_active=False)
    enroll(learner, three, "honor")
    _set_created(learner, three, datetime(2020, 1, 1, tzinfo=UTC))
    _set_created(learner, one, datetime(2021, 1, 1, tzinfo=UTC))
    _set_created(learner, two, datetime(2019, 1, 1, tzinfo=UTC))

    response = client_for(learner).get(f"{E}/enrollment")

    assert response.status_code == 200
    body = response.json()
    assert [(item["course_details"]["course_id"], item["mode"], item["is_active"]) for item in body] == [
        (C3, "honor", True),
        (C1, "verified", True),
    ]
    assert body[0]["created"] == "2020-01-01T00:00:00Z"
    assert body[0]["user"] == "honor"
    assert set(body[0]) == {"created", "mode", "is_active", "course_details", "user"}
    assert [mode["slug"] for mode in body[1]["course_details"]["course_modes"]] == ["audit", "verified"]


def test_list_of_a_learner_without_enrollments_is_an_empty_array(client_for, learner, runs):
    response = client_for(learner).get(f"{E}/enrollment")

    assert response.status_code == 200
    assert response.json() == []


def test_list_does_not_show_other_users_enrollments(client_for, learner, other_learner, runs, enroll):
    enroll(other_learner, runs[0])
    enroll(learner, runs[1])

    assert _course_ids(client_for(learner).get(f"{E}/enrollment")) == [C2]


def test_learner_naming_themselves_gets_their_own_list(client_for, learner, runs, enroll):
    enroll(learner, runs[0])

    assert _course_ids(client_for(learner).get(f"{E}/enrollment?user=honor")) == [C1]


@pytest.mark.parametrize("kind", ["bearer", "jwt"])
def test_learner_without_course_roles_asking_for_another_user_gets_an_empty_array(
    client_for, learner, other_learner, runs, enroll, kind
):
    for run in runs:
        enroll(other_learner, run)

    response = client_for(learner, kind).get(f"{E}/enrollment?user=audit")

    assert response.status_code == 200
    assert response.json() == []


@pytest.mark.parametrize("kind", ["bearer", "jwt"])
def test_course_staff_sees_another_users_enrollments_only_in_their_runs(
    client_for, learner, other_learner, runs, enroll, kind
):
    for run in runs:
        enroll(other_learner, run)
    role_assign(user=learner, role="course_staff", context=C1)
    role_assign(user=learner, role="course_staff", context=C3)

    response = client_for(learner, kind).get(f"{E}/enrollment?user=audit")

    assert response.status_code == 200
    assert sorted(_course_ids(response)) == sorted([C1, C3])
    assert {item["user"] for item in response.json()} == {"audit"}


def test_a_course_staff_role_of_another_run_reveals_nothing(client_for, learner, other_learner, runs, enroll):
    enroll(other_learner, runs[0])
    role_assign(user=learner, role="course_staff", context="course-v1:Org+Num+Elsewhere")

    assert client_for(learner).get(f"{E}/enrollment?user=audit").json() == []


@pytest.mark.parametrize("kind", ["bearer", "jwt"])
def test_staff_sees_all_active_enrollments_of_another_user(client_for, staff, other_learner, runs, enroll, kind):
    enroll(other_learner, runs[0])
    enroll(other_learner, runs[1], is_active=False)
    enroll(other_learner, runs[2], "honor")

    response = client_for(staff, kind).get(f"{E}/enrollment?user=audit")

    assert response.status_code == 200
    assert _course_ids(response) == [C1, C3]


def test_staff_asking_for_an_unknown_user_gets_an_empty_array(client_for, staff, runs):
    response = client_for(staff).get(f"{E}/enrollment?user=nobody")

    assert response.status_code == 200
    assert response.json() == []


def test_a_deactivated_enrollment_leaves_the_list_but_stays_readable(client_for, staff, learner, runs, enroll):
    enroll(learner, runs[0], "verified")
    learner_client = client_for(learner)

    deactivate = post_enrollment(
        client_for(staff),
        {"course_details": {"course_id": C1}, "user": "honor", "mode": "verified", "is_active": False},
    )

    assert deactivate.status_code == 200
    assert learner_client.get(f"{E}/enrollment").json() == []
    single = learner_client.get(f"{E}/enrollment/honor,{C1}")
    assert single.status_code == 200
    assert single.json()["is_active"] is False


def _many_enrollments(make_run, enroll, user, count: int) -> None:
    for i in range(count):
        run = make_run(f"course-v1:Org+Q{i}+Run", modes=["audit", "honor", "verified"])
        enroll(user, run)


# Authentication (the token row and its user), then the enrollments with their user, run, course
# and modes: one query each.
LIST_QUERIES = 2


@pytest.mark.parametrize("count", [1, 6])
def test_list_costs_a_constant_number_of_queries(
    client_for, learner, make_run, enroll, django_assert_num_queries, count
):
    _many_enrollments(make_run, enroll, learner, count)
    client = client_for(learner)

    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(f"{E}/enrollment")

    assert len(response.json()) == count


@pytest.mark.parametrize("count", [1, 6])
def test_list_for_another_user_by_course_staff_costs_a_constant_number_of_queries(
    client_for, learner, other_learner, make_run, enroll, django_assert_num_queries, count
):
    _many_enrollments(make_run, enroll, other_learner, count)
    for i in range(count):
        role_assign(user=learner, role="course_staff", context=f"course-v1:Org+Q{i}+Run")
    client = client_for(learner)

    # One more than the own list: the caller's role assignments (an opaque token carries none).
    with django_assert_num_queries(LIST_QUERIES + 1):
        response = client.get(f"{E}/enrollment?user=audit")

    assert len(response.json()) == count
