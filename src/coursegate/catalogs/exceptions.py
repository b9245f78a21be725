"""Catalog errors, in domain words (the Enterprise API maps them to statuses in one table; the
"not found" ones are core's NotFoundError, answered 404 by the shared table)."""

from __future__ import annotations

from coursegate.core.exceptions import NotFoundError


class CatalogError(Exception):
    """Base class of catalog errors."""


class CatalogNotFoundError(CatalogError, NotFoundError):
    """No catalog with that uuid (a malformed uuid included)."""

    def __init__(self, key: object = None):
        super().__init__("catalog", key)


class ContentNotInCatalogError(CatalogError, NotFoundError):
    """The course, course run or program is unknown, or not part of the catalog."""

    def __init__(self, key: object = None):
        super().__init__("content in the catalog", key)


class ContentMetadataInvalidError(CatalogError):
    """A content item cannot be stored as given: its metadata must be a JSON object whose keys are
    names (so every representation, XML included, can carry it), and neither the metadata's text
    nor the title may hold control characters."""
