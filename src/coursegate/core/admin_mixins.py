"""Shared pieces of the domain apps' admin classes (each app registers its models in its own
admin.py; these mixins keep the rules that all of them follow in one place)."""

from __future__ import annotations


class OperateByChangePermission:
    """Admin actions marked ``permissions=["operate"]`` write through the domain services: they are
    for staff who may change these rows (the model's Django "change" permission), not for those
    who may only look."""

    def has_operate_permission(self, request) -> bool:
        opts = self.opts  # type: ignore[attr-defined]  (ModelAdmin's, beside which this is mixed in)
        return request.user.has_perm(f"{opts.app_label}.change_{opts.model_name}")


class RecordsOnly(OperateByChangePermission):
    """Rows that are records or history: never added, edited or deleted through the admin (changes
    go through the services, by the actions)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
