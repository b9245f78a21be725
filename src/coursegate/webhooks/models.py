"""Webhook subscriptions and their delivery log.

A subscription is a receiver URL, the feed event types it wants (exact types or prefix patterns
such as ``coursegate.enrollment.*``) and a signing secret. Its cursor ``last_delivered_id`` is the
id of the last feed event it has settled (delivered, or passed over because it does not match):
delivery always resumes right after it, in id order, so a receiver sees each subscription's
events in feed order, at least once.

While a delivery fails, ``failures`` counts the tries of the event at the cursor and
``next_attempt_at`` holds the next one back (exponential backoff). A subscription whose oldest
undelivered event has waited longer than COURSEGATE_WEBHOOK_MAX_AGE_SECONDS is paused
(``is_active`` false, ``paused_reason`` set) until an operator resumes it.

``lease_token``/``lease_until``: the one deliverer holding the subscription (delivery.py).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q


class WebhookSubscription(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    url = models.URLField(max_length=2000, help_text="The receiver: an http(s) URL that accepts POSTs")
    event_types = models.JSONField(
        default=list, help_text='Feed event types, exact or prefix patterns ("coursegate.enrollment.*")'
    )
    secret = models.CharField(max_length=200, help_text="Key of the X-Coursegate-Signature HMAC")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_active = models.BooleanField(default=True, help_text="False: paused, nothing is delivered")
    paused_reason = models.TextField(blank=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    resumed_at = models.DateTimeField(null=True, blank=True, help_text="A resume starts a new retry window")
    last_delivered_id = models.BigIntegerField(default=0, help_text="Cursor: the last feed event settled")
    failures = models.PositiveIntegerField(default=0, help_text="Failed tries of the event after the cursor")
    next_attempt_at = models.DateTimeField(null=True, blank=True, help_text="Backoff: no try before this")
    last_error = models.TextField(blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    lease_token = models.UUIDField(null=True, blank=True, editable=False)
    lease_until = models.DateTimeField(null=True, blank=True, editable=False)
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "webhook subscription"
        indexes = [models.Index(fields=["next_attempt_at"], condition=Q(is_active=True), name="webhooks_due")]

    def __str__(self) -> str:
        return f"{self.url} ({'active' if self.is_active else 'paused'})"


class WebhookDelivery(models.Model):
    """One delivery attempt (an event, or a ping when ``event_id`` is null). Bounded: delivery.py
    keeps the newest ATTEMPTS_KEPT per subscription."""

    subscription = models.ForeignKey(WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries")
    event_id = models.BigIntegerField(null=True, blank=True)
    event_type = models.CharField(max_length=255)
    attempted_at = models.DateTimeField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    ok = models.BooleanField()
    error = models.TextField(blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "webhook delivery attempt"
        indexes = [models.Index(fields=["subscription", "-id"], name="webhooks_delivery_recent")]

    def __str__(self) -> str:
        return f"{self.event_type} #{self.event_id} -> {self.status_code or self.error[:40]}"
