from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "coursegate.webhooks"
    label = "webhooks"
    verbose_name = "Webhooks"
