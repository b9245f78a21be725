"""Fields of the Apprenticeship Events API: each parses one value and carries the contract's
messages (seed 004; issue 6's rules).

A field's ``parse(value)`` answers ``(value, None)`` or ``(None, message)`` without raising: the
serializers call it directly in their loops (a bulk batch holds up to 10,000 events).
``to_internal_value`` (DRF's entry point) raises the message as a ValidationError.

A body field's ``openapi()`` states, as a JSON schema, every value its ``parse`` can accept (issue
15): the OpenAPI document's request schemas are built from it (openapi.py), and where a pattern is
stated the parse applies that very pattern, so the two cannot drift apart. What no schema can say
(a real calendar date, two decimals, an id within 2**63 - 1 written as text) is refused with a 400
after the pattern; docs/openapi.md lists these rules.
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
INT64 = (-(2**63), 2**63 - 1)

# Patterns shared by the OpenAPI document and the parse (searched with Python's re, as JSON schema
# validators do; \s is the white space str.strip() removes).
NOT_BLANK = "^[^\\x00]*[^\\x00\\s][^\\x00]*$"  # some character that is not white space, and no NUL
DIGITS = "^\\s*[0-9]{1,19}\\s*$"
DECIMAL_TEXT = "^\\s*(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)\\s*$"
# ISO 8601's extended form: a date, optionally a time (minutes, seconds and a fraction optional),
# optionally an offset; white space around it is trimmed.
ISO_DATE_TIME = (
    "^\\s*[0-9]{4}-[0-9]{2}-[0-9]{2}"
    "(?:[T ][0-9]{2}(?::[0-9]{2}(?::[0-9]{2}(?:[.,][0-9]+)?)?)?)?(?:Z|[+-][0-9]{2}(?::?[0-9]{2})?)?\\s*$"
)
_DECIMAL_TEXT = re.compile(DECIMAL_TEXT)
iso_date_time = re.compile(ISO_DATE_TIME).search


def any_case(words) -> str:
    """A pattern matching any of ``words`` in any letter case, with white space around it."""
    spelled = ("".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else re.escape(c) for c in w) for w in words)
    return f"^\\s*(?:{'|'.join(spelled)})\\s*$"


def optional(schema: dict) -> dict:
    """The schema of an optional body field: ``null`` and ``""`` mean "not given" (the .NET
    client sends every property, unset ones as null)."""
    if "oneOf" not in schema:
        schema = {"oneOf": [schema]}
    return {**schema, "oneOf": [*schema["oneOf"], {"type": "string", "enum": [""]}], "nullable": True}


def int_text_range(max_length: int) -> tuple[int, int]:
    """The JSON whole numbers a text field of ``max_length`` takes as its text (within 64 bits)."""
    return max(INT64[0], -(10 ** (max_length - 1) - 1)), min(INT64[1], 10**max_length - 1)


class ParsedField(serializers.Field):
    """A field whose ``parse`` never raises (see the module docstring)."""

    def parse(self, value) -> tuple[object, str | None]:
        raise NotImplementedError

    def openapi(self) -> dict:
        """The JSON schema of every value ``parse`` may accept (a request body's field)."""
        raise NotImplementedError

    def to_internal_value(self, data):
        value, problem = self.parse(data)
        if problem is not None:
            raise ValidationError(problem)
        return value


class TrimmedText(ParsedField, serializers.CharField):
    """A string of at most ``max_length`` characters, trimmed, not blank; a JSON whole number (as
    Json.NET binds one to a string) is taken as its text."""

    def parse(self, value):
        if isinstance(value, bool) or not isinstance(value, str | int):
            return None, "Must be a string."
        if isinstance(value, int) and not INT64[0] <= value <= INT64[1]:
            return None, "Must be a string."
        text = str(value)
        if len(text) > self.max_length:
            return None, f"Ensure this field has no more than {self.max_length} characters."
        text = text.strip()
        if not text:
            return None, "This field may not be blank."
        return text, None

    def text_schema(self) -> dict:
        return {"type": "string", "minLength": 1, "maxLength": self.max_length, "pattern": NOT_BLANK}

    def openapi(self) -> dict:
        low, high = int_text_range(self.max_length)
        return {"oneOf": [self.text_schema(), {"type": "integer", "minimum": low, "maximum": high}]}


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

    MIN = 1

    def openapi(self) -> dict:
        return {
            "oneOf": [
                {"type": "integer", "minimum": self.MIN, "maximum": self.MAX},
                {"type": "string", "pattern": DIGITS, "description": f"{self.MIN} to {self.MAX} in decimal digits"},
            ]
        }


class TrainingTypeField(ParsedField, serializers.CharField):
    """ "framework" or "standard" (names in any case, around spaces), or a number as the deployment's
    numbering reads it (events/config.py: the seed's 1 and 2, and 0 as framework; or the .NET
    client's 0 and 1); parsed to the stored number (TrainingType)."""

    MESSAGES = {
        SPECIFICATION: 'Must be "framework" or 1, or "standard" or 2.',
        CLIENT: 'Must be "framework" or 0, or "standard" or 1.',
    }

    NAMES = any_case(_TRAINING_TYPES)
    _names = re.compile(NAMES).search

    def parse(self, value):
        if isinstance(value, str):
            if self._names(value):
                return _TRAINING_TYPES[value.strip().lower()], None
        elif isinstance(value, int) and not isinstance(value, bool):
            number = training_type_numbers().get(value)
            if number is not None:
                return number, None
        return None, self.MESSAGES[training_type_numbering()]

    def openapi(self) -> dict:
        numbers = sorted(training_type_numbers())
        return {"oneOf": [{"type": "string", "pattern": self.NAMES}, {"type": "integer", "enum": numbers}]}


class UtcDateTime(ParsedField, serializers.DateTimeField):
    """An ISO 8601 date-time (or date); naive ones are taken as UTC; parsed to UTC."""

    BAD = "Must be an ISO 8601 date-time, e.g. 2017-01-31T00:00:00."

    def parse(self, value):
        if not isinstance(value, str):
            return None, "Must be an ISO 8601 date-time string."
        if not iso_date_time(value):
            return None, self.BAD
        try:
            parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return None, self.BAD
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        try:
            return parsed.astimezone(UTC), None
        except OverflowError:
            return None, "Date-time out of range."

    def openapi(self) -> dict:
        return {
            "type": "string",
            "pattern": ISO_DATE_TIME,
            "description": "ISO 8601, e.g. 2017-01-31T00:00:00Z; without an offset it is UTC; a date alone is midnight",
        }


class Cost(ParsedField, serializers.DecimalField):
    """A number (or a decimal numeral as text) from 0 to COST_MAX with at most two decimals, kept exact."""

    def parse(self, value):
        if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
            return None, "Must be a number."
        if isinstance(value, str) and not _DECIMAL_TEXT.search(value):
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

    def openapi(self) -> dict:
        return {
            "oneOf": [
                {"type": "number", "minimum": 0, "maximum": float(COST_MAX)},
                {"type": "string", "pattern": DECIMAL_TEXT},
            ],
            "description": f"0 to {COST_MAX}, at most two decimals",
        }


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
