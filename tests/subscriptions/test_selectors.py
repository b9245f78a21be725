"""Subscription reads (coursegate.subscriptions.selectors): plans of customers, the current plan,
license counts in one query, revocation caps and renewal chains."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
import time_machine

from coursegate.enterprise.services import customer_upsert
from coursegate.subscriptions.models import License, SubscriptionPlanRenewal
from coursegate.subscriptions.selectors import (
    LicenseCounts,
    Renewal,
    Revocations,
    license_counts_for_plans,
    plan_current,
    plan_summaries,
    plans_for_customer,
    plans_for_customers,
    revocations_for,
)
from coursegate.subscriptions.services import license_activate, licenses_assign, licenses_bulk_revoke


def _dt(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(tzinfo=UTC)


def _uuid(n: int) -> str:
    return f"00000000-0000-4000-8000-{n:012d}"


def test_license_counts_of_several_plans_take_one_query(make_plan, make_user, django_assert_num_queries):
    first, second, empty = make_plan(5, uuid=_uuid(1)), make_plan(3, uuid=_uuid(2)), make_plan(0, uuid=_uuid(3))
    licenses_assign(plan=first, emails=["a@example.com", "b@example.com", "c@example.com"], notify=False)
    license_activate(license=first.licenses.get(user_email="a@example.com"), user=make_user("a"))
    licenses_bulk_revoke(plan=first, user_emails=["b@example.com"])

    with django_assert_num_queries(1):
        counts = license_counts_for_plans([first.uuid, second.uuid, empty.uuid])

    assert counts == {
        first.uuid: LicenseCounts(activated=1, assigned=1, unassigned=3, revoked=1),
        second.uuid: LicenseCounts(unassigned=3),
        empty.uuid: LicenseCounts(),
    }
    assert (counts[first.uuid].total, counts[first.uuid].allocated) == (5, 2)


@pytest.mark.parametrize(
    "enabled, percentage, applied, total, expected",
    [
        (False, 5, 0, 100, None),
        (True, 5, 0, 100, Revocations(total=5, used=0, remaining=5)),
        (True, 5, 2, 101, Revocations(total=6, used=2, remaining=4)),  # ceil(5.05)
        (True, 10, 3, 10, Revocations(total=1, used=3, remaining=0)),  # never negative
        (True, 0, 0, 10, Revocations(total=0, used=0, remaining=0)),
    ],
)
def test_the_revocation_cap_is_a_rounded_up_percentage_of_the_live_licenses(
    plan, enabled, percentage, applied, total, expected
):
    plan.is_revocation_cap_enabled, plan.revoke_max_percentage, plan.num_revocations_applied = (
        enabled,
        percentage,
        applied,
    )

    assert revocations_for(plan, LicenseCounts(unassigned=total, revoked=7)) == expected


def test_a_named_customer_lists_its_active_plans_most_recent_start_first(make_plan, customer):
    old = make_plan(uuid=_uuid(1), start_date=_dt("2022-01-01"))
    new = make_plan(uuid=_uuid(2), start_date=_dt("2025-01-01"))
    make_plan(uuid=_uuid(3), start_date=_dt("2026-01-01"), is_active=False)

    assert list(plans_for_customer(customer_uuid=customer.uuid)) == [new, old]
    assert [p.uuid for p in plans_for_customers(customer_uuids={customer.uuid})] == [
        uuid.UUID(_uuid(n)) for n in (3, 2, 1)
    ]


def test_the_caller_customers_plans_exclude_other_customers(make_plan, customer):
    other = customer_upsert(uuid=_uuid(99), name="B", slug="b")
    mine = make_plan(uuid=_uuid(1))
    theirs = make_plan(uuid=_uuid(2), customer=other)

    assert list(plans_for_customers(customer_uuids={customer.uuid})) == [mine]
    assert set(plans_for_customers(customer_uuids=None)) == {mine, theirs}
    assert list(plans_for_customers(customer_uuids=set())) == []


def test_the_current_plan_is_the_latest_created_active_plan_in_force_now(make_plan, customer):
    make_plan(uuid=_uuid(1), start_date=_dt("2024-01-01"), expiration_date=_dt("2024-12-31"))
    first = make_plan(uuid=_uuid(2), start_date=_dt("2025-01-01"), expiration_date=_dt("2025-12-31"))
    second = make_plan(uuid=_uuid(3), start_date=_dt("2025-06-01"), expiration_date=_dt("2026-06-01"))
    make_plan(uuid=_uuid(4), start_date=_dt("2025-01-01"), expiration_date=_dt("2025-12-31"), is_active=False)

    assert plan_current(customer_uuid=customer.uuid, now=_dt("2025-03-01")) == first
    assert plan_current(customer_uuid=customer.uuid, now=_dt("2025-07-01")) == second
    assert plan_current(customer_uuid=customer.uuid, now=_dt("2027-01-01")) is None


def test_summaries_follow_renewal_chains_both_ways_in_two_queries(make_plan, django_assert_num_queries):
    p1 = make_plan(uuid=_uuid(1), start_date=_dt("2021-01-01"), expiration_date=_dt("2021-07-01"))
    p2 = make_plan(uuid=_uuid(2), start_date=_dt("2021-07-01"), expiration_date=_dt("2022-07-01"))
    p3 = make_plan(uuid=_uuid(3), start_date=_dt("2022-07-01"), expiration_date=_dt("2023-07-01"))
    lone = make_plan(uuid=_uuid(4), start_date=_dt("2021-01-01"), expiration_date=_dt("2022-01-01"))
    SubscriptionPlanRenewal.objects.create(prior_plan=p1, renewed_plan=p2, effective_date=_dt("2021-07-01"))
    SubscriptionPlanRenewal.objects.create(prior_plan=p2, renewed_plan=p3, effective_date=_dt("2022-07-01"))
    plans = list(plans_for_customers(customer_uuids=None).filter(uuid__in=[p2.uuid, lone.uuid]))

    with time_machine.travel(_dt("2021-12-01"), tick=False), django_assert_num_queries(2):
        middle, single = plan_summaries(plans)

    assert middle.plan == p2
    assert middle.prior_renewals == [Renewal(p1.uuid, _dt("2021-01-01"), p2.uuid, _dt("2021-07-01"))]
    assert middle.days_until_expiration == (_dt("2022-07-01") - _dt("2021-12-01")).days
    assert middle.days_until_expiration_including_renewals == (_dt("2023-07-01") - _dt("2021-12-01")).days
    assert (single.prior_renewals, single.days_until_expiration, single.days_until_expiration_including_renewals) == (
        [],
        31,
        31,
    )
    assert single.licenses == LicenseCounts(unassigned=10)


def test_the_last_plan_of_a_chain_lists_every_prior_renewal_oldest_first(make_plan):
    p1 = make_plan(uuid=_uuid(1), start_date=_dt("2021-01-01"), expiration_date=_dt("2021-07-01"))
    p2 = make_plan(uuid=_uuid(2), start_date=_dt("2021-07-01"), expiration_date=_dt("2022-07-01"))
    p3 = make_plan(uuid=_uuid(3), start_date=_dt("2022-07-01"), expiration_date=_dt("2023-07-01"))
    SubscriptionPlanRenewal.objects.create(prior_plan=p2, renewed_plan=p3, effective_date=_dt("2022-07-01"))
    SubscriptionPlanRenewal.objects.create(prior_plan=p1, renewed_plan=p2, effective_date=_dt("2021-07-01"))

    [summary] = plan_summaries(plans_for_customers(customer_uuids=None).filter(uuid=p3.uuid))

    assert [(r.prior_plan_id, r.renewed_plan_id) for r in summary.prior_renewals] == [
        (p1.uuid, p2.uuid),
        (p2.uuid, p3.uuid),
    ]


def test_an_expired_plan_counts_days_until_expiration_negative(make_plan):
    make_plan(expiration_date=_dt("2025-01-01"))

    [summary] = plan_summaries(plans_for_customers(customer_uuids=None), now=_dt("2025-01-11"))

    assert summary.days_until_expiration == -10


def test_summaries_of_an_empty_page_run_no_query(django_assert_num_queries, db):
    with django_assert_num_queries(0):
        assert plan_summaries([]) == []


def test_license_counts_ignore_licenses_of_other_plans(make_plan):
    plan = make_plan(2, uuid=_uuid(1))
    make_plan(4, uuid=_uuid(2))

    assert license_counts_for_plans([plan.uuid]) == {plan.uuid: LicenseCounts(unassigned=2)}
    assert License.objects.count() == 6
