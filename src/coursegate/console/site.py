"""The admin site: Coursegate's name on every page, and the console's own pages under /admin/
(the dashboard at /admin/dashboard/), behind the admin's staff login."""

from __future__ import annotations

from django.contrib import admin
from django.urls import path


class CoursegateAdminSite(admin.AdminSite):
    site_header = "Coursegate operator console"
    site_title = "Coursegate"
    index_title = "Operations"
    enable_nav_sidebar = True

    def get_urls(self):
        from coursegate.console.dashboard.views import dashboard

        view = self.admin_view(dashboard)
        # Also without the final slash (APPEND_SLASH is off: the APIs answer both forms themselves).
        return [path("dashboard/", view, name="dashboard"), path("dashboard", view), *super().get_urls()]
