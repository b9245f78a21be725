"""Who may do what in the Open edX Enrollment API (reference/edx_appsembler.md §1.1 "Who may act
for other users"; ARCHITECTURE.md "Authentication and authorization").

- Every endpoint but the public course details needs an authenticated caller.
- Staff (``is_staff``) act for anyone and choose any mode; the staff listing is theirs alone.
- A learner naming another user (by username, or by e-mail at all) gets 404 with an empty body,
  not 403, so another user's enrollments are not revealed (OtherUserHiddenError).
- A learner asking for a mode other than audit or honor gets 403 with the contract's message
  (ModeNeedsStaffError).
- GET /enrollment?user=<someone else> is not refused but filtered to the runs the caller is
  course staff of (``course_staff:<run key>``; ``course_staff:*`` for every run).

The object-level checks judge the parsed request: views call
``self.check_object_permissions(request, target)`` with the parsed ``{"user", "email", "mode"}``,
at the point of the contract's order of checks. The classes raise the contract's errors
themselves, since DRF's own refusal would be a 403 ``{"detail": ...}``.
"""

from __future__ import annotations

from collections.abc import Mapping

from rest_framework.permissions import IsAuthenticated

from coursegate.api.edx_enrollment.errors import ModeNeedsStaffError, OtherUserHiddenError
from coursegate.core.permissions import IsStaff, role_contexts
from coursegate.core.roles import Role

# Open edX lets learners pick these modes themselves; any other mode needs staff.
SELF_SERVICE_MODES = frozenset({"audit", "honor"})


def acts_as_staff(request) -> bool:
    """Staff may act for other users, choose any mode, deactivate and force enrollments."""
    return IsStaff().has_permission(request, None)


class ActsForThemselvesUnlessStaff(IsAuthenticated):
    """A learner may name only themselves, by username; staff may name anyone."""

    def has_object_permission(self, request, view, target: Mapping) -> bool:
        if acts_as_staff(request):
            return True
        username, email = target.get("user"), target.get("email")
        if username and username != request.user.username:
            raise OtherUserHiddenError(username)
        if not username and email:
            raise OtherUserHiddenError(email)
        return True


class ChoosesFreeModesUnlessStaff(IsAuthenticated):
    """A learner may ask for audit or honor (or no mode at all); staff for any mode."""

    def has_object_permission(self, request, view, target: Mapping) -> bool:
        mode = target.get("mode")
        if mode and mode not in SELF_SERVICE_MODES and not acts_as_staff(request):
            raise ModeNeedsStaffError(mode)
        return True


def visible_course_runs(request, username: str) -> set[str] | None:
    """The run keys in which the caller may see ``username``'s enrollments; None means all (the
    caller's own, or staff). Contract: a learner asking for another user is filtered, not refused."""
    if username == request.user.username or acts_as_staff(request):
        return None
    return role_contexts(request, (Role.COURSE_STAFF,))
