"""Permission classes shared by the API families."""

from __future__ import annotations

from rest_framework.permissions import BasePermission


class IsStaff(BasePermission):
    """Staff users only (the Appsembler, Jitterbit and staff-only Enrollment endpoints)."""

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.is_staff)
