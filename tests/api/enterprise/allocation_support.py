"""Constants and helpers shared by the policy-allocation contract tests (seed 003 "policy-allocation
Endpoint"): test_allocation_outcomes.py (202: created, updated, no_change; e-mails; the seed's
examples) and test_allocation_refusals.py (400, 422, 404, 403, 405). Policies and assignments are
built with the plain helpers of tests/assignments/conftest.py.
"""

from __future__ import annotations

from tests.assignments.conftest import POLICY_A, policy_create

POLICY_B = "7c1d2e3f-4a5b-4c6d-8e9f-00000000b0b0"
CONFIGURATION_B = "7c1d2e3f-4a5b-4c6d-8e9f-0000000c0f0b"


def allocate_url(policy: str = POLICY_A) -> str:
    return f"/enterprise/v1/policy-allocation/{policy}/allocate/"


def payload(emails=("abc@example.com",), content_key="edx+101", price=1000) -> dict:
    return {"learner_emails": list(emails), "content_key": content_key, "content_price_cents": price}


def allocation_world(enterprise_world):
    """enterprise_world plus customer A's policy (the seed's uuid and configuration, room for
    100,000 allocations at 1000 cents) and customer B's. Use it under the ``frozen`` fixture
    (conftest.py): time stands still at NOW."""
    w = enterprise_world
    w.policy = policy_create(customer=w.customer_a, catalog=w.catalog_a)
    w.policy_b = policy_create(customer=w.customer_b, catalog=w.catalog_b, uuid=POLICY_B,
                               configuration_uuid=CONFIGURATION_B)  # fmt: skip
    return w


def allocate_post(world, body, *, caller="admin_a", policy=POLICY_A, accept="application/json"):
    return world.client(caller, accept=accept).post(allocate_url(policy), body, format="json")
