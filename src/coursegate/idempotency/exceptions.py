"""What can stop a request from claiming its Idempotency-Key, in domain words."""

from __future__ import annotations


class IdempotencyKeyError(Exception):
    """Base of the refusals below."""


class IdempotencyKeyReusedError(IdempotencyKeyError):
    """The key was first used with another request (method, path, query string or body)."""


class IdempotencyKeyInUseError(IdempotencyKeyError):
    """The key's first request is still running."""
