"""Contract of POST /enterprise/v1/policy-allocation/{policy_uuid}/allocate/ (seed 003
"policy-allocation Endpoint"; reference/enterprise.md §4.1, §5.1; issue 5):

- 202 with ``updated``, ``created`` and ``no_change`` as lists of assignment objects (the seed's
  example; its table's "integer" is a typo), every field of the seed's example plus the reference's.
- 400 in DRF's field-error shape for a bad body; 404 for an unknown or malformed policy uuid; 403
  for another customer's admin, learners and staff (the matrix of test_permissions.py); 405 for
  anything but POST.
- 422 ``[{"reason", "user_message", "policy_uuids"}]`` when a business rule refuses.
- Nothing is written or e-mailed on any 4xx; one e-mail per created or re-allocated assignment,
  after commit.
- XML by default (the seed's curl example, verbatim against the demo data); JSON elsewhere.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
import time_machine
from django.test import Client

from coursegate.assignments.models import LearnerContentAssignment, LearnerContentAssignmentAction
from coursegate.catalogs.models import ContentItem
from coursegate.catalogs.services import catalog_add_items, content_item_upsert
from tests.api.enterprise.conftest import FORBIDDEN
from tests.assignments.conftest import (
    CONFIGURATION_A,
    NOW,
    POLICY_A,
    State,
    assignment_create,
    policy_change,
    policy_create,
    snapshot,
)

POLICY_B = "7c1d2e3f-4a5b-4c6d-8e9f-00000000b0b0"
CONFIGURATION_B = "7c1d2e3f-4a5b-4c6d-8e9f-0000000c0f0b"
UNKNOWN = "99999999-9999-4999-8999-999999999999"
NOW_ISO = "2027-03-01T09:30:00Z"
NINETY_DAYS_LATER = "2027-05-30T09:30:00Z"


def _url(policy: str = POLICY_A) -> str:
    return f"/enterprise/v1/policy-allocation/{policy}/allocate/"


def _body(emails=("abc@example.com",), content_key="edx+101", price=1000) -> dict:
    return {"learner_emails": list(emails), "content_key": content_key, "content_price_cents": price}


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def world(enterprise_world, frozen):
    """enterprise_world plus customer A's policy (the seed's uuid and configuration, room for
    100,000 allocations at 1000 cents) and customer B's. Time stands still at NOW."""
    w = enterprise_world
    w.policy = policy_create(customer=w.customer_a, catalog=w.catalog_a)
    w.policy_b = policy_create(customer=w.customer_b, catalog=w.catalog_b, uuid=POLICY_B,
                               configuration_uuid=CONFIGURATION_B)  # fmt: skip
    return w


