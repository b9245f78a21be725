"""POST /enterprise/v1/policy-redemption/{policy}/redeem/ (reference/learner_side.md §5.3; issue 12):
the transaction body, what it writes (assignment accepted, balance, enrollment through the shared
service and visible in the Enrollment API, enterprise enrollment, e-mail), the identical retry that
answers the same transaction and spends nothing, a reversal then a new redemption, bad input (400)
and XML rendering."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from coursegate.assignments.models import LearnerContentAssignment, RedemptionTransaction, SubsidyAccessPolicy
from coursegate.assignments.redemption import redemption_reverse
from coursegate.enrollments.models import Enrollment
from coursegate.enterprise.models import EnterpriseEnrollment
from coursegate.outbox.models import OutboxEmail
from tests.api.enterprise.test_redemption_support import (
    API101,
    BALANCE,
    LOCKED,
    POLICY_A,
    PRICE,
    redeem,
    redeem_body,
    redemption_world,
    state_of_world,
)
from tests.assignments.conftest import NOW

ISO_NOW = NOW.isoformat().replace("+00:00", "Z")


@pytest.fixture
def world(enterprise_world, frozen, make_run):
    return redemption_world(enterprise_world, make_run)


def test_redeem_answers_the_committed_transaction(world):
    response = redeem(world, body=redeem_body(world, metadata={"source": "portal"}))

    assert response.status_code == 200, response.content
    body = response.json()
    txn = RedemptionTransaction.objects.get()
    enrollment = Enrollment.objects.get(user=world.learner, course_run=world.run)
    assert body == {
        "uuid": str(txn.uuid),
        "state": "committed",
        "idempotency_key": txn.idempotency_key,
        "lms_user_id": world.learner.pk,
        "content_key": API101,
        "quantity": -PRICE,
        "unit": "usd_cents",
        "reference_id": str(enrollment.pk),
        "reference_type": "enterprise_enrollment",
        "subsidy_access_policy_uuid": POLICY_A,
        "metadata": {"source": "portal"},
        "created": ISO_NOW,
        "modified": ISO_NOW,
        "reversals": [],
    }
    assert body["idempotency_key"].startswith(f"ledger-for-policy-{POLICY_A}-")


def test_redeem_accepts_the_assignment_spends_the_price_and_enrolls(world):
    txn = redeem(world).json()

    assignment = LearnerContentAssignment.objects.get(pk=world.assignment.pk)
    assert (assignment.state, assignment.accepted_at, str(assignment.transaction_uuid)) == (
        "accepted",
        NOW,
        txn["uuid"],
    )
    assert [a.action_type for a in assignment.actions.order_by("created")] == ["notified", "redeemed"]
    assert SubsidyAccessPolicy.objects.get(pk=POLICY_A).subsidy_balance_cents == BALANCE - PRICE
    # The best paid mode of the run, as a license enrolls; recorded as the customer's enrollment.
    enrollment = Enrollment.objects.get(user=world.learner, course_run=world.run)
    assert (enrollment.mode, enrollment.is_active) == ("verified", True)
    record = EnterpriseEnrollment.objects.get(enrollment=enrollment)
    assert (str(record.customer_id), record.learner.user_id, record.source) == (
        str(world.customer_a.pk),
        world.learner.pk,
        "learner_credit",
    )
    history = list(enrollment.history.values_list("source", flat=True))
    assert history == ["enterprise"]
    [email] = OutboxEmail.objects.filter(kind="redemption_enrolled")
    assert email.to == [world.learner.email]
    assert "APIs 101" in email.subject and "Customer A" in email.body


def test_the_enrollment_api_shows_the_redeemed_enrollment(world):
    redeem(world)

    learner = APIClient()
    learner.credentials(HTTP_AUTHORIZATION=f"JWT {world.token('learner_a')}")
    response = learner.get(f"/api/enrollment/v1/enrollment/{world.learner.username},{API101}")

    assert response.status_code == 200, response.content
    assert (response.json()["mode"], response.json()["is_active"]) == ("verified", True)
    assert response.json()["course_details"]["course_id"] == API101


def test_an_identical_retry_answers_the_same_transaction_and_spends_nothing(world):
    first = redeem(world)
    before = state_of_world()

    again = redeem(world)

    assert again.status_code == 200, again.content
    assert again.json() == first.json()
    assert state_of_world() == before
    assert before["transactions"] == 1 and before["emails"] == 1


def test_an_admin_and_an_operator_redeem_for_a_learner(world):
    by_admin = redeem(world, "admin_a")
    assert by_admin.status_code == 200, by_admin.content
    assert by_admin.json()["lms_user_id"] == world.learner.pk
    # The operator's identical call is the retry: the same transaction.
    assert redeem(world, "operator").json()["uuid"] == by_admin.json()["uuid"]


def test_after_a_reversal_and_a_new_allocation_a_new_redemption_is_a_new_transaction(world):
    from tests.assignments.conftest import allocate

    first = redeem(world).json()
    reversed_txn = redemption_reverse(transaction_uuid=first["uuid"])
    assert LearnerContentAssignment.objects.get(pk=world.assignment.pk).state == "reversed"
    assert SubsidyAccessPolicy.objects.get(pk=POLICY_A).subsidy_balance_cents == BALANCE
    # A reversed assignment cannot be redeemed until an admin allocates it again.
    refused = redeem(world)
    assert (refused.status_code, refused.json()[0]["reason"]) == (422, "reason_learner_assignment_reversed")
    allocate(world.policy, [world.learner.email], "edx+api101", PRICE)

    second = redeem(world).json()

    assert second["uuid"] != first["uuid"]
    assert second["idempotency_key"] != first["idempotency_key"]
    assert SubsidyAccessPolicy.objects.get(pk=POLICY_A).subsidy_balance_cents == BALANCE - PRICE
    [old] = redeem(world).json()["reversals"] or [None]  # the retry answers the new one: no reversal
    assert old is None
    assert RedemptionTransaction.objects.get(pk=reversed_txn.pk).reversed_at is not None


def test_a_reversed_transaction_lists_its_reversal(world, make_user):
    first = redeem(world).json()
    redemption_reverse(transaction_uuid=first["uuid"])
    response = world.client("learner_a").get(
        "/enterprise/v1/policy-redemption/enterprise-customer/904b1785-9d3a-1000-848d-6ae7a56e6355/can-redeem/",
        {"content_key": API101},
    )
    [element] = response.json()
    [txn] = element["redemptions"]
    [reversal] = txn["reversals"]
    assert (txn["uuid"], reversal["quantity"], reversal["unit"], reversal["created"]) == (
        first["uuid"],
        PRICE,
        "usd_cents",
        ISO_NOW,
    )
    assert element["has_successful_redemption"] is False


BAD_BODIES = [
    ("empty", {}, {"lms_user_id": ["This field is required."], "content_key": ["This field is required."]}),
    ("lms-user-id-text", {"lms_user_id": "abc", "content_key": API101},
     {"lms_user_id": ["A valid integer is required."]}),
    ("lms-user-id-zero", {"lms_user_id": 0, "content_key": API101},
     {"lms_user_id": ["Ensure this value is greater than or equal to 1."]}),
    ("course-key", {"lms_user_id": "self", "content_key": "edx+api101"},
     {"content_key": ["Invalid content_key: edx+api101"]}),
    ("garbage-key", {"lms_user_id": "self", "content_key": "not a key"},
     {"content_key": ["Invalid content_key: not a key"]}),
    ("key-not-text", {"lms_user_id": "self", "content_key": ["x"]}, {"content_key": ["Invalid content_key: ['x']"]}),
    ("metadata-list", {"lms_user_id": "self", "content_key": API101, "metadata": [1]},
     {"metadata": ["Must be a JSON object."]}),
    ("metadata-text", {"lms_user_id": "self", "content_key": API101, "metadata": "x"},
     {"metadata": ["Must be a JSON object."]}),
]  # fmt: skip


@pytest.mark.parametrize(("name", "body", "errors"), BAD_BODIES, ids=[row[0] for row in BAD_BODIES])
def test_bad_bodies_are_400_with_the_field_errors_and_write_nothing(world, name, body, errors):
    body = {k: (world.learner.pk if v == "self" else v) for k, v in body.items()}
    before = state_of_world()

    response = redeem(world, body=body)

    assert (response.status_code, response.json()) == (400, errors)
    assert state_of_world() == before


@pytest.mark.parametrize("payload", [b"{not json", b"[1, 2]", b'"text"'])
def test_a_body_that_is_not_a_json_object_is_400(world, payload):
    client = world.client("learner_a")
    response = client.post("/enterprise/v1/policy-redemption/" + POLICY_A + "/redeem/", payload,
                           content_type="application/json")  # fmt: skip
    assert response.status_code == 400, response.content
    assert RedemptionTransaction.objects.count() == 0


def test_xml_by_default_json_on_request_errors_too(world):
    xml = redeem(world, accept=None)
    assert xml.status_code == 200
    assert xml["Content-Type"].startswith("application/xml")
    assert b"<reference_type>enterprise_enrollment</reference_type>" in xml.content
    assert b"<unit>usd_cents</unit>" in xml.content

    refused = redeem(world, body=redeem_body(world, "course-v1:HarvardX+FIH+3T2023"), accept=None)
    assert refused.status_code == 422
    assert refused["Content-Type"].startswith("application/xml")
    assert b"<reason>reason_learner_not_assigned_content</reason>" in refused.content

    as_json = world.client("learner_a", accept=None).post(
        f"/enterprise/v1/policy-redemption/{POLICY_A}/redeem?format=json", redeem_body(world), format="json"
    )
    assert as_json.status_code == 200 and as_json.json()["content_key"] == API101  # trailing slash optional


def test_the_locked_answer_is_429_with_the_reference_detail(world, monkeypatch):
    from coursegate.assignments import redemption
    from coursegate.assignments.exceptions import PolicyLockedError

    def locked(policy_uuid):
        raise PolicyLockedError()

    monkeypatch.setattr(redemption, "_lock_policy", locked)
    before = state_of_world()

    response = redeem(world)

    assert (response.status_code, response.json()) == (429, LOCKED)
    assert state_of_world() == before
