"""/api/HealthCheck (reference/events_and_clients.md §1.2), outside the family's /api/events/
mount: coursegate/urls.py includes this module at the site's root."""

from django.urls import re_path

from coursegate.api.apprenticeship_events.kinds_views import HealthCheckView

urlpatterns = [re_path(r"^api/HealthCheck/?$", HealthCheckView.as_view(), name="events-health-check")]
