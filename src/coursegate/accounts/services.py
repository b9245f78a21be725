"""Writes of accounts and roles.

Every account is created here, whichever API asks for it, so that the rules (unique username,
case-insensitive unique e-mail, Django's password validators, a profile row) hold everywhere.
Applying the e-mail's pending allowed-enrollments to a new account is the enrollments app's
part: ``coursegate.enrollments.registration.user_register`` does both in one transaction.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from coursegate.accounts.exceptions import AccountExistsError, AccountInvalidError
from coursegate.accounts.models import Profile, RoleAssignment, User
from coursegate.accounts.validators import (
    EMAIL_MAX_LENGTH,
    NAME_MAX_LENGTH,
    USERNAME_MAX_LENGTH,
    email_problems,
    password_problems,
    username_problems,
)


def _too_long(limit: int) -> str:
    return f"At most {limit} characters are allowed."


def _field_errors(*, username: str, email: str, password: str | None, name: str, check_password: bool) -> dict:
    """Every field's problems (field -> messages), in the order username, email, name, password."""
    errors: dict[str, list[str]] = {}
    if not username:
        errors["username"] = ["A username is required."]
    else:
        problems = username_problems(username)
        if len(username) > USERNAME_MAX_LENGTH:
            problems.append(_too_long(USERNAME_MAX_LENGTH))
        if problems:
            errors["username"] = problems
    if not email:
        errors["email"] = ["An e-mail address is required."]
    elif len(email) > EMAIL_MAX_LENGTH:
        errors["email"] = [_too_long(EMAIL_MAX_LENGTH)]
    elif problems := email_problems(email):
        errors["email"] = problems
    if len(name) > NAME_MAX_LENGTH:
        errors["name"] = [_too_long(NAME_MAX_LENGTH)]
    if password is not None and check_password:
        if not password:
            errors["password"] = ["A password is required."]
        elif problems := password_problems(password, username=username, email=email):
            errors["password"] = problems
    return errors


@transaction.atomic
def user_create(
    *,
    username: str,
    email: str,
    password: str | None,
    name: str = "",
    country: str = "",
    is_staff: bool = False,
    is_superuser: bool = False,
    validate_password: bool = True,
) -> User:
    """Create an active user with a profile (and nothing else: no enrollment is applied).

    ``password=None`` makes an account with an unusable password (it logs in through tokens only).
    Username and e-mail are stripped. Raises AccountInvalidError (with per-field messages) or
    AccountExistsError (username taken, or the e-mail in any letter case).
    """
    username = (username or "").strip()
    email = (email or "").strip()
    name = name or ""
    errors = _field_errors(
        username=username, email=email, password=password, name=name, check_password=validate_password
    )
    if errors:
        raise AccountInvalidError(errors)

    taken = []
    if User.objects.filter(username=username).exists():
        taken.append("username")
    if User.objects.filter(email__iexact=email).exists():
        taken.append("email")
    if taken:
        raise AccountExistsError(taken)

    user = User(username=username, email=email, is_staff=is_staff, is_superuser=is_superuser)
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:  # a concurrent request took the name between check and insert
        raise AccountExistsError(["username", "email"]) from exc
    Profile.objects.create(user=user, name=name, country=(country or "").upper()[:2])
    return user


def role_assign(*, user: User, role: str, context: str = "") -> RoleAssignment:
    """Give ``user`` the role (idempotent)."""
    assignment, _ = RoleAssignment.objects.get_or_create(user=user, role=role, context=context)
    return assignment


def role_revoke(*, user: User, role: str, context: str = "") -> int:
    deleted, _ = RoleAssignment.objects.filter(user=user, role=role, context=context).delete()
    return deleted
