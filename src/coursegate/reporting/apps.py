from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "coursegate.reporting"
    label = "reporting"
    verbose_name = "Reporting (analytics reads)"
