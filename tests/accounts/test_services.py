"""Account writes: every account is created through user_create, whichever API asks."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from coursegate.accounts.exceptions import AccountExistsError, AccountInvalidError
from coursegate.accounts.models import Profile, RoleAssignment, User
from coursegate.accounts.services import role_assign, role_revoke, user_create

pytestmark = pytest.mark.django_db

# The domain's own words (the Appsembler API answers "This field is required." from its serializer).
MISSING = {
    "username": ["A username is required."],
    "email": ["An e-mail address is required."],
    "password": ["A password is required."],
}
GOOD_PASSWORD = "c0rrect-Horse-battery"


def _create(**overrides) -> User:
    fields = {"username": "alice", "email": "alice@example.com", "password": GOOD_PASSWORD}
    return user_create(**{**fields, **overrides})


def test_user_create_makes_an_active_user_with_a_profile():
    user = _create(name="Alice Liddell", country="gb")

    user.refresh_from_db()
    assert (user.username, user.email, user.is_active, user.is_staff, user.is_superuser) == (
        "alice",
        "alice@example.com",
        True,
        False,
        False,
    )
    assert user.check_password(GOOD_PASSWORD) is True
    profile = Profile.objects.get(user=user)
    assert (profile.name, profile.country) == ("Alice Liddell", "GB")


def test_user_create_strips_username_and_email():
    user = _create(username="  alice ", email=" Alice@Example.com  ")

    assert (user.username, user.email) == ("alice", "Alice@Example.com")


def test_user_create_without_password_makes_an_unusable_password():
    user = _create(password=None)

    assert user.has_usable_password() is False


def test_user_create_can_make_staff_and_superusers():
    user = _create(is_staff=True, is_superuser=True)

    user.refresh_from_db()
    assert (user.is_staff, user.is_superuser) == (True, True)


@pytest.mark.parametrize(
    ("overrides", "expected_fields"),
    [
        pytest.param({"username": ""}, {"username"}, id="missing-username"),
        pytest.param({"username": "   "}, {"username"}, id="blank-username"),
        pytest.param({"username": None}, {"username"}, id="none-username"),
        pytest.param({"email": ""}, {"email"}, id="missing-email"),
        pytest.param({"email": None}, {"email"}, id="none-email"),
        pytest.param({"password": ""}, {"password"}, id="missing-password"),
        pytest.param(
            {"username": "", "email": "", "password": ""}, {"username", "email", "password"}, id="all-missing"
        ),
    ],
)
def test_user_create_names_each_missing_field(overrides, expected_fields):
    with pytest.raises(AccountInvalidError) as excinfo:
        _create(**overrides)

    assert excinfo.value.field_errors == {field: MISSING[field] for field in expected_fields}
    assert User.objects.count() == 0


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        pytest.param({"email": "not-an-email"}, "email", id="email-without-at"),
        pytest.param({"email": "alice@"}, "email", id="email-without-domain"),
        pytest.param({"email": "alice @example.com"}, "email", id="email-with-space"),
        pytest.param({"username": "alice liddell"}, "username", id="username-with-space"),
        pytest.param({"username": "alice!"}, "username", id="username-with-bang"),
        pytest.param({"username": "a" * 151}, "username", id="username-too-long"),
    ],
)
def test_user_create_refuses_malformed_fields(overrides, field):
    with pytest.raises(AccountInvalidError) as excinfo:
        _create(**overrides)

    assert list(excinfo.value.field_errors) == [field]
    assert excinfo.value.field_errors[field]
    assert User.objects.count() == 0


def test_a_username_of_the_maximum_length_is_accepted():
    assert _create(username="a" * 150).username == "a" * 150


@pytest.mark.parametrize(
    ("password", "message_part"),
    [
        pytest.param("x", "too short", id="shorter-than-2"),
        pytest.param("x" * 76, "too long", id="longer-than-75"),
        pytest.param("alice@example", "too similar", id="similar-to-email"),
        pytest.param("alice", "too similar", id="same-as-username"),
    ],
)
def test_user_create_applies_the_configured_password_validators(password, message_part):
    with pytest.raises(AccountInvalidError) as excinfo:
        _create(password=password)

    assert list(excinfo.value.field_errors) == ["password"]
    assert any(message_part in message for message in excinfo.value.field_errors["password"])
    assert User.objects.count() == 0


@pytest.mark.parametrize("password", ["edx", "x" * 75])
def test_user_create_accepts_passwords_within_the_open_edx_policy(password):
    # The seeds create accounts with the password "edx" (Open edX: 2..75 characters).
    assert _create(password=password).check_password(password) is True


STRICT_VALIDATORS = [
    {"NAME": f"django.contrib.auth.password_validation.{name}"}
    for name in (
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    )
]


@pytest.mark.parametrize(
    ("password", "message_part"),
    [
        pytest.param("Xy7!", "too short", id="short"),
        pytest.param("password", "too common", id="common"),
        pytest.param("83920571346", "entirely numeric", id="numeric"),
    ],
)
def test_user_create_rejects_weak_passwords_under_django_strict_validators(settings, password, message_part):
    settings.AUTH_PASSWORD_VALIDATORS = STRICT_VALIDATORS

    with pytest.raises(AccountInvalidError) as excinfo:
        _create(password=password)

    assert list(excinfo.value.field_errors) == ["password"]
    assert any(message_part in message for message in excinfo.value.field_errors["password"])
    assert User.objects.count() == 0


def test_user_create_accepts_a_weak_password_when_validation_is_off(settings):
    settings.AUTH_PASSWORD_VALIDATORS = STRICT_VALIDATORS

    user = _create(password="1", validate_password=False)

    assert user.check_password("1") is True


@pytest.mark.parametrize(
    ("username", "email", "taken"),
    [
        pytest.param("alice", "other@example.com", ["username"], id="same-username"),
        pytest.param("bob", "alice@example.com", ["email"], id="same-email"),
        pytest.param("bob", "ALICE@Example.COM", ["email"], id="same-email-other-case"),
        pytest.param("alice", "Alice@example.com", ["username", "email"], id="both"),
    ],
)
def test_user_create_refuses_a_taken_username_or_email(username, email, taken):
    _create()

    with pytest.raises(AccountExistsError) as excinfo:
        _create(username=username, email=email)

    assert excinfo.value.fields == taken
    assert User.objects.count() == 1


def test_the_database_refuses_a_second_user_with_the_same_email_in_another_case():
    User.objects.create(username="alice", email="alice@example.com")

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="bob", email="ALICE@example.com")

    assert User.objects.count() == 1


def test_the_database_allows_many_users_without_email():
    User.objects.create(username="tool1", email="")
    User.objects.create(username="tool2", email="")

    assert User.objects.filter(email="").count() == 2


def test_role_assign_is_idempotent(learner):
    first = role_assign(user=learner, role="enterprise_admin", context="uuid-a")
    second = role_assign(user=learner, role="enterprise_admin", context="uuid-a")

    assert second.pk == first.pk
    assert RoleAssignment.objects.filter(user=learner).count() == 1
    assert str(first) == "enterprise_admin:uuid-a"


def test_role_revoke_deletes_only_the_named_assignment(learner):
    role_assign(user=learner, role="enterprise_admin", context="uuid-a")
    role_assign(user=learner, role="enterprise_admin", context="uuid-b")

    assert role_revoke(user=learner, role="enterprise_admin", context="uuid-a") == 1
    assert role_revoke(user=learner, role="enterprise_admin", context="uuid-a") == 0
    assert list(RoleAssignment.objects.values_list("context", flat=True)) == ["uuid-b"]
