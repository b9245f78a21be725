"""UUIDs as callers give them: path segments, query values, role contexts."""

from __future__ import annotations

import uuid


def uuid_or_none(value: object) -> uuid.UUID | None:
    """``value`` as a UUID (a UUID or its text in any accepted form), or None when it is not one."""
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None
