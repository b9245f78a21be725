"""``Idempotency-Key`` on state-changing POSTs: the first answer stored, a retry replayed (issue 14 §4)."""

from django.apps import AppConfig


class IdempotencyConfig(AppConfig):
    name = "coursegate.idempotency"
    label = "idempotency"
    verbose_name = "Idempotent requests"

    def ready(self):
        # Every API family's base view (core/api.py FamilyApiView) runs the guard.
        from coursegate.core.api import install_write_guard
        from coursegate.idempotency.guard import IdempotencyGuard

        install_write_guard(IdempotencyGuard())
