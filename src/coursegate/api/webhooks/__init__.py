"""The webhook subscriptions API, ``/api/webhooks/v1/`` (staff only)."""
