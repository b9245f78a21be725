"""Assignment administration: remind and cancel, by uuid or by filter (seed 003 "assignment-
configurations remind/cancel"; reference/enterprise.md §4.2–4.3, reference/learner_side.md §5.4;
issue 12).

- ``assignments_remind`` / ``assignments_cancel`` are atomic: one unknown or ineligible uuid and
  nothing changes (ARCHITECTURE.md decides against the reference's partial cancel).
- ``assignments_remind_all`` / ``assignments_cancel_all`` act on the assignments the admin list's
  filters keep (assignments.filters) among those the action applies to (allocated; allocated or
  errored); none -> NoAssignmentsToActOnError. Atomic too.

Every path is set-based: the matching rows are read (and locked) in one statement, changed in one
UPDATE, their actions written in one INSERT and their e-mails in the outbox's bulk insert, in the
change's transaction, whatever their number.
"""

from __future__ import annotations

import json
import uuid as uuid_lib
from collections.abc import Sequence
from typing import cast

from django.db import connection, transaction
from django.db.models import Field, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from coursegate.assignments.exceptions import AssignmentsNotActionableError, NoAssignmentsToActOnError
from coursegate.assignments.feed_events import assignments_to_feed
from coursegate.assignments.filters import AssignmentFilters, with_learner_state
from coursegate.assignments.models import (
    AssignmentConfiguration,
    LearnerContentAssignment,
    LearnerContentAssignmentAction,
    SubsidyAccessPolicy,
)
from coursegate.assignments.notifications import assignment_emails_enqueue
from coursegate.feed import services as feed

State = LearnerContentAssignment.State
Action = LearnerContentAssignmentAction.Type
REMINDABLE = {State.ALLOCATED}
CANCELABLE = {State.ALLOCATED, State.ERRORED}


def _uuid_set(uuids: Sequence[uuid_lib.UUID]):
    """The right-hand side of ``pk__in`` for any number of uuids: one JSON parameter on PostgreSQL
    and SQLite (no statement grows with the rows, SQLite's parameter bound never reached)."""
    if connection.vendor == "postgresql":
        return RawSQL(
            "SELECT value::uuid FROM json_array_elements_text(%s::json)", [json.dumps([str(u) for u in uuids])]
        )
    if connection.vendor == "sqlite":  # a uuid is stored as its 32 hex digits
        return RawSQL("SELECT value FROM json_each(%s)", [json.dumps([u.hex for u in uuids])])
    return list(uuids)


def _actions_insert(assignment_ids: Sequence[uuid_lib.UUID], action_type: str, now) -> None:
    """One completed ``action_type`` action per assignment, in one INSERT on PostgreSQL and SQLite."""
    if not assignment_ids:
        return
    model = LearnerContentAssignmentAction
    if connection.vendor not in ("postgresql", "sqlite"):
        model.objects.bulk_create(
            [model(assignment_id=a, action_type=action_type, completed_at=now) for a in assignment_ids],
            batch_size=1000,
        )
        return
    quote = connection.ops.quote_name
    fields = [cast(Field, model._meta.get_field(name)) for name in ("uuid", "assignment", "action_type",
                                                                   "completed_at", "created", "modified")]  # fmt: skip
    columns = ", ".join(quote(cast(str, field.column)) for field in fields)
    when = fields[-1].get_db_prep_value(now, connection)
    if connection.vendor == "postgresql":
        pairs = json.dumps([[str(uuid_lib.uuid4()), str(a)] for a in assignment_ids])
        source = "(j.value ->> 0)::uuid, (j.value ->> 1)::uuid, %s, %s, %s, %s FROM json_array_elements(%s::json) AS j"
    else:
        pairs = json.dumps([[uuid_lib.uuid4().hex, a.hex] for a in assignment_ids])
        source = "json_extract(j.value, '$[0]'), json_extract(j.value, '$[1]'), %s, %s, %s, %s FROM json_each(%s) AS j"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(model._meta.db_table)} ({columns}) SELECT {source}",
            [action_type, when, when, when, pairs],
        )


def _policy(configuration: AssignmentConfiguration) -> SubsidyAccessPolicy | None:
    return SubsidyAccessPolicy.objects.filter(assignment_configuration=configuration).first()


def _remind(configuration: AssignmentConfiguration, assignments: list[LearnerContentAssignment]) -> int:
    """Record a ``reminded`` action and enqueue a reminder e-mail for each (reminders do not reset
    the 90-day timer, reference §4.2)."""
    if assignments:
        _actions_insert([a.pk for a in assignments], Action.REMINDED, timezone.now())
        assignment_emails_enqueue("reminded", assignments, policy=_policy(configuration))
    return len(assignments)


