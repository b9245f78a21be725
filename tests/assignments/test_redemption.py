"""The redemption service's rules (assignments/redemption.py; reference/learner_side.md §5.3):
a run matches a course-level or a run-level assignment, the price is the assignment's, the unique
idempotency key is the last defence against a second spend, the policy lock's wait is bounded
(PostgreSQL) and the connection's own lock_timeout is put back, a reversal gives the price back
once."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from coursegate.assignments import redemption
from coursegate.assignments.exceptions import PolicyLockedError, RedemptionRefusedError
from coursegate.assignments.models import LearnerContentAssignment, RedemptionTransaction, SubsidyAccessPolicy
from coursegate.assignments.redemption import policy_redeem, redemption_evaluate, redemption_reverse
from coursegate.enrollments.models import Enrollment
from coursegate.enterprise.services import learner_link
from tests.assignments.conftest import POLICY_A, allocate

API101 = "course-v1:edx+api101+1T2025"
BALANCE = 200_000_000


@pytest.fixture
def learner(customer, make_user):
    user = make_user("credit_learner")
    learner_link(customer=customer, email=user.email, user=user)
    return user


@pytest.fixture
def run(make_run):
    return make_run(API101, modes=("audit", "verified"), title="APIs 101")


def _redeem(user, key=API101, **kwargs):
    return policy_redeem(policy_uuid=POLICY_A, user=user, content_key=key, **kwargs)


def test_a_run_level_assignment_is_redeemed_at_its_own_price(policy, learner, run, frozen):
    allocate(policy, [learner.email], API101, 1020)  # within 5% of the catalog's 1000

    result = _redeem(learner, metadata={"k": "v"})

    assert result.created and result.transaction.quantity == -1020
    assert result.transaction.metadata == {"k": "v"}
    assert SubsidyAccessPolicy.objects.get(pk=POLICY_A).subsidy_balance_cents == BALANCE - 1020
    assert LearnerContentAssignment.objects.get().state == "accepted"


def test_a_course_level_assignment_matches_its_runs_and_an_assignment_by_email_finds_the_account(
    policy, customer, make_user, run, frozen
):
    # Allocated before the account existed: found by its e-mail (case-insensitively stored).
    allocate(policy, ["Later@Example.com"], "edx+api101", 1000)
    user = make_user("later", email="later@example.com")
    learner_link(customer=customer, email=user.email, user=user)

    evaluation = redemption_evaluate(policy=policy, user=user, content_key=API101)
    assert (evaluation.can_redeem, evaluation.price_cents) == (True, 1000)
    assert _redeem(user).transaction.assignment_id == LearnerContentAssignment.objects.get().pk


def test_the_unique_idempotency_key_answers_the_earlier_transaction(policy, learner, run, frozen, monkeypatch):
    allocate(policy, [learner.email], "edx+api101", 1000)
    first = _redeem(learner).transaction
    # As if the earlier redemption were invisible to the check: the insert's unique key catches it.
    real = redemption.sel.committed_transaction
    calls = []

    def blind_once(**kwargs):
        calls.append(kwargs)
        return None if len(calls) == 1 else real(**kwargs)

    monkeypatch.setattr(redemption.sel, "committed_transaction", blind_once)
    LearnerContentAssignment.objects.update(state="allocated")  # the rules would let it through

    again = _redeem(learner)

    assert (again.created, again.transaction.pk) == (False, first.pk)
    assert RedemptionTransaction.objects.count() == 1
    assert SubsidyAccessPolicy.objects.get(pk=POLICY_A).subsidy_balance_cents == BALANCE - 1000
    assert Enrollment.objects.filter(user=learner).count() == 1


def test_reversing_twice_gives_the_price_back_once(policy, learner, run, frozen):
    allocate(policy, [learner.email], "edx+api101", 1000)
    txn = _redeem(learner).transaction

    redemption_reverse(transaction_uuid=txn.pk)
    redemption_reverse(transaction_uuid=txn.pk)

    assert SubsidyAccessPolicy.objects.get(pk=POLICY_A).subsidy_balance_cents == BALANCE
    assignment = LearnerContentAssignment.objects.get()
    assert assignment.state == "reversed"
    assert [a.action_type for a in assignment.actions.order_by("created")] == ["notified", "redeemed", "reversed"]
    # The enrollment the learner got stays.
    assert Enrollment.objects.get(user=learner, course_run=run).is_active


def test_a_refusal_writes_nothing(policy, learner, run, frozen):
    with pytest.raises(RedemptionRefusedError) as caught:
        _redeem(learner)
    assert [e["reason"] for e in caught.value.entries] == ["reason_learner_not_assigned_content"]
    assert RedemptionTransaction.objects.count() == 0


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("requires_shared_database")
def test_a_held_policy_lock_is_waited_for_a_bounded_time_then_refused(policy, learner, run, settings):
    allocate(policy, [learner.email], "edx+api101", 1000)
    settings.COURSEGATE_REDEEM_LOCK_WAIT_SECONDS = 0.3
    holding, release = threading.Event(), threading.Event()

    def hold():
        try:
            with transaction.atomic():
                list(SubsidyAccessPolicy.objects.select_for_update().filter(pk=POLICY_A))
                holding.set()
                release.wait(10)
        finally:
            connection.close()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert holding.wait(10)
        with pytest.raises(PolicyLockedError):
            _redeem(learner)
    finally:
        release.set()
        holder.join(10)
    assert RedemptionTransaction.objects.count() == 0
    assert _redeem(learner).created  # once released, it goes through


@pytest.mark.usefixtures("requires_shared_database")
def test_the_connections_lock_timeout_is_put_back_once_the_lock_is_held(policy):
    with connection.cursor() as cursor:
        cursor.execute("SHOW lock_timeout")
        before = cursor.fetchone()[0]
    with transaction.atomic():
        redemption._lock_policy(POLICY_A)
        with connection.cursor() as cursor:
            cursor.execute("SHOW lock_timeout")
            assert cursor.fetchone()[0] == before
