"""Appsembler answers for the OpenAPI document (documentation only: the views build these bodies;
seed 001's examples are the examples)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, OpenApiResponse
from rest_framework import serializers


class SuccessOutput(serializers.Serializer):
    # Contract (seed 001): "success" is the string "true", not a boolean.
    success = serializers.ChoiceField(choices=["true"])


class EnrollmentStateOutput(serializers.Serializer):
    enrollment = serializers.BooleanField()
    allowed = serializers.BooleanField()
    user = serializers.BooleanField()
    auto_enroll = serializers.BooleanField()


class BulkEnrollResultOutput(serializers.Serializer):
    identifier = serializers.CharField()
    before = EnrollmentStateOutput(required=False)
    after = EnrollmentStateOutput(required=False)
    invalidIdentifier = serializers.BooleanField(required=False)  # noqa: N815 (the seed's key)
    error = serializers.BooleanField(required=False)


class BulkEnrollCourseOutput(serializers.Serializer):
    action = serializers.CharField()
    results = BulkEnrollResultOutput(many=True)
    auto_enroll = serializers.BooleanField()


class BulkEnrollOutput(serializers.Serializer):
    action = serializers.CharField(help_text="enroll or unenroll")
    courses = serializers.DictField(child=BulkEnrollCourseOutput(), help_text="By course run id")
    email_students = serializers.BooleanField()
    auto_enroll = serializers.BooleanField()


SUCCESS = OpenApiResponse(
    SuccessOutput,
    description='{"success": "true"}',
    examples=[OpenApiExample("Success", value={"success": "true"})],
)
CODE_REFUSED = OpenApiResponse(
    {"$ref": "#/components/schemas/AppsemblerError"},
    description='{"success": "false", "reason": ...}: unknown or unusable code, user not found, enrollment '
    "closed, course full, already enrolled; or input errors by field.",
    examples=[OpenApiExample("Course full", value={"success": "false", "reason": "Course full."})],
)
BULK_ENROLLED = OpenApiResponse(
    BulkEnrollOutput,
    description="Per course, per identifier: the enrollment state before and after.",
    examples=[
        OpenApiExample(
            "Bulk enrollment (seed 001)",
            value={
                "action": "enroll",
                "courses": {
                    "course-v1:edX+DemoX+Demo_Course": {
                        "action": "enroll",
                        "results": [
                            {
                                "identifier": "honor@example.com",
                                "before": {"enrollment": False, "allowed": False, "user": True, "auto_enroll": False},
                                "after": {"enrollment": True, "allowed": False, "user": True, "auto_enroll": False},
                            }
                        ],
                        "auto_enroll": False,
                    }
                },
                "email_students": False,
                "auto_enroll": False,
            },
        )
    ],
)


# Contract (appsembler v0): the legacy key "user_id " (trailing space) beside "user_id". Stated as
# an additional property: generated clients cannot hold two properties of the same Python name.
ACCOUNT_CREATED = OpenApiResponse(
    {
        "type": "object",
        "properties": {"user_id": {"type": "integer"}},
        "required": ["user_id"],
        "additionalProperties": {"type": "integer", "description": '"user_id ": the same id (legacy key)'},
    },
    description='{"user_id": <id>, "user_id ": <id>}',
    examples=[OpenApiExample("Created (seed 001)", value={"user_id": 65, "user_id ": 65})],
)
ACCOUNT = OpenApiResponse(
    {
        "type": "object",
        "properties": {"id": {"type": "integer"}, "user_id": {"type": "string", "description": "The username"}},
        "required": ["id", "user_id"],
        "additionalProperties": {"type": "string", "description": '"user_id ": the username (legacy key)'},
    },
    description='{"id": <id>, "user_id": "<username>", "user_id ": "<username>"}',
    examples=[OpenApiExample("Account (seed 001)", value={"id": 7, "user_id": "honor", "user_id ": "honor"})],
)
