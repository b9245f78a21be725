"""Job dispatch (being built): publishes pending jobs, re-queues jobs whose heartbeat stopped."""

from __future__ import annotations


def jobs_sweep() -> int:
    return 0
