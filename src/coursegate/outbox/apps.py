from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "coursegate.outbox"
    label = "outbox"
    verbose_name = "Outbox"
