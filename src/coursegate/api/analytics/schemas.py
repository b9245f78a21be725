"""The analytics lists' answers for the OpenAPI document (documentation only: the rows are
streamed by core/streaming.py from reporting's selectors, never through these serializers)."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample
from rest_framework import serializers


class AccountRowOutput(serializers.Serializer):
    username = serializers.CharField()
    date_joined = serializers.DateTimeField()
    is_active = serializers.BooleanField()
    id = serializers.IntegerField()
    email = serializers.CharField()


class EnrollmentRowOutput(serializers.Serializer):
    username = serializers.CharField()
    course_id = serializers.CharField()
    user_id = serializers.IntegerField()
    enrollment_id = serializers.IntegerField()
    date_enrolled = serializers.DateTimeField()


def batch_responses(row: type[serializers.Serializer]) -> dict:
    """200 in the three formats of ``?format=`` (JSON array by default)."""
    return {
        (200, "application/json"): row(many=True),
        (200, "text/csv"): OpenApiTypes.STR,
        (200, "application/x-ndjson"): OpenApiTypes.STR,
    }


ACCOUNTS_EXAMPLE = OpenApiExample(
    "Accounts (seed 001)",
    value=[
        {
            "username": "staff",
            "date_joined": "2015-12-09T18:31:18Z",
            "is_active": True,
            "id": 1,
            "email": "staff@example.com",
        }
    ],
    response_only=True,
    media_type="application/json",
)
ENROLLMENTS_EXAMPLE = OpenApiExample(
    "Enrollments (seed 001)",
    value=[
        {
            "username": "honor",
            "course_id": "course-v1:edX+DemoX+Demo_Course",
            "user_id": 2,
            "enrollment_id": 2,
            "date_enrolled": "2015-12-10T09:00:00Z",
        }
    ],
    response_only=True,
    media_type="application/json",
)
