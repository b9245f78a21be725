"""POST .../subscriptions/{plan}/licenses/remind-all/ (reference/learner_side.md §4.5; issue 12):
every learner whose license of the plan is still assigned gets a reminder with the activation link;
404 when there is none, nothing sent. Who may call: test_plan_licenses_access.py; remind by e-mail
or filters: test_plan_licenses_remind.py."""

from __future__ import annotations

import pytest

from coursegate.outbox.models import OutboxEmail
from coursegate.subscriptions.models import License
from coursegate.subscriptions.services import licenses_assign
from tests.api.enterprise.license_support import LEARNER_EMAIL, PLAN_A, PLAN_A_EXPIRED, PLAN_B, licensed_world
from tests.api.enterprise.test_plan_licenses_remind import LATER, link, mails, outbox_batches, queries_of, reminded

NONE_PENDING = "Could not find any licenses pending activation"


@pytest.fixture
def licensed(enterprise_world, frozen, make_user):
    world = licensed_world(enterprise_world, make_user)
    frozen.move_to(LATER)
    return world


def remind_all(world, body=None, plan=PLAN_A, caller="admin_a", accept="application/json"):
    client = world.client(caller, accept=accept)
    return client.post(f"/enterprise/v1/subscriptions/{plan}/licenses/remind-all/", body, format="json")


def test_remind_all_reminds_every_assigned_license_of_the_plan_and_only_those(licensed):
    response = remind_all(licensed, {"greeting": "Dear learner,", "closing": "Thanks!"})

    assert (response.status_code, response.content) == (204, b"")
    # alice's license is activated, carol's revoked; the expired plan's license of the same learner
    # and customer B's licenses are other plans.
    assert reminded() == {LEARNER_EMAIL: LATER, "bob@example.com": LATER}
    assert (reminded(PLAN_A_EXPIRED), reminded(PLAN_B)) == ({}, {})
    assert mails() == [("license_reminder", ("bob@example.com",)), ("license_reminder", (LEARNER_EMAIL,))]
    for mail in OutboxEmail.objects.all():
        assert mail.body.startswith("Dear learner,\n\nCustomer A has given you a license to Customer A subscription")
        assert mail.body.endswith(f"Activate it here: {link(mail.to[0])}\n\nThanks!\n")


def test_remind_all_without_a_body_is_fine_and_ignores_other_keys(licensed):
    assert remind_all(licensed).status_code == 204
    assert remind_all(licensed, {"user_emails": ["nobody@example.com"]}).status_code == 204
    assert len(mails()) == 4  # two learners, twice


def test_a_plan_with_no_assigned_license_is_404_and_nothing_is_sent(licensed):
    licensed.client("admin_b").post(f"/enterprise/v1/subscriptions/{PLAN_B}/licenses/revoke-all/")
    before = dict(License.objects.values_list("uuid", "last_remind_date"))

    response = remind_all(licensed, plan=PLAN_B, caller="admin_b")

    assert (response.status_code, response.json()) == (404, {"detail": NONE_PENDING})
    assert dict(License.objects.values_list("uuid", "last_remind_date")) == before
    assert mails() == []


def test_the_404_is_xml_by_default(licensed):
    licensed.client("admin_b").post(f"/enterprise/v1/subscriptions/{PLAN_B}/licenses/revoke-all/")

    response = remind_all(licensed, plan=PLAN_B, caller="admin_b", accept=None)

    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/xml")
    assert response.content.decode().endswith(f"<root><detail>{NONE_PENDING}</detail></root>")


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"greeting": "x" * 5001}, {"greeting": ["Ensure this field has no more than 5000 characters."]}),
        ({"closing": "x" * 5001}, {"closing": ["Ensure this field has no more than 5000 characters."]}),
        ({"greeting": {"text": "Hi"}}, {"greeting": ["Not a valid string."]}),
        ({"closing": None}, {"closing": ["This field may not be null."]}),
        ([], {"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]}),
    ],
)
def test_bad_input_is_400_and_nothing_is_sent(licensed, body, errors):
    response = remind_all(licensed, body)

    assert (response.status_code, response.json()) == (400, errors)
    assert (reminded(), mails()) == ({}, [])


def test_a_body_that_is_not_json_is_400(licensed):
    response = licensed.client("admin_a").post(
        f"/enterprise/v1/subscriptions/{PLAN_A}/licenses/remind-all", "greeting=hi", content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["detail"].startswith("JSON parse error")
    assert (reminded(), mails()) == ({}, [])


def test_remind_all_costs_the_same_queries_on_a_plan_of_many_licenses(licensed):
    plan = licensed.plan_b
    licensed.client("admin_b").get(f"/enterprise/v1/subscriptions/{PLAN_B}/licenses/overview/")  # token warmed up
    small = queries_of(licensed, None, "remind-all")  # dave's license
    License.objects.bulk_create([License(plan=plan) for _ in range(500)])
    licenses_assign(plan=plan, emails=[f"bulk{i}@example.com" for i in range(500)], notify=False)

    large = queries_of(licensed, None, "remind-all")

    assert small == (small[0], outbox_batches(1))
    assert large == (small[0], outbox_batches(501))
    assert len(reminded(PLAN_B)) == 501
