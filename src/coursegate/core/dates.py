"""Date bounds of the analytics filters (ARCHITECTURE.md, "Analytics").

Accepted: ``YYYY-MM-DD`` and ISO 8601 date-times (``2015-12-09T00:00:00Z``, with or without
fractional seconds, ``Z`` or an explicit offset, which is honoured). A date-only value is
midnight UTC. Lower bounds are inclusive; upper bounds exclusive, except that a date-only upper
bound covers that whole day ("between Dec 9th and 19th" includes the 19th).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

_DATE_ONLY = re.compile(r"^\d{4}-?\d{2}-?\d{2}$")  # 2015-12-09, or ISO 8601's basic 20151209
# "...T10:00:00 05:00": a "+" of the offset that arrived unescaped in a query string.
_SPACE_OFFSET = re.compile(r"(T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}:?\d{2})$")


class InvalidDateError(ValueError):
    """Neither YYYY-MM-DD nor an ISO 8601 date-time."""


def parse_date_or_datetime(value: str) -> tuple[datetime, bool]:
    """(aware datetime in UTC, was_date_only)."""
    text = (value or "").strip()
    if not text:
        raise InvalidDateError(value)
    try:
        if _DATE_ONLY.match(text):
            return datetime.combine(date.fromisoformat(text), datetime.min.time(), tzinfo=UTC), True
        # A space may arrive where the client sent an unescaped "+" of an offset.
        text = _SPACE_OFFSET.sub(r"\1+\2", text)
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError as exc:
        raise InvalidDateError(value) from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC), False
    except OverflowError as exc:  # e.g. 9999-12-31T23:59:59-01:00
        raise InvalidDateError(value) from exc


def lower_bound(value: str) -> datetime:
    """Inclusive lower bound."""
    return parse_date_or_datetime(value)[0]


def upper_bound(value: str) -> datetime:
    """Exclusive upper bound; a date-only value means the end of that day."""
    parsed, date_only = parse_date_or_datetime(value)
    if not date_only:
        return parsed
    try:
        return parsed + timedelta(days=1)
    except OverflowError:  # 9999-12-31: the end of time is as far as a bound can go
        return datetime.max.replace(tzinfo=UTC)
