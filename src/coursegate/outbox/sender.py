"""Outbox sender (being built): delivers due outbox rows."""

from __future__ import annotations


def outbox_sweep() -> int:
    return 0
