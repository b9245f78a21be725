"""Enterprise API — a plan's licenses, for its customer's admins (reference/learner_side.md §4.1-
§4.6; license-manager's ``LicenseAdminViewSet``): the list, the overview by status, the CSV
export, remind, remind-all and revoke-all.

As the plan's other endpoints (views/subscriptions.py): callers who administer no customer get 403
before anything is looked up; an unknown plan is 404; another customer's plan 403 (the reference's
list answers another customer's admin an empty page). The CSV is a real CSV file (the reference
sends the CSV text through its JSON renderer); errors are negotiated as everywhere in the family.
"""

from __future__ import annotations

import csv
import io

from django.conf import settings
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.response import Response

from coursegate.api.enterprise.pagination import PlanLicensePagination
from coursegate.api.enterprise.serializers.learner import LicenseOutput
from coursegate.api.enterprise.serializers.plan_licenses import (
    LicenseFilterQuery,
    LicenseListQuery,
    LicenseOverviewOutput,
    LicenseRemindAllInput,
    LicenseRemindInput,
)
from coursegate.api.enterprise.views.subscriptions import SubscriptionApiView
from coursegate.core.serializers import parse
from coursegate.subscriptions.license_admin import (
    licenses_revoke_all,
    plan_license_overview,
    plan_licenses,
    plan_licenses_for_export,
)
from coursegate.subscriptions.notifications import activation_link
from coursegate.subscriptions.reminders import licenses_remind, licenses_remind_all

PLAN_PARAM = OpenApiParameter("plan_uuid", OpenApiTypes.UUID, OpenApiParameter.PATH)
AUTH_RESPONSES = {
    401: OpenApiResponse(description="No token, or an invalid one"),
    403: OpenApiResponse(description="Not an admin of the plan's customer (nor an operator)"),
    404: OpenApiResponse(description='{"detail": "Not found."}: unknown plan'),
}
# The reference's columns, in its (sorted) order; the key becomes the link a learner follows.
CSV_HEADER = ("activation_date", "activation_link", "last_remind_date", "status", "user_email")
# Cells a spreadsheet would run as a formula are prefixed with a quote (as the bulk-job CSV).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _portal_url(request) -> str:
    """The base of activation links: the learner portal's (COURSEGATE_LEARNER_PORTAL_URL), else this
    server's own address."""
    return getattr(settings, "COURSEGATE_LEARNER_PORTAL_URL", "") or request.build_absolute_uri("/")


def _cell(value) -> str:
    text = "" if value is None else value.isoformat() if hasattr(value, "isoformat") else str(value)
    return f"'{text}" if text.startswith(_FORMULA_STARTS) else text


class PlanLicenseListView(SubscriptionApiView):
    """GET /enterprise/v1/subscriptions/{plan_uuid}/licenses/ — 200 page {count, num_pages, next,
    previous, results} of the plan's licenses (every status by default; by status then e-mail);
    filters ``status`` (comma list), ``search``, ``user_email``, ``active_only``,
    ``ignore_null_emails``; ``ordering``; ``page``, ``page_size`` (100, at most 500). 400 an unknown
    status or a bad flag or page size; 404 unknown plan or page out of range."""

    pagination_class = PlanLicensePagination

    @extend_schema(
        operation_id="enterprise_plan_licenses_list",
        parameters=[PLAN_PARAM, LicenseListQuery],
        responses={200: LicenseOutput(many=True), **AUTH_RESPONSES},
    )
    def get(self, request, plan_uuid: str):
        plan = self.get_plan(plan_uuid)
        query = parse(LicenseListQuery, request.query_params)
        paginator = self.pagination_class()
        licenses = plan_licenses(plan=plan, filters=query["filters"], ordering=query["ordering"])
        page = paginator.paginate_queryset(licenses, request, view=self)
        return paginator.get_paginated_response(LicenseOutput(page, many=True).data)


class PlanLicenseOverviewView(SubscriptionApiView):
    """GET /enterprise/v1/subscriptions/{plan_uuid}/licenses/overview/ — 200 ``[{"status",
    "count"}]`` of the matching licenses, largest count first, statuses without licenses absent;
    the list's filters apply. 400 an unknown status or a bad flag; 404 unknown plan."""

    @extend_schema(
        operation_id="enterprise_plan_licenses_overview",
        parameters=[PLAN_PARAM, LicenseFilterQuery],
        responses={200: LicenseOverviewOutput(many=True), **AUTH_RESPONSES},
    )
    def get(self, request, plan_uuid: str):
        plan = self.get_plan(plan_uuid)
        query = parse(LicenseFilterQuery, request.query_params)
        return Response(
            LicenseOverviewOutput(plan_license_overview(plan=plan, filters=query["filters"]), many=True).data
        )


