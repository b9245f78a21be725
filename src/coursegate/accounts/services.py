"""Writes of accounts and roles.

Every account is created here, whichever API asks for it, so that the rules (unique username,
case-insensitive unique e-mail, Django's password validators, a profile row, pending
allowed-enrollments applied) hold everywhere.
"""

from __future__ import annotations

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction

from coursegate.accounts.exceptions import AccountExistsError, AccountInvalidError
from coursegate.accounts.models import Profile, RoleAssignment, User

USERNAME_MAX_LENGTH = 150
EMAIL_MAX_LENGTH = 254
NAME_MAX_LENGTH = 255


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
    """Create an active user with a profile.

    ``password=None`` makes an account with an unusable password (it logs in through tokens only).
    Raises AccountInvalidError (with per-field messages) or AccountExistsError.
    """
    errors: dict[str, list[str]] = {}
    username = (username or "").strip()
    email = (email or "").strip()
    if not username:
        errors["username"] = ["This field is required."]
    else:
        try:
            User.username_validator(username)
        except ValidationError as exc:
            errors["username"] = list(exc.messages)
        if len(username) > USERNAME_MAX_LENGTH:
            errors.setdefault("username", []).append(
                f"Ensure this field has no more than {USERNAME_MAX_LENGTH} characters."
            )
    if not email:
        errors["email"] = ["This field is required."]
    elif len(email) > EMAIL_MAX_LENGTH:
        errors["email"] = [f"Ensure this field has no more than {EMAIL_MAX_LENGTH} characters."]
    else:
        try:
            validate_email(email)
        except ValidationError as exc:
            errors["email"] = list(exc.messages)
    if len(name or "") > NAME_MAX_LENGTH:
        errors["name"] = [f"Ensure this field has no more than {NAME_MAX_LENGTH} characters."]
    if password is not None and validate_password:
        if not password:
            errors["password"] = ["This field is required."]
        else:
            try:
                password_validation.validate_password(password, User(username=username, email=email))
            except ValidationError as exc:
                errors["password"] = list(exc.messages)
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
    Profile.objects.create(user=user, name=name or "", country=(country or "").upper()[:2])

    # Imported here: enrollments depends on accounts' models, not the other way round.
    from coursegate.enrollments.services import enrollments_allowed_apply

    enrollments_allowed_apply(user=user)
    return user


def role_assign(*, user: User, role: str, context: str = "") -> RoleAssignment:
    """Give ``user`` the role (idempotent)."""
    assignment, _ = RoleAssignment.objects.get_or_create(user=user, role=role, context=context)
    return assignment


def role_revoke(*, user: User, role: str, context: str = "") -> int:
    deleted, _ = RoleAssignment.objects.filter(user=user, role=role, context=context).delete()
    return deleted
