"""Learner summary input and output (seed 003 "learner-summary Endpoint"; reference/enterprise.md §4.14).

Output: the seed's field names and types — dates as ``YYYY-MM-DD``, timestamps as ISO 8601 in
UTC, ``current_grade`` and ``course_list_price`` as numbers, ``course_duration`` whole weeks.
``course_api_url`` is the absolute URL of the course in the Retrieve Course Metadata endpoint of
the customer's catalog that holds it (``GET /enterprise/v2/enterprise-catalogs/{catalog}/courses/{course_key}``).
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from rest_framework import serializers

from coursegate.enterprise.learner_summary import LEARNER_SUMMARY_FIELDS


class LearnerSummaryQueryInput(serializers.Serializer):
    """``ordering`` (one listed field, ``-`` for descending), ``page`` and ``page_size`` (positive
    integers; ``page=last`` too, as DRF allows; page_size above 1000 is capped by the paginator).
    ``ordering`` parses to the domain's ``order_by`` and ``descending`` (enterprise.learner_summary.
    LearnerSummaryQuery), none when absent or blank (the domain's default order)."""

    ordering = serializers.CharField(required=False, allow_blank=True, trim_whitespace=True, default="")
    page = serializers.CharField(required=False)
    page_size = serializers.IntegerField(required=False, min_value=1)

    def validate_ordering(self, value: str) -> dict[str, Any]:
        if not value:
            return {}
        if "," in value:
            raise serializers.ValidationError("Order by one field: <field> or -<field>.")
        name = value.removeprefix("-")
        if name not in LEARNER_SUMMARY_FIELDS:
            raise serializers.ValidationError(
                f"Unknown field '{name}'. Order by one of: {', '.join(LEARNER_SUMMARY_FIELDS)}"
                " (with a leading '-' for descending)."
            )
        return {"order_by": name, "descending": value.startswith("-")}

    def validate_page(self, value: str) -> str:
        if value != "last" and not (value.isascii() and value.isdigit() and int(value) >= 1):
            raise serializers.ValidationError("A valid page number is a positive integer (or 'last').")
        return value


def _nullable(field_class, **kwargs):
    return field_class(read_only=True, allow_null=True, **kwargs)


class LearnerSummaryRowSerializer(serializers.Serializer):
    """One row, from the dicts of coursegate.enterprise.learner_summary.learner_summary_for_customer."""

    is_consent_granted = serializers.BooleanField(read_only=True)
    amount_learner_paid = _nullable(serializers.FloatField)
    contract_id = _nullable(serializers.CharField)
    coupon_code = _nullable(serializers.CharField)
    coupon_name = _nullable(serializers.CharField)
    course_api_url = serializers.SerializerMethodField()
    course_duration = _nullable(serializers.IntegerField)
    course_end = _nullable(serializers.DateField)
    course_key = serializers.CharField(read_only=True)
    course_list_price = _nullable(serializers.FloatField)
    course_max_effort = _nullable(serializers.IntegerField)
    course_min_effort = _nullable(serializers.IntegerField)
    course_pacing_type = _nullable(serializers.CharField)
    course_primary_program = _nullable(serializers.CharField)
    course_primary_subject = _nullable(serializers.CharField)
    course_start = _nullable(serializers.DateField)
    course_title = serializers.CharField(read_only=True)
    courserun_key = serializers.CharField(read_only=True)
    created = serializers.DateTimeField(read_only=True)
    current_grade = _nullable(serializers.FloatField)
    enrollment_date = serializers.DateField(read_only=True)
    enrollment_id = serializers.IntegerField(read_only=True)
    enterprise_customer_uuid = serializers.CharField(read_only=True)
    enterprise_enrollment_id = serializers.IntegerField(read_only=True)
    enterprise_name = serializers.CharField(read_only=True)
    enterprise_sso_uid = _nullable(serializers.CharField)
    enterprise_user_id = serializers.IntegerField(read_only=True)
    has_passed = serializers.BooleanField(read_only=True)
    is_refunded = _nullable(serializers.BooleanField)
    last_activity_date = _nullable(serializers.DateField)
    letter_grade = _nullable(serializers.CharField)
    offer_name = _nullable(serializers.CharField)
    offer_type = _nullable(serializers.CharField)
    paid_by = _nullable(serializers.CharField)
    passed_date = _nullable(serializers.DateField)
    progress_status = _nullable(serializers.CharField)
    seat_delivery_method = _nullable(serializers.CharField)
    unenrollment_date = _nullable(serializers.DateField)
    unenrollment_end_within_date = _nullable(serializers.DateField)
    user_account_creation_date = serializers.DateTimeField(read_only=True)
    user_country = _nullable(serializers.CharField)
    user_current_enrollment_mode = serializers.CharField(read_only=True)
    user_email = serializers.CharField(read_only=True)
    user_username = serializers.CharField(read_only=True)
    user_first_name = _nullable(serializers.CharField)
    user_last_name = _nullable(serializers.CharField)

    def get_course_api_url(self, row: dict) -> str | None:
        if row["catalog_uuid"] is None:
            return None
        path = reverse(
            "enterprise-catalog-course",
            kwargs={"catalog_uuid": str(row["catalog_uuid"]), "course_key": row["course_key"]},
        )
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path
