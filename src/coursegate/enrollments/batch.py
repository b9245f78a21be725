"""The set-based enrollment pass behind every enrollment write (single, bulk, deactivation).

``enrollments_bulk_upsert`` holds every rule (mode offered and unexpired, enrollment window open,
invitation for invite-only runs, capacity); ``enrollment_upsert`` is the same function called
with one row; ``enrollments_bulk_deactivate`` runs the same pass without ever creating a row. A
batch costs a constant number of queries whatever its size: lock the capped runs, load the
existing rows, count active enrollments, check invitations, insert, update, write history.

Semantics follow the Open edX Enrollment API (seed 002, reference/edx_appsembler.md §1.6):
- enrolling an active learner again changes nothing (UNCHANGED); a *privileged* caller (staff)
  may change the mode of an active enrollment;
- ``is_active=False`` deactivates (privileged callers only; others get UNCHANGED) and refuses a
  mode that differs from the active one (EnrollmentModeMismatchError);
- a mode a request names must be one the run offers (expired ones count for staff and for
  deactivations), also when the enrollment exists and nothing would change
  (CourseModeUnavailableError);
- ``force`` lets staff enroll outside the window, past capacity, without an invitation and into
  expired modes.
Every deactivation, whoever asks for it, goes through ``_deactivate``: the enrollment keeps its
mode, its seat is freed for later rows of the batch, and the history records it.

The app's public import path is ``coursegate.enrollments.services``, which re-exports this module.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.db import IntegrityError, connection, transaction
from django.db.models import Count
from django.utils import timezone

from coursegate.accounts.models import User
from coursegate.courses.models import CourseRun
from coursegate.courses.selectors import course_run_default_mode, course_run_mode_get
from coursegate.enrollments.bulk_rows import collector_paused, new_enrollment, plain_model
from coursegate.enrollments.exceptions import (
    CourseFullError,
    CourseModeUnavailableError,
    EnrollmentClosedError,
    EnrollmentError,
    EnrollmentModeMismatchError,
    InvitationRequiredError,
)
from coursegate.enrollments.feed_events import enrollment_changes_append
from coursegate.enrollments.models import Enrollment, EnrollmentAllowed
from coursegate.enrollments.sql import enrollments_insert, enrollments_update, history_insert

log = logging.getLogger(__name__)

Pair = tuple[int, int]  # (user id, course run id); per-row code reads `.id`, an attribute, not the `.pk` property


class Outcome:
    CREATED = "created"
    REACTIVATED = "reactivated"
    UPDATED = "updated"
    DEACTIVATED = "deactivated"
    UNCHANGED = "unchanged"
    NOT_ENROLLED = "not_enrolled"


@dataclass(frozen=True, slots=True)
class EnrollmentRequest:
    """One row of a batch: put ``user`` in ``course_run`` with ``mode``, active or not. ``mode=None``
    keeps an active enrollment's mode and otherwise means the run's default mode."""

    user: User
    course_run: CourseRun
    mode: str | None = None
    is_active: bool = True


@dataclass(frozen=True, slots=True)
class EnrollmentResult:
    request: EnrollmentRequest
    enrollment: Enrollment | None
    outcome: str | None
    error: EnrollmentError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass
class _Batch:
    """One pass: the rows loaded up front, then the changes to write at the end."""

    now: datetime
    existing: dict[Pair, Enrollment]
    active_counts: Counter[int] = field(default_factory=Counter)
    invited: set[tuple[str, int]] = field(default_factory=set)
    to_create: dict[Pair, Enrollment] = field(default_factory=dict)
    to_update: dict[Pair, Enrollment] = field(default_factory=dict)
    history: list[tuple[Enrollment, str, bool]] = field(default_factory=list)  # every change, in order
    feed: list[tuple[str, str, str]] = field(default_factory=list)  # (outcome, username, run key) per change
    plain_model: bool = field(default_factory=plain_model)
    # What the run's modes answer, asked once per run (and slug) rather than once per row.
    _default_modes: dict[int, str] = field(default_factory=dict)
    _offered: dict[tuple[int, str, bool], bool] = field(default_factory=dict)

    def default_mode(self, run: CourseRun) -> str:
        mode = self._default_modes.get(run.id)
        if mode is None:
            mode = self._default_modes[run.id] = course_run_default_mode(run, now=self.now)
        return mode

    def offers(self, run: CourseRun, slug: str, *, include_expired: bool) -> bool:
        key = (run.id, slug, include_expired)
        offered = self._offered.get(key)
        if offered is None:
            offered = self._offered[key] = (
                course_run_mode_get(run, slug, now=self.now, include_expired=include_expired) is not None
            )
        return offered

    def write(self, *, actor: User | None, source: str) -> None:
        """Insert the new rows, update the changed ones and record every change: three statements
        (enrollments/sql.py), each one whatever the number of rows."""
        created = self.to_create
        if created:
            ids = enrollments_insert([(u, r, e.mode, e.is_active) for (u, r), e in created.items()], now=self.now)
            alias = connection.alias
            for key, enrollment in created.items():
                enrollment.id = ids[key]
                enrollment._state.adding, enrollment._state.db = False, alias
        enrollments_update(
            [(e.id, e.mode, e.is_active) for key, e in self.to_update.items() if key not in created], now=self.now
        )
        history_insert(
            [(e.id, mode, active) for e, mode, active in self.history],
            now=self.now,
            actor_id=actor.pk if actor is not None else None,
            source=source,
        )
        # The change feed's events, the pass's last write (the feed's lock is held until commit).
        enrollment_changes_append(
            [(o, e, m, a, u, k) for (e, m, a), (o, u, k) in zip(self.history, self.feed, strict=True)],
            source=source,
            now=self.now,
        )


def enrollment_upsert(
    *,
    user: User,
    course_run: CourseRun,
    mode: str | None = None,
    is_active: bool = True,
    actor: User | None = None,
    source: str,
    privileged: bool = False,
    force: bool = False,
) -> EnrollmentResult:
    """Enroll, re-enroll, change the mode of or deactivate one enrollment.

    The rules of ``enrollments_bulk_upsert``, for one row. Raises the EnrollmentError subclass of
    the rule that refused it (CourseModeUnavailableError, EnrollmentClosedError,
    InvitationRequiredError, CourseFullError, EnrollmentModeMismatchError).
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


