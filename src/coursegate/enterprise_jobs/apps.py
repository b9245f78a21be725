from django.apps import AppConfig


class EnterpriseJobsConfig(AppConfig):
    name = "coursegate.enterprise_jobs"
    label = "enterprise_jobs"
    verbose_name = "Enterprise bulk license enrollment jobs"
