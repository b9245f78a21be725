from django.apps import AppConfig


class CoursesConfig(AppConfig):
    name = "coursegate.courses"
    label = "courses"
    verbose_name = "Courses and course runs"
