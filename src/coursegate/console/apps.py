from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    name = "coursegate.console"
    label = "console"
    verbose_name = "Operator console"
