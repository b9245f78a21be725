"""Reads of policies, assignment configurations and assignments (reference/enterprise.md §4.1–4.4)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db.models import Count, QuerySet

from coursegate.assignments.exceptions import AssignmentConfigurationNotFoundError, PolicyNotFoundError
from coursegate.assignments.filters import LEARNER_STATES, AssignmentFilters, ordered, with_learner_state
from coursegate.assignments.models import (
    ALLOCATION_TIMEOUT,
    AssignmentConfiguration,
    LearnerContentAssignment,
    LearnerContentAssignmentAction,
    SubsidyAccessPolicy,
)
from coursegate.catalogs.models import ContentItem
from coursegate.core.uuids import uuid_or_none

NINETY_DAYS = "NINETY_DAYS_PASSED"
ENROLLMENT_DATE = "ENROLLMENT_DATE_PASSED"
SUBSIDY_EXPIRED = "SUBSIDY_EXPIRED"
NO_FILTERS = AssignmentFilters()


def policy_get(*, policy_uuid: object) -> SubsidyAccessPolicy:
    """The policy; PolicyNotFoundError when unknown or not a uuid."""
    parsed = uuid_or_none(policy_uuid)
    policy = SubsidyAccessPolicy.objects.filter(pk=parsed).first() if parsed else None
    if policy is None:
        raise PolicyNotFoundError(policy_uuid)
    return policy


def assignment_configuration_get(*, configuration_uuid: object) -> AssignmentConfiguration:
    """The assignment configuration; AssignmentConfigurationNotFoundError when unknown or not a uuid."""
    parsed = uuid_or_none(configuration_uuid)
    configuration = AssignmentConfiguration.objects.filter(pk=parsed).first() if parsed else None
    if configuration is None:
        raise AssignmentConfigurationNotFoundError(configuration_uuid)
    return configuration


def enroll_by_dates(content_keys: Iterable[str]) -> dict[str, datetime]:
    """Content key -> its enroll-by date, where the catalog metadata has one (one query)."""
    rows = ContentItem.objects.filter(content_key__in=set(content_keys), enroll_by__isnull=False)
    # ``is not None`` holds by the filter; it tells the type checker so.
    return {key: date for key, date in rows.values_list("content_key", "enroll_by") if date is not None}


def assignment_expiration(
    assignment: LearnerContentAssignment, enroll_by: dict | None = None, *, policy: SubsidyAccessPolicy | None = None
) -> dict:
    """``earliest_possible_expiration``: the earliest of 90 days after allocation, the content's
    enroll-by date and the subsidy's expiration, with the reason (reference §4.1). ``policy``: the
    assignment's, when the caller has it (else read through the configuration)."""
    if enroll_by is None:
        enroll_by = enroll_by_dates([assignment.content_key])
    candidates = []
    if assignment.allocated_at is not None:
        candidates.append((assignment.allocated_at + ALLOCATION_TIMEOUT, NINETY_DAYS))
    if assignment.content_key in enroll_by:
        candidates.append((enroll_by[assignment.content_key], ENROLLMENT_DATE))
    if policy is None:
        policy = getattr(assignment.assignment_configuration, "policy", None)
    if policy is not None:
        candidates.append((policy.subsidy_expiration, SUBSIDY_EXPIRED))
    date, reason = min(candidates, key=lambda pair: pair[0])
    return {"date": date, "reason": reason}


def assignments_for_configuration(
    configuration, *, filters: AssignmentFilters = NO_FILTERS, ordering: tuple[str, ...] = ()
) -> QuerySet:
    """The configuration's assignments that ``filters`` keep, each with its ``learner_state``
    (computed in SQL), in ``ordering`` then newest first (assignments.filters)."""
    # Actions are loaded for a whole page at once by the caller (actions_by_assignment).
    qs = with_learner_state(
        LearnerContentAssignment.objects.filter(assignment_configuration=configuration).select_related(
            "assignment_configuration__policy"
        )
    )
    return ordered(filters.apply(qs), ordering)


def learner_state_counts(configuration, *, filters: AssignmentFilters = NO_FILTERS) -> list[dict]:
    """``[{"learner_state", "count"}]`` of the assignments ``filters`` keep, most frequent first
    (ties in the reference's sort order), states without any assignment left out; one query."""
    qs = filters.apply(
        with_learner_state(LearnerContentAssignment.objects.filter(assignment_configuration=configuration))
    )
    counts = dict(qs.exclude(learner_state=None).order_by().values_list("learner_state").annotate(count=Count("pk")))
    order = {state: i for i, state in enumerate(LEARNER_STATES)}
    return [
        {"learner_state": state, "count": count}
        for state, count in sorted(counts.items(), key=lambda item: (-item[1], order.get(item[0], 99)))
    ]


def actions_by_assignment(assignments) -> dict:
    """assignment uuid -> its actions, oldest first, in one query (for rendering many at once)."""
    grouped: dict = {a.uuid: [] for a in assignments}
    for action in LearnerContentAssignmentAction.objects.filter(assignment_id__in=list(grouped)).order_by("created"):
        grouped[action.assignment_id].append(action)
    return grouped
