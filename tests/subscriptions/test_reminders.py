"""The reminder services (subscriptions/reminders.py): what they return and refuse when called
directly (admin actions, commands); the HTTP contract is tests/api/enterprise/test_plan_licenses_remind*.py."""

from __future__ import annotations

import pytest

from coursegate.outbox.models import OutboxEmail
from coursegate.subscriptions.exceptions import LicenseFilterError, LicenseRevokeInputError, NoPendingLicensesError
from coursegate.subscriptions.models import License
from coursegate.subscriptions.reminders import licenses_remind, licenses_remind_all
from coursegate.subscriptions.services import licenses_assign


@pytest.fixture
def plan(make_plan):
    plan = make_plan(5)
    licenses_assign(plan=plan, emails=["ann@example.com", "ben@example.com"], notify=False)
    License.objects.update(last_remind_date=None)
    return plan


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"user_emails": ["ann@example.com"], "filters": [{"user_email": "ann"}]}, {"user_emails": []}],
    ids=["neither", "both", "no e-mail"],
)
def test_exactly_one_of_emails_and_filters_is_required(plan, kwargs):
    with pytest.raises(LicenseRevokeInputError):
        licenses_remind(plan=plan, **kwargs)


def test_a_malformed_filter_is_refused_before_anything_is_read(plan, django_assert_num_queries):
    with django_assert_num_queries(0), pytest.raises(LicenseFilterError):
        licenses_remind(plan=plan, filters=[{"colour": "red"}])


def test_the_services_return_how_many_learners_were_reminded(plan, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        assert licenses_remind(plan=plan, user_emails=["ANN@example.com"], portal_url="https://p.example/") == 1
        assert licenses_remind(plan=plan, filters=[{"user_email": "nobody"}]) == 0
        assert licenses_remind_all(plan=plan, greeting="Hi") == 2

    assert License.objects.filter(last_remind_date__isnull=False).count() == 2
    bodies = sorted(OutboxEmail.objects.values_list("to", "body"))
    assert len(bodies) == 3
    assert "Activate it here: https://p.example/customer-a/licenses/" in bodies[0][1]


def test_nothing_pending_raises_and_writes_nothing(plan):
    License.objects.filter(plan=plan, status=License.Status.ASSIGNED).update(status=License.Status.ACTIVATED)

    with pytest.raises(NoPendingLicensesError) as refused:
        licenses_remind_all(plan=plan)

    assert refused.value.message == "Could not find any licenses pending activation"
    assert not OutboxEmail.objects.exists()
    assert not License.objects.filter(last_remind_date__isnull=False).exists()
