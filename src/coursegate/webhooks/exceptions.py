"""Webhook errors, in domain words (the API family's errors.py answers them)."""

from __future__ import annotations

from coursegate.core.exceptions import NotFoundError


class WebhookError(Exception):
    """Base of the webhook errors."""


class SubscriptionNotFoundError(NotFoundError, WebhookError):
    def __init__(self, key: object = None):
        super().__init__("webhook subscription", key)


class SubscriptionInvalidError(WebhookError):
    """A subscription's fields break the rules; ``problems`` maps each field to its messages."""

    def __init__(self, problems: dict[str, list[str]]):
        self.problems = problems
        super().__init__("; ".join(f"{field}: {' '.join(messages)}" for field, messages in problems.items()))


class ReceiverRefusedError(OSError, WebhookError):
    """The receiver's address is one a webhook may not reach (loopback, private, link-local...):
    raised while connecting, so a delivery to it fails like an unreachable receiver."""
