"""Wire shapes of the agreement, account and generic events (reference/events_and_clients.md
§1.2, §1.4, §1.5; issue 14 §1), on the apprenticeship events' rules: keys match
case-insensitively (the README's camelCase, the .NET client's PascalCase), unknown keys are
ignored, ``null`` or ``""`` is a missing value, every problem is answered at once under the
camelCase name (400 ``{field: [message]}``); answers are camelCase with ``id`` and ``createdOn``.

Queries take the apprenticeship events' parameters and rules (serializers.EventQueryInput), and
the generic reads add ``eventType``, ``resourceType`` and ``resourceId``.
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.fields import empty

from coursegate.api.apprenticeship_events.fields import NOT_BLANK, REQUIRED, ParsedField, TrimmedText
from coursegate.api.apprenticeship_events.serializers import NON_FIELD, EventInput, EventQueryInput
from coursegate.events.selectors import EventQuery
from coursegate.events.services import NewAccountEvent, NewAgreementEvent, NewGenericEvent

PAYLOAD_MAX = 1_000_000


class Payload(ParsedField, serializers.CharField):
    """A generic event's payload: a string (the .NET client sends the payload object serialised
    as JSON text), not blank, kept exactly as sent."""

    def parse(self, value):
        if not isinstance(value, str):
            return None, "Must be a string (a JSON payload is sent serialised as text)."
        if not value.strip():
            return None, "This field may not be blank."
        if len(value) > PAYLOAD_MAX:
            return None, f"Ensure this field has no more than {PAYLOAD_MAX} characters."
        return value, None

    def openapi(self) -> dict:
        return {"type": "string", "minLength": 1, "maxLength": PAYLOAD_MAX, "pattern": NOT_BLANK}


class KindInput(serializers.Serializer):
    """One event of a kind: the declared fields, read into ``record`` (a NamedTuple whose
    attributes are the fields' sources)."""

    record: ClassVar[type]

    def run_validation(self, data=empty):
        return self.to_internal_value(data)

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            raise ValidationError({NON_FIELD: [EventInput.NOT_AN_OBJECT]})
        fields = self.fields
        by_lower = {name.lower(): name for name in fields}
        values: dict[str, Any] = {}
        for key, value in data.items():
            name = by_lower.get(str(key).lower())
            if name is not None:
                values[name] = value  # of two spellings of one key, the later wins
        clean, errors = {}, {}
        for name, field in fields.items():
            raw = values.get(name)
            if raw is None or raw == "":
                if field.required:
                    errors[name] = [REQUIRED]
                continue
            value, problem = field.parse(raw)
            if problem is None:
                clean[field.source] = value
            else:
                errors[name] = [problem]
        if errors:
            raise ValidationError(errors)
        return self.record(**clean)


class AgreementEventInput(KindInput):
    """An agreement event (the reference's ``AgreementEvent``): ``event``, ``providerId`` and
    ``contractType`` (the table's sizes: 50, 20, 50)."""

    record = NewAgreementEvent
    event = TrimmedText(max_length=50)
    providerId = TrimmedText(max_length=20, source="provider_id")  # noqa: N815 (the reference's names)
    contractType = TrimmedText(max_length=50, source="contract_type")  # noqa: N815


class AccountEventInput(KindInput):
    """An account event (the reference's ``AccountEvent``): ``event`` and ``resourceUri``."""

    record = NewAccountEvent
    event = TrimmedText(max_length=50)
    resourceUri = TrimmedText(max_length=1000, source="resource_uri")  # noqa: N815


class GenericEventInput(KindInput):
    """A generic event (the reference's ``GenericEvent``): ``type`` and ``payload`` required,
    ``resourceType`` and ``resourceId`` optional (a number is taken as its text)."""

    record = NewGenericEvent
    type = TrimmedText(max_length=255)
    payload = Payload()
    resourceType = TrimmedText(max_length=255, required=False, source="resource_type")  # noqa: N815
    resourceId = TrimmedText(max_length=255, required=False, source="resource_id")  # noqa: N815


class RowsOutput(serializers.ListSerializer):
    """``XOutput(rows, many=True)``: rows of the store's columns, answered in one comprehension."""

    def to_representation(self, data) -> list[dict]:
        keys = self.child.KEYS  # type: ignore[union-attr]
        return [dict(zip(keys, row, strict=True)) for row in data]


class RowOutput(serializers.Serializer):
    KEYS: ClassVar[tuple[str, ...]] = ()

    class Meta:
        list_serializer_class = RowsOutput

    def to_representation(self, instance) -> dict:
        return dict(zip(self.KEYS, instance, strict=True))


class AgreementEventOutput(RowOutput):
    KEYS = ("id", "createdOn", "event", "providerId", "contractType")
    id = serializers.IntegerField()
    createdOn = serializers.DateTimeField()  # noqa: N815
    event = serializers.CharField()
    providerId = serializers.CharField()  # noqa: N815
    contractType = serializers.CharField()  # noqa: N815


class AccountEventOutput(RowOutput):
    KEYS = ("id", "createdOn", "event", "resourceUri")
    id = serializers.IntegerField()
    createdOn = serializers.DateTimeField()  # noqa: N815
    event = serializers.CharField()
    resourceUri = serializers.CharField()  # noqa: N815


class GenericEventOutput(RowOutput):
    KEYS = ("id", "createdOn", "type", "payload", "resourceType", "resourceId")
    id = serializers.IntegerField()
    createdOn = serializers.DateTimeField()  # noqa: N815
    type = serializers.CharField()
    payload = serializers.CharField()
    resourceType = serializers.CharField(allow_null=True)  # noqa: N815
    resourceId = serializers.CharField(allow_null=True)  # noqa: N815


_FILTER_TEXT = TrimmedText(max_length=255)


def _filter_field(help_text: str, *, required: bool = False) -> serializers.CharField:
    """A text query parameter as the OpenAPI document states it (``_filter`` reads it): at most
    255 characters; an empty one is "not given" (for a required one, a 400)."""
    return serializers.CharField(required=required, allow_blank=not required, max_length=255, help_text=help_text)


def _filter(data, name: str, *, required: bool = False) -> str | None:
    """A text query parameter (blank: not given)."""
    raw = data.get(name)
    if raw is None or not raw.strip():
        if required:
            raise ValidationError({name: [REQUIRED]})
        return None
    value, problem = _FILTER_TEXT.parse(raw)
    if problem is not None:
        raise ValidationError({name: [problem]})
    return value  # type: ignore[return-value]


class GenericSinceInput(EventQueryInput):
    """getSinceEvent: ``fromEventId`` (inclusive, default 0), optional ``eventType``, paging.
    Always in id order: the feed's cursor."""

    def get_fields(self) -> dict:
        fields = super().get_fields()
        fields["eventType"] = _filter_field("Only events of this type; empty: any type")
        return {name: fields[name] for name in ("eventType", "fromEventId", "pageSize", "pageNumber")}

    def to_internal_value(self, data) -> EventQuery:
        query = super().to_internal_value(data)
        return dataclasses.replace(query, since=None, until=None, by_id=True, event_type=_filter(data, "eventType"))


class GenericDateRangeInput(EventQueryInput):
    """getByDateRange: optional ``eventType``, ``fromDate``/``toDate`` (or ``from``/``to``) as
    for apprenticeship events, paging; in creation order."""

    def get_fields(self) -> dict:
        fields = super().get_fields()
        fields["eventType"] = _filter_field("Only events of this type; empty: any type")
        del fields["fromEventId"]
        return fields

    def to_internal_value(self, data) -> EventQuery:
        query = super().to_internal_value(data)
        return dataclasses.replace(query, from_event_id=0, event_type=_filter(data, "eventType"))


class GenericResourceInput(GenericDateRangeInput):
    """getByResourceId: ``resourceType`` and ``resourceId`` required, optional dates, paging."""

    def get_fields(self) -> dict:
        fields = super().get_fields()
        del fields["eventType"]
        fields["resourceType"] = _filter_field("Required", required=True)
        fields["resourceId"] = _filter_field("Required", required=True)
        return fields

    def to_internal_value(self, data) -> EventQuery:
        resource_type = _filter(data, "resourceType", required=True)
        resource_id = _filter(data, "resourceId", required=True)
        query = EventQueryInput.to_internal_value(self, data)
        return dataclasses.replace(query, from_event_id=0, resource_type=resource_type, resource_id=resource_id)
