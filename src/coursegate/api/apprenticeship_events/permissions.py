"""Who may call the events service (issues 6 and 14; reference/events_and_clients.md §1.2, §1.7).

Roles come from the token: our JWTs' ``roles`` claim, a trusted issuer's ``roles`` or
space-separated ``data`` claim, or role assignments behind an opaque token. Each kind of event
has a reading role (GET, HEAD, OPTIONS) and a writing one (any other method); without it, DRF's
403 ``{"detail": "You do not have permission to perform this action."}``.

| kind | read | write |
|---|---|---|
| apprenticeship | ReadApprenticeshipEvent | StoreApprenticeshipEvent |
| agreement (engagements) | ReadAgreementEvent | StoreAgreementEvent |
| account | ReadAccountEvent | StoreAccountEvent |
| generic | ReadGenericEvent | WriteGenericEvent |
"""

from __future__ import annotations

from rest_framework.permissions import SAFE_METHODS

from coursegate.core.permissions import HasRole
from coursegate.core.roles import Role


class CanReadApprenticeshipEvents(HasRole):
    role = Role.READ_APPRENTICESHIP_EVENT


class CanStoreApprenticeshipEvents(HasRole):
    role = Role.STORE_APPRENTICESHIP_EVENT


class CanReadAgreementEvents(HasRole):
    role = Role.READ_AGREEMENT_EVENT


class CanStoreAgreementEvents(HasRole):
    role = Role.STORE_AGREEMENT_EVENT


class CanReadAccountEvents(HasRole):
    role = Role.READ_ACCOUNT_EVENT


class CanStoreAccountEvents(HasRole):
    role = Role.STORE_ACCOUNT_EVENT


class CanReadGenericEvents(HasRole):
    role = Role.READ_GENERIC_EVENT


class CanWriteGenericEvents(HasRole):
    role = Role.WRITE_GENERIC_EVENT


def permission_for(
    method: str,
    read: type[HasRole] = CanReadApprenticeshipEvents,
    write: type[HasRole] = CanStoreApprenticeshipEvents,
) -> type[HasRole]:
    """The permission a request method needs: reading (GET, HEAD, OPTIONS) or writing."""
    return read if method in SAFE_METHODS else write
