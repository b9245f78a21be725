"""URL map: one include per API family, plus OAuth2, docs, admin and health."""

from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from coursegate.core import oauth, views

oauth_patterns = [
    re_path(r"^oauth2/(?:v1/)?access_token/?$", oauth.AccessTokenView.as_view(), name="access-token"),
    path("oauth2/token/", oauth.AccessTokenView.as_view(), name="token"),
    re_path(r"^oauth2/revoke_token/?$", oauth.RevokeTokenView.as_view(), name="revoke-token"),
    re_path(r"^oauth2/introspect/?$", oauth.IntrospectTokenView.as_view(), name="introspect"),
]

urlpatterns = [
    path("", views.root, name="root"),
    re_path(r"^health/?$", views.health, name="health"),
    re_path(r"^health/ready/?$", views.ready, name="health-ready"),
    *oauth_patterns,
    path("api/enrollment/v1/", include("coursegate.api.edx_enrollment.urls")),
    path("appsembler_api/v0/", include("coursegate.api.appsembler.urls")),
    path("api/jitterbit/v1/", include("coursegate.api.jitterbit.urls")),
    path("enterprise/", include("coursegate.api.enterprise.urls")),
    path("api/events/", include("coursegate.api.apprenticeship_events.urls")),
    path("", include("coursegate.api.apprenticeship_events.health_urls")),  # /api/HealthCheck
    path("api/webhooks/v1/", include("coursegate.api.webhooks.urls")),
    path("", include("coursegate.api.ops.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
    path("admin/", admin.site.urls),
]

handler400 = "coursegate.core.errors.json_bad_request"
handler403 = "coursegate.core.errors.json_forbidden"
handler404 = "coursegate.core.errors.json_not_found"
handler500 = "coursegate.core.errors.json_server_error"
