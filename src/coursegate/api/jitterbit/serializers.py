"""Request shapes of the Jitterbit API (seed 000_2b9586f1c01a88bb.txt): the analytics query
strings, shared with the Appsembler family (api/analytics/serializers.py). Contract (seed 000):
neither list filters on ``username``; the enrollments list filters on ``course_id``."""

from __future__ import annotations

from coursegate.api.analytics.serializers import AccountsQueryInput, EnrollmentsQueryInput

__all__ = ["AccountsQueryInput", "EnrollmentsQueryInput"]
