"""Input and output shapes of POST/GET /enterprise/v1/bulk-license-enrollment (seed 003,
"bulk-license-enrollment Endpoint"; reference/enterprise.md §4.8). Shapes only: the rules (valid
e-mails and keys, the size limit) are the domain's (enterprise_jobs.services.bulk_enrollment_job_create)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

RESULTS_CSV_HEADER = ("email", "course_run_key", "status", "notes")


class CustomerQueryInput(serializers.Serializer):
    enterprise_customer_uuid = serializers.UUIDField()


class JobCreateQueryInput(CustomerQueryInput):
    # Reference §4.8: restricts the licenses considered to one plan of the customer.
    subscription_uuid = serializers.UUIDField(required=False, allow_null=True)
    # Reference §4.8: the learners are that plan's license holders. A real boolean here: the
    # reference tests the raw string, so its "enroll_all=false" also enrolls everyone (a quirk).
    enroll_all = serializers.BooleanField(required=False, default=False)


class JobGetQueryInput(CustomerQueryInput):
    bulk_enrollment_job_uuid = serializers.UUIDField()


class JobCreateInput(serializers.Serializer):
    # Contract (seed 003): "emails" and "course_run_keys" are lists, "notify" a boolean; all required.
    emails = serializers.ListField(child=serializers.CharField(trim_whitespace=True), allow_empty=False)
    course_run_keys = serializers.ListField(child=serializers.CharField(trim_whitespace=True), allow_empty=False)
    notify = serializers.BooleanField()


class JobCreateAllInput(JobCreateInput):
    # With enroll_all the plan's holders replace "emails": the field may be left out (or empty),
    # and what it holds is ignored (reference §4.8).
    emails = serializers.ListField(child=serializers.CharField(), required=False, allow_empty=True)


# Output shapes: they render the bodies and describe them in the OpenAPI document (comments, not
# docstrings, so the document's descriptions stay as they were).


class JobCreatedOutput(serializers.Serializer):
    # POST's body, from the job just recorded.
    job_id = serializers.UUIDField(source="uuid")


class JobProgressOutput(serializers.Serializer):
    # From enterprise_jobs.selectors.JobProgress.
    total = serializers.IntegerField()
    processed = serializers.IntegerField(help_text="Rows no longer queued")
    succeeded = serializers.IntegerField()
    pending = serializers.IntegerField()
    failed = serializers.IntegerField()


class JobResultOutput(serializers.Serializer):
    # One (e-mail, course run) row of a job: its outcome is "status" here (the job row's "result"),
    # "queued" until the job has processed it.
    email = serializers.EmailField()
    course_run_key = serializers.CharField()
    status = serializers.ChoiceField(choices=["queued", "success", "pending", "failed"])
    notes = serializers.CharField(allow_blank=True)

    def to_representation(self, row: dict[str, Any]) -> dict[str, Any]:
        # A job may have many thousands of rows: its plain values, built directly (no field-by-field
        # rendering); the declared fields are what the OpenAPI document describes.
        return {
            "email": row["email"],
            "course_run_key": row["course_run_key"],
            "status": row["result"],
            "notes": row["notes"],
        }


class JobOutput(serializers.Serializer):
    # GET's body, from enterprise_jobs.selectors.JobReport; as CSV, its "results" only.
    job_id = serializers.UUIDField()
    status = serializers.ChoiceField(choices=["pending", "running", "succeeded", "failed"])
    progress = JobProgressOutput()
    results = JobResultOutput(many=True)
    created = serializers.DateTimeField()
    finished = serializers.DateTimeField(allow_null=True)
    error = serializers.CharField(allow_null=True, help_text="Why the job failed")
