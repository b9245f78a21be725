"""Domain errors of the event store."""

from __future__ import annotations


class EventBatchTooLargeError(Exception):
    """More events than one append may hold (``limit``: services.MAX_BATCH)."""

    def __init__(self, limit: int):
        super().__init__(f"at most {limit} events may be stored at once")
        self.limit = limit