@collector_paused()
def enrollments_bulk_upsert(
    *,
    requests: Sequence[EnrollmentRequest],
    actor: User | None = None,
    source: str,
    privileged: bool = False,
    force: bool = False,
) -> list[EnrollmentResult]:
    """Apply many enrollment requests in one transaction; per-row errors are returned, not raised.

    Rows are applied in order, so a later row sees the effect of an earlier one (capacity,
    a repeated user/run pair). A concurrent insert of the same user/run pair is retried once
    (a second IntegrityError is raised). An empty batch costs no query.
    """
    if not requests:
        return []
    for attempt in (1, 2):
        try:
            with transaction.atomic():
                return _upsert(requests, actor=actor, source=source, privileged=privileged, force=force)
        except IntegrityError:
            if attempt == 2:
                raise
            log.info("enrollment insert raced with another writer; retrying the batch")
    raise AssertionError("unreachable")


@collector_paused()
@transaction.atomic
def enrollments_bulk_deactivate(
    *, pairs: Sequence[tuple[User, CourseRun]], actor: User | None = None, source: str
) -> list[EnrollmentResult]:
    """Unenroll each (user, run) pair that is actively enrolled; never creates rows.

    Outcomes: DEACTIVATED, UNCHANGED (already inactive, or deactivated by an earlier pair) or
    NOT_ENROLLED. Never raises an EnrollmentError: deactivation refuses nobody.
    """
    if not pairs:
        return []
    batch = _Batch(timezone.now(), _existing_rows({u.id for u, _ in pairs}, {r.id for _, r in pairs}))
    results = []
    for user, run in pairs:
        req = EnrollmentRequest(user=user, course_run=run, is_active=False)
        current = batch.existing.get((user.id, run.id))
        if current is None:
            results.append(EnrollmentResult(req, None, Outcome.NOT_ENROLLED))
        elif not current.is_active:
            results.append(EnrollmentResult(req, current, Outcome.UNCHANGED))
        else:
            results.append(_deactivate(req, batch, current))
    batch.write(actor=actor, source=source)
    return results


