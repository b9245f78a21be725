"""Enterprise API — learner summary (seed 003 "learner-summary Endpoint"; reference/enterprise.md §4.14).

Decisions (issue 4, ARCHITECTURE.md "Learner summary"):
- The seed's field names (``course_start``, ``course_end``, ``course_duration``, ``user_country``,
  ...), one row per enterprise enrollment; learners whose link to the customer is inactive are
  left out (as the reference backend does).
- ``ordering=<field>`` or ``-<field>`` on any listed field; an unknown field is a 400 naming it
  (the reference ignores it silently); default ``-last_activity_date``; rows without a value of
  the ordering field come last; ties by enterprise enrollment id.
- ``page``/``page_size`` (default 10, max 1000, larger sizes are capped); a page past the end is
  DRF's 404 ``{"detail": "Invalid page."}``; a page that is not a positive integer is a 400.
- Access: admins of the customer and operators. The customer is looked up first: a malformed or
  unknown uuid is 404 for any authenticated caller (the reference answers 200 with no rows for
  an unknown uuid; ARCHITECTURE.md: unknown object -> 404), then anyone who is not an admin of
  it — its learners, another customer's admin, staff without a role — gets 403.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers

from coursegate.api.enterprise.pagination import LearnerSummaryPagination
from coursegate.api.enterprise.permissions import IsCustomerAdmin
from coursegate.api.enterprise.serializers.learner_summary import LearnerSummaryQueryInput, LearnerSummaryRowSerializer
from coursegate.api.enterprise.views.base import EnterpriseApiView
from coursegate.core.serializers import parse
from coursegate.enterprise.learner_summary import (
    LEARNER_SUMMARY_FIELDS,
    LearnerSummaryQuery,
    learner_summary_for_customer,
)
from coursegate.enterprise.selectors import customer_get

PAGE = inline_serializer(
    "LearnerSummaryPage",
    {
        "count": serializers.IntegerField(),
        "next": serializers.URLField(allow_null=True),
        "previous": serializers.URLField(allow_null=True),
        "results": LearnerSummaryRowSerializer(many=True),
    },
)


class LearnerSummaryView(EnterpriseApiView):
    """GET /enterprise/v3/enterprise-customer/{uuid}/learner-summary — 200 with a page
    ``{count, next, previous, results}``; 400 bad ``ordering``/``page``/``page_size``; 401; 403 not
    an admin of the customer; 404 malformed or unknown customer uuid, or a page past the end."""

    permission_classes = [IsCustomerAdmin]
    pagination_class = LearnerSummaryPagination

    @extend_schema(
        operation_id="enterprise_learner_summary",
        parameters=[
            OpenApiParameter(
                "ordering",
                OpenApiTypes.STR,
                enum=[f"{sign}{name}" for name in LEARNER_SUMMARY_FIELDS for sign in ("", "-")],
                description="One listed field, '-' for descending; default -last_activity_date",
            ),
            OpenApiParameter("page", OpenApiTypes.INT),
            OpenApiParameter("page_size", OpenApiTypes.INT, description="Default 10, at most 1000"),
        ],
        responses={200: PAGE},
    )
    def get(self, request, customer_uuid: str):
        customer = customer_get(uuid=customer_uuid)
        self.check_object_permissions(request, customer)
        query = parse(LearnerSummaryQueryInput, request.query_params)
        rows = learner_summary_for_customer(query=LearnerSummaryQuery(customer_uuid=customer.uuid, **query["ordering"]))
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(
            LearnerSummaryRowSerializer(page, many=True, context={"request": request}).data
        )
