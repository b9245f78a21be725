"""One row per (client, Idempotency-Key): the request it was first used with and, once that request
has been answered, the answer to replay.

A row is ``in_progress`` from the moment its request claims the key (an INSERT committed before the
handler runs; the unique constraint on ``(client, key)`` decides between concurrent requests) until
the answer is stored (``complete``). ``run`` counts the claims of the row: a request that takes over
an expired key, or a stale ``in_progress`` row whose request died, bumps it, so a request that lost
its row can no longer store or release it (every write says ``WHERE run = <mine>``).
"""

from __future__ import annotations

from django.db import models


class IdempotencyKey(models.Model):
    class State(models.TextChoices):
        IN_PROGRESS = "in_progress"
        COMPLETE = "complete"

    client = models.CharField(
        max_length=255, help_text="Who sent the key: the user and the OAuth application (u<id>/a<id>), or a "
        "trusted issuer's subject"
    )  # fmt: skip
    key = models.CharField(max_length=255, help_text="The Idempotency-Key header's value")
    fingerprint = models.CharField(
        max_length=64, help_text="SHA-256 of the request's method, path, query string and body"
    )
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=2048)
    state = models.CharField(max_length=16, choices=State.choices, default=State.IN_PROGRESS)
    run = models.PositiveIntegerField(default=1, help_text="How many requests have claimed this row")
    created = models.DateTimeField(help_text="When the key was first used; it expires a TTL later")
    started = models.DateTimeField(help_text="When the current claim began (its lease counts from here)")
    completed = models.DateTimeField(null=True, blank=True)
    status = models.PositiveSmallIntegerField(null=True, blank=True, help_text="The stored answer's status")
    content_type = models.CharField(max_length=255, blank=True)
    headers = models.JSONField(default=dict, blank=True, help_text="The stored answer's replayed headers")
    body = models.BinaryField(default=b"", blank=True)

    class Meta:
        verbose_name = "idempotency key"
        constraints = [models.UniqueConstraint(fields=["client", "key"], name="idempotency_client_key")]
        indexes = [models.Index(fields=["created"], name="idempotency_created")]

    def __str__(self) -> str:
        return f"{self.key} ({self.client}, {self.state})"
