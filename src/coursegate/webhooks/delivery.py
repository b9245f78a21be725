"""Webhook delivery (placeholder: the webhooks helper replaces this module)."""


def webhooks_sweep() -> int:
    """Deliver what is due; the number of deliveries attempted."""
    return 0