def _cancel(configuration: AssignmentConfiguration, assignments: list[LearnerContentAssignment]) -> int:
    """Cancel them (state, cancelled_at), record a ``cancelled`` action and enqueue an e-mail each."""
    if not assignments:
        return 0
    now = timezone.now()
    LearnerContentAssignment.objects.filter(pk__in=_uuid_set([a.pk for a in assignments])).update(
        state=State.CANCELLED, cancelled_at=now, modified=now
    )
    for assignment in assignments:
        assignment.state, assignment.cancelled_at, assignment.modified = State.CANCELLED, now, now
    _actions_insert([a.pk for a in assignments], Action.CANCELLED, now)
    assignment_emails_enqueue("cancelled", assignments, policy=_policy(configuration))
    assignments_to_feed(feed.ASSIGNMENT_CANCELLED, [a.pk for a in assignments], now=now)
    return len(assignments)


def _lock_requested(configuration: AssignmentConfiguration, uuids: Sequence[str]):
    wanted = list(dict.fromkeys(str(u) for u in uuids))
    found = {
        str(a.uuid): a
        for a in LearnerContentAssignment.objects.select_for_update()
        .filter(assignment_configuration=configuration, uuid__in=wanted)
        .order_by("pk")
    }
    return wanted, found


@transaction.atomic
def assignments_remind(*, configuration: AssignmentConfiguration, assignment_uuids: Sequence[str], actor=None) -> int:
    """Remind learners of allocated assignments; all or nothing (AssignmentsNotActionableError
    listing the unknown and the not allocated uuids). Returns how many were reminded."""
    wanted, found = _lock_requested(configuration, assignment_uuids)
    unknown = [u for u in wanted if u not in found]
    not_remindable = [u for u in wanted if u in found and found[u].state not in REMINDABLE]
    if unknown or not_remindable:
        raise AssignmentsNotActionableError(action="remind", unknown=unknown, not_actionable=not_remindable)
    return _remind(configuration, [found[u] for u in wanted])


@transaction.atomic
def assignments_cancel(*, configuration: AssignmentConfiguration, assignment_uuids: Sequence[str], actor=None) -> int:
    """Cancel allocated or errored assignments (already cancelled ones are fine); all or nothing
    (AssignmentsNotActionableError). Returns how many changed state."""
    wanted, found = _lock_requested(configuration, assignment_uuids)
    unknown = [u for u in wanted if u not in found]
    not_cancelable = [u for u in wanted if u in found and found[u].state not in CANCELABLE | {State.CANCELLED}]
    if unknown or not_cancelable:
        raise AssignmentsNotActionableError(action="cancel", unknown=unknown, not_actionable=not_cancelable)
    return _cancel(configuration, [found[u] for u in wanted if found[u].state in CANCELABLE])


def _lock_matching(configuration: AssignmentConfiguration, filters: AssignmentFilters, states) -> list:
    """The configuration's assignments in ``states`` that ``filters`` keep, locked, in one query."""
    queryset: QuerySet = LearnerContentAssignment.objects.filter(assignment_configuration=configuration,
                                                                 state__in=sorted(states))  # fmt: skip
    if filters.learner_states is not None:
        queryset = with_learner_state(queryset)
    # of=("self",): lock the assignments only; pk order: two bulk actions never deadlock.
    return list(filters.apply(queryset).select_for_update(of=("self",)).order_by("pk"))


@transaction.atomic
def assignments_remind_all(*, configuration: AssignmentConfiguration, filters: AssignmentFilters, actor=None) -> int:
    """Remind every allocated assignment ``filters`` keep; NoAssignmentsToActOnError when there is
    none. Returns how many were reminded."""
    assignments = _lock_matching(configuration, filters, REMINDABLE)
    if not assignments:
        raise NoAssignmentsToActOnError("remind")
    return _remind(configuration, assignments)


@transaction.atomic
def assignments_cancel_all(*, configuration: AssignmentConfiguration, filters: AssignmentFilters, actor=None) -> int:
    """Cancel every allocated or errored assignment ``filters`` keep; NoAssignmentsToActOnError when
    there is none. Returns how many were cancelled."""
    assignments = _lock_matching(configuration, filters, CANCELABLE)
    if not assignments:
        raise NoAssignmentsToActOnError("cancel")
    return _cancel(configuration, assignments)
