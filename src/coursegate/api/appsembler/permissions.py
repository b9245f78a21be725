"""Who may call the Appsembler API (seed 001 "Authentication"; ARCHITECTURE.md "Authentication and
authorization"): staff users only; anyone else authenticated gets 403.

The reference's IsStaffOrOwner rule (a non-staff caller let through when a ``username`` in the
URL, query or body is its own, reference §2.1) is not reproduced: issue 3 made these APIs staff only.
"""

from __future__ import annotations

from coursegate.core.permissions import IsStaff


class IsAppsemblerStaff(IsStaff):
    """Staff users only, on every Appsembler endpoint."""
