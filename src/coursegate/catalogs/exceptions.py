"""Catalog errors, in domain words (the Enterprise API maps them to statuses in one table)."""

from __future__ import annotations


class CatalogError(Exception):
    """Base class of catalog errors."""


class CatalogNotFoundError(CatalogError):
    """No catalog with that uuid (a malformed uuid included)."""


class ContentNotInCatalogError(CatalogError):
    """The course, course run or program is unknown, or not part of the catalog."""


class ContentMetadataInvalidError(CatalogError):
    """A content item cannot be stored as given: its metadata must be a JSON object whose keys are
    names (so every representation, XML included, can carry it), and neither the metadata's text
    nor the title may hold control characters."""
