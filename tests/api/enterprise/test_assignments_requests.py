"""Requests to the remind and cancel endpoints of an assignment configuration (seed 003
"assignment-configurations-remind", "assignment-configurations-cancel"; reference/enterprise.md
§4.2–4.4, §5.1; issue 5):

- A bad body is a 400 with the field errors and changes nothing; an unknown or malformed
  configuration is a 404; another customer's admin gets 403 before the body is looked at; only
  POST is allowed.
- The seed's own curl examples, verbatim (their body lacks its closing brace), on the demo data.
What remind and cancel do: test_assignments_remind_cancel.py. Who may call them: test_permissions.py.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from coursegate.assignments.models import LearnerContentAssignment, LearnerContentAssignmentAction
from tests.api.enterprise.assignments_support import (
    UNKNOWN,
    S,
    admin_post,
    admin_url,
    assignments_world,
    make_assignment,
    snapshot,
)
from tests.api.enterprise.conftest import FORBIDDEN

# The seed's two example assignments (demo data: abc@example.com / edx+101, def@example.com / edx+api101).
SEED_1 = "8977ef56-d1c4-4aa8-a649-e6eb209f0000"
SEED_2 = "8907ef56-d1c4-4aa8-a649-e6eb209f0000"


@pytest.fixture
def world(enterprise_world):
    return assignments_world(enterprise_world)


# --- both: input, permissions ---------------------------------------------------------------------------------

ACTIONS = ["remind", "cancel"]


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({}, {"assignment_uuids": ["This field is required."]}),
        ({"assignment_uuids": None}, {"assignment_uuids": ["This field may not be null."]}),
        ({"assignment_uuids": "8977ef56-d1c4-4aa8-a649-e6eb209f0000"},
         {"assignment_uuids": ['Expected a list of items but got type "str".']}),
        ({"assignment_uuids": [UNKNOWN, "not-a-uuid"]}, {"assignment_uuids": {"1": ["Must be a valid UUID."]}}),
        ({"assignment_uuids": [{"uuid": UNKNOWN}]}, {"assignment_uuids": {"0": ["Must be a valid UUID."]}}),
        ({"assignment_uuids": [""]}, {"assignment_uuids": {"0": ["Must be a valid UUID."]}}),
    ],
    ids=["missing", "null", "not a list", "a non-uuid item", "an object item", "an empty item"],
)  # fmt: skip
def test_a_bad_body_answers_400_with_the_field_errors(world, action, body, expected):
    allocated = make_assignment("abc@example.com")
    before = snapshot()

    response = admin_post(world, action, body)

    assert (response.status_code, response.json()) == (400, expected)
    assert snapshot() == before
    assert allocated.actions.count() == 0


@pytest.mark.parametrize("action", ACTIONS)
def test_a_body_that_is_not_json_answers_400(world, action):
    response = world.client("admin_a").post(admin_url(action), "assignment_uuids=[", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["detail"].startswith("JSON parse error - ")


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("configuration", [UNKNOWN, "not-a-uuid"], ids=["unknown", "malformed"])
def test_an_unknown_or_malformed_configuration_answers_404(world, action, configuration):
    response = admin_post(world, action, {"assignment_uuids": []}, configuration=configuration)

    assert (response.status_code, response.json()) == (404, {"detail": "Not found."})


@pytest.mark.parametrize("action", ACTIONS)
def test_another_customer_s_admin_gets_403_before_the_body_is_looked_at(world, action):
    response = admin_post(world, action, {}, caller="admin_b")

    assert (response.status_code, response.json()) == (403, FORBIDDEN)


@pytest.mark.parametrize("action", ACTIONS)
def test_only_post_is_allowed(world, action):
    response = world.client("admin_a").get(admin_url(action))

    assert (response.status_code, response.json()) == (405, {"detail": 'Method "GET" not allowed.'})


# --- the seed's examples, verbatim, on the demo data ---------------------------------------------------------

SEED_BODY = '{"assignment_uuids":["8977ef56-d1c4-4aa8-a649-e6eb209f0000","8907ef56-d1c4-4aa8-a649-e6eb209f0000"]'
SEED_URL = "/enterprise/v1/assignment-configurations/6fc7ef56-d1c4-4aa8-a649-e6eb209f0000/admin/assignments/{}/"


def _curl(token: str, action: str):
    """The seed's curl: POST, ``Authorization: JWT``, ``Content-Type: application/json``, the body
    as printed (no closing brace); curl itself sends ``Accept: */*``."""
    return Client().generic(
        "POST", SEED_URL.format(action), SEED_BODY, content_type="application/json",
        HTTP_AUTHORIZATION=f"JWT {token}", HTTP_ACCEPT="*/*",
    )  # fmt: skip


def test_the_seed_s_remind_then_cancel_then_remind_examples_work_on_the_demo_data(
    demo_admin_jwt, mailoutbox, django_capture_on_commit_callbacks
):
    assert json.loads(SEED_BODY + "}")  # the seed's body is this JSON object without its final brace
    assert dict(LearnerContentAssignment.objects.filter(uuid__in=[SEED_1, SEED_2]).values_list("uuid", "state")) == {
        LearnerContentAssignment._meta.pk.to_python(SEED_1): S.ALLOCATED,
        LearnerContentAssignment._meta.pk.to_python(SEED_2): S.ALLOCATED,
    }

    with django_capture_on_commit_callbacks(execute=True):
        remind = _curl(demo_admin_jwt, "remind")
    assert (remind.status_code, remind.content) == (200, b"")
    assert sorted(m.to[0] for m in mailoutbox) == ["abc@example.com", "def@example.com"]
    assert sorted(m.subject for m in mailoutbox) == [
        "Reminder: APIs 101 is waiting for you",
        "Reminder: edX 101 is waiting for you",
    ]

    with django_capture_on_commit_callbacks(execute=True):
        cancel = _curl(demo_admin_jwt, "cancel")
    assert (cancel.status_code, cancel.content) == (200, b"")
    assert set(LearnerContentAssignment.objects.filter(uuid__in=[SEED_1, SEED_2]).values_list("state", flat=True)) == {
        S.CANCELLED
    }
    assert len(mailoutbox) == 4

    with django_capture_on_commit_callbacks(execute=True):
        again = _curl(demo_admin_jwt, "remind")
    assert (again.status_code, again["Content-Type"]) == (422, "application/xml; charset=utf-8")
    root = ET.fromstring(again.content)
    assert list(root.find("unknown_assignment_uuids")) == []
    assert [i.text for i in root.find("non_remindable_assignment_uuids")] == [SEED_1, SEED_2]
    assert len(mailoutbox) == 4
    actions = LearnerContentAssignmentAction.objects.filter(assignment_id__in=[SEED_1, SEED_2])
    assert sorted(actions.values_list("action_type", flat=True)) == [
        "cancelled", "cancelled", "notified", "notified", "reminded", "reminded",
    ]  # fmt: skip


def test_running_the_demo_again_puts_the_seed_s_assignments_back_to_allocated(demo_admin_jwt, settings):
    assert _curl(demo_admin_jwt, "cancel").status_code == 200

    call_command("demo", "--json", stdout=StringIO())

    assert set(LearnerContentAssignment.objects.filter(uuid__in=[SEED_1, SEED_2]).values_list("state", flat=True)) == {
        S.ALLOCATED
    }
    assert _curl(demo_admin_jwt, "remind").status_code == 200
