"""Input and output shapes of POST/GET /enterprise/v1/bulk-license-enrollment (seed 003,
"bulk-license-enrollment Endpoint"; reference/enterprise.md §4.8). Shapes only: the rules (valid
e-mails and keys, the size limit) are the domain's (enterprise.services.bulk_enrollment_job_create)."""

from __future__ import annotations

from rest_framework import serializers

from coursegate.enterprise.jobs import JobProgress

RESULTS_CSV_HEADER = ("email", "course_run_key", "status", "notes")
_datetime = serializers.DateTimeField()  # ISO 8601, UTC as "Z", as DRF renders date-times


class CustomerQueryInput(serializers.Serializer):
    enterprise_customer_uuid = serializers.UUIDField()


class JobCreateQueryInput(CustomerQueryInput):
    # Reference §4.8: restricts the licenses considered to one plan of the customer.
    subscription_uuid = serializers.UUIDField(required=False, allow_null=True)


class JobGetQueryInput(CustomerQueryInput):
    bulk_enrollment_job_uuid = serializers.UUIDField()


class JobCreateInput(serializers.Serializer):
    # Contract (seed 003): "emails" and "course_run_keys" are lists, "notify" a boolean; all required.
    emails = serializers.ListField(child=serializers.CharField(trim_whitespace=True), allow_empty=False)
    course_run_keys = serializers.ListField(child=serializers.CharField(trim_whitespace=True), allow_empty=False)
    notify = serializers.BooleanField()


# Output shapes, for the OpenAPI document; the bodies are built by the functions below (plain
# dicts: a job may have many thousands of rows).
class JobCreatedOutput(serializers.Serializer):
    job_id = serializers.UUIDField()


class JobProgressOutput(serializers.Serializer):
    total = serializers.IntegerField()
    processed = serializers.IntegerField(help_text="Rows no longer queued")
    succeeded = serializers.IntegerField()
    pending = serializers.IntegerField()
    failed = serializers.IntegerField()


class JobResultOutput(serializers.Serializer):
    email = serializers.EmailField()
    course_run_key = serializers.CharField()
    status = serializers.ChoiceField(choices=["queued", "success", "pending", "failed"])
    notes = serializers.CharField(allow_blank=True)


class JobOutput(serializers.Serializer):
    job_id = serializers.UUIDField()
    status = serializers.ChoiceField(choices=["pending", "running", "succeeded", "failed"])
    progress = JobProgressOutput()
    results = JobResultOutput(many=True)
    created = serializers.DateTimeField()
    finished = serializers.DateTimeField(allow_null=True)
    error = serializers.CharField(allow_null=True, help_text="Why the job failed")


def job_created_output(job) -> dict:
    return {"job_id": str(job.uuid)}


def job_output(job, *, progress: JobProgress, results: list[dict]) -> dict:
    """The job as GET answers it: status, progress counts and every row's outcome (``queued`` until
    the job has processed it)."""
    return {
        "job_id": str(job.uuid),
        "status": job.status,
        "progress": {
            "total": progress.total,
            "processed": progress.processed,
            "succeeded": progress.succeeded,
            "pending": progress.pending,
            "failed": progress.failed,
        },
        "results": [
            {
                "email": row["email"],
                "course_run_key": row["course_run_key"],
                "status": row["result"],
                "notes": row["notes"],
            }
            for row in results
        ],  # fmt: skip
        "created": _datetime.to_representation(job.created),
        "finished": _datetime.to_representation(job.finished) if job.finished else None,
        "error": job.error or None,
    }
