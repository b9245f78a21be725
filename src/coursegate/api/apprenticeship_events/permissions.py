"""Who may call the Apprenticeship Events API (issue 6; reference/events_and_clients.md §1.7).

Roles come from the token: our JWTs' ``roles`` claim, a trusted issuer's ``roles`` or
space-separated ``data`` claim, or role assignments behind an opaque token. Reading needs
``ReadApprenticeshipEvent``, any other method ``StoreApprenticeshipEvent``; without it, DRF's 403
``{"detail": "You do not have permission to perform this action."}``.
"""

from __future__ import annotations

from rest_framework.permissions import SAFE_METHODS

from coursegate.core.permissions import HasRole
from coursegate.core.roles import Role


class CanReadApprenticeshipEvents(HasRole):
    role = Role.READ_APPRENTICESHIP_EVENT


class CanStoreApprenticeshipEvents(HasRole):
    role = Role.STORE_APPRENTICESHIP_EVENT


def permission_for(method: str) -> type[HasRole]:
    """The permission a request method needs: reading (GET, HEAD, OPTIONS) or storing."""
    return CanReadApprenticeshipEvents if method in SAFE_METHODS else CanStoreApprenticeshipEvents
