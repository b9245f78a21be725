"""Enterprise errors, in domain words (the Enterprise API maps them to statuses in one table; the
"not found" ones are core's NotFoundError, answered 404 by the shared table)."""

from __future__ import annotations

from coursegate.core.exceptions import NotFoundError


class CustomerNotFoundError(NotFoundError):
    """No enterprise customer with that uuid (a malformed uuid included)."""

    def __init__(self, key: object = None):
        super().__init__("enterprise customer", key)
