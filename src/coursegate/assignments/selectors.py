"""Reads of policies, assignment configurations and assignments (reference/enterprise.md §4.1–4.4)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db.models import QuerySet

from coursegate.assignments.exceptions import AssignmentConfigurationNotFoundError, PolicyNotFoundError
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


def assignment_expiration(assignment: LearnerContentAssignment, enroll_by: dict | None = None) -> dict:
    """``earliest_possible_expiration``: the earliest of 90 days after allocation, the content's
    enroll-by date and the subsidy's expiration, with the reason (reference §4.1)."""
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
