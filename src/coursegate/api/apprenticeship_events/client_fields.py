"""Fields for what the .NET client sends (SFA.DAS.Events.Api.Client, reference
events_and_clients.md §1.5 and §1.8; issue 14 §1): integer enums, and its optional fields.

The client serialises with Json.NET's defaults: PascalCase keys, every property (unset ones as
``null``) and enums as their numbers. A number is read as the client's enum member and stored and
answered by its name; text is kept as given (the seed's free-text ``"active"``); an undefined
number is a 400 naming the field (where the reference silently took the first member).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import cast

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from coursegate.api.apprenticeship_events.fields import (
    REQUIRED,
    Cost,
    ParsedField,
    PositiveBigInteger,
    TrimmedText,
    UtcDateTime,
    any_case,
    optional,
)

# The client's enums (SFA.DAS.Events.Api.Types @4758153): number -> member name.
PAYMENT_STATUSES = {0: "PendingApproval", 1: "Active", 2: "Paused", 3: "Withdrawn", 4: "Completed", 5: "Deleted"}
AGREEMENT_STATUSES = {0: "NotAgreed", 1: "EmployerAgreed", 2: "ProviderAgreed", 3: "BothAgreed"}
TRANSFER_APPROVAL_STATUSES = {0: "Pending", 1: "TransferApproved", 2: "TransferRejected"}


def _numbers(names: Mapping[int, str]) -> str:
    return ", ".join(f"{number} ({name})" for number, name in names.items())


class StatusField(TrimmedText):
    """Free text (trimmed, not blank), or one of the client enum's numbers, stored as its name."""

    def __init__(self, *, names: Mapping[int, str], **kwargs):
        self.names = names
        self.bad_number = f"Must be text or one of the numbers {_numbers(names)}."
        super().__init__(**kwargs)

    def parse(self, value):
        if isinstance(value, int) and not isinstance(value, bool):
            name = self.names.get(value)
            return (name, None) if name is not None else (None, self.bad_number)
        return super().parse(value)

    def openapi(self) -> dict:
        return {"oneOf": [self.text_schema(), {"type": "integer", "enum": sorted(self.names)}]}


class EnumName(ParsedField, serializers.CharField):
    """One of the client enum's names (any case) or numbers, stored as the name."""

    def __init__(self, *, names: Mapping[int, str], **kwargs):
        self.names = names
        self.by_lower = {name.lower(): name for name in names.values()}
        self.pattern = any_case(names.values())
        self._spelled = re.compile(self.pattern).search
        self.message = f"Must be one of {_numbers(names)}, by name or number."
        super().__init__(**kwargs)

    def parse(self, value):
        if isinstance(value, str):
            name = self.by_lower[value.strip().lower()] if self._spelled(value) else None
        elif isinstance(value, int) and not isinstance(value, bool):
            name = self.names.get(value)
        else:
            name = None
        return (name, None) if name is not None else (None, self.message)

    def openapi(self) -> dict:
        return {"oneOf": [{"type": "string", "pattern": self.pattern}, {"type": "integer", "enum": sorted(self.names)}]}


class Whole(ParsedField, serializers.IntegerField):
    """A JSON whole number within a 32-bit int (the client's ``int``)."""

    MESSAGE = "Must be a whole number from -2147483648 to 2147483647."

    def parse(self, value):
        if isinstance(value, int) and not isinstance(value, bool) and -(2**31) <= value < 2**31:
            return value, None
        return None, self.MESSAGE

    def openapi(self) -> dict:
        return {"type": "integer", "minimum": -(2**31), "maximum": 2**31 - 1}


class NonNegativeBigInteger(PositiveBigInteger):
    """A whole number from 0 to 2**63 - 1 (the client's ``long?``: 0 means none given)."""

    MESSAGE = "Must be a whole number greater than or equal to 0."
    MIN = 0

    def parse(self, value):
        if value == 0 and not isinstance(value, bool):
            return 0, None
        number, problem = super().parse(value)
        return (number, None) if problem is None else (None, self.MESSAGE)


def iso(value) -> str:
    """A UTC date-time as answered everywhere in the family: ISO 8601 with a ``Z``."""
    return value.isoformat().replace("+00:00", "Z")


_COST = Cost(max_digits=18, decimal_places=2, min_value=0)
_DATE = UtcDateTime()


@extend_schema_field(
    {
        "type": "array",
        "nullable": True,
        "items": {
            "type": "object",
            "properties": {
                "totalCost": {"type": "number"},
                "effectiveFrom": {"type": "string", "format": "date-time"},
                "effectiveTo": {"type": "string", "format": "date-time", "nullable": True},
            },
            "required": ["totalCost", "effectiveFrom"],
        },
    }
)
class PriceHistory(ParsedField):
    """The client's ``PriceHistory``: an array of ``{TotalCost, EffectiveFrom, EffectiveTo?}``
    (keys in any case), stored as JSON with camelCase keys, the cost a number, dates in UTC."""

    MAX_ITEMS = 1000

    def openapi(self) -> dict:
        item = {
            "type": "object",
            "description": "Keys are read in any letter case; the document states the camelCase spelling",
            "properties": {
                "totalCost": _COST.openapi(),
                "effectiveFrom": _DATE.openapi(),
                "effectiveTo": optional(_DATE.openapi()),
            },
            "required": ["totalCost", "effectiveFrom"],
        }
        return {"type": "array", "maxItems": self.MAX_ITEMS, "items": item}

    def parse(self, value):
        if not isinstance(value, list):
            return None, "Must be an array of {totalCost, effectiveFrom, effectiveTo} objects."
        if len(value) > self.MAX_ITEMS:
            return None, f"Must hold at most {self.MAX_ITEMS} items."
        items = []
        for index, item in enumerate(value):
            if not isinstance(item, dict):
                return None, f"Item {index}: must be an object."
            given = {str(key).lower(): raw for key, raw in item.items()}
            cost, start, end = given.get("totalcost"), given.get("effectivefrom"), given.get("effectiveto")
            for name, raw in (("totalCost", cost), ("effectiveFrom", start)):
                if raw is None or raw == "":
                    return None, f"Item {index}: {name}: {REQUIRED}"
            cost, problem = _COST.parse(cost)
            if problem is not None:
                return None, f"Item {index}: totalCost: {problem}"
            start, problem = _DATE.parse(start)
            if problem is not None:
                return None, f"Item {index}: effectiveFrom: {problem}"
            if end is not None and end != "":
                end, problem = _DATE.parse(end)
                if problem is not None:
                    return None, f"Item {index}: effectiveTo: {problem}"
                if end < start:
                    return None, f"Item {index}: effectiveTo: Must not be earlier than effectiveFrom."
            else:
                end = None
            items.append(
                {
                    "totalCost": float(cast(Decimal, cost)),
                    "effectiveFrom": iso(start),
                    "effectiveTo": None if end is None else iso(end),
                }
            )
        return items, None
