"""The one role model every API family checks permissions against.

A role is a name, optionally limited to a context: ``enterprise_admin:<customer uuid>``,
``course_staff:<course run key>``, ``enterprise_openedx_operator:*`` (``*``: every context) or a
bare ``StoreApprenticeshipEvent``. The same strings are stored as role assignments (accounts) and
travel in the JWT ``roles`` claim (ARCHITECTURE.md "Authentication and authorization"); a trusted
issuer's space-separated ``data`` claim is read the same way (reference/events_and_clients.md §1.7).

Everything here is pure: it reads claim strings, never the database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models

EVERY_CONTEXT = "*"


class Role(models.TextChoices):
    """Role names, as stored and as they travel in tokens."""

    ENTERPRISE_ADMIN = "enterprise_admin"
    ENTERPRISE_LEARNER = "enterprise_learner"
    ENTERPRISE_OPERATOR = "enterprise_openedx_operator"
    STORE_APPRENTICESHIP_EVENT = "StoreApprenticeshipEvent"
    READ_APPRENTICESHIP_EVENT = "ReadApprenticeshipEvent"
    # The rest of the events service (reference/events_and_clients.md §1.2-1.8, issue 14)
    STORE_AGREEMENT_EVENT = "StoreAgreementEvent"
    READ_AGREEMENT_EVENT = "ReadAgreementEvent"
    STORE_ACCOUNT_EVENT = "StoreAccountEvent"
    READ_ACCOUNT_EVENT = "ReadAccountEvent"
    WRITE_GENERIC_EVENT = "WriteGenericEvent"
    READ_GENERIC_EVENT = "ReadGenericEvent"
    COURSE_STAFF = "course_staff"


@dataclass(frozen=True)
class RoleClaim:
    """One ``role`` or ``role:context`` string, split."""

    name: str
    context: str = ""

    @classmethod
    def parse(cls, claim: str) -> RoleClaim:
        name, _, context = claim.partition(":")
        return cls(name, context)

    def __str__(self) -> str:
        return f"{self.name}:{self.context}" if self.context else self.name

    def covers(self, name: str, context: str | None) -> bool:
        """True when this claim grants ``name`` for ``context`` (None: any context at all)."""
        return self.name == name and (context is None or self.context in (EVERY_CONTEXT, str(context)))


def claims_hold(claims: Iterable[str], name: str, context: str | None = None) -> bool:
    """Whether any of ``claims`` grants role ``name`` for ``context`` (or for every context)."""
    return any(RoleClaim.parse(claim).covers(name, context) for claim in claims)


def claim_contexts(claims: Iterable[str], names: Iterable[str]) -> set[str] | None:
    """The contexts in which ``claims`` grant any of ``names``; None means every context (``*``)."""
    wanted = set(names)
    contexts: set[str] = set()
    for claim in map(RoleClaim.parse, claims):
        if claim.name not in wanted:
            continue
        if claim.context == EVERY_CONTEXT:
            return None
        if claim.context:
            contexts.add(claim.context)
    return contexts


def claims_from_token(claims: dict) -> list[str]:
    """Role strings of a decoded JWT: ``roles`` (a list, or a space-separated string) plus the
    apprenticeship service identity provider's ``data`` claim (space-separated role names)."""
    found: list[str] = []
    for key in ("roles", "data"):
        value = claims.get(key)
        if isinstance(value, str):
            found.extend(value.split())
        elif isinstance(value, list):
            found.extend(r for r in value if isinstance(r, str))
    return found
