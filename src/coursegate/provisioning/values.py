"""Parsers of a row's text values; each raises RowError naming the column."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.dateparse import parse_date, parse_datetime

from coursegate.provisioning.runner import RowError

TRUE = {"true", "1", "yes", "y", "t"}
FALSE = {"false", "0", "no", "n", "f"}


def required(values: dict[str, str], column: str) -> str:
    value = values.get(column, "")
    if not value:
        raise RowError(f"{column}: a value is required")
    return value


def uuid_value(values: dict[str, str], column: str) -> uuid.UUID:
    text = required(values, column)
    try:
        return uuid.UUID(text)
    except ValueError as exc:
        raise RowError(f"{column}: {text!r} is not a UUID") from exc


def bool_value(values: dict[str, str], column: str, default: bool) -> bool:
    text = values.get(column, "").lower()
    if not text:
        return default
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise RowError(f"{column}: {text!r} is not true or false")


def int_value(values: dict[str, str], column: str, *, minimum: int = 0, maximum: int = 10**9) -> int | None:
    text = values.get(column, "")
    if not text:
        return None
    if not (text.isascii() and text.isdigit()) or not minimum <= int(text) <= maximum:
        raise RowError(f"{column}: {text!r} is not a whole number from {minimum} to {maximum}")
    return int(text)


def datetime_value(values: dict[str, str], column: str) -> datetime | None:
    """ISO 8601 date-time (no offset: UTC) or date (midnight UTC); empty: None."""
    text = values.get(column, "")
    if not text:
        return None
    try:
        parsed = parse_datetime(text)
        if parsed is None and (day := parse_date(text)) is not None:
            parsed = datetime(day.year, day.month, day.day)
    except ValueError:
        parsed = None
    if parsed is None:
        raise RowError(f"{column}: {text!r} is not an ISO 8601 date or date-time")
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


# Plain addresses (most of a big file) that Django's validate_email accepts, checked in one regex
# match: a dot-atom of common characters, domain labels, an alphabetic top-level domain. Anything
# else goes through validate_email itself.
PLAIN_EMAIL = re.compile(r"[a-z0-9_%+-]+(?:\.[a-z0-9_%+-]+)*@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")


def email_value(values: dict[str, str], column: str) -> str:
    """A valid address (Django's validate_email, at most 254 characters), lower-cased."""
    text = required(values, column).lower()
    if len(text) > 254:
        raise RowError(f"{column}: at most 254 characters")
    if PLAIN_EMAIL.fullmatch(text):
        return text
    try:
        validate_email(text)
    except ValidationError as exc:
        raise RowError(f"{column}: {text!r} is not a valid e-mail address") from exc
    return text


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None
