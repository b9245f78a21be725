"""SQL pieces for set-based feed writers (services.append_select), on the running backend."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import connection


def json_payload(pairs: list[tuple[str, str]]) -> str:
    """The SQL expression of a JSON object string from ``(key, SQL expression)`` pairs:
    ``json_object(...)`` on SQLite, ``json_build_object(...)::text`` on PostgreSQL. Keys are
    written as SQL literals; expressions are used as given (json_bool for booleans)."""
    args = ", ".join(f"{_literal(key)}, {expression}" for key, expression in pairs)
    if connection.vendor == "postgresql":
        return f"json_build_object({args})::text"
    return f"json_object({args})"


def json_bool(expression: str) -> str:
    """A boolean SQL expression as a JSON ``true``/``false`` value inside json_payload (SQLite
    keeps booleans as 0/1, which json_object would write as numbers)."""
    if connection.vendor == "postgresql":
        return f"({expression})"
    return f"(CASE WHEN {expression} THEN json('true') ELSE json('false') END)"


def db_time(value: datetime) -> Any:
    """A date-time parameter as the store's created_on column takes it on the running backend."""
    return connection.ops.adapt_datetimefield_value(value)


def _literal(key: str) -> str:
    return "'" + key.replace("'", "''") + "'"
