"""Prometheus counters of the webhook deliveries (rendered by ``GET /metrics`` with the others of
the process's registry, core/metrics.py; all processes' in multiprocess mode)."""

from __future__ import annotations

from prometheus_client import Counter

DELIVERIES = Counter(
    "coursegate_webhook_deliveries", "Webhook delivery attempts, by outcome (delivered, failed).", ["outcome"]
)
PAUSES = Counter(
    "coursegate_webhook_subscriptions_paused",
    "Webhook subscriptions paused because an event stayed undelivered longer than the retry window.",
)
