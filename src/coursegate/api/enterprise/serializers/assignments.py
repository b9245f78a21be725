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

from coursegate.assignments.filters import LEARNER_STATES, ORDERINGS, AssignmentFilters
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


MAX_VALUES = 1000  # values of one ``__in`` filter (SQLite's bound on a statement's parameters)
MAX_TERMS = 20  # search terms
BIGINT_MAX = 2**63 - 1


@extend_schema_field(OpenApiTypes.STR)
class _Ids(serializers.Field):
    """User ids: ``"7"``, or with ``many`` ``"7, 8,,9"`` -> ``[7, 8, 9]``; ASCII digits only."""

    def __init__(self, *, many: bool = False, **kwargs):
        self.many = many
        super().__init__(**kwargs)

    def to_internal_value(self, data) -> list[int]:
        parts = [p.strip() for p in str(data).split(",")] if self.many else [str(data).strip()]
        ids = []
        for part in filter(None, parts):
            if not (part.isascii() and part.isdigit()):
                raise serializers.ValidationError("A valid integer is required.")
            if int(part) > BIGINT_MAX:
                raise serializers.ValidationError(f"Ensure this value is less than or equal to {BIGINT_MAX}.")
            ids.append(int(part))
        return ids


def _choices(label: str, allowed):
    def validate(values: list[str]) -> list[str]:
        unknown = [value for value in values if value not in allowed]
        if unknown:
            raise serializers.ValidationError(f"Unknown {label}: {', '.join(unknown)}.")
        return values

    return validate


def _bounded(values: list) -> list:
    if len(values) > MAX_VALUES:
        raise serializers.ValidationError(f"Ensure this field has no more than {MAX_VALUES} elements.")
    return values


class AssignmentFilterQuery(serializers.Serializer):
    """The filters of an assignment configuration's list, remind-all and cancel-all (reference/
    learner_side.md §5.4): each field and its ``__in`` comma-separated form (both given: both
    narrow); ``state`` and ``learner_state`` take comma lists too. Blank means no filter."""

    content_key = _Text(required=False, default=None, help_text="Exact content key")
    content_key__in = _CommaSeparated(required=False, default=list, help_text="Comma-separated content keys")
    learner_email = _Text(required=False, default=None, help_text="Case-insensitive")
    learner_email__in = _CommaSeparated(required=False, default=list, help_text="Comma-separated, case-insensitive")
    lms_user_id = _Ids(required=False, default=list, help_text="The learner's user id")
    lms_user_id__in = _Ids(many=True, required=False, default=list, help_text="Comma-separated user ids")
    state = _CommaSeparated(required=False, default=list, help_text="Comma-separated states")
    state__in = _CommaSeparated(required=False, default=list, help_text="Comma-separated states")
    learner_state = _CommaSeparated(required=False, default=list,
                                    help_text="Comma-separated: notifying, waiting, expired, failed")  # fmt: skip
    learner_state__in = _CommaSeparated(required=False, default=list, help_text="Comma-separated learner states")
    search = _Text(required=False, default="", help_text="Words found in the learner's e-mail or the content title")

    validate_state = validate_state__in = staticmethod(_choices("state", LearnerContentAssignment.State.values))
    validate_learner_state = validate_learner_state__in = staticmethod(_choices("learner_state", LEARNER_STATES))
    validate_content_key__in = validate_learner_email__in = validate_lms_user_id__in = staticmethod(_bounded)

    def validate_search(self, search: str) -> tuple[str, ...]:
        terms = tuple(term for term in search.replace(",", " ").split() if term)
        if len(terms) > MAX_TERMS:
            raise serializers.ValidationError(f"Ensure this field has no more than {MAX_TERMS} words.")
        return terms


def _narrowed(*given) -> frozenset | None:
    """The values every given filter allows (None: no filter given)."""
    sets = [frozenset(values) for values in given if values]
    return frozenset.intersection(*sets) if sets else None


def assignment_filters(data: dict) -> AssignmentFilters:
    """The domain's filters from AssignmentFilterQuery's validated data."""
    single = {name: [data[name]] if data[name] else [] for name in ("content_key", "learner_email")}
    return AssignmentFilters(
        content_keys=_narrowed(single["content_key"], data["content_key__in"]),
        learner_emails=_narrowed(
            [e.strip().lower() for e in single["learner_email"]], [e.lower() for e in data["learner_email__in"]]
        ),
        lms_user_ids=_narrowed(data["lms_user_id"], data["lms_user_id__in"]),
        states=_narrowed(data["state"], data["state__in"]),
        learner_states=_narrowed(data["learner_state"], data["learner_state__in"]),
        search=data["search"],
    )


class AssignmentListQuery(AssignmentFilterQuery):
    """The filters plus ``ordering``. Paging (``page``, ``page_size``) is the paginator's."""

    ordering = _CommaSeparated(
        required=False,
        default=list,
        help_text=f"Comma-separated, each with an optional '-' (descending): {', '.join(ORDERINGS)}; then newest first",
    )

    def validate_ordering(self, fields: list[str]) -> tuple[str, ...]:
        unknown = [field for field in fields if field.removeprefix("-") not in ORDERINGS]
        if unknown:
            raise serializers.ValidationError(f"Unknown ordering: {', '.join(unknown)}.")
        return tuple(fields)


class LearnerStateCountOutput(serializers.Serializer):
    learner_state = serializers.ChoiceField(choices=LEARNER_STATES)
    count = serializers.IntegerField()


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


class AssignmentAdminOutput(AssignmentOutput):
    """A listed assignment: AssignmentOutput's fields and, last, the derived ``learner_state``
    computed in SQL (assignments.filters.with_learner_state), as the reference's admin serializer
    has it."""

    learner_state = serializers.ChoiceField(
        choices=LEARNER_STATES, allow_null=True, help_text="notifying, waiting, expired, failed; null otherwise"
    )

    def to_representation(self, assignment: LearnerContentAssignment) -> dict:
        body = super().to_representation(assignment)
        body["learner_state"] = assignment.learner_state  # type: ignore[attr-defined]
        return body


class AllocationOutput(serializers.Serializer):
    """Seed 003 "policy-allocation": lists of assignments (the seed's table says "integer": a typo,
    ARCHITECTURE.md). Context as AssignmentOutput's, for all three lists."""

    updated = AssignmentOutput(many=True)
    created = AssignmentOutput(many=True)
    no_change = AssignmentOutput(many=True)
