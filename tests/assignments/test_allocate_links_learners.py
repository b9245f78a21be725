"""Allocation makes the learners the customer's learners (reference/learner_side.md §2, the
reference's `learner_linked` step; issue 12): an account gets ``enterprise_learner:<customer>`` at
once, an address without an account is linked and the account registered with it later takes the
link (and the role) over; a refused allocation links nobody."""

from __future__ import annotations

import pytest

from coursegate.enterprise.models import EnterpriseLearner
from coursegate.enterprise.registration import user_register
from tests.assignments.conftest import allocate, refusal

pytestmark = pytest.mark.usefixtures("frozen")


def _role(policy) -> str:
    return f"enterprise_learner:{policy.customer_id}"


def test_allocated_learners_are_linked_and_accounts_get_the_learner_role(make_policy, make_user):
    policy = make_policy()
    gina = make_user("gina", email="Gina@Example.com")

    allocate(policy, ["gina@example.com", "later@example.com"])

    assert _role(policy) in gina.role_claims()
    links = dict(EnterpriseLearner.objects.filter(customer_id=policy.customer_id).values_list("email", "user_id"))
    assert links == {"gina@example.com": gina.pk, "later@example.com": None}

    later = user_register(username="later", email="later@example.com", password="edx-pass-1", name="Later")
    assert _role(policy) in later.role_claims()


def test_a_refused_allocation_links_nobody(make_policy, make_user):
    policy = make_policy(spend_limit=1)
    gina = make_user("gina", email="gina@example.com")

    refusal(policy, ["gina@example.com"])

    assert _role(policy) not in gina.role_claims()
    assert not EnterpriseLearner.objects.filter(customer_id=policy.customer_id).exists()
