"""Routes of the webhooks API, mounted at /api/webhooks/v1/ (with or without a trailing slash)."""

from django.urls import re_path

from coursegate.api.webhooks import views

UUID = r"(?P<subscription_uuid>[^/]+)"

urlpatterns = [
    re_path(r"^subscriptions/?$", views.SubscriptionListView.as_view(), name="webhooks-subscriptions"),
    re_path(rf"^subscriptions/{UUID}/?$", views.SubscriptionDetailView.as_view(), name="webhooks-subscription"),
    re_path(rf"^subscriptions/{UUID}/ping/?$", views.SubscriptionPingView.as_view(), name="webhooks-ping"),
]
