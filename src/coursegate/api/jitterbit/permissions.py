"""Who may call the Jitterbit API (seed 000; ARCHITECTURE.md "Authentication and authorization"):
staff users only; anyone else authenticated gets 403."""

from __future__ import annotations

from coursegate.core.permissions import IsStaff


class IsJitterbitStaff(IsStaff):
    """Staff users only, on both Jitterbit endpoints."""
