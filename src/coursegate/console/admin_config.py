"""django.contrib.admin with Coursegate's site as ``admin.site``: INSTALLED_APPS lists
``coursegate.console.admin_config.CoursegateAdminConfig`` in place of ``django.contrib.admin``, so
every ``@admin.register`` of the domain apps lands on CoursegateAdminSite."""

from django.contrib.admin.apps import AdminConfig


class CoursegateAdminConfig(AdminConfig):
    default_site = "coursegate.console.site.CoursegateAdminSite"
