"""enrollments.registration.user_register: the account (accounts.services.user_create) and the
allowed-enrollments pending for its e-mail address, in one transaction; user_create alone
applies none (accounts sits below enrollments and imports nothing of it)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from coursegate.accounts import services as account_services
from coursegate.accounts.exceptions import AccountExistsError, AccountInvalidError
from coursegate.accounts.models import Profile, User
from coursegate.accounts.services import user_create
from coursegate.enrollments import registration
from coursegate.enrollments.models import Enrollment, EnrollmentAllowed, EnrollmentHistory, Source
from coursegate.enrollments.registration import user_register
from coursegate.enrollments.services import enrollment_allowed_upsert

pytestmark = pytest.mark.django_db

INVITED = "Invited.Learner@Example.com"
ACCOUNT = {"username": "invited", "email": INVITED, "password": "c0rrect-Horse-battery", "name": "Invited"}


@pytest.fixture
def invitations(make_run):
    """The address is invited to one run with auto_enroll and to another without."""
    auto = make_run("course-v1:edX+Auto+Run", modes=("audit",))
    linked = make_run("course-v1:edX+Linked+Run", modes=("audit",))
    enrollment_allowed_upsert(email=INVITED, course_run=auto, auto_enroll=True)
    enrollment_allowed_upsert(email=INVITED, course_run=linked, auto_enroll=False)
    return auto, linked


def test_user_register_creates_the_account_and_applies_its_invitations(invitations):
    auto, linked = invitations

    user = user_register(**ACCOUNT)

    user.refresh_from_db()
    assert (user.username, user.email, user.is_active) == ("invited", INVITED, True)
    assert Profile.objects.get(user=user).name == "Invited"
    assert list(Enrollment.objects.filter(user=user).values_list("course_run", "mode", "is_active")) == [
        (auto.pk, "audit", True)
    ]
    assert list(EnrollmentHistory.objects.filter(enrollment__user=user).values_list("source", "actor")) == [
        (Source.ALLOWED, user.pk)
    ]
    assert sorted(EnrollmentAllowed.objects.filter(user=user).values_list("course_run", flat=True)) == sorted(
        [auto.pk, linked.pk]
    )


def test_user_create_alone_applies_no_invitation(invitations):
    user = user_create(**ACCOUNT)

    assert User.objects.filter(pk=user.pk).exists()
    assert Enrollment.objects.count() == 0
    assert EnrollmentHistory.objects.count() == 0
    assert list(EnrollmentAllowed.objects.values_list("user", flat=True)) == [None, None]


def test_user_register_without_invitations_only_creates_the_account():
    user = user_register(**ACCOUNT)

    assert User.objects.get().pk == user.pk
    assert Enrollment.objects.count() == 0


def test_user_register_is_all_or_nothing(invitations, monkeypatch):
    def fail(*, user):
        raise RuntimeError("applying the invitations failed")

    monkeypatch.setattr(registration, "enrollments_allowed_apply", fail)

    with pytest.raises(RuntimeError):
        user_register(**ACCOUNT)

    assert User.objects.count() == 0
    assert Profile.objects.count() == 0


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        pytest.param({"username": "not valid"}, AccountInvalidError, id="invalid"),
        pytest.param({"username": "taken"}, AccountExistsError, id="taken"),
    ],
)
def test_a_refused_registration_takes_up_no_invitation(invitations, make_user, changes, error):
    make_user("taken")

    with pytest.raises(error):
        user_register(**{**ACCOUNT, **changes})

    assert not User.objects.filter(email__iexact=INVITED).exists()
    assert list(EnrollmentAllowed.objects.values_list("user", flat=True)) == [None, None]
    assert Enrollment.objects.count() == 0


def test_the_account_service_imports_nothing_of_enrollments():
    # Not even function-locally: the accounts app sits below enrollments (issue 9).
    tree = ast.parse(Path(account_services.__file__).read_text())
    imported = [
        node.module if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    ]
    assert not [name for name in imported if name and name.startswith("coursegate.enrollments")]
