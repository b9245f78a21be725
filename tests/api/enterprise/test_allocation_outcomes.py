"""Contract of POST /enterprise/v1/policy-allocation/{policy_uuid}/allocate/ when it allocates (seed 003
"policy-allocation Endpoint"; reference/enterprise.md §4.1, §5.1; issue 5):

- 202 with ``updated``, ``created`` and ``no_change`` as lists of assignment objects (the seed's
  example; its table's "integer" is a typo), every field of the seed's example plus the reference's.
- One e-mail per created or re-allocated assignment, after commit.
- XML by default (the seed's curl example, verbatim against the demo data); JSON elsewhere.
Refusals (400, 422, 404, 403, 405): test_allocation_refusals.py. Who may call it: test_permissions.py.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.test import Client

from coursegate.assignments.models import LearnerContentAssignment, LearnerContentAssignmentAction
from coursegate.catalogs.models import ContentItem
from tests.api.enterprise.allocation_support import allocate_post, allocate_url, allocation_world, payload
from tests.assignments.conftest import (
    CONFIGURATION_A,
    NOW,
    POLICY_A,
    State,
    assignment_create,
    policy_change,
    snapshot,
)

NOW_ISO = "2027-03-01T09:30:00Z"
NINETY_DAYS_LATER = "2027-05-30T09:30:00Z"


@pytest.fixture
def world(enterprise_world, frozen):
    return allocation_world(enterprise_world)


def _action(action: LearnerContentAssignmentAction) -> dict:
    return {
        "created": action.created.isoformat().replace("+00:00", "Z"),
        "modified": action.modified.isoformat().replace("+00:00", "Z"),
        "uuid": str(action.uuid),
        "action_type": action.action_type,
        "completed_at": action.completed_at.isoformat().replace("+00:00", "Z"),
        "error_reason": action.error_reason,
    }


def _stored(email: str, content_key: str = "edx+101") -> LearnerContentAssignment:
    return LearnerContentAssignment.objects.get(learner_email=email, content_key=content_key)


# --- 202 ------------------------------------------------------------------------------------------------


def test_new_learners_are_created_with_every_field_of_the_seed_s_example(world):
    response = allocate_post(world, payload(["abc@example.com", "xyz@example.com"]))

    assert response.status_code == 202
    body = response.json()
    assert (set(body), body["updated"], body["no_change"]) == ({"updated", "created", "no_change"}, [], [])
    expected = []
    for email in ("abc@example.com", "xyz@example.com"):
        stored = _stored(email)
        (action,) = stored.actions.all()
        assert (action.action_type, action.completed_at) == ("notified", NOW)
        expected.append(
            {
                "uuid": str(stored.uuid),
                "assignment_configuration": CONFIGURATION_A,
                "learner_email": email,
                "lms_user_id": None,
                "content_key": "edx+101",
                "parent_content_key": None,
                "is_assigned_course_run": False,
                "content_title": "edX 101",
                "content_quantity": -1000,
                "state": "allocated",
                "transaction_uuid": None,
                "actions": [
                    {"created": NOW_ISO, "modified": NOW_ISO, "uuid": str(action.uuid), "action_type": "notified",
                     "completed_at": NOW_ISO, "error_reason": None}
                ],
                "earliest_possible_expiration": {"date": NINETY_DAYS_LATER, "reason": "NINETY_DAYS_PASSED"},
            }
        )  # fmt: skip
        assert (
            stored.state,
            stored.content_quantity,
            stored.allocated_at,
            str(stored.assignment_configuration_id),
        ) == (
            State.ALLOCATED,
            -1000,
            NOW,
            CONFIGURATION_A,
        )
    assert body["created"] == expected
    assert LearnerContentAssignment.objects.count() == 2


def test_a_course_run_for_a_learner_with_an_account_has_the_parent_key_and_the_lms_user_id(world):
    learner = world.users["learner_a"]  # e-mail ent_learner_a@example.com

    response = allocate_post(world, payload(["ENT_Learner_A@example.com"], content_key="course-v1:edx+101+1T2025"))

    assert response.status_code == 202
    (created,) = response.json()["created"]
    assert {k: created[k] for k in ("learner_email", "lms_user_id", "content_key", "parent_content_key",
                                    "is_assigned_course_run", "content_title")} == {
        "learner_email": "ent_learner_a@example.com",
        "lms_user_id": learner.pk,
        "content_key": "course-v1:edx+101+1T2025",
        "parent_content_key": "edx+101",
        "is_assigned_course_run": True,
        "content_title": "edX 101",
    }  # fmt: skip
    assert _stored("ent_learner_a@example.com", "course-v1:edx+101+1T2025").lms_user_id == learner.pk


def test_e_mails_are_de_duplicated_case_insensitively(world):
    response = allocate_post(
        world, payload(["Abc@Example.com", "xyz@example.com", "ABC@EXAMPLE.COM", "abc@example.com"])
    )

    assert response.status_code == 202
    assert [a["learner_email"] for a in response.json()["created"]] == ["abc@example.com", "xyz@example.com"]
    assert sorted(LearnerContentAssignment.objects.values_list("learner_email", flat=True)) == [
        "abc@example.com",
        "xyz@example.com",
    ]


@pytest.mark.parametrize("state", [State.CANCELLED, State.ERRORED, State.EXPIRED, State.REVERSED])
def test_a_cancelled_errored_expired_or_reversed_assignment_comes_back_updated(world, state):
    old = assignment_create(world.policy, email="abc@example.com", state=state, price=1000)
    (old_action,) = old.actions.all()

    response = allocate_post(world, payload(["abc@example.com"], price=1050))

    assert response.status_code == 202
    body = response.json()
    assert (body["created"], body["no_change"]) == ([], [])
    (updated,) = body["updated"]
    stored = LearnerContentAssignment.objects.get(pk=old.pk)
    new_action = stored.actions.exclude(pk=old_action.pk).get()
    assert updated == {
        "uuid": str(old.pk),
        "assignment_configuration": CONFIGURATION_A,
        "learner_email": "abc@example.com",
        "lms_user_id": None,
        "content_key": "edx+101",
        "parent_content_key": None,
        "is_assigned_course_run": False,
        "content_title": "edX 101",
        "content_quantity": -1050,
        "state": "allocated",
        "transaction_uuid": None,
        "actions": [_action(old_action), _action(new_action)],
        "earliest_possible_expiration": {"date": NINETY_DAYS_LATER, "reason": "NINETY_DAYS_PASSED"},
    }
    assert (stored.state, stored.content_quantity, stored.allocated_at, stored.transaction_uuid) == (
        State.ALLOCATED,
        -1050,
        NOW,
        None,
    )
    assert [stored.accepted_at, stored.cancelled_at, stored.errored_at, stored.expired_at, stored.reversed_at] == [
        None
    ] * 5
    assert LearnerContentAssignment.objects.count() == 1


@pytest.mark.parametrize("state", [State.ALLOCATED, State.ACCEPTED])
def test_an_allocated_or_accepted_assignment_comes_back_unchanged(world, state):
    old = assignment_create(world.policy, email="abc@example.com", state=state, price=1000,
                            allocated_at=NOW - timedelta(days=10))  # fmt: skip
    before = snapshot()

    response = allocate_post(world, payload(["abc@example.com"], price=1050))

    assert response.status_code == 202
    body = response.json()
    assert (body["created"], body["updated"]) == ([], [])
    (unchanged,) = body["no_change"]
    assert {k: unchanged[k] for k in ("uuid", "state", "content_quantity", "transaction_uuid")} == {
        "uuid": str(old.pk),
        "state": state,
        "content_quantity": -1000,
        "transaction_uuid": str(old.transaction_uuid) if old.transaction_uuid else None,
    }
    assert unchanged["earliest_possible_expiration"] == {"date": "2027-05-20T09:30:00Z", "reason": "NINETY_DAYS_PASSED"}
    assert [a["action_type"] for a in unchanged["actions"]] == ["notified"]
    assert snapshot() == before


def test_one_request_answers_created_updated_and_no_change_together(world):
    p = world.policy
    allocated = assignment_create(p, email="allocated@example.com", state=State.ALLOCATED)
    accepted = assignment_create(p, email="accepted@example.com", state=State.ACCEPTED)
    cancelled = assignment_create(p, email="cancelled@example.com", state=State.CANCELLED)
    reversed_ = assignment_create(p, email="reversed@example.com", state=State.REVERSED)

    response = allocate_post(world, payload(["reversed@example.com", "new@example.com", "Accepted@example.com",
                                             "cancelled@example.com", "allocated@example.com"]))  # fmt: skip

    assert response.status_code == 202
    body = response.json()
    assert {key: [(a["learner_email"], a["state"]) for a in body[key]] for key in body} == {
        "updated": [("reversed@example.com", "allocated"), ("cancelled@example.com", "allocated")],
        "created": [("new@example.com", "allocated")],
        "no_change": [("accepted@example.com", "accepted"), ("allocated@example.com", "allocated")],
    }
    assert [a["uuid"] for a in body["updated"]] == [str(reversed_.pk), str(cancelled.pk)]
    assert [a["uuid"] for a in body["no_change"]] == [str(accepted.pk), str(allocated.pk)]
    assert body["created"][0]["uuid"] == str(_stored("new@example.com").pk)


@pytest.mark.parametrize(
    ("enroll_by", "subsidy_expiration", "expected"),
    [
        (None, None, {"date": NINETY_DAYS_LATER, "reason": "NINETY_DAYS_PASSED"}),
        (NOW + timedelta(days=30), None, {"date": "2027-03-31T09:30:00Z", "reason": "ENROLLMENT_DATE_PASSED"}),
        (NOW + timedelta(days=30), NOW + timedelta(days=7, hours=1),
         {"date": "2027-03-08T10:30:00Z", "reason": "SUBSIDY_EXPIRED"}),
    ],
    ids=["ninety days", "enroll-by", "subsidy expiration"],
)  # fmt: skip
def test_the_earliest_possible_expiration_names_what_comes_first(world, enroll_by, subsidy_expiration, expected):
    if enroll_by:
        ContentItem.objects.filter(content_key="edx+101").update(enroll_by=enroll_by)
    if subsidy_expiration:
        policy_change(world.policy, subsidy_expiration=subsidy_expiration)

    response = allocate_post(world, payload())

    assert response.status_code == 202
    assert response.json()["created"][0]["earliest_possible_expiration"] == expected


@pytest.mark.parametrize(
    ("content_key", "price", "status"),
    [
        ("edx+101", 950, 202),
        ("edx+101", 1050, 202),
        ("edx+101", 949, 422),
        ("edx+101", 1051, 422),
        ("MyUni+Sport101x", 0, 202),  # no known price: any price
        ("MyUni+Sport101x", 123_456, 202),
    ],
)
def test_the_price_may_differ_from_the_catalog_price_by_at_most_five_percent(world, content_key, price, status):
    response = allocate_post(world, payload(content_key=content_key, price=price))

    assert response.status_code == status, response.content
    assert LearnerContentAssignment.objects.filter(content_quantity=-price).count() == (1 if status == 202 else 0)


def test_spend_counts_only_learners_that_would_be_created_or_re_allocated(world):
    # Committed before: 1000 allocated + 1000 accepted (a cancelled 1000 does not count);
    # the limit leaves room for exactly three new learners at 1000.
    policy = policy_change(world.policy, spend_limit=5000)
    assignment_create(policy, email="old@example.com", state=State.ALLOCATED)
    assignment_create(policy, email="done@example.com", state=State.ACCEPTED)
    assignment_create(policy, email="gone@example.com", state=State.CANCELLED)
    three = ["a@example.com", "b@example.com", "c@example.com"]

    first = allocate_post(world, payload(three))
    again = allocate_post(world, payload([*three, "old@example.com", "done@example.com"]))
    one_more = allocate_post(world, payload(["d@example.com"]))
    re_allocation = allocate_post(world, payload(["gone@example.com"]))

    assert first.status_code == 202
    assert len(first.json()["created"]) == 3
    assert again.status_code == 202
    assert (again.json()["created"], again.json()["updated"], len(again.json()["no_change"])) == ([], [], 5)
    spend_limit_reached = [{
        "reason": "policy_spend_limit_reached",
        "user_message": "You can't enroll right now because your organization doesn't have enough funds.",
        "policy_uuids": [POLICY_A],
        "metadata": {"enterprise_administrators": [{"email": "ent_admin_a@example.com"}]},  # the caller
    }]  # fmt: skip
    assert (one_more.status_code, one_more.json()) == (422, spend_limit_reached)
    assert (re_allocation.status_code, re_allocation.json()) == (422, spend_limit_reached)
    assert sorted(
        LearnerContentAssignment.objects.filter(state=State.ALLOCATED).values_list("learner_email", flat=True)
    ) == ["a@example.com", "b@example.com", "c@example.com", "old@example.com"]


# --- e-mails --------------------------------------------------------------------------------------------


def test_each_created_or_re_allocated_learner_gets_one_e_mail_after_commit(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    assignment_create(world.policy, email="cancelled@example.com", state=State.CANCELLED)
    assignment_create(world.policy, email="allocated@example.com", state=State.ALLOCATED)
    assignment_create(world.policy, email="accepted@example.com", state=State.ACCEPTED)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = allocate_post(world, payload(["new@example.com", "cancelled@example.com", "allocated@example.com",
                                                 "accepted@example.com", "NEW@example.com"]))  # fmt: skip
    assert response.status_code == 202
    assert mailoutbox == []  # nothing before the commit
    for callback in callbacks:
        callback()

    assert sorted(m.to for m in mailoutbox) == [["cancelled@example.com"], ["new@example.com"]]
    for message in mailoutbox:
        assert message.subject == "You have been assigned edX 101"
        assert "edX 101 (edx+101)" in message.body
        assert "2027-05-30" in message.body  # the earliest possible expiration


def test_a_request_where_nothing_changes_sends_no_e_mail(world, mailoutbox, django_capture_on_commit_callbacks):
    assignment_create(world.policy, email="allocated@example.com", state=State.ALLOCATED)
    assignment_create(world.policy, email="accepted@example.com", state=State.ACCEPTED)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = allocate_post(world, payload(["allocated@example.com", "accepted@example.com"]))

    assert response.status_code == 202
    assert len(response.json()["no_change"]) == 2
    assert (callbacks, mailoutbox) == ([], [])


# --- the seed's example on the demo data, in XML ------------------------------------------------------------


def test_the_seed_s_curl_example_works_verbatim_on_the_demo_data_and_answers_xml(demo_admin_jwt):
    client = Client()  # no Accept header, as the seed's curl: the family's XML default
    seed_body = (
        '{"learner_emails":["abc@example.com","xyz@example.com"],"content_key":"edx+api101","content_price_cents":1000}'  # noqa: E501
    )

    response = client.post(allocate_url(), seed_body, content_type="application/json",
                           HTTP_AUTHORIZATION=f"JWT {demo_admin_jwt}")  # fmt: skip

    assert response.status_code == 202, response.content
    assert response["Content-Type"] == "application/xml; charset=utf-8"
    root = ET.fromstring(response.content)
    created = root.find("created")
    assert [item.findtext("learner_email") for item in created] == ["abc@example.com", "xyz@example.com"]
    assert [item.findtext("content_key") for item in created] == ["edx+api101", "edx+api101"]
    assert created[0].findtext("content_quantity") == "-1000"
    assert created[0].findtext("state") == "allocated"
    assert created[0].findtext("assignment_configuration") == CONFIGURATION_A
    assert created[0].findtext("earliest_possible_expiration/reason") == "NINETY_DAYS_PASSED"
    assert created[0].findtext("uuid") == str(_stored("abc@example.com", "edx+api101").uuid)
    assert list(root.find("updated")) == [] and list(root.find("no_change")) == []


def test_the_seed_s_example_response_edx_101_for_a_learner_on_the_demo_policy(demo_admin_jwt):
    response = Client().post(
        allocate_url(),
        payload(["learner@example.com", "abc@example.com"], content_key="edx+101", price=1000),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"JWT {demo_admin_jwt}",
        HTTP_ACCEPT="application/json",
    )

    assert response.status_code == 202, response.content
    body = response.json()
    (created,) = body["created"]
    assert {k: created[k] for k in ("learner_email", "content_key", "content_title", "content_quantity", "state",
                                    "transaction_uuid", "assignment_configuration")} == {
        "learner_email": "learner@example.com",
        "content_key": "edx+101",
        "content_title": "edX 101",
        "content_quantity": -1000,
        "state": "allocated",
        "transaction_uuid": None,
        "assignment_configuration": CONFIGURATION_A,
    }  # fmt: skip
    # abc@example.com already holds edx+101 in the demo data (the seed's remind/cancel example).
    assert [a["uuid"] for a in body["no_change"]] == ["8977ef56-d1c4-4aa8-a649-e6eb209f0000"]
    assert body["updated"] == []
