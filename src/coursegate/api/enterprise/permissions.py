"""Who may call the Enterprise API (ARCHITECTURE.md "Authentication and authorization").

An ``enterprise_admin:<customer uuid>`` role acts on that customer only; an
``enterprise_openedx_operator`` role with context ``*`` acts on every customer; learners and staff
without a role get 403. Unknown object: 404 (looked up first); another customer's object: 403,
through DRF's object permission check (``view.check_object_permissions(request, obj)``).
"""

from __future__ import annotations

import uuid as uuid_lib

from coursegate.core.permissions import HasAnyRole, HasRoleForObject, role_contexts
from coursegate.core.roles import Role

ADMIN_ROLES = (Role.ENTERPRISE_ADMIN, Role.ENTERPRISE_OPERATOR)
# A learner's endpoints (its licenses, catalog membership questions): learners of the customer,
# and its admins and operators too (reference/learner_side.md §2).
LEARNER_ROLES = (Role.ENTERPRISE_LEARNER, *ADMIN_ROLES)


def customer_of(obj) -> str:
    """The customer uuid an object belongs to: its ``customer_id``; a customer is its own; a bare
    uuid (a customer named in a query string, known or not) names one; a license is its plan's."""
    if isinstance(obj, uuid_lib.UUID):
        return str(obj)
    if hasattr(obj, "plan") and not hasattr(obj, "customer_id"):
        obj = obj.plan
    customer_id = getattr(obj, "customer_id", None)
    return str(customer_id if customer_id is not None else obj.pk)


class IsCustomerAdmin(HasRoleForObject):
    """Any authenticated caller may ask; the object's customer must be one the caller administers."""

    roles = ADMIN_ROLES

    def object_context(self, obj) -> str:
        return customer_of(obj)


class IsAnyCustomerAdmin(IsCustomerAdmin, HasAnyRole):
    """As IsCustomerAdmin, but callers who administer no customer at all are refused up front."""


def administered_customers(request) -> set[str] | None:
    """Customer uuids the caller administers; None means all (an operator with context ``*``)."""
    return role_contexts(request, ADMIN_ROLES)


class IsCustomerLearnerOrAdmin(HasRoleForObject):
    """Any authenticated caller may ask; the object's customer must be one the caller is a learner
    or an admin of (or an operator: every customer)."""

    roles = LEARNER_ROLES

    def object_context(self, obj) -> str:
        return customer_of(obj)
