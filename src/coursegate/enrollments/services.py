"""Enrollment writes: the one enrollment service every API family calls.

``enrollments_bulk_upsert`` holds every rule (run exists, mode offered and unexpired, enrollment
window open, invitation for invite-only runs, capacity); ``enrollment_upsert`` is the same
function called with one row. A batch costs a constant number of queries whatever its size:
lock the capped runs, load the existing rows, count active enrollments, check invitations,
insert, update, write history.

Semantics follow the Open edX Enrollment API (seed 002, reference/edx_appsembler.md §1.6):
- enrolling an active learner again changes nothing (UNCHANGED); a *privileged* caller (staff)
  may change the mode of an active enrollment;
- ``is_active=False`` deactivates (privileged callers only; others get UNCHANGED) and refuses a
  mode that differs from the active one (EnrollmentModeMismatchError);
- ``force`` lets staff enroll outside the window, past capacity, without an invitation and into
  expired modes.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.db.models.functions import Lower
from django.utils import timezone

from coursegate.accounts.models import User
from coursegate.accounts.services import EMAIL_MAX_LENGTH
from coursegate.courses.models import CourseRun
from coursegate.courses.selectors import course_run_default_mode, course_run_mode_get
from coursegate.enrollments.exceptions import (
    CourseFullError,
    CourseModeUnavailableError,
    EnrollmentClosedError,
    EnrollmentError,
    EnrollmentModeMismatchError,
    InvitationRequiredError,
)
from coursegate.enrollments.models import Enrollment, EnrollmentAllowed, EnrollmentHistory, Source
from coursegate.enrollments.notifications import enrollment_change_emails_send

log = logging.getLogger(__name__)


class Outcome:
    CREATED = "created"
    REACTIVATED = "reactivated"
    UPDATED = "updated"
    DEACTIVATED = "deactivated"
    UNCHANGED = "unchanged"
    NOT_ENROLLED = "not_enrolled"


@dataclass(frozen=True)
class EnrollmentRequest:
    """One row of a batch: put ``user`` in ``course_run`` with ``mode``, active or not. ``mode=None``
    keeps an active enrollment's mode and otherwise means the run's default mode."""

    user: object
    course_run: CourseRun
    mode: str | None = None
    is_active: bool = True


@dataclass(frozen=True)
class EnrollmentResult:
    request: EnrollmentRequest
    enrollment: Enrollment | None
    outcome: str | None
    error: EnrollmentError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass
class _BatchState:
    now: datetime
    existing: dict[tuple[int, int], Enrollment]
    active_counts: Counter
    invited: set[tuple[str, int]]
    to_create: dict[tuple[int, int], Enrollment]
    to_update: dict[tuple[int, int], Enrollment]
    history: list[tuple[Enrollment, str, bool]]  # every change, in order, even of one row twice


def enrollment_upsert(
    *,
    user,
    course_run: CourseRun,
    mode: str | None = None,
    is_active: bool = True,
    actor=None,
    source: str,
    privileged: bool = False,
    force: bool = False,
) -> EnrollmentResult:
    """Enroll, re-enroll, change the mode of or deactivate one enrollment.

    Raises the EnrollmentError subclass of the rule that refused it.
    """
    [result] = enrollments_bulk_upsert(
        requests=[EnrollmentRequest(user=user, course_run=course_run, mode=mode, is_active=is_active)],
        actor=actor,
        source=source,
        privileged=privileged,
        force=force,
    )
    if result.error is not None:
        raise result.error
    return result


def enrollments_bulk_upsert(
    *,
    requests: Sequence[EnrollmentRequest],
    actor=None,
    source: str,
    privileged: bool = False,
    force: bool = False,
) -> list[EnrollmentResult]:
    """Apply many enrollment requests in one transaction; per-row errors are returned, not raised.

    Rows are applied in order, so a later row sees the effect of an earlier one (capacity,
    a repeated user/run pair). A concurrent insert of the same user/run pair is retried once.
    """
    if not requests:
        return []
    for attempt in (1, 2):
        try:
            with transaction.atomic():
                return _bulk_upsert(requests, actor=actor, source=source, privileged=privileged, force=force)
        except IntegrityError:
            if attempt == 2:
                raise
            log.info("enrollment insert raced with another writer; retrying the batch")
    raise AssertionError("unreachable")


def _bulk_upsert(requests, *, actor, source, privileged, force) -> list[EnrollmentResult]:
    now = timezone.now()
    runs = {req.course_run.pk: req.course_run for req in requests}
    user_ids = {req.user.pk for req in requests}

    capped_ids = [run_id for run_id, run in runs.items() if run.max_enrollments is not None]
    if capped_ids and not force:
        # Serialise enrollments into runs with a capacity so two writers never both take the last seat.
        list(CourseRun.objects.select_for_update().filter(pk__in=capped_ids).values_list("pk", flat=True))

    existing = {
        (e.user_id, e.course_run_id): e
        for e in Enrollment.objects.select_for_update().filter(user_id__in=user_ids, course_run_id__in=runs)
    }
    active_counts: Counter = Counter()
    if capped_ids and not force:
        rows = (
            Enrollment.objects.filter(course_run_id__in=capped_ids, is_active=True, user__is_staff=False)
            .values("course_run_id")
            .annotate(n=Count("id"))
        )
        active_counts.update({row["course_run_id"]: row["n"] for row in rows})

    invited: set[tuple[str, int]] = set()
    invite_run_ids = [run_id for run_id, run in runs.items() if run.invite_only]
    if invite_run_ids and not force:
        emails = {req.user.email.lower() for req in requests if req.user.email}
        invited = set(
            EnrollmentAllowed.objects.filter(course_run_id__in=invite_run_ids, email__in=emails).values_list(
                "email", "course_run_id"
            )
        )

    state = _BatchState(now, existing, active_counts, invited, {}, {}, [])
    results = [_apply_one(req, state, privileged=privileged, force=force) for req in requests]

    created = list(state.to_create.values())
    if created:
        Enrollment.objects.bulk_create(created)
    updated = [e for key, e in state.to_update.items() if key not in state.to_create]
    if updated:
        Enrollment.objects.bulk_update(updated, ["mode", "is_active", "modified"])
    if state.history:
        EnrollmentHistory.objects.bulk_create(
            EnrollmentHistory(enrollment=e, mode=mode, is_active=active, changed_at=now, actor=actor, source=source)
            for e, mode, active in state.history
        )
    return results


def _apply_one(req: EnrollmentRequest, state: _BatchState, *, privileged: bool, force: bool) -> EnrollmentResult:
    run, user = req.course_run, req.user
    key = (user.pk, run.pk)
    current = state.existing.get(key)

    def refuse(error_cls, **extra) -> EnrollmentResult:
        error = error_cls(username=user.username, course_id=run.key, **extra)
        return EnrollmentResult(req, current, None, error)

    if current is not None and current.is_active:
        if not req.is_active:
            if not privileged:
                return EnrollmentResult(req, current, Outcome.UNCHANGED)
            if req.mode and req.mode != current.mode:
                return refuse(EnrollmentModeMismatchError, active_mode=current.mode, requested_mode=req.mode)
            if not user.is_staff:
                state.active_counts[run.pk] -= 1  # the seat is free for later rows of the batch
            return _change(req, state, current, mode=current.mode, is_active=False, outcome=Outcome.DEACTIVATED)
        if not req.mode or req.mode == current.mode or not privileged:
            return EnrollmentResult(req, current, Outcome.UNCHANGED)
        if course_run_mode_get(run, req.mode, now=state.now, include_expired=True) is None:
            return refuse(CourseModeUnavailableError, mode=req.mode)
        return _change(req, state, current, mode=req.mode, is_active=True, outcome=Outcome.UPDATED)

    if not req.is_active:
        if current is not None:  # already inactive: deactivating again is a no-op
            return EnrollmentResult(req, current, Outcome.UNCHANGED)
        mode = req.mode or course_run_default_mode(run, now=state.now)
        if course_run_mode_get(run, mode, now=state.now, include_expired=True) is None:
            return refuse(CourseModeUnavailableError, mode=mode)
        return _change(req, state, None, mode=mode, is_active=False, outcome=Outcome.CREATED)

    # Enroll or re-enroll: every admission rule applies.
    mode = req.mode or course_run_default_mode(run, now=state.now)
    if course_run_mode_get(run, mode, now=state.now, include_expired=force) is None:
        return refuse(CourseModeUnavailableError, mode=mode)
    if not force:
        if not run.enrollment_open_at(state.now):
            return refuse(EnrollmentClosedError)
        if run.invite_only and (user.email.lower(), run.pk) not in state.invited:
            return refuse(InvitationRequiredError)
        if run.max_enrollments is not None and not user.is_staff and state.active_counts[run.pk] >= run.max_enrollments:
            return refuse(CourseFullError)
    if not user.is_staff:
        state.active_counts[run.pk] += 1
    outcome = Outcome.CREATED if current is None else Outcome.REACTIVATED
    return _change(req, state, current, mode=mode, is_active=True, outcome=outcome)


def _change(req, state: _BatchState, current, *, mode: str, is_active: bool, outcome: str) -> EnrollmentResult:
    key = (req.user.pk, req.course_run.pk)
    if current is None:
        current = Enrollment(
            user=req.user,
            course_run=req.course_run,
            mode=mode,
            is_active=is_active,
            created=state.now,
            modified=state.now,
        )
        state.existing[key] = current
        state.to_create[key] = current
    else:
        current.mode, current.is_active, current.modified = mode, is_active, state.now
        state.to_update[key] = current
    state.history.append((current, mode, is_active))
    return EnrollmentResult(req, current, outcome)


@transaction.atomic
def enrollments_bulk_deactivate(
    *, pairs: Sequence[tuple[object, CourseRun]], actor=None, source: str
) -> list[EnrollmentResult]:
    """Unenroll each (user, run) pair that is actively enrolled; never creates rows.

    Outcomes: DEACTIVATED, UNCHANGED (already inactive) or NOT_ENROLLED.
    """
    if not pairs:
        return []
    now = timezone.now()
    existing = {
        (e.user_id, e.course_run_id): e
        for e in Enrollment.objects.select_for_update().filter(
            user_id__in={u.pk for u, _ in pairs}, course_run_id__in={r.pk for _, r in pairs}
        )
    }
    results, changed = [], {}
    for user, run in pairs:
        req = EnrollmentRequest(user=user, course_run=run, is_active=False)
        current = existing.get((user.pk, run.pk))
        if current is None:
            results.append(EnrollmentResult(req, None, Outcome.NOT_ENROLLED))
        elif not current.is_active:
            results.append(EnrollmentResult(req, current, Outcome.UNCHANGED))
        else:
            current.is_active, current.modified = False, now
            changed[current.pk] = current
            results.append(EnrollmentResult(req, current, Outcome.DEACTIVATED))
    if changed:
        Enrollment.objects.bulk_update(changed.values(), ["is_active", "modified"])
        EnrollmentHistory.objects.bulk_create(
            EnrollmentHistory(enrollment=e, mode=e.mode, is_active=False, changed_at=now, actor=actor, source=source)
            for e in changed.values()
        )
    return results


def enrollment_allowed_upsert(*, email: str, course_run: CourseRun, auto_enroll: bool) -> EnrollmentAllowed:
    """Invite an e-mail address into a run (idempotent; ``auto_enroll`` is updated)."""
    allowed, _ = EnrollmentAllowed.objects.update_or_create(
        email=email.strip().lower(), course_run=course_run, defaults={"auto_enroll": auto_enroll}
    )
    return allowed


@transaction.atomic
def enrollments_allowed_apply(*, user) -> list[EnrollmentResult]:
    """Link a new account to the invitations for its e-mail and enroll it where ``auto_enroll``.

    Every pending invitation is linked to the account (it admits the learner to invite-only runs
    later); window and capacity still apply to the auto-enrollments, and a refused one is logged
    rather than failing account creation.
    """
    if not user.email:
        return []
    pending = list(
        EnrollmentAllowed.objects.select_related("course_run")
        .prefetch_related("course_run__modes")
        .filter(email=user.email.lower(), user__isnull=True)
    )
    if not pending:
        return []
    EnrollmentAllowed.objects.filter(pk__in=[a.pk for a in pending]).update(user=user)
    results = enrollments_bulk_upsert(
        requests=[EnrollmentRequest(user=user, course_run=a.course_run) for a in pending if a.auto_enroll],
        actor=user,
        source=Source.ALLOWED,
    )
    for result in results:
        if result.error is not None:
            log.warning("auto-enrollment of %s in %s refused: %s", user.pk, result.request.course_run.key, result.error)
    return results


# --- Bulk enroll / unenroll by identifier (Appsembler bulk-enroll; Open edX instructor semantics) ---


@dataclass(frozen=True)
class IdentifierState:
    """Open edX's EmailEnrollmentState: is there an account, an active enrollment, an invitation
    (allowed-enrollment), and does the invitation auto-enroll."""

    user: bool
    enrollment: bool
    allowed: bool
    auto_enroll: bool


@dataclass(frozen=True)
class IdentifierOutcome:
    identifier: str
    before: IdentifierState | None = None
    after: IdentifierState | None = None
    invalid: bool = False
    error: bool = False
    email: str = ""
    change: str = ""  # enrolled_enroll | allowed_enroll | enrolled_unenroll | allowed_unenroll | ""


def _resolve_identifiers(identifiers: Sequence[str]) -> dict[str, object]:
    """identifier -> User, by username first, then by e-mail in any case (two queries)."""
    by_username = {u.username: u for u in User.objects.filter(username__in=identifiers)}
    lowered = {i.lower() for i in identifiers if "@" in i}
    by_email = (
        {u.email.lower(): u for u in User.objects.annotate(email_ci=Lower("email")).filter(email_ci__in=lowered)}
        if lowered
        else {}
    )
    resolved = {}
    for identifier in identifiers:
        user = by_username.get(identifier) or by_email.get(identifier.lower())
        if user is not None:
            resolved[identifier] = user
    return resolved


@transaction.atomic
def enrollments_bulk_change(
    *,
    action: str,
    identifiers: Sequence[str],
    course_runs: Sequence[CourseRun],
    auto_enroll: bool,
    actor=None,
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
    Returns outcomes per run key, in the order of ``identifiers``.
    """
    if action not in ("enroll", "unenroll"):
        raise ValueError(action)
    identifiers = list(dict.fromkeys(i for i in identifiers if i))
    users = _resolve_identifiers(identifiers)

    emails: dict[str, str] = {}  # identifier -> lower-cased e-mail it stands for
    invalid: set[str] = set()
    for identifier in identifiers:
        user = users.get(identifier)
        if user is not None and user.email:
            emails[identifier] = user.email.lower()
            continue
        if user is not None:
            continue  # an account without e-mail: enrollments only
        try:
            if len(identifier) > EMAIL_MAX_LENGTH:
                raise ValidationError("too long")
            validate_email(identifier)
        except ValidationError:
            invalid.add(identifier)
        else:
            emails[identifier] = identifier.lower()

    run_ids = [run.pk for run in course_runs]
    user_ids = {u.pk for u in users.values()}
    enrolled = set(
        Enrollment.objects.filter(user_id__in=user_ids, course_run_id__in=run_ids, is_active=True).values_list(
            "user_id", "course_run_id"
        )
    )
    allowed = {
        (a.email, a.course_run_id): a
        for a in EnrollmentAllowed.objects.filter(email__in=set(emails.values()), course_run_id__in=run_ids)
    }

    def state(identifier: str, run_id: int) -> IdentifierState:
        user = users.get(identifier)
        invitation = allowed.get((emails.get(identifier, ""), run_id))
        return IdentifierState(
            user=user is not None,
            enrollment=user is not None and (user.pk, run_id) in enrolled,
            allowed=invitation is not None,
            auto_enroll=bool(invitation and invitation.auto_enroll),
        )

    before = {(i, run.pk): state(i, run.pk) for i in identifiers if i not in invalid for run in course_runs}
    changes: dict[tuple[str, int], str] = {}
    errors: set[tuple[str, int]] = set()

    if action == "enroll":
        requests, request_keys = [], []
        new_invitations, changed_invitations = [], []
        for run in course_runs:
            for identifier in identifiers:
                if identifier in invalid:
                    continue
                user = users.get(identifier)
                if user is not None and user.is_active:
                    requests.append(EnrollmentRequest(user=user, course_run=run))
                    request_keys.append((identifier, run.pk))
                    continue
                email = emails.get(identifier)
                if not email:
                    continue
                invitation = allowed.get((email, run.pk))
                if invitation is None:
                    invitation = EnrollmentAllowed(email=email, course_run=run, auto_enroll=auto_enroll)
                    allowed[(email, run.pk)] = invitation
                    new_invitations.append(invitation)
                elif invitation.auto_enroll != auto_enroll:
                    invitation.auto_enroll = auto_enroll
                    changed_invitations.append(invitation)
                else:
                    continue  # invited already, as asked: nothing to tell the learner
                changes[(identifier, run.pk)] = "allowed_enroll"
        results = enrollments_bulk_upsert(requests=requests, actor=actor, source=source, privileged=False, force=True)
        for key, result in zip(request_keys, results, strict=True):
            if result.error is not None:
                errors.add(key)
                continue
            enrolled.add((result.request.user.pk, key[1]))
            if result.outcome != Outcome.UNCHANGED:
                changes[key] = "enrolled_enroll"
        if new_invitations:
            EnrollmentAllowed.objects.bulk_create(new_invitations, ignore_conflicts=True)
        if changed_invitations:
            EnrollmentAllowed.objects.bulk_update(changed_invitations, ["auto_enroll"])
    else:
        pairs, pair_keys, doomed = [], [], []
        for run in course_runs:
            for identifier in identifiers:
                if identifier in invalid:
                    continue
                user = users.get(identifier)
                if user is not None and (user.pk, run.pk) in enrolled:
                    pairs.append((user, run))
                    pair_keys.append((identifier, run.pk))
                invitation = allowed.pop((emails.get(identifier, ""), run.pk), None)
                if invitation is not None:
                    doomed.append(invitation.pk)
                    changes.setdefault((identifier, run.pk), "allowed_unenroll")
        for key, result in zip(
            pair_keys, enrollments_bulk_deactivate(pairs=pairs, actor=actor, source=source), strict=True
        ):
            if result.outcome == Outcome.DEACTIVATED:
                enrolled.discard((result.request.user.pk, key[1]))
                changes[key] = "enrolled_unenroll"
        if doomed:
            EnrollmentAllowed.objects.filter(pk__in=doomed).delete()

    outcomes: dict[str, list[IdentifierOutcome]] = {}
    for run in course_runs:
        rows = []
        for identifier in identifiers:
            key = (identifier, run.pk)
            if identifier in invalid:
                rows.append(IdentifierOutcome(identifier, invalid=True))
            elif key in errors:
                rows.append(IdentifierOutcome(identifier, error=True))
            else:
                rows.append(
                    IdentifierOutcome(
                        identifier,
                        before=before[key],
                        after=state(identifier, run.pk),
                        email=emails.get(identifier, ""),
                        change=changes.get(key, ""),
                    )
                )
        outcomes[run.key] = rows

    if notify:
        messages = [
            (row.change, row.email, run) for run in course_runs for row in outcomes[run.key] if row.change and row.email
        ]
        if messages:
            transaction.on_commit(lambda: enrollment_change_emails_send(messages))
    return outcomes
