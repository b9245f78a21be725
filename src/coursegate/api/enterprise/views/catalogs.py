"""Enterprise API — catalogs, /enterprise/v2/enterprise-catalogs (seed 003_daa74488a5860cfd.txt,
"enterprise-catalogs" sections; reference/enterprise.md §4.9-4.13).

Admins of a customer (and operators, for every customer) read its catalogs and their content;
learners and callers without an enterprise role get 403. A malformed or unknown catalog or item is
404, another customer's catalog 403. Decisions (ARCHITECTURE.md): the catalog's content is paged
with the seed's ``limit`` (default 20, at most 1000) and ``offset``; the catalog list with
``page``/``page_size`` as the reference service does.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.response import Response

from coursegate.api.enterprise.pagination import CatalogContentPagination, CatalogListPagination
from coursegate.api.enterprise.permissions import IsAnyCustomerAdmin, IsCustomerAdmin, administered_customers
from coursegate.api.enterprise.serializers.catalogs import (
    CatalogContentQuery,
    CatalogListQuery,
    CatalogOutput,
    ContentItemOutput,
)
from coursegate.api.enterprise.views.base import EnterpriseApiView
from coursegate.catalogs.models import ContentItem
from coursegate.catalogs.selectors import (
    catalog_content,
    catalog_course_get,
    catalog_course_run_get,
    catalog_get,
    catalog_program_get,
    catalogs_for_customers,
    course_runs_by_course,
)
from coursegate.core.serializers import parse

CATALOG_PARAM = OpenApiParameter("catalog_uuid", OpenApiTypes.UUID, OpenApiParameter.PATH)
AUTH_RESPONSES = {
    401: OpenApiResponse(description="No token, or an invalid one"),
    403: OpenApiResponse(description="Not an admin of the catalog's customer (nor an operator)"),
    404: OpenApiResponse(description='{"detail": "Not found."}: unknown catalog or item'),
}


# The content items are seed 003's documents, passed through: any object (documentation only).
_ITEM = {"type": "object", "additionalProperties": {}}
_PAGE = {
    "type": "object",
    "properties": {
        "count": {"type": "integer"},
        "next": {"type": "string", "nullable": True},
        "previous": {"type": "string", "nullable": True},
        "results": {"type": "array", "items": _ITEM},
    },
    "additionalProperties": {},
}


class CatalogApiView(EnterpriseApiView):
    """A catalog's endpoints: the catalog is looked up first (404 for anyone when unknown), then
    the caller must administer its customer (403)."""

    permission_classes = [IsCustomerAdmin]

    def get_catalog(self, catalog_uuid: str):
        catalog = catalog_get(catalog_uuid=catalog_uuid)
        self.check_object_permissions(self.request, catalog)
        return catalog

    def render_items(self, catalog, items, *, many: bool):
        """Items (or one item) as the seed lists their fields; a course's runs in one query."""
        courses = [i.content_key for i in (items if many else [items]) if i.content_type == ContentItem.Type.COURSE]
        context = {
            "catalog": catalog,
            # Enrollment pages are this server's (it stands in for the LMS).
            "base_url": self.request.build_absolute_uri("/").rstrip("/"),
            "runs": course_runs_by_course(course_keys=courses),
        }
        return ContentItemOutput(items, many=many, context=context).data


class CatalogListView(CatalogApiView):
    """GET /enterprise/v2/enterprise-catalogs[/] — 200 page {count, next, previous, results} of the
    catalogs of the customers the caller administers (all for an operator); 400 bad page_size;
    401; 403 without an admin or operator role; 404 page out of range."""

    permission_classes = [IsAnyCustomerAdmin]
    pagination_class = CatalogListPagination

    @extend_schema(
        operation_id="enterprise_catalogs_list",
        parameters=[CatalogListQuery],
        responses={200: CatalogOutput(many=True), **AUTH_RESPONSES},
    )
    def get(self, request):
        parse(CatalogListQuery, request.query_params)
        paginator = self.pagination_class()
        customers = administered_customers(request)
        page = paginator.paginate_queryset(catalogs_for_customers(customer_uuids=customers), request, view=self)
        return paginator.get_paginated_response(CatalogOutput(page, many=True).data)


