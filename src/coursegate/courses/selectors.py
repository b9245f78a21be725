"""Reads of courses, runs and modes."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from coursegate.courses.exceptions import CourseRunNotFoundError, CourseRunsNotFoundError
from coursegate.courses.models import CourseRun

# Open edX reports this mode for a run that defines none (CourseMode.DEFAULT_MODE).
DEFAULT_MODE_SLUG = "audit"


@dataclass(frozen=True)
class DefaultMode:
    """The platform's implicit mode for runs without CourseMode rows (not stored)."""

    slug: str = DEFAULT_MODE_SLUG
    name: str = "Audit"
    min_price: int = 0
    suggested_prices: tuple = ()
    currency: str = "usd"
    expiration_datetime: None = None
    description: None = None
    sku: None = None
    bulk_sku: None = None

    def is_expired_at(self, when: datetime) -> bool:
        return False


def course_run_get(key: str) -> CourseRun | None:
    """The run with this exact key, its course and modes loaded (2 queries)."""
    return CourseRun.objects.select_related("course").prefetch_related("modes").filter(key=key).first()


def course_run_require(key: str) -> CourseRun:
    """As ``course_run_get``, for a run that must exist: raises CourseRunNotFoundError otherwise."""
    run = course_run_get(key)
    if run is None:
        raise CourseRunNotFoundError(key)
    return run


def course_runs_by_key(keys: Iterable[str]) -> dict[str, CourseRun]:
    runs = CourseRun.objects.select_related("course").prefetch_related("modes").filter(key__in=set(keys))
    return {run.key: run for run in runs}


def course_runs_require(keys: Sequence[str]) -> list[CourseRun]:
    """The runs with these exact keys, in the order given, course and modes loaded (2 queries).
    Raises CourseRunsNotFoundError naming the missing keys if any does not exist."""
    runs = course_runs_by_key(keys)
    missing = [key for key in keys if key not in runs]
    if missing:
        raise CourseRunsNotFoundError(missing)
    return [runs[key] for key in keys]


def course_run_modes(run: CourseRun, *, now: datetime, include_expired: bool = False) -> list:
    """The run's modes (from the prefetch cache), unexpired unless asked; the default mode if none
    are defined at all."""
    modes: list = list(run.modes.all())
    if not modes:
        return [DefaultMode()]
    if include_expired:
        return modes
    return [mode for mode in modes if not mode.is_expired_at(now)]


def course_run_mode_get(run: CourseRun, slug: str, *, now: datetime, include_expired: bool = False):
    for mode in course_run_modes(run, now=now, include_expired=include_expired):
        if mode.slug == slug:
            return mode
    return None


# The track an enterprise pays for (a license, learner credit): the best mode the run offers, in
# edx-enterprise's get_best_mode_from_course_key order.
PAID_MODE_PRIORITY = ("verified", "professional", "no-id-professional", "honor", "audit")


def course_run_best_paid_mode(run: CourseRun, *, now: datetime) -> str | None:
    """The first of PAID_MODE_PRIORITY the run offers now, or None when it offers none of them."""
    offered = {mode.slug for mode in course_run_modes(run, now=now)}
    return next((slug for slug in PAID_MODE_PRIORITY if slug in offered), None)


def course_run_default_mode(run: CourseRun, *, now: datetime) -> str:
    """Open edX's ``_default_course_mode``: ``audit`` if offered, else ``honor``, else the platform
    default ``audit`` — never a paid mode, so a run offering only paid modes refuses a default
    enrollment instead of enrolling a learner in a paid track for free."""
    slugs = {mode.slug for mode in course_run_modes(run, now=now)}
    if "audit" not in slugs and "honor" in slugs:
        return "honor"
    return DEFAULT_MODE_SLUG
