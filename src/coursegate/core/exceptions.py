"""Exceptions every layer may raise, in domain words (no HTTP here).

Domain apps subclass these for their own cases (``CatalogNotFoundError(NotFoundError)``); the
shared error table (core/errors.py) answers them for every family, and a family's ``errors.py``
may answer them in its own shape instead.
"""

from __future__ import annotations


class NotFoundError(Exception):
    """The object a caller named does not exist (a malformed identifier included)."""

    def __init__(self, what: str = "object", key: object = None):
        self.what = what
        self.key = key
        super().__init__(f"No {what} {key}" if key is not None else f"No such {what}")