class PlanLicenseCsvView(SubscriptionApiView):
    """GET /enterprise/v1/subscriptions/{plan_uuid}/licenses/csv/ — 200 ``text/csv`` (an attachment,
    ``licenses-<plan uuid>.csv``): a header line, then one line per activated, assigned or revoked
    license, CRLF, UTF-8. ``activation_link`` is the learner portal's (COURSEGATE_LEARNER_PORTAL_URL,
    else this server's) ``/<customer slug>/licenses/<activation key>/activate``. 404 unknown plan."""

    @extend_schema(
        operation_id="enterprise_plan_licenses_csv",
        parameters=[PLAN_PARAM],
        responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="The CSV file"),
                   **AUTH_RESPONSES},
    )  # fmt: skip
    def get(self, request, plan_uuid: str):
        plan = self.get_plan(plan_uuid)
        # "<portal>/<slug>/licenses/{key}/activate", the link formatted once for every row
        link_format = activation_link(
            portal_url=_portal_url(request), customer_slug=plan.customer.slug, activation_key="{key}"
        )
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(CSV_HEADER)
        for status, email, activated, reminded, key in plan_licenses_for_export(plan=plan).iterator(chunk_size=2000):
            link = link_format.format(key=key) if key else ""
            writer.writerow([_cell(activated), _cell(link), _cell(reminded), _cell(status), _cell(email)])
        response = HttpResponse(out.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="licenses-{plan.uuid}.csv"'
        return response


class PlanLicenseRevokeAllView(SubscriptionApiView):
    """POST /enterprise/v1/subscriptions/{plan_uuid}/licenses/revoke-all/ — 204 every assigned and
    activated license revoked (each replaced by an unassigned one), committed before the answer;
    the body is ignored. 422 the plan has a revocation cap (nothing changes); 404 unknown plan."""

    @extend_schema(
        operation_id="enterprise_plan_licenses_revoke_all",
        parameters=[PLAN_PARAM],
        request=None,
        responses={
            204: OpenApiResponse(description="Every assigned and activated license revoked"),
            422: OpenApiResponse(description='{"detail": "Cannot revoke all licenses when revocation cap is enabled '
                                             'for the subscription plan"}'),
            **AUTH_RESPONSES,
        },
    )  # fmt: skip
    def post(self, request, plan_uuid: str):
        plan = self.get_plan(plan_uuid)
        licenses_revoke_all(plan=plan, actor=request.user)
        return HttpResponse(status=204)  # no body at all (a JSON renderer would write "null")


REMIND_RESPONSES = {
    204: OpenApiResponse(description="Reminded: last_remind_date set, one e-mail per license after commit"),
    400: OpenApiResponse(description="Field errors, or non_field_errors: neither or both of user_emails and filters"),
    **AUTH_RESPONSES,
}


class PlanLicenseRemindView(SubscriptionApiView):
    """POST /enterprise/v1/subscriptions/{plan_uuid}/licenses/remind/ — 204 every learner named by
    ``user_emails`` (or whose license ``filters`` match, among the assigned ones) reminded: one
    e-mail with the activation link between the optional ``greeting`` and ``closing``, and
    ``last_remind_date`` set. 400 neither or both of ``user_emails`` and ``filters``, a bad e-mail
    or filter, a text too long; 404 an e-mail without an assigned license (nobody reminded) or an
    unknown plan."""

    @extend_schema(
        operation_id="enterprise_plan_licenses_remind",
        parameters=[PLAN_PARAM],
        request=LicenseRemindInput,
        responses={**REMIND_RESPONSES, 404: OpenApiResponse(
            description='{"detail": "Could not find any licenses pending activation that are associated with the '
                        'email: ..."}, or an unknown plan')},
    )  # fmt: skip
    def post(self, request, plan_uuid: str):
        plan = self.get_plan(plan_uuid)
        data = parse(LicenseRemindInput, request.data)
        licenses_remind(
            plan=plan, user_emails=data.get("user_emails"), filters=data.get("filters"), greeting=data["greeting"],
            closing=data["closing"], portal_url=_portal_url(request), actor=request.user,
        )  # fmt: skip
        return HttpResponse(status=204)  # no body at all (a JSON renderer would write "null")


class PlanLicenseRemindAllView(SubscriptionApiView):
    """POST /enterprise/v1/subscriptions/{plan_uuid}/licenses/remind-all/ — 204 every learner with an
    assigned license of the plan reminded (as remind). 400 a text too long; 404 no license pending
    activation (nothing sent) or an unknown plan."""

    @extend_schema(
        operation_id="enterprise_plan_licenses_remind_all",
        parameters=[PLAN_PARAM],
        request=LicenseRemindAllInput,
        responses={**REMIND_RESPONSES, 404: OpenApiResponse(
            description='{"detail": "Could not find any licenses pending activation"}, or an unknown plan')},
    )  # fmt: skip
    def post(self, request, plan_uuid: str):
        plan = self.get_plan(plan_uuid)
        data = parse(LicenseRemindAllInput, request.data)
        licenses_remind_all(
            plan=plan, greeting=data["greeting"], closing=data["closing"], portal_url=_portal_url(request),
            actor=request.user,
        )  # fmt: skip
        return HttpResponse(status=204)
