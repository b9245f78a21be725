"""Enroll or unenroll many identifiers in many runs (Appsembler bulk-enroll, reference/edx_appsembler.md
§2.7; Open edX instructor enrollment semantics), in four steps, each a constant number of queries:

1. resolve: which account (by username, then by e-mail in any case) or e-mail address each
   identifier stands for, which are invalid, and what is enrolled and invited now;
2. plan: per (identifier, run), the enrollment requests, deactivations and invitation changes;
3. apply: the enrollment writes through the batch pass (enrollments/batch.py: the same rules,
   the one deactivation path), then the invitation writes;
4. report: Open edX's before/after state per identifier and run, and the e-mails to send.

The app's public import path is ``coursegate.enrollments.services``, which re-exports this module.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone

from coursegate.accounts.models import User
from coursegate.accounts.validators import EMAIL_MAX_LENGTH
from coursegate.courses.models import CourseRun
from coursegate.enrollments.batch import (
    EnrollmentRequest,
    Outcome,
    enrollments_bulk_deactivate,
    enrollments_bulk_upsert,
)
from coursegate.enrollments.bulk_rows import collector_paused
from coursegate.enrollments.models import Enrollment, EnrollmentAllowed
from coursegate.enrollments.notifications import enrollment_change_emails_enqueue
from coursegate.enrollments.sql import invitations_insert, json_set

ENROLL, UNENROLL = "enroll", "unenroll"

Key = tuple[str, int]  # (identifier, course run id)


@dataclass(frozen=True, slots=True)
class IdentifierState:
    """Open edX's EmailEnrollmentState: is there an account, an active enrollment, an invitation
    (allowed-enrollment), and does the invitation auto-enroll."""

    user: bool
    enrollment: bool
    allowed: bool
    auto_enroll: bool


@dataclass(frozen=True, slots=True)
class IdentifierOutcome:
    identifier: str
    before: IdentifierState | None = None
    after: IdentifierState | None = None
    invalid: bool = False
    error: bool = False
    email: str = ""
    change: str = ""  # enrolled_enroll | allowed_enroll | enrolled_unenroll | allowed_unenroll | ""


@collector_paused()
@transaction.atomic
def enrollments_bulk_change(
    *,
    action: str,
    identifiers: Sequence[str],
    course_runs: Sequence[CourseRun],
    auto_enroll: bool,
    actor: User | None = None,
    source: str,
    notify: bool = False,
) -> dict[str, list[IdentifierOutcome]]:
    """Enroll or unenroll many identifiers (usernames or e-mails) in many runs, set-based.

    enroll: an existing active account is enrolled (an active enrollment keeps its mode); an
    unknown e-mail (or an inactive account) gets an invitation with ``auto_enroll``.
    unenroll: an active enrollment is deactivated and an invitation deleted.
    An identifier that is neither a known account nor a valid e-mail is reported ``invalid``.
    Staff operation: window, capacity and invitation rules do not apply (as Open edX's instructor
    enrollment). With ``notify``, each learner whose state changed gets an e-mail after commit.
    Returns outcomes per run key, in the order of ``identifiers``. Raises ValueError for an
    unknown ``action``.
    """
    if action not in (ENROLL, UNENROLL):
        raise ValueError(action)
    people = _resolve(list(dict.fromkeys(i for i in identifiers if i)), course_runs)
    before = {key: people.state(*key) for key in people.keys(course_runs)}
    if action == ENROLL:
        plan = _plan_enroll(people, course_runs, auto_enroll=auto_enroll)
    else:
        plan = _plan_unenroll(people, course_runs)
    _apply(plan, people, actor=actor, source=source)
    outcomes = _report(people, course_runs, before, plan)
    if notify:
        _notify(outcomes, course_runs)
    return outcomes


# --- 1. Resolve ----------------------------------------------------------------------------------


@dataclass
class _People:
    """The identifiers and what they stand for now; ``enrolled`` and ``allowed`` follow the changes."""

    identifiers: list[str]
    users: dict[str, User]  # identifier -> account
    emails: dict[str, str]  # identifier -> lower-cased e-mail it stands for
    invalid: set[str]
    enrolled: set[tuple[int, int]]  # (user id, run id) actively enrolled
    allowed: dict[tuple[str, int], EnrollmentAllowed]  # (e-mail, run id) -> invitation

    def keys(self, course_runs: Sequence[CourseRun]) -> Iterator[Key]:
        """(identifier, run id) of every valid identifier, run by run."""
        for run in course_runs:
            for identifier in self.identifiers:
                if identifier not in self.invalid:
                    yield identifier, run.pk

    def state(self, identifier: str, run_id: int) -> IdentifierState:
        # Once per identifier and run, twice a request: `.id` (an attribute) rather than `.pk`.
        user = self.users.get(identifier)
        invitation = self.allowed.get((self.emails.get(identifier, ""), run_id))
        return _STATES[
            (
                user is not None,
                user is not None and (user.id, run_id) in self.enrolled,
                invitation is not None,
                bool(invitation and invitation.auto_enroll),
            )
        ]


# The 16 states there are (a request reports two per identifier and run: one shared instance each).
_STATES = {flags: IdentifierState(*flags) for flags in itertools.product((False, True), repeat=4)}


def _resolve(identifiers: list[str], course_runs: Sequence[CourseRun]) -> _People:
    """Accounts and e-mails of ``identifiers``, their active enrollments and invitations (four queries)."""
    users = _users_by_identifier(identifiers)
    emails: dict[str, str] = {}
    invalid: set[str] = set()
    for identifier in identifiers:
        user = users.get(identifier)
        if user is not None:
            if user.email:
                emails[identifier] = user.email.lower()
            continue  # an account without e-mail: enrollments only
        if _is_email(identifier):
            emails[identifier] = identifier.lower()
        else:
            invalid.add(identifier)
    run_ids = [run.pk for run in course_runs]
    enrolled = set(
        Enrollment.objects.filter(
            user_id__in={u.pk for u in users.values()}, course_run_id__in=run_ids, is_active=True
        ).values_list("user_id", "course_run_id")
    )
    invitations = EnrollmentAllowed.objects.filter(email__in=json_set(set(emails.values())), course_run_id__in=run_ids)
    allowed = {(a.email, a.course_run_id): a for a in invitations}
    return _People(identifiers, users, emails, invalid, enrolled, allowed)


def _users_by_identifier(identifiers: Sequence[str]) -> dict[str, User]:
    """identifier -> User, by username first, then by e-mail in any case (two queries)."""
    by_username = {u.username: u for u in User.objects.filter(username__in=json_set(identifiers))}
    lowered = {i.lower() for i in identifiers if "@" in i}
    # email != "": what lets PostgreSQL use the partial index on lower(email) (never blank here).
    by_email = (
        {
            u.email.lower(): u
            for u in User.objects.exclude(email="")
            .annotate(email_ci=Lower("email"))
            .filter(email_ci__in=json_set(lowered))
        }
        if lowered
        else {}
    )
    resolved = {}
    for identifier in identifiers:
        user = by_username.get(identifier) or by_email.get(identifier.lower())
        if user is not None:
            resolved[identifier] = user
    return resolved


def _is_email(identifier: str) -> bool:
    if len(identifier) > EMAIL_MAX_LENGTH:
        return False
    try:
        validate_email(identifier)
    except ValidationError:
        return False
    return True


# --- 2. Plan -------------------------------------------------------------------------------------


@dataclass
class _Plan:
    """What to write, keyed by (identifier, run id); ``changes`` holds the invitation changes
    decided while planning, and ``apply`` adds the enrollment changes that took effect."""

    action: str
    enroll: list[tuple[Key, EnrollmentRequest]] = field(default_factory=list)
    unenroll: list[tuple[Key, tuple[User, CourseRun]]] = field(default_factory=list)
    new_invitations: list[EnrollmentAllowed] = field(default_factory=list)
    changed_invitations: list[EnrollmentAllowed] = field(default_factory=list)
    withdrawn_invitations: list[int] = field(default_factory=list)
    changes: dict[Key, str] = field(default_factory=dict)
    errors: set[Key] = field(default_factory=set)


def _plan_enroll(people: _People, course_runs: Sequence[CourseRun], *, auto_enroll: bool) -> _Plan:
    """Active accounts are enrolled; anyone else with an e-mail is invited (or re-invited with the
    new ``auto_enroll``). ``people.allowed`` takes the planned invitations, so the report sees them."""
    plan = _Plan(ENROLL)
    runs = {run.pk: run for run in course_runs}
    for identifier, run_id in people.keys(course_runs):
        key, run = (identifier, run_id), runs[run_id]
        user = people.users.get(identifier)
        if user is not None and user.is_active:
            plan.enroll.append((key, EnrollmentRequest(user=user, course_run=run)))
            continue
        email = people.emails.get(identifier)
        if not email:
            continue
        invitation = people.allowed.get((email, run_id))
        if invitation is None:
            invitation = EnrollmentAllowed(email=email, course_run=run, auto_enroll=auto_enroll)
            people.allowed[(email, run_id)] = invitation
            plan.new_invitations.append(invitation)
        elif invitation.auto_enroll != auto_enroll:
            invitation.auto_enroll = auto_enroll
            plan.changed_invitations.append(invitation)
        else:
            continue  # invited already, as asked: nothing to tell the learner
        plan.changes[key] = "allowed_enroll"
    return plan


def _plan_unenroll(people: _People, course_runs: Sequence[CourseRun]) -> _Plan:
    """Active enrollments are deactivated and invitations withdrawn (``people.allowed`` loses them)."""
    plan = _Plan(UNENROLL)
    runs = {run.pk: run for run in course_runs}
    for identifier, run_id in people.keys(course_runs):
        key = (identifier, run_id)
        user = people.users.get(identifier)
        if user is not None and (user.id, run_id) in people.enrolled:
            plan.unenroll.append((key, (user, runs[run_id])))
        invitation = people.allowed.pop((people.emails.get(identifier, ""), run_id), None)
        if invitation is not None:
            plan.withdrawn_invitations.append(invitation.pk)
            plan.changes.setdefault(key, "allowed_unenroll")
    return plan


# --- 3. Apply ------------------------------------------------------------------------------------


def _apply(plan: _Plan, people: _People, *, actor: User | None, source: str) -> None:
    """Write the plan; record in ``plan`` the changes that took effect and the refused rows."""
    if plan.action == UNENROLL:
        results = enrollments_bulk_deactivate(pairs=[pair for _, pair in plan.unenroll], actor=actor, source=source)
        for (key, _), result in zip(plan.unenroll, results, strict=True):
            if result.outcome == Outcome.DEACTIVATED:
                people.enrolled.discard((result.request.user.id, key[1]))
                plan.changes[key] = "enrolled_unenroll"
        if plan.withdrawn_invitations:
            EnrollmentAllowed.objects.filter(pk__in=json_set(plan.withdrawn_invitations, "bigint")).delete()
        return

    results = enrollments_bulk_upsert(
        requests=[req for _, req in plan.enroll], actor=actor, source=source, privileged=False, force=True
    )
    for (key, _), result in zip(plan.enroll, results, strict=True):
        if result.error is not None:
            plan.errors.add(key)
            continue
        people.enrolled.add((result.request.user.id, key[1]))
        if result.outcome != Outcome.UNCHANGED:
            plan.changes[key] = "enrolled_enroll"
    invitations_insert([(a.email, a.course_run_id, a.auto_enroll) for a in plan.new_invitations], now=timezone.now())
    if plan.changed_invitations:  # all to the request's auto_enroll: one UPDATE, no CASE per row
        EnrollmentAllowed.objects.filter(pk__in=json_set([a.pk for a in plan.changed_invitations], "bigint")).update(
            auto_enroll=plan.changed_invitations[0].auto_enroll
        )


# --- 4. Report -----------------------------------------------------------------------------------


def _report(
    people: _People, course_runs: Sequence[CourseRun], before: dict[Key, IdentifierState], plan: _Plan
) -> dict[str, list[IdentifierOutcome]]:
    outcomes: dict[str, list[IdentifierOutcome]] = {}
    invalid, errors, changes, emails = people.invalid, plan.errors, plan.changes, people.emails
    for run in course_runs:
        rows = []
        run_id = run.pk
        for identifier in people.identifiers:
            key = (identifier, run_id)
            if identifier in invalid:
                rows.append(IdentifierOutcome(identifier, invalid=True))
            elif key in errors:
                rows.append(IdentifierOutcome(identifier, error=True))
            else:
                after = people.state(identifier, run_id)
                email, change = emails.get(identifier, ""), changes.get(key, "")
                rows.append(IdentifierOutcome(identifier, before[key], after, email=email, change=change))
        outcomes[run.key] = rows
    return outcomes


def _notify(outcomes: dict[str, list[IdentifierOutcome]], course_runs: Sequence[CourseRun]) -> None:
    """One e-mail per changed learner and run, enqueued in this transaction (sent after commit)."""
    messages = [
        (row.change, row.email, run) for run in course_runs for row in outcomes[run.key] if row.change and row.email
    ]
    if messages:
        enrollment_change_emails_enqueue(messages)
