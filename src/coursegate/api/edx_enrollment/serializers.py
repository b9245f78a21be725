"""Shapes of the Open edX Enrollment API (seed 002; reference/edx_appsembler.md §1.2, §1.6, §1.7).

Outputs are declared once, for the renderer and the OpenAPI document alike. Inputs are the
parsers: their fields read the body or the query string as the reference does (``data.get(name)``,
no HTML-form conventions) and answer with the contract's own messages, in the reference's order of
checks (fields in declaration order, then ``validate``). Their errors are already the contract's
body (errors.py renders them as they are):
- ``MessageInput``: the first message as ``{"message": ...}`` (the reference's hand-written
  errors), plus ``localizedMessage`` where the newest release adds it;
- ``FieldErrorsInput``: ``{"field_errors": {<field>: {"developer_message": ...}}}`` (the staff
  listing's DeveloperErrorViewMixin).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail
from rest_framework.settings import api_settings

from coursegate.api.edx_enrollment.fields import (
    LOCALIZED,
    CommaListField,
    CourseDetailsField,
    CourseRunKeyField,
    EnrollmentAttributesField,
    JsonBooleanField,
    OptionalTextField,
    TruthyFlagField,
    UsernameListField,
)
from coursegate.core.course_keys import is_course_run_key
from coursegate.courses.selectors import course_run_modes

# --- Outputs -------------------------------------------------------------------------------------

_iso = serializers.DateTimeField().to_representation


def _iso_or_none(value) -> str | None:
    """What DRF's DateTimeField renders (ISO 8601, "Z" for UTC, the settings' TIME_ZONE), without
    its per-value lookups for an aware date-time: a list renders dozens of them."""
    if value is None:
        return None
    if value.tzinfo is None:
        return _iso(value)
    text = value.astimezone(UTC).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


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

    def to_representation(self, mode) -> dict:
        # The fields above, built directly: a nested serializer per mode of every enrollment was
        # most of a list request's time.
        return {
            "slug": mode.slug,
            "name": mode.name,
            "min_price": mode.min_price,
            "suggested_prices": list(mode.suggested_prices or []),
            "currency": mode.currency,
            "expiration_datetime": _iso_or_none(mode.expiration_datetime),
            "description": mode.description,
            "sku": mode.sku,
            "bulk_sku": mode.bulk_sku,
        }


_MODE_OUTPUT = CourseModeOutput()


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
        return _course_modes(run, self.context)

    def to_representation(self, run) -> dict:
        # The fields above, built directly (as CourseModeOutput does): the enrollment list renders
        # one per enrollment.
        return _course_details(run, self.context)


def _course_modes(run, context) -> list[dict]:
    modes = course_run_modes(
        run, now=context.get("now") or timezone.now(), include_expired=context.get("include_expired", False)
    )
    return [_MODE_OUTPUT.to_representation(mode) for mode in modes]


def _course_details(run, context) -> dict:
    return {
        "course_id": str(run.key),
        "course_name": str(run.display_name),
        "enrollment_start": _iso_or_none(run.enrollment_start),
        "enrollment_end": _iso_or_none(run.enrollment_end),
        "course_start": _iso_or_none(run.start),
        "course_end": _iso_or_none(run.end),
        "invite_only": bool(run.invite_only),
        "course_modes": _course_modes(run, context),
        "pacing_type": str(run.get_pacing_display()),
    }


class EnrollmentOutput(serializers.Serializer):
    created = serializers.DateTimeField()
    mode = serializers.CharField()
    is_active = serializers.BooleanField()
    course_details = CourseDetailsOutput(source="course_run")
    user = serializers.CharField(source="user.username")

    def to_representation(self, enrollment) -> dict:
        # The fields above, built directly: this is every item of the enrollment list.
        return {
            "created": _iso_or_none(enrollment.created),
            "mode": str(enrollment.mode),
            "is_active": bool(enrollment.is_active),
            "course_details": _course_details(enrollment.course_run, self.context),
            "user": str(enrollment.user.username),
        }


class EnrollmentListItemOutput(serializers.Serializer):
    """An item of the staff listing GET /api/enrollment/v1/enrollments (no course details)."""

    created = serializers.DateTimeField()
    mode = serializers.CharField()
    is_active = serializers.BooleanField()
    user = serializers.CharField(source="user.username")
    course_id = serializers.CharField(source="course_run.key")


# --- Error envelopes of the inputs ---------------------------------------------------------------


def _first(error):
    """The first message of DRF's nested error lists and dicts."""
    while isinstance(error, list | dict):
        error = error[0] if isinstance(error, list) else next(iter(error.values()))
    return error


