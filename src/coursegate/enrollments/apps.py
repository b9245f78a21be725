from django.apps import AppConfig


class EnrollmentsConfig(AppConfig):
    name = "coursegate.enrollments"
    label = "enrollments"
    verbose_name = "Enrollments"