class CatalogDetailView(CatalogApiView):
    """GET /enterprise/v2/enterprise-catalogs/{catalog_uuid}[/] — 200 page {count, next, previous,
    results} of the catalog's active content items (courses, course runs, programs); 400 bad
    limit/offset; 401; 403 another customer's catalog; 404 unknown catalog."""

    @extend_schema(
        operation_id="enterprise_catalog_content",
        parameters=[CATALOG_PARAM, CatalogContentQuery],
        responses={200: OpenApiResponse(_PAGE, description="count, next, previous, results (content items)"),
                   **AUTH_RESPONSES},
    )  # fmt: skip
    def get(self, request, catalog_uuid: str):
        catalog = self.get_catalog(catalog_uuid)
        parse(CatalogContentQuery, request.query_params)
        paginator = CatalogContentPagination()
        items = paginator.paginate_queryset(catalog_content(catalog=catalog), request, view=self)
        return paginator.get_paginated_response(self.render_items(catalog, items, many=True))


class CatalogCourseView(CatalogApiView):
    """GET /enterprise/v2/enterprise-catalogs/{catalog_uuid}/courses/{course_key} — 200 the course
    (``Org+Course``) with its runs and ``enrollment_url``; 401; 403 another customer's catalog; 404
    unknown catalog, or a course not in it."""

    @extend_schema(
        operation_id="enterprise_catalog_course",
        parameters=[CATALOG_PARAM],
        responses={200: OpenApiResponse(_ITEM, description="The course (seed 003's course fields)"), **AUTH_RESPONSES},
    )
    def get(self, request, catalog_uuid: str, course_key: str):
        catalog = self.get_catalog(catalog_uuid)
        course = catalog_course_get(catalog=catalog, course_key=course_key)
        return Response(self.render_items(catalog, course, many=False))


class CatalogCourseRunView(CatalogApiView):
    """GET /enterprise/v2/enterprise-catalogs/{catalog_uuid}/course-runs/{course_run_id} — 200 the
    course run (``course-v1:Org+Course+Run``, ``course-v1:Org+Course`` or ``Org/Course/Run``) with
    ``enrollment_url``; 401; 403 another customer's catalog; 404 unknown catalog, or a run not in it."""

    @extend_schema(
        operation_id="enterprise_catalog_course_run",
        parameters=[CATALOG_PARAM],
        responses={200: OpenApiResponse(_ITEM, description="The course run (seed 003's course_run fields)"),
                   **AUTH_RESPONSES},
    )  # fmt: skip
    def get(self, request, catalog_uuid: str, course_run_id: str):
        catalog = self.get_catalog(catalog_uuid)
        run = catalog_course_run_get(catalog=catalog, course_run_key=course_run_id)
        return Response(self.render_items(catalog, run, many=False))


class CatalogProgramView(CatalogApiView):
    """GET /enterprise/v2/enterprise-catalogs/{catalog_uuid}/programs/{program_id} — 200 the program
    with ``enrollment_url``; 401; 403 another customer's catalog; 404 unknown catalog, or a program
    not in it."""

    @extend_schema(
        operation_id="enterprise_catalog_program",
        parameters=[CATALOG_PARAM],
        responses={200: OpenApiResponse(_ITEM, description="The program (seed 003's fields)"), **AUTH_RESPONSES},
    )
    def get(self, request, catalog_uuid: str, program_id: str):
        catalog = self.get_catalog(catalog_uuid)
        program = catalog_program_get(catalog=catalog, program_uuid=program_id)
        return Response(self.render_items(catalog, program, many=False))