# --- Loading a batch -----------------------------------------------------------------------------


def _upsert(
    requests: Sequence[EnrollmentRequest], *, actor: User | None, source: str, privileged: bool, force: bool
) -> list[EnrollmentResult]:
    runs = {req.course_run.id: req.course_run for req in requests}
    capped_ids = [run_id for run_id, run in runs.items() if run.max_enrollments is not None]
    if capped_ids and not force:
        _lock_runs(capped_ids)
    batch = _Batch(timezone.now(), _existing_rows({req.user.id for req in requests}, set(runs)))
    if capped_ids and not force:
        batch.active_counts = _active_counts(capped_ids)
    invite_run_ids = [run_id for run_id, run in runs.items() if run.invite_only]
    if invite_run_ids and not force:
        batch.invited = _invitations(invite_run_ids, {req.user.email.lower() for req in requests if req.user.email})
    results = [_apply_one(req, batch, privileged=privileged, force=force) for req in requests]
    batch.write(actor=actor, source=source)
    return results


def _lock_runs(run_ids: list[int]) -> None:
    # Serialise enrollments into runs with a capacity so two writers never both take the last seat.
    list(CourseRun.objects.select_for_update().filter(pk__in=run_ids).values_list("pk", flat=True))


def _existing_rows(user_ids: set[int], run_ids: set[int]) -> dict[Pair, Enrollment]:
    rows = Enrollment.objects.select_for_update().filter(user_id__in=user_ids, course_run_id__in=run_ids)
    return {(e.user_id, e.course_run_id): e for e in rows}


def _active_counts(run_ids: list[int]) -> Counter[int]:
    """Seats taken per run: active enrollments of non-staff users (staff take no seat)."""
    rows = (
        Enrollment.objects.filter(course_run_id__in=run_ids, is_active=True, user__is_staff=False)
        .values("course_run_id")
        .annotate(n=Count("id"))
    )
    return Counter({row["course_run_id"]: row["n"] for row in rows})


def _invitations(run_ids: list[int], emails: set[str]) -> set[tuple[str, int]]:
    pairs = EnrollmentAllowed.objects.filter(course_run_id__in=run_ids, email__in=emails).values_list(
        "email", "course_run_id"
    )
    return set(pairs)


# --- The rules, one row at a time ----------------------------------------------------------------


def _apply_one(req: EnrollmentRequest, batch: _Batch, *, privileged: bool, force: bool) -> EnrollmentResult:
    current = batch.existing.get((req.user.id, req.course_run.id))
    if current is not None and current.is_active:
        return _change_active(req, batch, current, privileged=privileged)
    if not req.is_active:
        return _record_inactive(req, batch, current)
    return _admit(req, batch, current, force=force)


def _refuse(req: EnrollmentRequest, current: Enrollment | None, error_cls, **extra) -> EnrollmentResult:
    error = error_cls(username=req.user.username, course_id=req.course_run.key, **extra)
    return EnrollmentResult(req, current, None, error)


def _change_active(req: EnrollmentRequest, batch: _Batch, current: Enrollment, *, privileged: bool) -> EnrollmentResult:
    """An active enrollment: only a privileged caller deactivates it or changes its mode. A mode
    the request names must be one the run offers, even when nothing would change (below)."""
    if not privileged:
        # The reference's add path validates the named mode before finding the learner enrolled.
        if _mode_unoffered(req, batch, include_expired=not req.is_active):
            return _refuse(req, current, CourseModeUnavailableError, mode=req.mode)
        return EnrollmentResult(req, current, Outcome.UNCHANGED)
    if not req.is_active:
        if req.mode and req.mode != current.mode:
            return _refuse(req, current, EnrollmentModeMismatchError, active_mode=current.mode, requested_mode=req.mode)
        if _mode_unoffered(req, batch, include_expired=True):  # the run no longer has the enrollment's mode
            return _refuse(req, current, CourseModeUnavailableError, mode=req.mode)
        return _deactivate(req, batch, current)
    if not req.mode:
        return EnrollmentResult(req, current, Outcome.UNCHANGED)
    if _mode_unoffered(req, batch, include_expired=True):
        return _refuse(req, current, CourseModeUnavailableError, mode=req.mode)
    if req.mode == current.mode:
        return EnrollmentResult(req, current, Outcome.UNCHANGED)
    return _change(req, batch, current, mode=req.mode, is_active=True, outcome=Outcome.UPDATED)


