"""Domain errors of the accounts app (no HTTP words; each API family's errors.py answers them)."""

from __future__ import annotations

from coursegate.core.exceptions import NotFoundError


class AccountError(Exception):
    """Base class."""


class AccountInvalidError(AccountError):
    """Input for a new account is missing or invalid; ``field_errors`` says which (field -> messages)."""

    def __init__(self, field_errors: dict[str, list[str]]):
        super().__init__("invalid account data")
        self.field_errors = field_errors


class AccountExistsError(AccountError):
    """The username or e-mail address is taken."""

    def __init__(self, fields: list[str]):
        super().__init__("account exists")
        self.fields = fields


class UserNotFoundError(NotFoundError):
    """No account has this username."""

    def __init__(self, username: str):
        super().__init__("user", username)
