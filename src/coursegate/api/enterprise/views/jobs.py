"""Enterprise API — bulk license enrollment jobs (seed 003_daa74488a5860cfd.txt,
"bulk-license-enrollment Endpoint"; reference/enterprise.md §4.8, §5.3; issue 4).

POST records a job and answers its id; the job runs in-process or on a Celery worker. Beyond the
reference, GET on the same path with ``bulk_enrollment_job_uuid`` answers the job's status,
progress and per-row results — as XML (default), JSON, or the results as CSV (``?format=csv`` or
``Accept: text/csv``; the reference's results file has the same four columns).

Access: admins of the customer and operators. The reference also lets the customer's learners
post; this service follows the issue ("learners get 403 on admin endpoints"). Unlike the
reference, the job lookup is scoped to the customer: another customer's job is a 403.
"""

from __future__ import annotations

import csv
import io

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.renderers import BaseRenderer
from rest_framework.response import Response

from coursegate.api.enterprise.permissions import IsCustomerAdmin
from coursegate.api.enterprise.renderers import EnterpriseXMLRenderer
from coursegate.api.enterprise.serializers.jobs import (
    RESULTS_CSV_HEADER,
    JobCreateAllInput,
    JobCreatedOutput,
    JobCreateInput,
    JobCreateQueryInput,
    JobGetQueryInput,
    JobOutput,
)
from coursegate.api.enterprise.views.base import EnterpriseApiView
from coursegate.core.serializers import parse
from coursegate.enterprise.selectors import customer_get
from coursegate.enterprise_jobs.selectors import bulk_enrollment_job_report
from coursegate.enterprise_jobs.services import bulk_enrollment_job_create

# Cells a spreadsheet would run as a formula are prefixed with a quote (OWASP "CSV injection").
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class JobResultsCSVRenderer(BaseRenderer):
    """A job's ``results`` (as JobOutput renders them) as CSV: ``email,course_run_key,status,notes``,
    one line per pair."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(RESULTS_CSV_HEADER)
        for row in data["results"]:
            writer.writerow([_cell(row[column]) for column in RESULTS_CSV_HEADER])
        return out.getvalue().encode(self.charset)


def _cell(value: str) -> str:
    return f"'{value}" if value.startswith(_FORMULA_STARTS) else value


class BulkLicenseEnrollmentView(EnterpriseApiView):
    """POST /enterprise/v1/bulk-license-enrollment?enterprise_customer_uuid=<uuid>[&subscription_uuid=<uuid>]
    [&enroll_all=true] — body ``emails`` (not with enroll_all), ``course_run_keys``, ``notify``; 201
    ``{"job_id": "<uuid4>"}``; with enroll_all the learners are the plan's license holders.
    GET /enterprise/v1/bulk-license-enrollment?enterprise_customer_uuid=<uuid>&bulk_enrollment_job_uuid=<uuid>
    — 200 the job: ``job_id``, ``status``, ``progress``, ``results``, ``created``, ``finished``, ``error``.
    400 missing or malformed parameters, invalid e-mails or keys, more e-mails + keys than the limit,
    enroll_all without subscription_uuid (``{"subscription_id": [...]}``);
    401 no or bad token; 403 not an admin of the customer, or the job is another customer's;
    404 unknown customer or job.
    """

    permission_classes = [IsCustomerAdmin]
    renderer_classes = [*EnterpriseApiView.renderer_classes, JobResultsCSVRenderer]

    @extend_schema(
        operation_id="enterprise_bulk_license_enrollment_create",
        parameters=[
            OpenApiParameter("enterprise_customer_uuid", OpenApiTypes.UUID, required=True),
            OpenApiParameter("subscription_uuid", OpenApiTypes.UUID, description="Only this plan's licenses count"),
            OpenApiParameter(
                "enroll_all",
                OpenApiTypes.BOOL,
                description="Enroll every assigned or activated license holder of subscription_uuid (required then); "
                "emails are ignored",
            ),
        ],
        request=JobCreateInput,
        responses={
            201: JobCreatedOutput,
            400: OpenApiResponse(description="Field errors; non_field_errors when e-mails + keys exceed the limit"),
            404: OpenApiResponse(description="Unknown customer"),
        },
    )
    def post(self, request):
        query = parse(JobCreateQueryInput, request.query_params)
        customer = customer_get(uuid=query["enterprise_customer_uuid"])
        self.check_object_permissions(request, customer)
        body = parse(JobCreateAllInput if query["enroll_all"] else JobCreateInput, request.data)
        job = bulk_enrollment_job_create(
            customer=customer,
            emails=body.get("emails"),
            course_run_keys=body["course_run_keys"],
            notify=body["notify"],
            subscription_uuid=query.get("subscription_uuid"),
            enroll_all=query["enroll_all"],
            actor=request.user,
        )
        return Response(JobCreatedOutput(job).data, status=201)

    @extend_schema(
        operation_id="enterprise_bulk_license_enrollment_job",
        parameters=[
            OpenApiParameter("enterprise_customer_uuid", OpenApiTypes.UUID, required=True),
            OpenApiParameter("bulk_enrollment_job_uuid", OpenApiTypes.UUID, required=True),
        ],
        responses={
            200: OpenApiResponse(JobOutput, description="The job; as text/csv: its results only"),
            404: OpenApiResponse(description="Unknown customer or job"),
        },
    )
    def get(self, request):
        query = parse(JobGetQueryInput, request.query_params)
        customer = customer_get(uuid=query["enterprise_customer_uuid"])
        self.check_object_permissions(request, customer)
        report = bulk_enrollment_job_report(job_uuid=query["bulk_enrollment_job_uuid"], customer=customer)
        response = Response(JobOutput(report).data)
        if isinstance(request.accepted_renderer, JobResultsCSVRenderer):
            response["Content-Disposition"] = f'attachment; filename="bulk-enrollment-{report.job_id}.csv"'
        return response

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        # CSV is only the shape of a job's results; anything else asked for as CSV (an error, the
        # POST answer) comes in the family's default representation.
        if isinstance(getattr(response, "accepted_renderer", None), JobResultsCSVRenderer) and not (
            isinstance(response.data, dict) and "results" in response.data
        ):
            response.accepted_renderer = EnterpriseXMLRenderer()
            response.accepted_media_type = EnterpriseXMLRenderer.media_type
        return response
