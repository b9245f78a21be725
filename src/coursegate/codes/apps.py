from django.apps import AppConfig


class CodesConfig(AppConfig):
    name = "coursegate.codes"
    label = "codes"
    verbose_name = "Enrollment codes"
