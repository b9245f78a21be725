"""The outbox: one row per e-mail, written in the same transaction as the change that causes it.

A row is ``pending`` until a sender claims it (``sending``, with a lease in ``claimed_until`` and
the claim's token in ``claim``), then ``sent``, or back to ``pending`` with a later
``next_attempt_at`` after a failed attempt, or ``failed`` once COURSEGATE_OUTBOX_MAX_ATTEMPTS
attempts have failed. A ``sending`` row whose lease has passed lost its sender (killed, OOM) and
is due again. A ``sent`` row is never claimed again: that is the "never twice after success" rule.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class OutboxEmail(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending"
        SENDING = "sending"
        SENT = "sent"
        FAILED = "failed"

    kind = models.CharField(max_length=64, help_text="What the e-mail is about, e.g. license_assigned")
    to = models.JSONField(help_text="Recipient addresses")
    from_email = models.CharField(max_length=320)
    subject = models.CharField(max_length=998)  # RFC 5322's line limit
    body = models.TextField()
    reply_to = models.JSONField(default=list, blank=True)
    headers = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0, help_text="Delivery attempts that failed or were cut short")
    next_attempt_at = models.DateTimeField(help_text="A pending row is due from this moment")
    claimed_until = models.DateTimeField(null=True, blank=True, help_text="End of a sending row's lease")
    claim = models.UUIDField(null=True, blank=True, help_text="Token of the sender holding the lease")
    last_error = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "outbox e-mail"
        indexes = [
            # "Due rows" are read by every sweep: two small partial indexes, one per way of being
            # due, that hold only the rows not yet settled (sent rows, the vast majority, stay out).
            models.Index(fields=["next_attempt_at"], condition=Q(status="pending"), name="outbox_pending_due"),
            models.Index(fields=["claimed_until"], condition=Q(status="sending"), name="outbox_lease_due"),
            models.Index(fields=["status", "kind"], name="outbox_status_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {', '.join(self.to)} ({self.status})"
