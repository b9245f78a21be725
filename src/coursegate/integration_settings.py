"""Settings of the integrators' plumbing (issue 14): change feed, webhooks, idempotency keys.
Read from the environment; settings.py merges them in. Every variable is in .env.example."""

from __future__ import annotations

from typing import Any

from coursegate.envconf import env_flag, env_int, env_str


def integration_settings() -> dict[str, Any]:
    return {
        # Change feed: enrollment, license and assignment changes appended as generic events in
        # the change's own transaction (coursegate/feed).
        "COURSEGATE_FEED_ENABLED": env_flag("COURSEGATE_FEED_ENABLED", True),
        # Webhooks (coursegate/webhooks): a delivery is retried with exponential backoff from
        # BACKOFF_BASE seconds up to BACKOFF_MAX between tries, for MAX_AGE seconds after the
        # event; then the subscription is paused. Each POST waits TIMEOUT seconds at most.
        "COURSEGATE_WEBHOOK_BACKOFF_BASE_SECONDS": env_int("COURSEGATE_WEBHOOK_BACKOFF_BASE_SECONDS", 10),
        "COURSEGATE_WEBHOOK_BACKOFF_MAX_SECONDS": env_int("COURSEGATE_WEBHOOK_BACKOFF_MAX_SECONDS", 3600),
        "COURSEGATE_WEBHOOK_MAX_AGE_SECONDS": env_int("COURSEGATE_WEBHOOK_MAX_AGE_SECONDS", 24 * 3600),
        "COURSEGATE_WEBHOOK_TIMEOUT_SECONDS": env_int("COURSEGATE_WEBHOOK_TIMEOUT_SECONDS", 10),
        # Events sent per subscription per delivery round (each its own POST, in id order).
        "COURSEGATE_WEBHOOK_BATCH": env_int("COURSEGATE_WEBHOOK_BATCH", 500),
        # Receivers on loopback, private or link-local addresses are refused unless this is on
        # (a webhook URL must not reach the server's own network: SSRF).
        "COURSEGATE_WEBHOOK_ALLOW_PRIVATE_URLS": env_flag("COURSEGATE_WEBHOOK_ALLOW_PRIVATE_URLS", False),
        # Idempotency-Key: how long a stored answer is replayed (coursegate/idempotency).
        "COURSEGATE_IDEMPOTENCY_TTL_SECONDS": env_int("COURSEGATE_IDEMPOTENCY_TTL_SECONDS", 24 * 3600),
        "COURSEGATE_IDEMPOTENCY_HEADER": env_str("COURSEGATE_IDEMPOTENCY_HEADER", "Idempotency-Key"),
    }
