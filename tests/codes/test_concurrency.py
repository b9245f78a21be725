"""Race-freedom of code redemption (issue 3: "many concurrent redemptions of one code — exactly one
succeeds"). Real threads, each with its own database connection, released together by a barrier.

Needs a database that several connections share: skipped on SQLite, whose in-memory test
database exists per connection. Run it with scripts/test-postgres.sh.
"""

from __future__ import annotations

import pytest

from coursegate.codes.exceptions import EnrollmentCodeUnusableError
from coursegate.codes.models import EnrollmentCode
from coursegate.codes.services import code_redeem, codes_generate
from coursegate.enrollments.exceptions import CourseFullError
from coursegate.enrollments.models import Enrollment, EnrollmentHistory
from tests.kit.races import race

THREADS = 10

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("requires_shared_database"),
]


def test_ten_concurrent_redemptions_of_one_code_enroll_exactly_one_learner(make_user, make_run):
    run = make_run("course-v1:edX+DemoX+Demo_Course", modes=("audit",))
    users = [make_user(f"racer{i}") for i in range(THREADS)]
    [code] = codes_generate(course_run=run, count=1)

    outcomes = race([lambda u=u: code_redeem(code=code.code, email=u.email) for u in users])

    winners = [i for i, outcome in enumerate(outcomes) if not isinstance(outcome, BaseException)]
    losers = [outcome for outcome in outcomes if isinstance(outcome, BaseException)]
    assert len(winners) == 1, outcomes
    assert len(losers) == THREADS - 1
    assert all(isinstance(exc, EnrollmentCodeUnusableError) for exc in losers), losers
    winner = users[winners[0]]
    assert list(Enrollment.objects.filter(is_active=True).values_list("user_id", "course_run_id")) == [
        (winner.pk, run.pk)
    ]
    assert Enrollment.objects.count() == 1
    assert EnrollmentHistory.objects.count() == 1
    row = EnrollmentCode.objects.get(pk=code.pk)
    assert (row.status, row.redeemed_by_id) == (EnrollmentCode.Status.VALID, winner.pk)


def test_concurrent_redemptions_of_different_codes_never_overfill_a_capped_run(make_user, make_run):
    run = make_run("course-v1:Org+Capped+Run", modes=("audit",), max_enrollments=3)
    users = [make_user(f"seat{i}") for i in range(THREADS)]
    codes = codes_generate(course_run=run, count=THREADS)

    outcomes = race(
        [lambda u=u, c=c: code_redeem(code=c.code, email=u.email) for u, c in zip(users, codes, strict=True)]
    )

    errors = [outcome for outcome in outcomes if isinstance(outcome, BaseException)]
    assert len(errors) == THREADS - 3, outcomes
    assert all(isinstance(exc, CourseFullError) for exc in errors), errors
    assert Enrollment.objects.filter(course_run=run, is_active=True).count() == 3
    # Only the codes that enrolled someone are used up; the refused ones were rolled back.
    assert EnrollmentCode.objects.filter(course_run=run, redeemed_by__isnull=False).count() == 3
    assert EnrollmentCode.objects.filter(course_run=run, redeemed_by__isnull=True).count() == THREADS - 3
