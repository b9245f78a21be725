"""Contract of the assignment list of an assignment configuration (seed 003
"assignment-configurations-remind", "assignment-configurations-cancel"; reference/enterprise.md
§4.2–4.4, §5.1; issue 5):

- GET .../admin/assignments/: newest first, ``state`` and ``learner_email`` filters, pages.
Remind and cancel: test_assignments_remind_cancel.py. Who may call it: test_permissions.py.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest

from coursegate.api.enterprise.serializers.assignments import AssignmentAdminOutput
from coursegate.assignments.models import LearnerContentAssignment, LearnerContentAssignmentAction
from tests.api.enterprise.assignments_support import (
    CONF_A,
    CONF_B,
    UNKNOWN,
    S,
    admin_url,
    assignments_world,
    make_assignment,
)


@pytest.fixture
def world(enterprise_world):
    return assignments_world(enterprise_world)


# --- list -----------------------------------------------------------------------------------------------------


@pytest.fixture
def listed(world):
    """Seven assignments of CONF_A created a minute apart (a0 oldest ... a6 newest), in assorted
    states, and one of CONF_B."""
    states = [S.ALLOCATED, S.ACCEPTED, S.CANCELLED, S.ALLOCATED, S.EXPIRED, S.ERRORED, S.ALLOCATED]
    start = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
    made = []
    for i, state in enumerate(states):
        assignment = make_assignment(f"Learner{i}@example.com".lower(), state)
        LearnerContentAssignment.objects.filter(pk=assignment.pk).update(created=start + timedelta(minutes=i))
        made.append(assignment)
    make_assignment("b@example.com", configuration=CONF_B)
    return made


def _emails(response) -> list[str]:
    return [r["learner_email"] for r in response.json()["results"]]


def test_the_list_gives_the_configuration_s_assignments_newest_first(world, listed):
    response = world.client("admin_a").get(admin_url())

    assert response.status_code == 200
    body = response.json()
    assert (body["count"], body["next"], body["previous"]) == (7, None, None)
    assert _emails(response) == [f"learner{i}@example.com" for i in range(6, -1, -1)]


def test_each_listed_assignment_has_the_seed_s_fields(world):
    allocated_at = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
    assignment = make_assignment("abc@example.com", allocated_at=allocated_at)
    action = LearnerContentAssignmentAction.objects.create(
        assignment=assignment, action_type="notified", completed_at=allocated_at
    )

    response = world.client("admin_a").get(admin_url())

    iso = lambda value: value.isoformat().replace("+00:00", "Z")  # noqa: E731
    assert response.json()["results"] == [
        {
            "uuid": str(assignment.uuid),
            "assignment_configuration": CONF_A,
            "learner_email": "abc@example.com",
            "lms_user_id": None,
            "content_key": "edx+101",
            "parent_content_key": None,
            "is_assigned_course_run": False,
            "content_title": "edX 101",
            "content_quantity": -1000,
            "state": "allocated",
            "transaction_uuid": None,
            "actions": [
                {
                    "created": iso(action.created),
                    "modified": iso(action.modified),
                    "uuid": str(action.uuid),
                    "action_type": "notified",
                    "completed_at": "2026-01-01T09:00:00Z",
                    "error_reason": None,
                }
            ],
            "earliest_possible_expiration": {"date": "2026-04-01T09:00:00Z", "reason": "NINETY_DAYS_PASSED"},
            "learner_state": "waiting",
        }
    ]


def test_an_assignment_has_exactly_the_fields_its_output_serializer_declares(world):
    # AssignmentAdminOutput builds its dict by hand (fast); the OpenAPI document reads its fields.
    assignment = make_assignment("abc@example.com")
    LearnerContentAssignmentAction.objects.create(assignment=assignment, action_type="notified")

    [row] = world.client("admin_a").get(admin_url()).json()["results"]

    declared = AssignmentAdminOutput().fields
    assert list(row) == list(declared)
    assert list(row["actions"][0]) == list(declared["actions"].child.fields)
    assert list(row["earliest_possible_expiration"]) == list(declared["earliest_possible_expiration"].fields)


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ("allocated", [6, 3, 0]),
        ("cancelled,expired", [4, 2]),
        (" accepted , errored ", [5, 1]),
        ("reversed", []),
        ("", [6, 5, 4, 3, 2, 1, 0]),
    ],
)
def test_the_state_filter_takes_a_comma_separated_list(world, listed, state, expected):
    response = world.client("admin_a").get(admin_url(), {"state": state})

    assert response.status_code == 200
    assert _emails(response) == [f"learner{i}@example.com" for i in expected]
    assert response.json()["count"] == len(expected)


@pytest.mark.parametrize("state", ["bogus", "allocated,bogus"])
def test_an_unknown_state_answers_400(world, listed, state):
    response = world.client("admin_a").get(admin_url(), {"state": state})

    assert (response.status_code, response.json()) == (400, {"state": ["Unknown state: bogus."]})


@pytest.mark.parametrize("email", ["learner3@example.com", "LEARNER3@Example.COM", " learner3@example.com "])
def test_the_learner_email_filter_ignores_case(world, listed, email):
    response = world.client("admin_a").get(admin_url(), {"learner_email": email})

    assert (response.status_code, _emails(response)) == (200, ["learner3@example.com"])


def test_the_filters_combine(world, listed):
    response = world.client("admin_a").get(admin_url(), {"learner_email": "learner3@example.com", "state": "cancelled"})

    assert (response.status_code, response.json()["count"], _emails(response)) == (200, 0, [])


def test_the_list_pages_with_page_and_page_size(world, listed):
    client = world.client("admin_a")

    first = client.get(admin_url(), {"page_size": 3})
    second = client.get(admin_url(), {"page_size": 3, "page": 2})
    last = client.get(admin_url(), {"page_size": 3, "page": 3})

    base = f"http://testserver{admin_url()}"
    assert (first.json()["count"], first.json()["previous"], first.json()["next"]) == (
        7,
        None,
        f"{base}?page=2&page_size=3",
    )
    assert (second.json()["previous"], second.json()["next"]) == (f"{base}?page_size=3", f"{base}?page=3&page_size=3")
    assert (last.json()["previous"], last.json()["next"]) == (f"{base}?page=2&page_size=3", None)
    assert _emails(first) + _emails(second) + _emails(last) == [f"learner{i}@example.com" for i in range(6, -1, -1)]


def test_the_default_page_holds_ten(world):
    for i in range(12):
        make_assignment(f"p{i:02}@example.com")

    response = world.client("admin_a").get(admin_url())

    assert (response.json()["count"], len(response.json()["results"])) == (12, 10)


def test_a_page_past_the_end_answers_404(world, listed):
    response = world.client("admin_a").get(admin_url(), {"page": 9})

    assert (response.status_code, response.json()) == (404, {"detail": "Invalid page."})


def test_the_list_costs_the_same_number_of_queries_whatever_the_page_holds(world, django_assert_num_queries):
    for i in range(20):
        assignment = make_assignment(f"q{i:02}@example.com", content_key="edx+api101" if i % 2 else "edx+101")
        LearnerContentAssignmentAction.objects.create(assignment=assignment, action_type="notified")
        LearnerContentAssignmentAction.objects.create(assignment=assignment, action_type="reminded")
    client = world.client("admin_a")
    client.get(admin_url(), {"page_size": 1})  # the JWT's user is created on first use

    with django_assert_num_queries(QUERIES_PER_PAGE):
        one = client.get(admin_url(), {"page_size": 1})
    with django_assert_num_queries(QUERIES_PER_PAGE):
        twenty = client.get(admin_url(), {"page_size": 20})

    assert (len(one.json()["results"]), len(twenty.json()["results"])) == (1, 20)
    assert all(len(r["actions"]) == 2 for r in twenty.json()["results"])


# token, the caller's roles, configuration, count, page, the page's actions (one query), enroll-by dates,
# learner_state_counts.
QUERIES_PER_PAGE = 8


def test_the_list_is_xml_by_default(world, listed):
    response = world.client("admin_a", accept=None).get(admin_url(), {"state": "allocated", "page_size": 2})

    assert (response.status_code, response["Content-Type"]) == (200, "application/xml; charset=utf-8")
    root = ET.fromstring(response.content)
    assert root.findtext("count") == "3"
    assert [item.findtext("learner_email") for item in root.find("results")] == [
        "learner6@example.com",
        "learner3@example.com",
    ]
    assert root.find("results")[0].findtext("state") == "allocated"


@pytest.mark.parametrize("configuration", [UNKNOWN, "not-a-uuid"], ids=["unknown", "malformed"])
def test_listing_an_unknown_or_malformed_configuration_answers_404(world, configuration):
    response = world.client("admin_a").get(admin_url(configuration=configuration))

    assert (response.status_code, response.json()) == (404, {"detail": "Not found."})
