"""Fields of the Apprenticeship Events API: each parses one value and carries the contract's
messages (seed 004; issue 6's rules).

A field's ``parse(value)`` answers ``(value, None)`` or ``(None, message)`` without raising: the
serializers call it directly in their loops (a bulk batch holds up to 10,000 events).
``to_internal_value`` (DRF's entry point) raises the message as a ValidationError. The DRF base
class of each field gives the OpenAPI document its type.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from coursegate.events.config import CLIENT, SPECIFICATION, training_type_numbering, training_type_numbers
from coursegate.events.models import TrainingType

REQUIRED = "This field is required."
COST_MAX = Decimal("9999999999999999.99")  # DECIMAL(18, 2)
_CENT = Decimal("0.01")
_UNSIGNED = re.compile(r"[0-9]{1,19}")  # ASCII digits only, and short enough for int() and a bigint
_SIGNED = re.compile(r"-?[0-9]{1,19}")
_COMPACT = re.compile(r"[0-9]{14}")
COMPACT_FORMAT = "%Y%m%d%H%M%S"  # seed 004's yyyyMMddHHmmss
_TRAINING_TYPES = {choice.label: int(choice) for choice in TrainingType}  # "framework": 1, "standard": 2


class ParsedField(serializers.Field):
    """A field whose ``parse`` never raises (see the module docstring)."""

    def parse(self, value) -> tuple[object, str | None]:
        raise NotImplementedError

    def to_internal_value(self, data):
        value, problem = self.parse(data)
        if problem is not None:
            raise ValidationError(problem)
        return value


class TrimmedText(ParsedField, serializers.CharField):
    """A string (a number is taken as its text), trimmed, not blank, at most ``max_length``."""

    def parse(self, value):
        if isinstance(value, bool) or not isinstance(value, str | int):
            return None, "Must be a string."
        text = str(value).strip()
        if not text:
            return None, "This field may not be blank."
        if len(text) > self.max_length:
            return None, f"Ensure this field has no more than {self.max_length} characters."
        return text, None


class PositiveBigInteger(ParsedField, serializers.IntegerField):
    """A whole number from 1 to 2**63 - 1, as a JSON number or a string of ASCII digits."""

    MESSAGE = "Must be a whole number greater than 0."
    MAX = 2**63 - 1

    def parse(self, value):
        if isinstance(value, bool) or not isinstance(value, int | str):
            return None, self.MESSAGE
        text = str(value).strip()
        if not _UNSIGNED.fullmatch(text):
            return None, self.MESSAGE
        number = int(text)
        if not 0 < number <= self.MAX:
            return None, self.MESSAGE
        return number, None


@extend_schema_field(
    {"oneOf": [{"type": "string", "enum": ["framework", "standard"]}, {"type": "integer", "enum": [0, 1, 2]}]}
)
class TrainingTypeField(ParsedField):
    """ "framework" or "standard" (names in any case, around spaces), or a number as the deployment's
    numbering reads it (events/config.py: the seed's 1 and 2, and 0 as framework; or the .NET
    client's 0 and 1); parsed to the stored number (TrainingType)."""

    MESSAGES = {
        SPECIFICATION: 'Must be "framework" or 1, or "standard" or 2.',
        CLIENT: 'Must be "framework" or 0, or "standard" or 1.',
    }

    def parse(self, value):
        if isinstance(value, str):
            number = _TRAINING_TYPES.get(value.strip().lower())
            if number is not None:
                return number, None
        elif isinstance(value, int) and not isinstance(value, bool):
            number = training_type_numbers().get(value)
            if number is not None:
                return number, None
        return None, self.MESSAGES[training_type_numbering()]


class UtcDateTime(ParsedField, serializers.DateTimeField):
    """An ISO 8601 date-time (or date); naive ones are taken as UTC; parsed to UTC."""

    def parse(self, value):
        if not isinstance(value, str):
            return None, "Must be an ISO 8601 date-time string."
        try:
            parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return None, "Must be an ISO 8601 date-time, e.g. 2017-01-31T00:00:00."
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        try:
            return parsed.astimezone(UTC), None
        except OverflowError:
            return None, "Date-time out of range."


class Cost(ParsedField, serializers.DecimalField):
    """A number (or numeric string) from 0 to COST_MAX with at most two decimals, kept exact."""

    def parse(self, value):
        if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
            return None, "Must be a number."
        try:
            cost = Decimal(str(value))
        except InvalidOperation:
            return None, "Must be a number."
        if not cost.is_finite() or cost < 0:
            return None, "Must be a number greater than or equal to 0."
        if cost > COST_MAX:  # checked before quantize, which cannot take huge exponents
            return None, "Must be less than 10^16."
        cents = cost.quantize(_CENT)
        if cost != cents:
            return None, "Must have at most two decimal places."
        return cents, None


# The document's pattern: real dates only (days 01-28 are real in every month; the server also
# takes the 29th to 31st where they exist), so that generated clients and fuzzers send good ones.
@extend_schema_field(
    {
        "type": "string",
        "pattern": "^$|^[0-9]{4}(0[1-9]|1[0-2])(0[1-9]|1[0-9]|2[0-8])([01][0-9]|2[0-3])[0-5][0-9][0-5][0-9]$",
        "example": "20161231235959",
    }
)
class CompactDateTime(ParsedField, serializers.CharField):
    """Seed 004's query dates: exactly yyyyMMddHHmmss, in UTC."""

    def parse(self, value):
        if not _COMPACT.fullmatch(value):
            return None, "Bad date format: expected yyyyMMddHHmmss, e.g. 20161231235959."
        try:
            return datetime.strptime(value, COMPACT_FORMAT).replace(tzinfo=UTC), None
        except ValueError:
            return None, "Bad date format: not a real date and time."


class BoundedWhole(ParsedField, serializers.IntegerField):
    """A query parameter: a whole number of ASCII digits from ``min_value`` to ``max_value``."""

    def parse(self, value):
        if _SIGNED.fullmatch(value):
            number = int(value)
            if self.min_value <= number <= self.max_value:
                return number, None
        return None, f"Must be a whole number between {self.min_value} and {self.max_value}."
