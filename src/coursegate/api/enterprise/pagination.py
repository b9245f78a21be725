"""Page envelopes of the Enterprise API: always ``count``, ``next``, ``previous``, ``results``."""

from __future__ import annotations

from rest_framework.pagination import LimitOffsetPagination, PageNumberPagination


class CatalogListPagination(PageNumberPagination):
    page_size = 10
    page_size_query_param = "page_size"
    max_page_size = 1000


class CatalogContentPagination(LimitOffsetPagination):
    """Seed 003: ``limit`` (default 20) and ``offset``."""

    default_limit = 20
    max_limit = 1000


class SubscriptionPagination(PageNumberPagination):
    page_size = 100


class AssignmentPagination(PageNumberPagination):
    page_size = 10
    page_size_query_param = "page_size"
    max_page_size = 1000


class LearnerSummaryPagination(PageNumberPagination):
    page_size = 10
    page_size_query_param = "page_size"
    max_page_size = 1000
