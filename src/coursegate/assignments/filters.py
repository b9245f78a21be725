"""What an admin may narrow an assignment configuration's assignments by: the list, remind-all and
cancel-all share it (reference/learner_side.md §5.4; enterprise-access ``LearnerContentAssignmentAdminFilter``,
the admin viewset's ``search_fields`` and ``ordering_fields``; issue 12).

The derived ``learner_state`` is computed in SQL (``with_learner_state``), as the reference's
``annotate_dynamic_fields_onto_queryset`` does, so it filters, counts and orders without loading rows:

- allocated, with a failed notification and no successful one -> ``failed``
- allocated, not (yet) notified -> ``notifying``; allocated and notified -> ``waiting``
- expired -> ``expired``; errored -> ``failed``; accepted, cancelled, reversed -> none (null)
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import (
    Case,
    CharField,
    DateTimeField,
    Exists,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest

from coursegate.assignments.models import LearnerContentAssignment, LearnerContentAssignmentAction

State = LearnerContentAssignment.State
Action = LearnerContentAssignmentAction.Type

NOTIFYING, WAITING, EXPIRED, FAILED = "notifying", "waiting", "expired", "failed"
# The reference's AssignmentLearnerStates.SORT_ORDER (learner_state_sort_order; anything else last).
LEARNER_STATES = (NOTIFYING, WAITING, EXPIRED, FAILED)
# ``ordering`` values (each also with a leading "-"): the reference's ordering_fields.
ORDERINGS = ("recent_action_time", "learner_state_sort_order", "content_quantity")
# Coursegate's default order (before the reference's fields existed here): newest first.
DEFAULT_ORDER = ("-created", "uuid")


@dataclass(frozen=True)
class AssignmentFilters:
    """Each set narrows the assignments to those whose field is one of its values; None: no filter.
    E-mails are compared lower-cased (they are stored so). ``search``: whitespace-separated terms,
    each found (case-insensitively) in the learner's e-mail or the content title."""

    content_keys: frozenset[str] | None = None
    learner_emails: frozenset[str] | None = None
    lms_user_ids: frozenset[int] | None = None
    states: frozenset[str] | None = None
    learner_states: frozenset[str] | None = None
    search: tuple[str, ...] = ()

    def apply(self, queryset: QuerySet) -> QuerySet:
        """``queryset`` (annotated by ``with_learner_state`` when ``learner_states`` is set) narrowed."""
        columns = {
            "content_key__in": self.content_keys,
            "learner_email__in": self.learner_emails,
            "lms_user_id__in": self.lms_user_ids,
            "state__in": self.states,
            "learner_state__in": self.learner_states,
        }
        for lookup, values in columns.items():
            if values is not None:
                queryset = queryset.filter(**{lookup: sorted(values)})
        for term in self.search:
            queryset = queryset.filter(Q(learner_email__icontains=term) | Q(content_title__icontains=term))
        return queryset


def with_learner_state(queryset: QuerySet) -> QuerySet:
    """Annotate ``learner_state`` (see the module docstring) and ``learner_state_sort_order``."""
    notified = LearnerContentAssignmentAction.objects.filter(assignment=OuterRef("pk"), action_type=Action.NOTIFIED)
    queryset = queryset.annotate(
        has_notification=Exists(notified.filter(error_reason__isnull=True, completed_at__isnull=False)),
        has_errored_notification=Exists(notified.filter(error_reason__isnull=False)),
    ).annotate(
        learner_state=Case(
            When(Q(state=State.ALLOCATED, has_errored_notification=True, has_notification=False), then=Value(FAILED)),
            When(Q(state=State.ALLOCATED, has_notification=False), then=Value(NOTIFYING)),
            When(Q(state=State.ALLOCATED, has_notification=True), then=Value(WAITING)),
            When(state=State.EXPIRED, then=Value(EXPIRED)),
            When(state=State.ERRORED, then=Value(FAILED)),
            default=None,
            output_field=CharField(),
        )
    )
    return queryset.annotate(
        learner_state_sort_order=Case(
            *(When(learner_state=state, then=Value(order)) for order, state in enumerate(LEARNER_STATES)),
            default=Value(999),
            output_field=IntegerField(),
        )
    )


def with_recent_action_time(queryset: QuerySet) -> QuerySet:
    """Annotate ``recent_action_time``: the later of the allocation and the last reminder (reference)."""
    last_reminder = (
        LearnerContentAssignmentAction.objects.filter(assignment=OuterRef("pk"), action_type=Action.REMINDED)
        .values("assignment")
        .annotate(last=Max("completed_at"))
        .values("last")
    )
    allocated = Coalesce("allocated_at", "created")
    return queryset.annotate(
        recent_action_time=Greatest(
            Coalesce(Subquery(last_reminder, output_field=DateTimeField()), allocated), allocated
        )
    )


def ordered(queryset: QuerySet, ordering: tuple[str, ...]) -> QuerySet:
    """``queryset`` (with ``learner_state_sort_order``) in ``ordering``, then newest first; the
    default order alone when ``ordering`` is empty."""
    if any(field.lstrip("-") == "recent_action_time" for field in ordering):
        queryset = with_recent_action_time(queryset)
    return queryset.order_by(*ordering, *DEFAULT_ORDER)
