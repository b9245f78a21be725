"""Shapes of policy allocation and assignment administration (seed 003 "policy-allocation",
"assignment-configurations"; reference/enterprise.md §4.1–4.4).

An assignment is declared once, by AssignmentOutput: its fields describe it in the OpenAPI
document, and its ``to_representation`` builds the same dict directly (an allocation may answer
10,000 assignments; a page's actions and enroll-by dates come in the context, loaded at once).
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from coursegate.assignments.models import LearnerContentAssignment, LearnerContentAssignmentAction
from coursegate.assignments.selectors import ENROLLMENT_DATE, NINETY_DAYS, SUBSIDY_EXPIRED, assignment_expiration

_iso = serializers.DateTimeField().to_representation


class AllocateInput(serializers.Serializer):
    learner_emails = serializers.ListField(child=serializers.EmailField(), allow_empty=False, max_length=10_000)
    content_key = serializers.CharField(max_length=255)  # surrounding blanks removed
    content_price_cents = serializers.IntegerField(min_value=0, max_value=10**12)


class AssignmentUuidsInput(serializers.Serializer):
    assignment_uuids = serializers.ListField(child=serializers.UUIDField(), max_length=10_000)


@extend_schema_field(OpenApiTypes.STR)
class _Text(serializers.Field):
    """A query value as given (a filter only: no CharField validators, no trimming)."""

    def to_internal_value(self, data) -> str:
        return str(data)


@extend_schema_field(OpenApiTypes.STR)
class _CommaSeparated(serializers.Field):
    """``a, b,,c`` -> ``["a", "b", "c"]``."""

    def to_internal_value(self, data) -> list[str]:
        return [part.strip() for part in str(data).split(",") if part.strip()]


class AssignmentListQuery(serializers.Serializer):
    """Filters of an assignment configuration's list; blank means no filter. Paging (``page``,
    ``page_size``) is the paginator's."""

    state = _CommaSeparated(required=False, default=list, help_text="Comma-separated states")
    learner_email = _Text(required=False, default=None, help_text="Case-insensitive")

    def validate_state(self, states: list[str]) -> list[str]:
        unknown = [state for state in states if state not in LearnerContentAssignment.State.values]
        if unknown:
            raise serializers.ValidationError(f"Unknown state: {', '.join(unknown)}.")
        return states


def _dt(value):
    return _iso(value) if value is not None else None


class AssignmentActionOutput(serializers.Serializer):
    created = serializers.DateTimeField()
    modified = serializers.DateTimeField()
    uuid = serializers.UUIDField()
    action_type = serializers.ChoiceField(choices=LearnerContentAssignmentAction.Type.choices)
    completed_at = serializers.DateTimeField(allow_null=True)
    error_reason = serializers.CharField(allow_null=True)


class ExpirationOutput(serializers.Serializer):
    date = serializers.DateTimeField()
    reason = serializers.ChoiceField(choices=[NINETY_DAYS, ENROLLMENT_DATE, SUBSIDY_EXPIRED])


class AssignmentOutput(serializers.Serializer):
    """One learner content assignment (seed 003's example, plus the reference's fields). Context:
    ``actions`` (assignment uuid -> its actions, assignments.selectors.actions_by_assignment) and
    ``enroll_by`` (content key -> enroll-by date, assignments.selectors.enroll_by_dates)."""

    uuid = serializers.UUIDField()
    assignment_configuration = serializers.UUIDField(source="assignment_configuration_id")
    learner_email = serializers.EmailField()
    lms_user_id = serializers.IntegerField(allow_null=True)
    content_key = serializers.CharField()
    parent_content_key = serializers.CharField(allow_null=True)
    is_assigned_course_run = serializers.BooleanField()
    content_title = serializers.CharField()
    content_quantity = serializers.IntegerField(help_text="Minus the price in cents")
    state = serializers.ChoiceField(choices=LearnerContentAssignment.State.choices)
    transaction_uuid = serializers.UUIDField(allow_null=True)
    actions = AssignmentActionOutput(many=True)
    earliest_possible_expiration = ExpirationOutput()

    def to_representation(self, assignment: LearnerContentAssignment) -> dict:
        # The fields above, in their order, built directly (tests/api/enterprise checks the keys).
        expiration = assignment_expiration(assignment, self.context["enroll_by"])
        return {
            "uuid": str(assignment.uuid),
            "assignment_configuration": str(assignment.assignment_configuration_id),
            "learner_email": assignment.learner_email,
            "lms_user_id": assignment.lms_user_id,
            "content_key": assignment.content_key,
            "parent_content_key": assignment.parent_content_key,
            "is_assigned_course_run": assignment.is_assigned_course_run,
            "content_title": assignment.content_title,
            "content_quantity": assignment.content_quantity,
            "state": assignment.state,
            "transaction_uuid": str(assignment.transaction_uuid) if assignment.transaction_uuid else None,
            "actions": [
                {
                    "created": _dt(action.created),
                    "modified": _dt(action.modified),
                    "uuid": str(action.uuid),
                    "action_type": action.action_type,
                    "completed_at": _dt(action.completed_at),
                    "error_reason": action.error_reason,
                }
                for action in self.context["actions"][assignment.uuid]
            ],
            "earliest_possible_expiration": {"date": _dt(expiration["date"]), "reason": expiration["reason"]},
        }


class AllocationOutput(serializers.Serializer):
    """Seed 003 "policy-allocation": lists of assignments (the seed's table says "integer": a typo,
    ARCHITECTURE.md). Context as AssignmentOutput's, for all three lists."""

    updated = AssignmentOutput(many=True)
    created = AssignmentOutput(many=True)
    no_change = AssignmentOutput(many=True)
