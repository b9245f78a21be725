"""Enterprise API — whether a catalog, or any catalog of a customer, contains content
(reference/learner_side.md §6; enterprise-catalog's ``contains_content_items``).

True when ANY of the keys given is in the catalog, as the reference answers (its docstring says
"all"); no cache. Learners and admins of the customer (and operators) may ask; an unknown catalog
or customer is 404 for anyone, another customer's 403. Keys are checked after the caller: no key
at all is 400 with the reference's body, a bare list holding one message.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.response import Response

from coursegate.api.enterprise.permissions import IsCustomerLearnerOrAdmin
from coursegate.api.enterprise.serializers.contains import (
    NO_KEYS,
    ContainsOutput,
    ContainsQuery,
    CustomerContainsOutput,
    CustomerContainsQuery,
)
from coursegate.api.enterprise.views.base import EnterpriseApiView
from coursegate.catalogs.contains import catalogs_containing
from coursegate.catalogs.selectors import catalog_get
from coursegate.core.serializers import parse
from coursegate.enterprise.selectors import customer_get

RESPONSES = {
    400: OpenApiResponse(description=f'["{NO_KEYS}"]'),
    401: OpenApiResponse(description="No token, or an invalid one"),
    403: OpenApiResponse(description="Not a learner or an admin of the customer (nor an operator)"),
    404: OpenApiResponse(description='{"detail": "Not found."}'),
}


class CatalogContainsView(EnterpriseApiView):
    """GET /enterprise/v2/enterprise-catalogs/{catalog_uuid}/contains_content_items/?course_run_ids=
    &program_uuids= — 200 ``{"contains_content_items": bool}``."""

    permission_classes = [IsCustomerLearnerOrAdmin]

    @extend_schema(
        operation_id="enterprise_catalog_contains_content_items",
        parameters=[OpenApiParameter("catalog_uuid", OpenApiTypes.UUID, OpenApiParameter.PATH), ContainsQuery],
        responses={200: ContainsOutput, **RESPONSES},
    )
    def get(self, request, catalog_uuid: str):
        catalog = catalog_get(catalog_uuid=catalog_uuid)
        self.check_object_permissions(request, catalog)
        query = parse(ContainsQuery, request.query_params)
        found = catalogs_containing(catalog_uuids=[catalog.uuid], **query)
        return Response(ContainsOutput({"contains_content_items": bool(found)}).data)


class CustomerContainsView(EnterpriseApiView):
    """GET /enterprise/v2/enterprise-customer/{customer_uuid}/contains_content_items/?course_run_ids=
    &program_uuids=[&get_catalogs_containing_specified_content_ids=true] — 200
    ``{"contains_content_items": bool}``, plus ``catalog_list`` (the catalogs containing any of the
    keys) when asked; a customer without catalogs contains nothing."""

    permission_classes = [IsCustomerLearnerOrAdmin]

    @extend_schema(
        operation_id="enterprise_customer_contains_content_items",
        parameters=[OpenApiParameter("customer_uuid", OpenApiTypes.UUID, OpenApiParameter.PATH), CustomerContainsQuery],
        responses={200: CustomerContainsOutput, **RESPONSES},
    )
    def get(self, request, customer_uuid: str):
        customer = customer_get(uuid=customer_uuid)
        self.check_object_permissions(request, customer)
        query = parse(CustomerContainsQuery, request.query_params)
        listed = query.pop("catalog_list")
        found = catalogs_containing(customer_uuid=customer.uuid, **query)
        answer: dict = {"contains_content_items": bool(found)}
        if listed:
            answer["catalog_list"] = found
        return Response(CustomerContainsOutput(answer).data)
