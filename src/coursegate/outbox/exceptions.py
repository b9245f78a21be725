"""Errors of the outbox."""

from __future__ import annotations


class OutboxTransactionError(RuntimeError):
    """E-mails were enqueued outside a transaction: they would not be tied to any change."""
