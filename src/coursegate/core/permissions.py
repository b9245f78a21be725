"""DRF permission classes shared by the API families, built on core/roles.py.

A family's ``permissions.py`` derives its own classes from these (``CanStoreEvents(HasRole)``,
``IsCustomerAdmin(HasRoleForObject)``). Object-level checks run through DRF's
``check_object_permissions(request, obj)`` after the view has loaded the object, so an unknown
object is a 404 and another tenant's a 403 (ARCHITECTURE.md).
"""

from __future__ import annotations

from typing import ClassVar

from rest_framework.permissions import BasePermission

from coursegate.core.roles import claim_contexts


def credential_roles(request) -> list[str]:
    """The role claims of the request's credential (none for anonymous requests)."""
    credential = request.auth
    return list(getattr(credential, "roles", None) or [])


def holds_role(request, role: str, context: object | None = None) -> bool:
    """Whether the caller holds ``role`` for ``context`` (None: in any context)."""
    credential = request.auth
    has_role = getattr(credential, "has_role", None)
    return bool(has_role and has_role(role, None if context is None else str(context)))


def role_contexts(request, roles) -> set[str] | None:
    """The contexts in which the caller holds any of ``roles``; None means every context."""
    return claim_contexts(credential_roles(request), roles)


def _authenticated(request) -> bool:
    return bool(request.user and request.user.is_authenticated)


class IsStaff(BasePermission):
    """Staff users only (the Appsembler, Jitterbit and staff-only Enrollment endpoints)."""

    def has_permission(self, request, view) -> bool:
        return _authenticated(request) and bool(request.user.is_staff)


class HasRole(BasePermission):
    """Callers holding ``role`` (in any context)."""

    role: ClassVar[str] = ""

    def has_permission(self, request, view) -> bool:
        return _authenticated(request) and holds_role(request, self.role)


class HasRoleForObject(BasePermission):
    """Any authenticated caller passes the view-level check; an object then needs one of
    ``roles`` for ``object_context(obj)`` (or for ``*``). The view loads the object first, so an
    unknown object is a 404 for everyone, and calls ``check_object_permissions``."""

    roles: ClassVar[tuple[str, ...]] = ()

    def has_permission(self, request, view) -> bool:
        return _authenticated(request)

    def has_object_permission(self, request, view, obj) -> bool:
        context = self.object_context(obj)
        return any(holds_role(request, role, context) for role in self.roles)

    def object_context(self, obj) -> str:
        raise NotImplementedError


class HasAnyRole(HasRoleForObject):
    """As HasRoleForObject, but a caller holding none of ``roles`` in any context is refused
    before any lookup."""

    def has_permission(self, request, view) -> bool:
        return _authenticated(request) and role_contexts(request, self.roles) != set()
