"""The feed events of license and assignment changes, built alike by every writer (subscriptions,
assignments, imports): payload keys services.LICENSE_KEYS and ASSIGNMENT_KEYS."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from coursegate.feed import services as feed


def license_change(
    type: str,
    *,
    uuid: UUID | str,
    plan_uuid: UUID | str,
    email: str,
    state: str,
    at: datetime,
    user: str | None = None,
    user_id: int | None = None,
) -> feed.Change:
    """A ``coursegate.license.*`` event: the license after the change (``state`` its status)."""
    payload = {"uuid": str(uuid), "plan_uuid": str(plan_uuid), "email": email, "user": user, "user_id": user_id,
               "state": state, "time": feed.iso(at)}  # fmt: skip
    return feed.Change(type, feed.LICENSE, str(uuid), payload, at)


def assignment_change(
    type: str,
    *,
    uuid: UUID | str,
    policy_uuid: UUID | str,
    email: str,
    state: str,
    at: datetime,
    user: str | None = None,
    user_id: int | None = None,
) -> feed.Change:
    """A ``coursegate.assignment.*`` event: the assignment after the change (``state`` its state)."""
    payload = {"uuid": str(uuid), "policy_uuid": str(policy_uuid), "email": email, "user": user,
               "user_id": user_id, "state": state, "time": feed.iso(at)}  # fmt: skip
    return feed.Change(type, feed.ASSIGNMENT, str(uuid), payload, at)
