"""The ``enterprise_learner:<customer uuid>`` role rows that follow learner links (services.py).

The rows are accounts' RoleAssignment rows, written here set-based (one INSERT for any number of
links, conflicts ignored) because license assignment links thousands of learners per request and
accounts' ``role_assign`` writes one row per call. Only the link services call these functions: a
role row exists exactly while an active link with an account does.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q

from coursegate.accounts.models import RoleAssignment
from coursegate.core.roles import Role

INSERT_BATCH = 1000


def learner_roles_grant(*, pairs: Iterable[tuple[object, int]]) -> None:
    """Give each (customer uuid, user id) account the customer's learner role (idempotent)."""
    rows = [
        RoleAssignment(user_id=user_id, role=Role.ENTERPRISE_LEARNER, context=str(customer_id))
        for customer_id, user_id in dict.fromkeys(pairs)
    ]
    if rows:
        RoleAssignment.objects.bulk_create(rows, ignore_conflicts=True, batch_size=INSERT_BATCH)


def learner_roles_revoke(*, pairs: Iterable[tuple[object, int]]) -> int:
    """Take the customer's learner role from each (customer uuid, user id) account; returns how many
    role rows were deleted."""
    condition = Q()
    for customer_id, user_id in dict.fromkeys(pairs):
        condition |= Q(user_id=user_id, context=str(customer_id))
    if not condition:
        return 0
    deleted, _ = RoleAssignment.objects.filter(condition, role=Role.ENTERPRISE_LEARNER).delete()
    return deleted
