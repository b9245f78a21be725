from django.apps import AppConfig


class IdempotencyConfig(AppConfig):
    name = "coursegate.idempotency"
    label = "idempotency"
    verbose_name = "Idempotent requests"
