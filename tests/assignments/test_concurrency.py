"""Concurrent allocations on one policy are serialised and never overspend (issue 5: "20 parallel
allocations that together exceed the limit: the sum allocated never exceeds it"; reference §4.1).
Real threads, each with its own database connection (closed at its end), released together by a
barrier; both the service and the HTTP endpoint.

Needs a database that several connections share: skipped on SQLite, whose in-memory test
database exists per connection. Run it with scripts/test-postgres.sh.
"""

from __future__ import annotations

import pytest
from django.db.models import Sum
from rest_framework.test import APIClient

from coursegate.assignments.exceptions import AllocationRefusedError
from coursegate.assignments.models import LearnerContentAssignment, LearnerContentAssignmentAction
from coursegate.assignments.services import AllocationResult, policy_allocate
from tests.assignments.conftest import CUSTOMER_A, POLICY_A, State
from tests.kit.races import race

THREADS = 20
PRICE = 1000
SPEND_LIMIT = 10_000  # room for exactly 10 of the 20

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("requires_shared_database"),
]


def _allocated_cents() -> int:
    total = LearnerContentAssignment.objects.filter(
        assignment_configuration__policy__pk=POLICY_A, state__in=[State.ALLOCATED, State.ACCEPTED]
    ).aggregate(total=Sum("content_quantity"))["total"]
    return -(total or 0)


def _allocate(email: str):
    return policy_allocate(
        policy_uuid=POLICY_A, learner_emails=[email], content_key="edx+101", content_price_cents=PRICE
    )


def test_twenty_concurrent_allocations_never_exceed_the_spend_limit(make_policy):
    make_policy(spend_limit=SPEND_LIMIT)

    outcomes = race([lambda t=t: _allocate(f"racer{t}@example.com") for t in range(THREADS)])

    successes = [o for o in outcomes if isinstance(o, AllocationResult)]
    refusals = [o for o in outcomes if isinstance(o, AllocationRefusedError)]
    assert len(successes) + len(refusals) == THREADS, [o for o in outcomes if isinstance(o, BaseException)]
    assert (len(successes), len(refusals)) == (SPEND_LIMIT // PRICE, THREADS - SPEND_LIMIT // PRICE)
    assert {(e.reason, *e.entry["policy_uuids"]) for e in refusals} == {("policy_spend_limit_reached", POLICY_A)}
    assert _allocated_cents() == SPEND_LIMIT
    winners = sorted(result.created[0].learner_email for result in successes)
    assert sorted(LearnerContentAssignment.objects.values_list("learner_email", flat=True)) == winners
    assert LearnerContentAssignmentAction.objects.count() == len(winners)


def test_concurrent_allocations_of_the_same_learner_create_one_assignment(make_policy):
    make_policy(spend_limit=SPEND_LIMIT)

    outcomes = race([lambda: _allocate("same@example.com") for _ in range(THREADS)])

    assert all(isinstance(o, AllocationResult) for o in outcomes), outcomes
    assert sorted((len(o.created), len(o.no_change)) for o in outcomes) == [(0, 1)] * (THREADS - 1) + [(1, 0)]
    assert LearnerContentAssignment.objects.filter(learner_email="same@example.com").count() == 1
    assert _allocated_cents() == PRICE


def test_twenty_concurrent_requests_answer_202_or_422_never_500_and_never_overspend(
    make_policy, make_user, jwt_for, mailoutbox
):
    make_policy(spend_limit=SPEND_LIMIT)
    token = jwt_for(make_user("racing_admin"), roles=[f"enterprise_admin:{CUSTOMER_A}"])

    def post(t):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"JWT {token}", HTTP_ACCEPT="application/json")
        body = {"learner_emails": [f"racer{t}@example.com"], "content_key": "edx+101", "content_price_cents": PRICE}
        response = client.post(f"/enterprise/v1/policy-allocation/{POLICY_A}/allocate/", body, format="json")
        return response.status_code, response.json()

    outcomes = race([lambda t=t: post(t) for t in range(THREADS)])

    assert not any(isinstance(o, BaseException) for o in outcomes), outcomes
    statuses = sorted(status for status, _ in outcomes)
    assert statuses == [202] * 10 + [422] * 10
    refused = [body for status, body in outcomes if status == 422]
    assert all(
        body == [{
            "reason": "policy_spend_limit_reached",
            "user_message": "You can't enroll right now because your organization doesn't have enough funds.",
            "policy_uuids": [POLICY_A],
            "metadata": {"enterprise_administrators": [{"email": "racing_admin@example.com"}]},  # the caller
        }]
        for body in refused
    ), refused  # fmt: skip
    winners = sorted(body["created"][0]["learner_email"] for status, body in outcomes if status == 202)
    assert sorted(LearnerContentAssignment.objects.values_list("learner_email", flat=True)) == winners
    assert _allocated_cents() == SPEND_LIMIT
    assert sorted(m.to[0] for m in mailoutbox) == winners  # sent after each commit, only for the winners
