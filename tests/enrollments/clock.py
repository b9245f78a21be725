"""The frozen instant the enrollment tests run at, so windows and expiry are explicit dates."""

from datetime import UTC, datetime

NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
