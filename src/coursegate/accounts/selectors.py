"""Reads of accounts and roles."""

from __future__ import annotations

from coursegate.accounts.exceptions import UserNotFoundError
from coursegate.accounts.models import User


def user_get_by_username(username: str) -> User | None:
    return User.objects.filter(username=username).first()


def user_require_by_username(username: str) -> User:
    """The account with exactly this username; raises UserNotFoundError if there is none."""
    user = user_get_by_username(username)
    if user is None:
        raise UserNotFoundError(username)
    return user


def user_get_by_email(email: str) -> User | None:
    """The account with this e-mail in any case; None for a blank address (tool-made accounts may
    have no e-mail, and must never match one)."""
    if not email or not email.strip():
        return None
    return User.objects.filter(email__iexact=email.strip()).first()


def roles_for_user(user_id: int) -> list[str]:
    """The user's roles as claim strings (``role`` or ``role:context``), sorted for stable tokens."""
    return User(pk=user_id).role_claims()
