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


def uuid_text(expression: str) -> str:
    """A UUID column as its canonical text (8-4-4-4-12, lower case): PostgreSQL's uuid type casts
    to it; SQLite keeps Django's UUIDField as 32 hex digits, which are cut and joined."""
    if connection.vendor == "postgresql":
        return f"({expression})::text"
    parts = [(1, 8), (9, 4), (13, 4), (17, 4), (21, 12)]
    return "lower(" + " || '-' || ".join(f"substr({expression}, {a}, {n})" for a, n in parts) + ")"


def _literal(key: str) -> str:
    return "'" + key.replace("'", "''") + "'"