class MessageInput(serializers.Serializer):
    """An input whose errors answer as the first message, ``{"message": ...}``."""

    @property
    def errors(self):
        errors = super().errors
        if not errors:
            return errors
        message = _first(errors)
        body = {"message": str(message)}
        if getattr(message, "code", None) == LOCALIZED:
            body["localizedMessage"] = str(message)
        return body


class FieldErrorsInput(serializers.Serializer):
    """An input whose errors answer as ``{"field_errors": {<field>: {"developer_message": ...}}}``."""

    @property
    def errors(self):
        errors = super().errors
        if not errors:
            return errors
        return {"field_errors": {name: {"developer_message": str(_first(e))} for name, e in errors.items()}}


# --- Inputs --------------------------------------------------------------------------------------


class EnrollmentTargetInput(MessageInput):
    """The part of the POST body checked before who may act for whom (reference §1.6 steps 1-2):
    the course id, then ``user``, ``email`` and ``mode``, then the course id's form."""

    default_error_messages = {"invalid": "The request body must be a JSON object."}

    course_details = CourseDetailsField(source="course_id")
    user = OptionalTextField(help_text="Username to enroll (staff only; default: you)")
    email = OptionalTextField(help_text="Enroll the user with this e-mail (staff only)")
    mode = OptionalTextField(help_text="Default: audit if offered, else honor")

    def validate_empty_values(self, data):
        # JSON null, arrays, numbers and strings are refused with the same message as any non-object.
        if not isinstance(data, Mapping):
            raise serializers.ValidationError(
                {api_settings.NON_FIELD_ERRORS_KEY: [ErrorDetail(self.error_messages["invalid"], code="invalid")]}
            )
        return super().validate_empty_values(data)

    def validate(self, attrs: dict) -> dict:
        course_id = attrs["course_id"]
        if not is_course_run_key(course_id):
            raise serializers.ValidationError(f"No course '{course_id}' found for enrollment")
        return attrs


class EnrollmentCreateInput(EnrollmentTargetInput):
    """The whole POST body. Its flags are checked after who may act for whom (steps 8-9), so views
    parse EnrollmentTargetInput first, then this."""

    is_active = JsonBooleanField(
        message="'{value}' is an invalid enrollment activation status.",
        default=True,
        help_text="false unenrolls (staff only)",
    )
    force_enrollment = JsonBooleanField(
        message="'{value}' is an invalid force enrollment status.",
        default=False,
        help_text="Staff: ignore window, capacity",
    )
    enrollment_attributes = EnrollmentAttributesField()


class EnrollmentPathInput(MessageInput):
    """The course id of GET /enrollment/{username},{course_id}."""

    course_id = CourseRunKeyField(message="'{value}' is not a valid course run id.")


class EnrollmentListQueryInput(MessageInput):
    """GET /enrollment?user=: whose enrollments (default: the caller's)."""

    user = OptionalTextField(help_text="Username (default: you)")


class CourseDetailsQueryInput(MessageInput):
    """GET /course/{course_id}?include_expired=: also list expired modes."""

    include_expired = TruthyFlagField(help_text="Also list expired modes (1/true)")


MAX_USERNAMES = 100


class EnrollmentsStaffQueryInput(FieldErrorsInput):
    """GET /enrollments?course_id=&course_ids=a,b&username=a,b&email=x,y (reference §1.7, the
    newest release's form): every bad field is reported, each with its first message."""

    course_id = CourseRunKeyField(
        message="'{value}' is not a valid course id.", required=False, allow_null=True, default=None
    )
    course_ids = CommaListField(
        max_items=MAX_USERNAMES,
        too_many="Too many course_ids in a single request - {count}. A maximum of {max} is allowed",
        help_text="Comma-separated, at most 100; each matches the course run ids containing it, in any case "
        "(a course id without its run matches every run)",
    )
    username = UsernameListField(
        max_items=MAX_USERNAMES,
        too_many="Too many usernames in a single request - {count}. A maximum of {max} is allowed",
        help_text="Comma-separated, at most 100",
    )
    email = CommaListField(
        max_items=MAX_USERNAMES,
        too_many="Too many emails in a single request - {count}. A maximum of {max} is allowed",
        help_text="Comma-separated, at most 100",
    )
