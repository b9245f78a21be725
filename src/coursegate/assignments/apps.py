from django.apps import AppConfig


class AssignmentsConfig(AppConfig):
    name = "coursegate.assignments"
    label = "assignments"
    verbose_name = "Subsidy access policies and learner content assignments"
