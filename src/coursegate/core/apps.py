from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "coursegate.core"
    label = "core"
    verbose_name = "Coursegate core"

    def ready(self):
        from coursegate.core import schema  # noqa: F401  (registers the OpenAPI auth extension)
