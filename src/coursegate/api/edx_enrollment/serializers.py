"""Shapes of the Open edX Enrollment API (seed 002; reference/edx_appsembler.md §1.2)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from coursegate.courses.selectors import course_run_modes


class CourseModeOutput(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    min_price = serializers.IntegerField()
    suggested_prices = serializers.ListField(child=serializers.IntegerField())
    currency = serializers.CharField()
    expiration_datetime = serializers.DateTimeField(allow_null=True)
    description = serializers.CharField(allow_null=True)
    sku = serializers.CharField(allow_null=True)
    bulk_sku = serializers.CharField(allow_null=True)


class CourseDetailsOutput(serializers.Serializer):
    """A course run with its modes; ``include_expired`` in the context adds expired modes."""

    course_id = serializers.CharField(source="key")
    course_name = serializers.CharField(source="display_name")
    enrollment_start = serializers.DateTimeField(allow_null=True)
    enrollment_end = serializers.DateTimeField(allow_null=True)
    course_start = serializers.DateTimeField(source="start", allow_null=True)
    course_end = serializers.DateTimeField(source="end", allow_null=True)
    invite_only = serializers.BooleanField()
    course_modes = serializers.SerializerMethodField()
    pacing_type = serializers.CharField(source="get_pacing_display")

    @extend_schema_field(CourseModeOutput(many=True))
    def get_course_modes(self, run) -> list[dict]:
        modes = course_run_modes(
            run,
            now=self.context.get("now") or timezone.now(),
            include_expired=self.context.get("include_expired", False),
        )
        # Rendered directly: a nested serializer per enrollment was most of a list request's time.
        return [_mode_as_dict(mode) for mode in modes]


def _mode_as_dict(mode) -> dict:
    """The CourseModeOutput shape, without per-item serializer construction."""
    expiration = mode.expiration_datetime
    return {
        "slug": mode.slug,
        "name": mode.name,
        "min_price": mode.min_price,
        "suggested_prices": list(mode.suggested_prices or []),
        "currency": mode.currency,
        "expiration_datetime": _iso(expiration) if expiration is not None else None,
        "description": mode.description,
        "sku": mode.sku,
        "bulk_sku": mode.bulk_sku,
    }


_iso = serializers.DateTimeField().to_representation


class EnrollmentOutput(serializers.Serializer):
    created = serializers.DateTimeField()
    mode = serializers.CharField()
    is_active = serializers.BooleanField()
    course_details = CourseDetailsOutput(source="course_run")
    user = serializers.CharField(source="user.username")


class EnrollmentListItemOutput(serializers.Serializer):
    """An item of the staff listing GET /api/enrollment/v1/enrollments (no course details)."""

    created = serializers.DateTimeField()
    mode = serializers.CharField()
    is_active = serializers.BooleanField()
    user = serializers.CharField(source="user.username")
    course_id = serializers.CharField(source="course_run.key")


class CourseIdInput(serializers.Serializer):
    course_id = serializers.CharField()


class EnrollmentCreateInput(serializers.Serializer):
    """Documentation of the POST body; parsing is ``parse_enrollment_post`` (the contract's own
    messages and order of checks)."""

    course_details = CourseIdInput()
    user = serializers.CharField(required=False, help_text="Username to enroll (staff only; default: you)")
    email = serializers.EmailField(required=False, help_text="Enroll the user with this e-mail (staff only)")
    mode = serializers.CharField(required=False, help_text="Default: audit if offered, else honor")
    is_active = serializers.BooleanField(required=False, help_text="false unenrolls (staff only)")
    force_enrollment = serializers.BooleanField(required=False, help_text="Staff: ignore window, capacity")
    enrollment_attributes = serializers.ListField(child=serializers.DictField(), required=False)


class EnrollmentPostError(Exception):
    """The POST body breaks the contract; ``status`` and ``body`` are the answer."""

    def __init__(self, status: int, body: dict | None):
        super().__init__(body)
        self.status = status
        self.body = body


@dataclass(frozen=True)
class EnrollmentPost:
    course_id: str
    username: str | None
    email: str | None
    mode: str | None


def parse_enrollment_post(data) -> EnrollmentPost:
    """Read course, user, e-mail and mode (checks 1-2 of the reference's order); raise
    EnrollmentPostError."""
    if not hasattr(data, "get"):
        raise EnrollmentPostError(400, {"message": "The request body must be a JSON object."})
    details = data.get("course_details")
    course_id = details.get("course_id") if isinstance(details, dict) else None
    if not isinstance(course_id, str) or not course_id.strip():
        raise EnrollmentPostError(400, {"message": "Course ID must be specified to create a new enrollment."})

    def optional_text(name: str) -> str | None:
        value = data.get(name)
        if value in (None, ""):
            return None
        if not isinstance(value, str):
            raise EnrollmentPostError(400, {"message": f"'{name}' must be a string."})
        return value

    return EnrollmentPost(
        course_id=course_id.strip(),
        username=optional_text("user"),
        email=optional_text("email"),
        mode=optional_text("mode"),
    )


def parse_enrollment_flags(data) -> tuple[bool, bool]:
    """(is_active, force_enrollment), checked after the caller's permissions as the reference
    does: both must be JSON booleans when present; enrollment attributes must be complete."""
    is_active = data.get("is_active")
    if is_active is not None and not isinstance(is_active, bool):
        raise EnrollmentPostError(400, {"message": f"'{is_active}' is an invalid enrollment activation status."})
    force = data.get("force_enrollment")
    if force is not None and not isinstance(force, bool):
        raise EnrollmentPostError(400, {"message": f"'{force}' is an invalid force enrollment status."})
    attributes = data.get("enrollment_attributes")
    if attributes is not None:
        if not isinstance(attributes, list) or not all(isinstance(a, dict) for a in attributes):
            raise EnrollmentPostError(400, {"message": "'enrollment_attributes' must be a list of objects."})
        for attribute in attributes:
            for key in ("namespace", "name", "value"):
                if key not in attribute:
                    message = f"'{key}' not in enrollment attribute"
                    raise EnrollmentPostError(400, {"message": message, "localizedMessage": message})
    return (True if is_active is None else is_active), bool(force)
