"""Request and response shapes of the webhooks API. The input serializer checks shapes only; the
rules of a subscription (URL, SSRF guard, known event types, secret length) are the service's
(coursegate/webhooks/services.py), answered 400 in the same ``{field: [message]}`` shape."""

from __future__ import annotations

from rest_framework import serializers

from coursegate.webhooks.models import WebhookSubscription


class SubscriptionCreateInput(serializers.Serializer):
    url = serializers.CharField(max_length=2000, trim_whitespace=False)
    event_types = serializers.ListField(child=serializers.CharField(max_length=255, trim_whitespace=False),
                                        max_length=50)  # fmt: skip
    secret = serializers.CharField(required=False, max_length=200, trim_whitespace=False)


class SubscriptionOutput(serializers.ModelSerializer):
    status = serializers.SerializerMethodField()

    class Meta:
        model = WebhookSubscription
        fields = ("uuid", "url", "event_types", "status", "paused_reason", "last_delivered_id", "failures",
                  "next_attempt_at", "last_error", "last_success_at", "created", "modified")  # fmt: skip

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
