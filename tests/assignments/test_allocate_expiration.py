"""The earliest possible expiration of an allocation (seed 003 "policy-allocation";
reference/enterprise.md §4.1, §5.1; issue 5): the first of ninety days, the content's enroll-by
date and the subsidy's expiration, with the periodic job that applies it, and re-allocation
restarting the ninety days. The upsert itself: test_allocate_upsert.py. The expiry job on its own:
test_expiry.py.

Every prior state is set up with the ORM (conftest.assignment_create). Time stands still at NOW.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from coursegate.assignments.models import LearnerContentAssignment
from coursegate.assignments.selectors import assignment_expiration
from coursegate.assignments.services import assignments_expire
from coursegate.catalogs.models import ContentItem
from tests.assignments.conftest import NOW, State, allocate, assignment_create, policy_change

pytestmark = pytest.mark.usefixtures("frozen")


# --- earliest possible expiration ------------------------------------------------------------------------


EXPIRATIONS = pytest.mark.parametrize(
    ("enroll_by", "subsidy_expiration", "expected"),
    [
        (None, None, (NOW + timedelta(days=90), "NINETY_DAYS_PASSED")),
        (NOW + timedelta(days=91), NOW + timedelta(days=92), (NOW + timedelta(days=90), "NINETY_DAYS_PASSED")),
        (NOW + timedelta(days=30), None, (NOW + timedelta(days=30), "ENROLLMENT_DATE_PASSED")),
        (None, NOW + timedelta(days=20), (NOW + timedelta(days=20), "SUBSIDY_EXPIRED")),
        (NOW + timedelta(days=30), NOW + timedelta(days=20), (NOW + timedelta(days=20), "SUBSIDY_EXPIRED")),
        (NOW + timedelta(days=10), NOW + timedelta(days=20), (NOW + timedelta(days=10), "ENROLLMENT_DATE_PASSED")),
    ],
    ids=["ninety days", "ninety days first", "enroll-by", "subsidy", "subsidy first", "enroll-by first"],
)


def _allocate_with_dates(policy, enroll_by, subsidy_expiration) -> LearnerContentAssignment:
    if enroll_by:
        ContentItem.objects.filter(content_key="edx+101").update(enroll_by=enroll_by)
    if subsidy_expiration:
        policy = policy_change(policy, subsidy_expiration=subsidy_expiration)
    (assignment,) = allocate(policy, ["abc@example.com"]).created
    return LearnerContentAssignment.objects.select_related("assignment_configuration__policy").get(pk=assignment.pk)


@EXPIRATIONS
def test_the_earliest_possible_expiration_is_the_first_of_ninety_days_enroll_by_and_subsidy_expiry(
    policy, enroll_by, subsidy_expiration, expected
):
    assignment = _allocate_with_dates(policy, enroll_by, subsidy_expiration)

    expiration = assignment_expiration(assignment)

    assert (expiration["date"], expiration["reason"]) == expected


@EXPIRATIONS
def test_the_periodic_job_expires_an_allocation_at_its_earliest_possible_expiration_not_a_second_before(
    policy, frozen, enroll_by, subsidy_expiration, expected
):
    assignment = _allocate_with_dates(policy, enroll_by, subsidy_expiration)

    frozen.move_to(expected[0] - timedelta(seconds=1))
    assert assignments_expire() == 0
    frozen.move_to(expected[0])
    assert assignments_expire() == 1
    assert LearnerContentAssignment.objects.get(pk=assignment.pk).state == State.EXPIRED


def test_re_allocation_restarts_the_ninety_days(policy):
    old = assignment_create(policy, email="abc@example.com", state=State.EXPIRED, allocated_at=NOW - timedelta(days=95))

    allocate(policy, ["abc@example.com"])

    stored = LearnerContentAssignment.objects.select_related("assignment_configuration__policy").get(pk=old.pk)
    assert assignment_expiration(stored) == {"date": NOW + timedelta(days=90), "reason": "NINETY_DAYS_PASSED"}
