"""Concurrent identical redeems produce exactly one transaction and spend once (issue 12; reference/
learner_side.md §5.3): real threads, each with its own connection, released together; the service
and the HTTP endpoint. PostgreSQL only (scripts/test-postgres.sh): SQLite's in-memory test database
is per connection."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from coursegate.assignments.models import LearnerContentAssignment, RedemptionTransaction, SubsidyAccessPolicy
from coursegate.assignments.redemption import RedemptionResult, policy_redeem
from coursegate.enrollments.models import Enrollment
from coursegate.enterprise.services import learner_link
from coursegate.outbox.models import OutboxEmail
from tests.assignments.conftest import CUSTOMER_A, POLICY_A, allocate
from tests.kit.races import race

API101 = "course-v1:edx+api101+1T2025"
THREADS = 10
BALANCE = 200_000_000

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("requires_shared_database"),
]


@pytest.fixture
def learner(policy, customer, make_user, make_run):
    make_run(API101, modes=("audit", "verified"), title="APIs 101")
    user = make_user("racing_learner")
    learner_link(customer=customer, email=user.email, user=user)
    allocate(policy, [user.email], "edx+api101", 1000)
    return user


def _spent_once(user):
    assert RedemptionTransaction.objects.count() == 1
    assert SubsidyAccessPolicy.objects.get(pk=POLICY_A).subsidy_balance_cents == BALANCE - 1000
    assert LearnerContentAssignment.objects.get().state == "accepted"
    assert Enrollment.objects.filter(user=user).count() == 1
    assert OutboxEmail.objects.filter(kind="redemption_enrolled").count() == 1


def test_concurrent_identical_redeems_make_one_transaction(learner):
    outcomes = race(
        [lambda: policy_redeem(policy_uuid=POLICY_A, user=learner, content_key=API101) for _ in range(THREADS)]
    )

    assert all(isinstance(o, RedemptionResult) for o in outcomes), outcomes
    assert len({o.transaction.pk for o in outcomes}) == 1
    assert sorted(o.created for o in outcomes) == [False] * (THREADS - 1) + [True]
    _spent_once(learner)


def test_concurrent_identical_requests_answer_200_with_the_same_transaction(learner, jwt_for):
    token = jwt_for(learner, roles=[f"enterprise_learner:{CUSTOMER_A}"])

    def post():
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"JWT {token}", HTTP_ACCEPT="application/json")
        response = client.post(f"/enterprise/v1/policy-redemption/{POLICY_A}/redeem/",
                               {"lms_user_id": learner.pk, "content_key": API101}, format="json")  # fmt: skip
        return response.status_code, response.json().get("uuid")

    outcomes = race([post for _ in range(THREADS)])

    assert {status for status, _ in outcomes} == {200}, outcomes
    assert len({uuid for _, uuid in outcomes}) == 1
    _spent_once(learner)
