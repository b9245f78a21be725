"""Seed 002 verbatim, and edges found while driving the API by hand."""

from __future__ import annotations

import pytest

from coursegate.accounts.services import role_assign

from .support import E, stored


def test_the_seeds_post_example_works_verbatim_with_its_typographic_quotes(client_for, learner, make_run):
    run = make_run("edX/DemoX/Demo_Course", modes=("audit", "honor"))
    body = """
    {
        \u201ccourse_details\u201d: {
            \u201ccourse_id\u201d: \u201cedX/DemoX/Demo_Course\u201d
        }
    }""".encode()

    response = client_for(learner).generic("POST", f"{E}/enrollment", body, content_type="application/json")

    assert response.status_code == 200, response.content
    assert response.json()["course_details"]["course_id"] == "edX/DemoX/Demo_Course"
    assert stored(learner, run) == ("audit", True)


def test_malformed_json_is_a_400_with_a_message(client_for, learner):
    response = client_for(learner).generic("POST", f"{E}/enrollment", b"{not json", content_type="application/json")

    assert response.status_code == 400
    assert set(response.json()) == {"message"}
    assert response.json()["message"].startswith("JSON parse error")


def test_an_unsupported_method_answers_405_with_a_message_and_allow(client_for, learner):
    response = client_for(learner).put(f"{E}/enrollment", {}, format="json")

    assert response.status_code == 405
    assert response.json() == {"message": 'Method "PUT" not allowed.'}
    assert "POST" in response["Allow"]


@pytest.mark.parametrize("path", ["course/course-v1:Org+Num+Run/", "course/Org/Num/Run/"])
def test_course_details_tolerate_a_trailing_slash(api_client, make_run, path):
    make_run("course-v1:Org+Num+Run")
    make_run("Org/Num/Run")

    response = api_client.get(f"{E}/{path}")

    assert response.status_code == 200
    assert response.json()["course_id"] == path.removeprefix("course/").removesuffix("/")


def test_course_staff_of_every_run_sees_all_of_another_users_enrollments(client_for, make_user, make_run, learner):
    run_a, run_b = make_run("course-v1:Org+A+Run"), make_run("course-v1:Org+B+Run")
    for run in (run_a, run_b):
        client_for(learner).post(f"{E}/enrollment", {"course_details": {"course_id": run.key}}, format="json")
    assistant = make_user("assistant")
    role_assign(user=assistant, role="course_staff", context="*")

    response = client_for(assistant).get(f"{E}/enrollment", {"user": learner.username})

    assert [e["course_details"]["course_id"] for e in response.json()] == [run_a.key, run_b.key]
