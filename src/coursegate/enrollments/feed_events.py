"""Enrollment changes on the change feed (issue 14 §2): one ``coursegate.enrollment.*`` event per
change a batch pass writes (enrollments/batch.py ``_Batch.write``, which every family's enrollment
write goes through), appended in the batch's transaction as its last write, all in one statement
or one COPY whatever the batch's size.

The type follows the actual transition: a new row is ``created`` (also when it is recorded
inactive), an active enrollment made inactive is ``deactivated``, anything else (a mode change, a
reactivation) is ``changed``. A request that changes nothing makes no event."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from coursegate.enrollments.models import Enrollment
from coursegate.feed import services as feed

# batch.Outcome values to event types; any other outcome that wrote a change is "changed".
_TYPES = {"created": feed.ENROLLMENT_CREATED, "deactivated": feed.ENROLLMENT_DEACTIVATED}

# One change: (outcome, the enrollment, its mode and is_active after the change, username, run key).
EnrollmentChange = tuple[str, Enrollment, str, bool, str, str]


def enrollment_changes_append(changes: Sequence[EnrollmentChange], *, source: str, now: datetime) -> int:
    """Append the feed events of a batch's ``changes`` (in order); returns how many."""
    if not changes or not feed.enabled():
        return 0
    time = feed.iso(now)
    changed = feed.ENROLLMENT_CHANGED
    resource = feed.ENROLLMENT
    return feed.append(
        [
            feed.Change(
                _TYPES.get(outcome, changed),
                resource,
                enrollment.id,
                {
                    "user": username,
                    "user_id": enrollment.user_id,
                    "course_id": course_key,
                    "mode": mode,
                    "is_active": is_active,
                    "source": source,
                    "time": time,
                },
                now,
            )
            for outcome, enrollment, mode, is_active, username, course_key in changes
        ]
    )
