from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "coursegate.demo"
    label = "demo"
    verbose_name = "Coursegate demo data"
