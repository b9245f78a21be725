"""Allowed-enrollments (invitations by e-mail) applied when the account is registered through
enrollments.registration.user_register (accounts.services.user_create alone applies none)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from coursegate.accounts.models import Profile, User
from coursegate.enrollments.models import Enrollment, EnrollmentAllowed, EnrollmentHistory, Source
from coursegate.enrollments.registration import user_register
from coursegate.enrollments.services import Outcome, enrollment_allowed_upsert, enrollment_upsert
from tests.enrollments.clock import NOW

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)
EMAIL = "new.learner@example.com"


def create_account(email: str = "New.Learner@Example.com") -> User:
    return user_register(username="newlearner", email=email, password=None)


def test_an_account_is_enrolled_where_its_email_was_invited_with_auto_enroll(make_run):
    invite_run = make_run("course-v1:edX+Invite+Run", modes=("honor", "verified"), invite_only=True)
    open_run = make_run("course-v1:edX+Open+Run")
    enrollment_allowed_upsert(email=EMAIL, course_run=invite_run, auto_enroll=True)
    enrollment_allowed_upsert(email=EMAIL, course_run=open_run, auto_enroll=True)

    user = create_account()

    assert sorted(Enrollment.objects.filter(user=user).values_list("course_run__key", "mode", "is_active")) == [
        ("course-v1:edX+Invite+Run", "honor", True),
        ("course-v1:edX+Open+Run", "audit", True),
    ]
    assert sorted(
        EnrollmentHistory.objects.filter(enrollment__user=user).values_list(
            "enrollment__course_run__key", "is_active", "actor", "source"
        )
    ) == [
        ("course-v1:edX+Invite+Run", True, user.pk, Source.ALLOWED),
        ("course-v1:edX+Open+Run", True, user.pk, Source.ALLOWED),
    ]
    assert list(EnrollmentAllowed.objects.values_list("user", flat=True)) == [user.pk, user.pk]


def test_an_invitation_without_auto_enroll_is_only_linked_to_the_account(make_run):
    run = make_run("course-v1:edX+Invite+Run", invite_only=True)
    enrollment_allowed_upsert(email=EMAIL, course_run=run, auto_enroll=False)

    user = create_account()

    assert Enrollment.objects.count() == 0
    assert EnrollmentAllowed.objects.get().user == user


def test_a_linked_invitation_admits_the_account_to_the_invite_only_run_later(make_run):
    run = make_run("course-v1:edX+Invite+Run", invite_only=True)
    enrollment_allowed_upsert(email=EMAIL, course_run=run, auto_enroll=False)
    user = create_account()

    result = enrollment_upsert(user=user, course_run=run, actor=user, source=Source.EDX_API)

    assert result.outcome == Outcome.CREATED
    assert Enrollment.objects.get(user=user, course_run=run).is_active is True


def test_invitations_for_other_emails_are_left_alone(make_run):
    run = make_run("course-v1:edX+Open+Run")
    other = enrollment_allowed_upsert(email="someone.else@example.com", course_run=run, auto_enroll=True)

    create_account()

    other.refresh_from_db()
    assert other.user is None
    assert Enrollment.objects.count() == 0


@pytest.mark.parametrize(
    "run_fields",
    [
        pytest.param({"enrollment_end": NOW - DAY}, id="window-closed"),
        pytest.param({"enrollment_start": NOW + DAY}, id="window-not-yet-open"),
        pytest.param({"max_enrollments": 0}, id="run-full"),
    ],
)
def test_a_refused_auto_enrollment_does_not_fail_account_creation(frozen_now, make_run, run_fields):
    refused_run = make_run("course-v1:edX+Refused+Run", **run_fields)
    open_run = make_run("course-v1:edX+Open+Run")
    enrollment_allowed_upsert(email=EMAIL, course_run=refused_run, auto_enroll=True)
    enrollment_allowed_upsert(email=EMAIL, course_run=open_run, auto_enroll=True)

    user = create_account()

    assert User.objects.filter(pk=user.pk, username="newlearner").exists()
    assert Profile.objects.filter(user=user).exists()
    assert list(Enrollment.objects.filter(user=user).values_list("course_run__key", flat=True)) == [
        "course-v1:edX+Open+Run"
    ]
