"""Page envelopes of the Enterprise API: always ``count``, ``next``, ``previous``, ``results``."""

from __future__ import annotations

from rest_framework.pagination import LimitOffsetPagination, PageNumberPagination
from rest_framework.response import Response


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


class PlanLicensePagination(PageNumberPagination):
    """A plan's licenses (reference/learner_side.md §4.1): 100 a page, ``page_size`` up to 500, and
    ``num_pages`` as license-manager's LicensePagination adds it."""

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_paginated_response(self, data):
        return Response(
            {
                "count": self.page.paginator.count,
                "num_pages": self.page.paginator.num_pages,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        paged = super().get_paginated_response_schema(schema)
        paged["properties"] = {"count": paged["properties"]["count"], "num_pages": {"type": "integer"},
                               **{k: v for k, v in paged["properties"].items() if k != "count"}}  # fmt: skip
        return paged


class LearnerLicensePagination(PageNumberPagination):
    """A learner's licenses (reference/learner_side.md §3.2): edx-drf-extensions' DefaultPagination
    keys (``num_pages``, ``current_page``, ``start``) and the customer's agreement, 100 a page at most.
    The view sets ``customer_agreement`` before rendering the page."""

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 100
    customer_agreement: dict | None = None

    def get_paginated_response(self, data):
        return Response(
            {
                "count": self.page.paginator.count,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "num_pages": self.page.paginator.num_pages,
                "current_page": self.page.number,
                "start": self.page.start_index() - 1 if self.page.paginator.count else 0,
                "results": data,
                "customer_agreement": self.customer_agreement,
            }
        )

    def get_paginated_response_schema(self, schema):
        paged = super().get_paginated_response_schema(schema)
        extra = {
            "num_pages": {"type": "integer"},
            "current_page": {"type": "integer"},
            "start": {"type": "integer", "description": "Index of the page's first result, from 0"},
        }
        paged["properties"] = {**paged["properties"], **extra}
        paged["properties"]["customer_agreement"] = {"type": "object", "nullable": True}
        return paged