def _mode_unoffered(req: EnrollmentRequest, batch: _Batch, *, include_expired: bool) -> bool:
    """The request names a mode and the run does not offer it (reference/edx_appsembler.md §1.6
    step 13: an update validates the mode it names, a deactivation among expired modes too)."""
    return bool(req.mode) and not batch.offers(req.course_run, str(req.mode), include_expired=include_expired)


def _record_inactive(req: EnrollmentRequest, batch: _Batch, current: Enrollment | None) -> EnrollmentResult:
    """``is_active=False`` with no active enrollment: an inactive row is recorded once."""
    if current is not None:  # already inactive: deactivating again is a no-op, in a mode the run offers
        if _mode_unoffered(req, batch, include_expired=True):
            return _refuse(req, current, CourseModeUnavailableError, mode=req.mode)
        return EnrollmentResult(req, current, Outcome.UNCHANGED)
    mode = req.mode or batch.default_mode(req.course_run)
    if not batch.offers(req.course_run, mode, include_expired=True):
        return _refuse(req, current, CourseModeUnavailableError, mode=mode)
    return _change(req, batch, None, mode=mode, is_active=False, outcome=Outcome.CREATED)


def _admit(req: EnrollmentRequest, batch: _Batch, current: Enrollment | None, *, force: bool) -> EnrollmentResult:
    """Enroll or re-enroll: every admission rule applies (``force`` skips all but the mode's
    existence)."""
    run, user = req.course_run, req.user
    mode = req.mode or batch.default_mode(run)
    if not batch.offers(run, mode, include_expired=force):
        return _refuse(req, current, CourseModeUnavailableError, mode=mode)
    if not force:
        if not run.enrollment_open_at(batch.now):
            return _refuse(req, current, EnrollmentClosedError)
        if run.invite_only and (user.email.lower(), run.id) not in batch.invited:
            return _refuse(req, current, InvitationRequiredError)
        if run.max_enrollments is not None and not user.is_staff and batch.active_counts[run.id] >= run.max_enrollments:
            return _refuse(req, current, CourseFullError)
    if not user.is_staff:
        batch.active_counts[run.id] += 1
    outcome = Outcome.CREATED if current is None else Outcome.REACTIVATED
    return _change(req, batch, current, mode=mode, is_active=True, outcome=outcome)


def _deactivate(req: EnrollmentRequest, batch: _Batch, current: Enrollment) -> EnrollmentResult:
    """The one deactivation path: the active enrollment keeps its mode and frees its seat for
    later rows of the batch (staff hold none)."""
    if not req.user.is_staff:
        batch.active_counts[req.course_run.id] -= 1
    return _change(req, batch, current, mode=current.mode, is_active=False, outcome=Outcome.DEACTIVATED)


def _change(
    req: EnrollmentRequest, batch: _Batch, current: Enrollment | None, *, mode: str, is_active: bool, outcome: str
) -> EnrollmentResult:
    key = (req.user.id, req.course_run.id)
    if current is None:
        user, run = req.user, req.course_run
        current = new_enrollment(user, run, mode=mode, is_active=is_active, now=batch.now, plain=batch.plain_model)
        batch.existing[key] = current
        batch.to_create[key] = current
    else:
        current.mode, current.is_active, current.modified = mode, is_active, batch.now
        batch.to_update[key] = current
    batch.history.append((current, mode, is_active))
    batch.feed.append((outcome, req.user.username, req.course_run.key))
    return EnrollmentResult(req, current, outcome)