def _post(world, body, *, caller="admin_a", policy=POLICY_A, accept="application/json"):
    return world.client(caller, accept=accept).post(_url(policy), body, format="json")


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
    response = _post(world, _body(["abc@example.com", "xyz@example.com"]))

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

    response = _post(world, _body(["ENT_Learner_A@example.com"], content_key="course-v1:edx+101+1T2025"))

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
    response = _post(world, _body(["Abc@Example.com", "xyz@example.com", "ABC@EXAMPLE.COM", "abc@example.com"]))

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

    response = _post(world, _body(["abc@example.com"], price=1050))

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

    response = _post(world, _body(["abc@example.com"], price=1050))

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

    response = _post(world, _body(["reversed@example.com", "new@example.com", "Accepted@example.com",
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

    response = _post(world, _body())

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
    response = _post(world, _body(content_key=content_key, price=price))

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

    first = _post(world, _body(three))
    again = _post(world, _body([*three, "old@example.com", "done@example.com"]))
    one_more = _post(world, _body(["d@example.com"]))
    re_allocation = _post(world, _body(["gone@example.com"]))

    assert first.status_code == 202
    assert len(first.json()["created"]) == 3
    assert again.status_code == 202
    assert (again.json()["created"], again.json()["updated"], len(again.json()["no_change"])) == ([], [], 5)
    spend_limit_reached = [{
        "reason": "policy_spend_limit_reached",
        "user_message": "You can't enroll right now because this budget's spend limit would be exceeded.",
        "policy_uuids": [POLICY_A],
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
        response = _post(world, _body(["new@example.com", "cancelled@example.com", "allocated@example.com",
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
        response = _post(world, _body(["allocated@example.com", "accepted@example.com"]))

    assert response.status_code == 202
    assert len(response.json()["no_change"]) == 2
    assert (callbacks, mailoutbox) == ([], [])


# --- 400 ------------------------------------------------------------------------------------------------

VALID = _body()
BAD_BODIES = {
    "empty e-mail list": ({**VALID, "learner_emails": []}, {"learner_emails": ["This list may not be empty."]}),
    "invalid e-mail": ({**VALID, "learner_emails": ["abc@example.com", "not-an-email"]},
                       {"learner_emails": {"1": ["Enter a valid email address."]}}),
    "e-mails not a list": ({**VALID, "learner_emails": "abc@example.com"},
                           {"learner_emails": ['Expected a list of items but got type "str".']}),
    "no e-mails": ({"content_key": "edx+101", "content_price_cents": 1000},
                   {"learner_emails": ["This field is required."]}),
    "no content key": ({"learner_emails": ["abc@example.com"], "content_price_cents": 1000},
                       {"content_key": ["This field is required."]}),
    "blank content key": ({**VALID, "content_key": "  "}, {"content_key": ["This field may not be blank."]}),
    "no price": ({"learner_emails": ["abc@example.com"], "content_key": "edx+101"},
                 {"content_price_cents": ["This field is required."]}),
    "negative price": ({**VALID, "content_price_cents": -1},
                       {"content_price_cents": ["Ensure this value is greater than or equal to 0."]}),
    "fractional price": ({**VALID, "content_price_cents": 999.5},
                         {"content_price_cents": ["A valid integer is required."]}),
    "text price": ({**VALID, "content_price_cents": "ten"}, {"content_price_cents": ["A valid integer is required."]}),
    "boolean price": ({**VALID, "content_price_cents": True},
                      {"content_price_cents": ["A valid integer is required."]}),
    "null price": ({**VALID, "content_price_cents": None}, {"content_price_cents": ["This field may not be null."]}),
    "empty body": ({}, {"learner_emails": ["This field is required."], "content_key": ["This field is required."],
                        "content_price_cents": ["This field is required."]}),
}  # fmt: skip


@pytest.mark.parametrize("case", list(BAD_BODIES))
def test_a_bad_body_is_a_400_with_drf_s_field_errors_and_writes_nothing(world, mailoutbox, case):
    body, errors = BAD_BODIES[case]
    assignment_create(world.policy, email="cancelled@example.com", state=State.CANCELLED)
    before = snapshot()

    response = _post(world, body)

    assert (response.status_code, response.json()) == (400, errors)
    assert snapshot() == before
    assert mailoutbox == []


def test_a_body_that_is_not_json_is_a_400(world):
    response = world.client("admin_a").post(_url(), "learner_emails=abc", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["detail"].startswith("JSON parse error")
    assert not LearnerContentAssignment.objects.exists()


# --- 422 ------------------------------------------------------------------------------------------------

REFUSALS = {
    "policy inactive": ({"active": False}, _body(), "policy_expired",
                        "You can't enroll right now because this budget is no longer active."),
    "policy retired": ({"retired": True}, _body(), "policy_expired",
                       "You can't enroll right now because this budget is no longer active."),
    "content not in the catalog": ({}, _body(content_key="edx+nothing"), "content_not_in_catalog",
                                   "This content is not in the budget's catalog."),
    "subsidy expired": ({"subsidy_expiration": NOW - timedelta(minutes=1)}, _body(), "subsidy_expired",
                        "You can't enroll right now because your funds expired."),
    "spend limit": ({"spend_limit": 1999}, _body(["a@example.com", "b@example.com"]), "policy_spend_limit_reached",
                    "You can't enroll right now because this budget's spend limit would be exceeded."),
    "subsidy balance": ({"subsidy_balance_cents": 1999}, _body(["a@example.com", "b@example.com"]),
                        "not_enough_value_in_subsidy",
                        "You can't enroll right now because your organization doesn't have enough funds."),
}  # fmt: skip


@pytest.mark.parametrize("case", list(REFUSALS))
def test_a_business_rule_refusal_is_a_422_with_its_reason_and_writes_nothing(world, mailoutbox, case):
    columns, body, reason, message = REFUSALS[case]
    policy_change(world.policy, **columns)
    assignment_create(world.policy, email="b@example.com", state=State.CANCELLED)
    before = snapshot()

    response = _post(world, body)

    assert (response.status_code, response.json()) == (
        422,
        [{"reason": reason, "user_message": message, "policy_uuids": [POLICY_A]}],
    )
    assert snapshot() == before
    assert mailoutbox == []


def test_content_only_in_another_customer_s_catalog_is_not_in_the_policy_s_catalog(world):
    item = content_item_upsert(content_type="course", content_key="MITx+6.00x", title="6.00x", price_cents=1000)
    catalog_add_items(catalog=world.catalog_b, items=[item])

    response = _post(world, _body(content_key="MITx+6.00x"))

    assert response.status_code == 422
    assert response.json()[0]["reason"] == "content_not_in_catalog"
    assert not LearnerContentAssignment.objects.exists()


def test_a_price_outside_the_interval_is_a_422_price_validation_error(world, mailoutbox):
    response = _post(world, _body(["a@example.com", "b@example.com"], content_key="HarvardX+FIH", price=5146))

    assert (response.status_code, response.json()) == (
        422,
        [{
            "reason": "PriceValidationError",
            "user_message": "An error occurred while validating the provided price.",
            "policy_uuids": [POLICY_A],
            "error_message": "Requested price 5146 for HarvardX+FIH outside of acceptable interval on canonical "
                             "course price of 4900.",
        }],
    )  # fmt: skip
    assert (LearnerContentAssignment.objects.count(), mailoutbox) == (0, [])


# --- 404, permissions, methods ----------------------------------------------------------------------------


@pytest.mark.parametrize("policy", [UNKNOWN, "not-a-uuid", "904b1785"])
def test_an_unknown_or_malformed_policy_uuid_is_a_404(world, policy):
    response = _post(world, _body(), policy=policy)

    assert (response.status_code, response.json()) == (404, {"detail": "Not found."})
    assert not LearnerContentAssignment.objects.exists()


def test_another_customer_s_admin_is_refused_before_the_body_is_read(world):
    response = _post(world, {"learner_emails": []}, caller="admin_b")

    assert (response.status_code, response.json()) == (403, FORBIDDEN)


@pytest.mark.parametrize("method", ["get", "put", "patch", "delete"])
def test_only_post_is_allowed(world, method):
    response = getattr(world.client("admin_a"), method)(_url(), _body(), format="json")

    assert (response.status_code, response.json()) == (405, {"detail": f'Method "{method.upper()}" not allowed.'})
    assert not LearnerContentAssignment.objects.exists()


# --- the seed's example on the demo data, in XML ------------------------------------------------------------


def test_the_seed_s_curl_example_works_verbatim_on_the_demo_data_and_answers_xml(demo_admin_jwt):
    client = Client()  # no Accept header, as the seed's curl: the family's XML default
    seed_body = (
        '{"learner_emails":["abc@example.com","xyz@example.com"],"content_key":"edx+api101","content_price_cents":1000}'  # noqa: E501
    )

    response = client.post(_url(), seed_body, content_type="application/json",
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
        _url(),
        _body(["learner@example.com", "abc@example.com"], content_key="edx+101", price=1000),
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
