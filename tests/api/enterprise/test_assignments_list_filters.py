"""Contract of the assignment list's parity with enterprise-access (issue 12 "Assignment list";
reference/enterprise.md §4.4, reference/learner_side.md §5.4):

- each assignment's derived ``learner_state`` (notifying, waiting, expired, failed, or null), computed
  in SQL; ``learner_state_counts`` over every assignment the filters keep (not only the page);
- filters ``content_key``, ``learner_email``, ``lms_user_id``, ``state``, ``learner_state``, each with
  its ``__in`` comma form, ``search`` (e-mail, content title, any case) and ``ordering``;
- an unknown choice or a bad id is a 400 naming the parameter, never ignored, never a 500.
The list's older behaviour (paging, fields, XML): test_assignments_list.py.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from coursegate.assignments.models import LearnerContentAssignment, LearnerContentAssignmentAction
from tests.api.enterprise.assignments_support import MIXED, admin_url, assignments_world, mixed_assignments

NEWEST_FIRST = list(reversed(MIXED))
ALL = [email.split("@")[0] for email in MIXED]


@pytest.fixture
def world(enterprise_world):
    return assignments_world(enterprise_world)


@pytest.fixture
def mixed(world, make_user):
    return mixed_assignments(make_user)


def _list(world, params=None, caller="admin_a"):
    return world.client(caller).get(admin_url(), params or {})


def _emails(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["learner_email"] for row in response.json()["results"]]


def _only(*names: str) -> list[str]:
    """The e-mails of MIXED whose names are given, newest first (the default order)."""
    return [email for email in NEWEST_FIRST if email.split("@")[0] in names]


def test_each_assignment_carries_its_derived_learner_state(world, mixed):
    response = _list(world)

    assert {row["learner_email"]: row["learner_state"] for row in response.json()["results"]} == {
        email: spec[4] for email, spec in MIXED.items()
    }


def test_learner_state_counts_count_every_matching_assignment_most_frequent_first(world, mixed):
    body = _list(world, {"page_size": 1}).json()

    assert len(body["results"]) == 1
    # Ties keep the reference's order: notifying, waiting, expired, failed; null states are left out.
    assert body["learner_state_counts"] == [
        {"learner_state": "waiting", "count": 2},
        {"learner_state": "failed", "count": 2},
        {"learner_state": "notifying", "count": 1},
        {"learner_state": "expired", "count": 1},
    ]


def test_learner_state_counts_follow_the_filters(world, mixed):
    body = _list(world, {"content_key": "edx+api101"}).json()

    assert body["learner_state_counts"] == [
        {"learner_state": "waiting", "count": 1},
        {"learner_state": "expired", "count": 1},
        {"learner_state": "failed", "count": 1},
    ]


def test_an_empty_configuration_has_an_empty_count_list(world):
    body = _list(world).json()

    assert (body["count"], body["results"], body["learner_state_counts"]) == (0, [], [])


def test_the_counts_are_in_the_xml_answer_too(world, mixed):
    response = world.client("admin_a", accept=None).get(admin_url(), {"learner_state": "failed"})

    root = ET.fromstring(response.content)
    assert [item.findtext("learner_state") for item in root.find("results")] == ["failed", "failed"]
    assert [(i.findtext("learner_state"), i.findtext("count")) for i in root.find("learner_state_counts")] == [
        ("failed", "2")
    ]


@pytest.mark.parametrize(
    ("params", "names"),
    [
        ({"content_key": "edx+api101"}, ["cat", "dan", "fay", "hal"]),
        ({"content_key": "EDX+API101"}, []),  # content keys are exact
        ({"content_key__in": "edx+api101, edx+101"}, ALL),
        ({"content_key__in": "edx+101,nothing"}, ["ann", "bob", "eve", "gus"]),
        ({"content_key": "edx+101", "content_key__in": "edx+api101"}, []),  # both narrow
        ({"learner_email": "BOB@example.com"}, ["bob"]),
        ({"learner_email__in": "bob@example.com,CAT@EXAMPLE.COM, nobody@example.com"}, ["bob", "cat"]),
        ({"state": "allocated,errored"}, ["ann", "bob", "cat", "dan", "eve"]),
        ({"state__in": "expired,accepted"}, ["fay", "gus"]),
        ({"state": "allocated", "state__in": "allocated,cancelled"}, ["ann", "bob", "cat", "dan"]),
        ({"learner_state": "waiting"}, ["bob", "cat"]),
        ({"learner_state": "notifying,expired"}, ["ann", "fay"]),
        ({"learner_state__in": "failed"}, ["dan", "eve"]),
        ({"search": "api design"}, ["cat", "dan", "fay", "hal"]),  # every word, any case, in the title
        ({"search": "BOB"}, ["bob"]),  # in the e-mail
        ({"search": "example.com 101"}, ALL),
        ({"search": "dan,design"}, ["dan"]),  # commas separate words too
        ({"search": "nothing"}, []),
        ({"state": "allocated", "content_key": "edx+101", "learner_state": "waiting"}, ["bob"]),
        ({"state": "", "learner_state": "", "content_key": "", "search": "  "}, ALL),  # blank: no filter
    ],
)
def test_each_filter_narrows_the_list(world, mixed, params, names):
    response = _list(world, params)

    assert _emails(response) == _only(*names)
    assert response.json()["count"] == len(names)


def test_the_lms_user_id_filters_match_the_learner_s_account(world, mixed):
    bob, cat = mixed["bob@example.com"].lms_user_id, mixed["cat@example.com"].lms_user_id

    assert _emails(_list(world, {"lms_user_id": bob})) == ["bob@example.com"]
    assert _emails(_list(world, {"lms_user_id__in": f"{bob}, {cat},{cat + 1000}"})) == _only("bob", "cat")
    assert _emails(_list(world, {"lms_user_id": cat + 1000})) == []


def test_another_configuration_s_assignments_never_match(world, mixed):
    assert _emails(_list(world, {"learner_email": "zed@example.com"})) == []


@pytest.mark.parametrize(
    ("ordering", "names"),
    [
        ("learner_state_sort_order", ["ann", "cat", "bob", "fay", "eve", "dan", "hal", "gus"]),
        ("-learner_state_sort_order", ["hal", "gus", "eve", "dan", "fay", "cat", "bob", "ann"]),
        ("content_quantity,learner_state_sort_order", ["ann", "cat", "bob", "fay", "eve", "dan", "hal", "gus"]),
    ],
)
def test_ordering_sorts_then_newest_first(world, mixed, ordering, names):
    assert _emails(_list(world, {"ordering": ordering})) == [f"{name}@example.com" for name in names]


def test_ordering_by_recent_action_time_counts_the_last_reminder(world, mixed):
    LearnerContentAssignment.objects.update(allocated_at=mixed["ann@example.com"].allocated_at)
    later = mixed["ann@example.com"].allocated_at.replace(year=2030)
    LearnerContentAssignmentAction.objects.create(
        assignment=mixed["cat@example.com"], action_type="reminded", completed_at=later
    )

    ordered = _emails(_list(world, {"ordering": "-recent_action_time", "page_size": 3}))

    assert ordered == ["cat@example.com", "hal@example.com", "gus@example.com"]


def test_the_filters_cost_no_query_per_row(world, make_user, django_assert_max_num_queries):
    mixed_assignments(make_user)
    client = world.client("admin_a")
    params = {"state__in": "allocated,errored", "learner_state__in": "waiting,failed", "search": "example",
              "ordering": "-recent_action_time,learner_state_sort_order", "page_size": 100}  # fmt: skip
    client.get(admin_url(), params)  # the JWT's user is created on first use

    # token, roles, configuration, count, page, actions, enroll-by dates, learner_state_counts
    with django_assert_max_num_queries(8):
        response = client.get(admin_url(), params)

    # Allocated (make_assignment: ten days before its creation) newest first.
    assert _emails(response) == ["eve@example.com", "dan@example.com", "cat@example.com", "bob@example.com"]


BAD = {
    "unknown state": ({"state": "bogus"}, {"state": ["Unknown state: bogus."]}),
    "unknown state__in": ({"state__in": "allocated,nope"}, {"state__in": ["Unknown state: nope."]}),
    "unknown learner_state": ({"learner_state": "accepted"}, {"learner_state": ["Unknown learner_state: accepted."]}),
    "unknown learner_state__in": ({"learner_state__in": "waiting,Waiting"},
                                  {"learner_state__in": ["Unknown learner_state: Waiting."]}),
    "text lms_user_id": ({"lms_user_id": "bob"}, {"lms_user_id": ["A valid integer is required."]}),
    "negative lms_user_id": ({"lms_user_id": "-1"}, {"lms_user_id": ["A valid integer is required."]}),
    "list in lms_user_id": ({"lms_user_id": "1,2"}, {"lms_user_id": ["A valid integer is required."]}),
    "non-ASCII digit": ({"lms_user_id": "٣"}, {"lms_user_id": ["A valid integer is required."]}),
    "huge lms_user_id": ({"lms_user_id": "9" * 30},
                         {"lms_user_id": ["Ensure this value is less than or equal to 9223372036854775807."]}),
    "bad lms_user_id__in": ({"lms_user_id__in": "1,two"}, {"lms_user_id__in": ["A valid integer is required."]}),
    "too many values": ({"content_key__in": ",".join(f"k{i}" for i in range(1001))},
                        {"content_key__in": ["Ensure this field has no more than 1000 elements."]}),
    "too many words": ({"search": " ".join(f"w{i}" for i in range(21))},
                       {"search": ["Ensure this field has no more than 20 words."]}),
    "unknown ordering": ({"ordering": "learner_email"}, {"ordering": ["Unknown ordering: learner_email."]}),
    "several at once": ({"state": "x", "learner_state": "y"},
                        {"state": ["Unknown state: x."], "learner_state": ["Unknown learner_state: y."]}),
}  # fmt: skip


@pytest.mark.parametrize("case", list(BAD))
def test_a_bad_filter_is_a_400_naming_it(world, mixed, case):
    params, errors = BAD[case]

    response = _list(world, params)

    assert (response.status_code, response.json()) == (400, errors)


def test_filter_values_with_odd_characters_match_nothing_rather_than_fail(world, mixed):
    for params in ({"content_key": "'; DROP TABLE x; --"}, {"learner_email": "%"}, {"search": "%_\\"}):
        assert _emails(_list(world, params)) == []
