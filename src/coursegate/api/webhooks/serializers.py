"""Request and response shapes of the webhooks API. The input serializers check shapes only; the
rules of a subscription (URL, SSRF guard, known event types, secret length) are the service's
(coursegate/webhooks/services.py), answered 400 in the same ``{field: [message]}`` shape.

The OpenAPI document states those rules too (issue 15): the fields below carry the service's own
pattern and enum (``extend_schema_field``), so a request the document allows is one the service
takes, the SSRF guard aside (a host's address is no pattern: docs/webhooks.md).
"""

from __future__ import annotations

import re

from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import empty
from rest_framework.utils import html

from coursegate.webhooks.models import WebhookSubscription
from coursegate.webhooks.receivers import MAX_URL_LENGTH, URL_PATTERN
from coursegate.webhooks.selectors import SUBSCRIBABLE_EVENT_TYPES
from coursegate.webhooks.services import MAX_EVENT_TYPES, SECRET_MAX_LENGTH, SECRET_MIN_LENGTH, SECRET_PATTERN

MAX_PAGE_SIZE = 1000


@extend_schema_field({"type": "string", "maxLength": MAX_URL_LENGTH, "pattern": URL_PATTERN,
                      "example": "https://example.com/hook",
                      "description": "The receiver: an http or https URL (public hosts only, unless the "
                      "server allows private ones), without user name, password or fragment."})  # fmt: skip
class ReceiverUrlField(serializers.CharField):
    pass


@extend_schema_field({"type": "array", "minItems": 1, "maxItems": MAX_EVENT_TYPES,
                      "items": {"type": "string", "enum": list(SUBSCRIBABLE_EVENT_TYPES)},
                      "example": ["coursegate.enrollment.*", "coursegate.license.revoked"],
                      "description": 'Feed event types, or prefix patterns ("coursegate.enrollment.*").'})  # fmt: skip
class EventTypesField(serializers.ListField):
    pass


@extend_schema_field({"type": "string", "minLength": SECRET_MIN_LENGTH, "maxLength": SECRET_MAX_LENGTH,
                      "pattern": SECRET_PATTERN,
                      "description": "The signing key (generated when missing): printable ASCII, no space "
                      "at either end."})  # fmt: skip
class SecretField(serializers.CharField):
    def get_value(self, dictionary):
        # DRF reads a form's empty optional field as "not given" (a secret would be generated);
        # the document says 16 characters or more, so an empty one is refused as in JSON.
        if html.is_html_input(dictionary) and dictionary.get(self.field_name) == "":
            return ""
        return super().get_value(dictionary)


class SubscriptionCreateInput(serializers.Serializer):
    """A new subscription's three fields and nothing else: a misspelt key (``secrets``) is refused
    rather than ignored, and the document says so (``additionalProperties: false``, below), so no
    unknown key is taken that the server's parsers would then refuse (a NUL in it, core/parsers.py)."""

    url = ReceiverUrlField(max_length=MAX_URL_LENGTH, trim_whitespace=False)
    event_types = EventTypesField(child=serializers.CharField(max_length=255, trim_whitespace=False),
                                  max_length=MAX_EVENT_TYPES)  # fmt: skip
    secret = SecretField(required=False, min_length=SECRET_MIN_LENGTH, max_length=SECRET_MAX_LENGTH,
                         trim_whitespace=False)  # fmt: skip

    def to_internal_value(self, data) -> dict:
        if hasattr(data, "keys"):
            unknown = [str(key) for key in data.keys() if key not in self.fields]
            if unknown:
                known = ", ".join(self.fields)
                raise serializers.ValidationError({key: [f"Unknown field: a subscription has {known}."]
                                                   for key in unknown})  # fmt: skip
        return super().to_internal_value(data)


class SubscriptionCreateInputSchema(OpenApiSerializerExtension):
    """The create body's schema, closed: ``additionalProperties: false`` (see SubscriptionCreateInput)."""

    target_class = SubscriptionCreateInput

    def map_serializer(self, auto_schema, direction):
        return {**super().map_serializer(auto_schema, direction), "additionalProperties": False}


class WholeNumberField(serializers.Field):
    """A query parameter holding a whole number in ASCII digits, from 1 to ``high``: no sign, no
    decimals, no spaces (the document says integer; DRF's IntegerField would take "1.0" or " 1")."""

    DIGITS = re.compile(r"-?[0-9]+")

    def __init__(self, *, high: int | None = None, **kwargs):
        self.high = high
        super().__init__(**kwargs)

    def get_value(self, dictionary):
        # DRF reads an empty query value of an optional field as "not given"; the document says
        # integer, so ``page=`` is refused like any other text that is no number.
        return dictionary.get(self.field_name, empty)

    def to_internal_value(self, data) -> int:
        if not isinstance(data, str) or not self.DIGITS.fullmatch(data):
            raise serializers.ValidationError("A whole number is required.")
        value = int(data)
        if value < 1 or (self.high is not None and value > self.high):
            raise serializers.ValidationError(
                f"Must be between 1 and {self.high}." if self.high is not None else "Must be at least 1."
            )
        return value


class SubscriptionPageInput(serializers.Serializer):
    """The list's ``page`` (from 1) and ``page_size`` (1 to MAX_PAGE_SIZE), each at most once: the
    server refuses what the document does not allow rather than guess (DRF's paginator would read
    the last of a repeated page, and a bad page_size as the default)."""

    page = WholeNumberField(required=False)
    page_size = WholeNumberField(high=MAX_PAGE_SIZE, required=False)

    def to_internal_value(self, data) -> dict:
        for name in self.fields.keys():
            if hasattr(data, "getlist") and len(data.getlist(name)) > 1:
                raise serializers.ValidationError({name: ["Give this parameter once."]})
        return super().to_internal_value(data)


class SubscriptionOutput(serializers.ModelSerializer):
    event_types = serializers.ListField(child=serializers.CharField(), read_only=True)
    status = serializers.SerializerMethodField()

    class Meta:
        model = WebhookSubscription
        fields: tuple[str, ...] = ("uuid", "url", "event_types", "status", "paused_reason", "last_delivered_id",
                                   "failures", "next_attempt_at", "last_error", "last_success_at", "created",
                                   "modified")  # fmt: skip

    @extend_schema_field({"type": "string", "enum": ["active", "paused"]})
    def get_status(self, subscription: WebhookSubscription) -> str:
        return "active" if subscription.is_active else "paused"


class SubscriptionPageOutput(serializers.Serializer):
    """A page of subscriptions (the OpenAPI document's shape of the list)."""

    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = SubscriptionOutput(many=True)


class SubscriptionCreatedOutput(SubscriptionOutput):
    """The created subscription with its ``secret``: shown this once, never again."""

    class Meta(SubscriptionOutput.Meta):
        fields = (*SubscriptionOutput.Meta.fields, "secret")


class PingOutput(serializers.Serializer):
    delivered = serializers.BooleanField(source="ok")
    status_code = serializers.IntegerField(allow_null=True)
    error = serializers.CharField(allow_null=True)
    duration_ms = serializers.IntegerField()

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["error"] = data["error"] or None
        return data
