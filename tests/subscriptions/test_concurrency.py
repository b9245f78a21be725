"""Race-freedom of license assignment (issue 4: "concurrent assigns on one plan must never hand one
license to two e-mails or exceed the plan"). Real threads, each with its own database connection,
released together by a barrier.

Needs a database that several connections share: skipped on SQLite, whose in-memory test
database exists per connection. Run it with scripts/test-postgres.sh.
"""

from __future__ import annotations

from collections import Counter

import pytest

from coursegate.subscriptions.exceptions import LicenseShortageError
from coursegate.subscriptions.models import License
from coursegate.subscriptions.services import licenses_assign, licenses_bulk_revoke
from tests.kit.races import race

THREADS = 10
PER_THREAD = 15
LICENSES = 100

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("requires_shared_database"),
]


def _batch(t: int) -> list[str]:
    return [f"racer{t}-{i}@example.com" for i in range(PER_THREAD)]


def test_ten_concurrent_assigns_of_fifteen_e_mails_never_exceed_a_plan_of_one_hundred(make_plan):
    plan = make_plan(LICENSES)

    outcomes = race([lambda t=t: licenses_assign(plan=plan, emails=_batch(t), notify=False) for t in range(THREADS)])

    successes = [o for o in outcomes if not isinstance(o, BaseException)]
    failures = [o for o in outcomes if isinstance(o, BaseException)]
    # 100 // 15 = 6 requests fit; each later one finds 10 licenses left and is refused whole.
    assert (len(successes), len(failures)) == (LICENSES // PER_THREAD, THREADS - LICENSES // PER_THREAD)
    assert all(isinstance(exc, LicenseShortageError) for exc in failures), failures
    handed_out = [(a.user_email, a.license_uuid) for result in successes for a in result.assignments]
    assert len(handed_out) == len({license_uuid for _, license_uuid in handed_out}) == 90
    stored = dict(License.objects.filter(plan=plan, status=License.Status.ASSIGNED).values_list("uuid", "user_email"))
    assert stored == {license_uuid: email for email, license_uuid in handed_out}
    assert License.objects.filter(plan=plan).count() == LICENSES
    assert License.objects.filter(plan=plan, status=License.Status.UNASSIGNED).count() == LICENSES - 90


def test_concurrent_assigns_of_the_same_e_mails_give_each_e_mail_one_license(make_plan):
    plan = make_plan(LICENSES)
    emails = _batch(0)

    outcomes = race([lambda: licenses_assign(plan=plan, emails=emails, notify=False) for _ in range(THREADS)])

    assert not any(isinstance(o, BaseException) for o in outcomes), outcomes
    assert sorted(o.num_successful_assignments for o in outcomes) == [0] * (THREADS - 1) + [PER_THREAD]
    assert Counter(
        License.objects.filter(plan=plan, status=License.Status.ASSIGNED).values_list("user_email", flat=True)
    ) == Counter({email: 1 for email in emails})


def test_concurrent_assigns_and_revokes_keep_the_plan_total_constant(make_plan):
    plan = make_plan(LICENSES)
    licenses_assign(plan=plan, emails=_batch(0), notify=False)

    calls = [lambda t=t: licenses_assign(plan=plan, emails=_batch(t), notify=False) for t in range(1, 6)]
    calls += [lambda e=e: licenses_bulk_revoke(plan=plan, user_emails=[e]) for e in _batch(0)[:5]]
    outcomes = race(calls)

    assert not any(isinstance(o, BaseException) for o in outcomes), outcomes
    live = License.objects.filter(plan=plan).exclude(status=License.Status.REVOKED)
    assert live.count() == LICENSES
    assert License.objects.filter(plan=plan, status=License.Status.REVOKED).count() == 5
    assert live.filter(status=License.Status.ASSIGNED).count() == 6 * PER_THREAD - 5
