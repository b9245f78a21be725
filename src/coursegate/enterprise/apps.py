from django.apps import AppConfig


class EnterpriseConfig(AppConfig):
    name = "coursegate.enterprise"
    label = "enterprise"
    verbose_name = "Enterprise customers, learners, enrollments and jobs"
