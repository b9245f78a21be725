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
    """An assignment configuration's assignments (reference/enterprise.md §4.4): the page and, after
    it, ``learner_state_counts`` over every assignment the filters keep, as enterprise-access's
    PaginationWithPageCountAndLearnerStateCounts. The view sets ``learner_state_counts`` before
    rendering the page."""

    page_size = 10
    page_size_query_param = "page_size"
    max_page_size = 1000
    learner_state_counts: list[dict] | None = None

    def get_paginated_response(self, data):
        return Response(
            {
                "count": self.page.paginator.count,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
                "learner_state_counts": self.learner_state_counts or [],
            }
        )

    def get_paginated_response_schema(self, schema):
        paged = super().get_paginated_response_schema(schema)
        paged["properties"]["learner_state_counts"] = {
            "type": "array",
            "description": "Assignments per learner state (only states that have some), most frequent first",
            "items": {
                "type": "object",
                "properties": {"learner_state": {"type": "string", "example": "waiting"},
                               "count": {"type": "integer", "example": 12}},
            },
        }  # fmt: skip
        return paged


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
