"""The rules an account's fields follow: Django's username and e-mail validators, the configured
password validators (and one of our own). Each check returns the rule's messages (empty when the
value is good), so that a caller can gather every field's problems at once."""

from __future__ import annotations

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from coursegate.accounts.models import User

# The columns' sizes: accounts.User.username and .email, accounts.Profile.name.
USERNAME_MAX_LENGTH = 150
EMAIL_MAX_LENGTH = 254
NAME_MAX_LENGTH = 255


def _messages(check, *args, **kwargs) -> list[str]:
    try:
        check(*args, **kwargs)
    except ValidationError as exc:
        return list(exc.messages)
    return []


def username_problems(username: str) -> list[str]:
    """Django's username rule: letters, digits and ``@.+-_`` only."""
    return _messages(User.username_validator, username)


def email_problems(email: str) -> list[str]:
    return _messages(validate_email, email)


def password_problems(password: str, *, username: str, email: str) -> list[str]:
    """The configured password validators (AUTH_PASSWORD_VALIDATORS), the similarity one comparing
    with the account's username and e-mail."""
    return _messages(password_validation.validate_password, password, User(username=username, email=email))


class MaximumLengthValidator:
    """Passwords of at most ``max_length`` characters (Open edX: 75)."""

    def __init__(self, max_length: int = 75):
        self.max_length = max_length

    def validate(self, password, user=None):
        if len(password) > self.max_length:
            raise ValidationError(
                f"This password is too long. It must contain at most {self.max_length} characters.",
                code="password_too_long",
            )

    def get_help_text(self):
        return f"Your password must contain at most {self.max_length} characters."
