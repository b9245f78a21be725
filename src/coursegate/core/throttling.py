"""Rate limits (DRF throttles), switchable as a whole with COURSEGATE_THROTTLING.

The counters live in Django's cache (Redis with COURSEGATE_CACHE_URL). When it does not answer, the
redis client's ConnectionError is left to propagate: the request is answered 503 + Retry-After
(core/outage.py) rather than served without limits, a deliberate choice (docs/configuration.md,
"Outages and bounded requests")."""

from __future__ import annotations

from django.conf import settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle


class _Switchable:
    def allow_request(self, request, view):
        if not settings.THROTTLING_ENABLED:
            return True
        return super().allow_request(request, view)


class EnrollmentUserThrottle(_Switchable, UserRateThrottle):
    """Open edX EnrollmentUserThrottle: one rate for learners, a higher one for staff."""

    scope = "enrollment_user"

    def allow_request(self, request, view):
        if request.user and request.user.is_authenticated and request.user.is_staff:
            self.scope = "enrollment_staff"
            self.rate = self.get_rate()
            self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)


class EnrollmentAnonThrottle(_Switchable, AnonRateThrottle):
    scope = "enrollment_anon"
