"""The site's URLs with /api/HealthCheck mounted as coursegate/urls.py is asked to mount it
(``path("", include("coursegate.api.apprenticeship_events.health_urls"))``); harmless once it is."""

from django.urls import include, path

from coursegate.urls import urlpatterns as site

urlpatterns = [*site, path("", include("coursegate.api.apprenticeship_events.health_urls"))]
