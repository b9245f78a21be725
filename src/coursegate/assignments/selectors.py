"""Reads of policies and assignments."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db.models import QuerySet

from coursegate.assignments.models import LearnerContentAssignment, LearnerContentAssignmentAction
from coursegate.catalogs.models import ContentItem

NINETY_DAYS = "NINETY_DAYS_PASSED"
ENROLLMENT_DATE = "ENROLLMENT_DATE_PASSED"
SUBSIDY_EXPIRED = "SUBSIDY_EXPIRED"


def enroll_by_dates(content_keys: Iterable[str]) -> dict[str, datetime]:
    """Content key -> its enroll-by date, where the catalog metadata has one (one query)."""
    return dict(
        ContentItem.objects.filter(content_key__in=set(content_keys), enroll_by__isnull=False).values_list(
            "content_key", "enroll_by"
        )
    )


def assignment_expiration(assignment: LearnerContentAssignment, enroll_by: dict | None = None) -> dict:
    """``earliest_possible_expiration``: the earliest of 90 days after allocation, the content's
    enroll-by date and the subsidy's expiration, with the reason (reference §4.1)."""
    from coursegate.assignments.services import ALLOCATION_TIMEOUT

    if enroll_by is None:
        enroll_by = enroll_by_dates([assignment.content_key])
    candidates = []
    if assignment.allocated_at is not None:
        candidates.append((assignment.allocated_at + ALLOCATION_TIMEOUT, NINETY_DAYS))
    if assignment.content_key in enroll_by:
        candidates.append((enroll_by[assignment.content_key], ENROLLMENT_DATE))
    policy = getattr(assignment.assignment_configuration, "policy", None)
    if policy is not None:
        candidates.append((policy.subsidy_expiration, SUBSIDY_EXPIRED))
    date, reason = min(candidates, key=lambda pair: pair[0])
    return {"date": date, "reason": reason}


def assignments_for_configuration(
    configuration, *, states: list[str] | None = None, learner_email: str | None = None
) -> QuerySet:
    # Actions are loaded for a whole page at once by the caller (actions_by_assignment).
    qs = (
        LearnerContentAssignment.objects.filter(assignment_configuration=configuration)
        .select_related("assignment_configuration__policy")
        .order_by("-created", "uuid")
    )
    if states:
        qs = qs.filter(state__in=states)
    if learner_email:
        qs = qs.filter(learner_email__iexact=learner_email.strip())
    return qs


def actions_by_assignment(assignments) -> dict:
    """assignment uuid -> its actions, oldest first, in one query (for rendering many at once)."""
    grouped: dict = {a.uuid: [] for a in assignments}
    for action in LearnerContentAssignmentAction.objects.filter(assignment_id__in=list(grouped)).order_by("created"):
        grouped[action.assignment_id].append(action)
    return grouped
