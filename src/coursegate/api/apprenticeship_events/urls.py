"""Routes of the events service, mounted at /api/events/. With and without the trailing slash
(the .NET client sends none, the seed's POST has one); never a redirect. ``health_urlpatterns``
is /api/HealthCheck, which lives outside /api/events/ (coursegate/urls.py mounts it)."""

from django.urls import re_path

from coursegate.api.apprenticeship_events import kinds_views, views

urlpatterns = [
    re_path(r"^apprenticeships/?$", views.ApprenticeshipEventsView.as_view(), name="apprenticeship-events"),
    re_path(
        r"^apprenticeships/bulk/?$", views.ApprenticeshipEventsBulkView.as_view(), name="apprenticeship-events-bulk"
    ),
    re_path(r"^engagements/?$", kinds_views.AgreementEventsView.as_view(), name="agreement-events"),
    re_path(r"^accounts/?$", kinds_views.AccountEventsView.as_view(), name="account-events"),
    re_path(r"^create/?$", kinds_views.GenericEventCreateView.as_view(), name="generic-events-create"),
    re_path(r"^getSinceEvent/?$", kinds_views.GenericSinceEventView.as_view(), name="generic-events-since"),
    re_path(r"^getByDateRange/?$", kinds_views.GenericByDateRangeView.as_view(), name="generic-events-by-date"),
    re_path(r"^getByResourceId/?$", kinds_views.GenericByResourceView.as_view(), name="generic-events-by-resource"),
]
