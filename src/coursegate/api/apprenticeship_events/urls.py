"""Routes of the Apprenticeship Events API, mounted at /api/events/. With and without the trailing
slash (the .NET client sends none, the seed's POST has one); never a redirect."""

from django.urls import re_path

from coursegate.api.apprenticeship_events import views

urlpatterns = [
    re_path(r"^apprenticeships/?$", views.ApprenticeshipEventsView.as_view(), name="apprenticeship-events"),
    re_path(
        r"^apprenticeships/bulk/?$", views.ApprenticeshipEventsBulkView.as_view(), name="apprenticeship-events-bulk"
    ),
]
