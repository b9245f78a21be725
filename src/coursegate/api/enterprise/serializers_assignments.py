"""Shapes of policy allocation and assignment administration (seed 003; reference §4.1–4.4)."""

from __future__ import annotations

from rest_framework import serializers

from coursegate.assignments.selectors import assignment_expiration

_iso = serializers.DateTimeField().to_representation


class AllocateInput(serializers.Serializer):
    learner_emails = serializers.ListField(child=serializers.EmailField(), allow_empty=False, max_length=10_000)
    content_key = serializers.CharField(max_length=255)
    content_price_cents = serializers.IntegerField(min_value=0, max_value=10**12)


class AssignmentUuidsInput(serializers.Serializer):
    assignment_uuids = serializers.ListField(child=serializers.UUIDField(), max_length=10_000)


def _dt(value):
    return _iso(value) if value is not None else None


def assignment_as_dict(assignment, *, actions, enroll_by) -> dict:
    expiration = assignment_expiration(assignment, enroll_by)
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
            for action in actions
        ],
        "earliest_possible_expiration": {"date": _dt(expiration["date"]), "reason": expiration["reason"]},
    }
