"""Why learner credit cannot be used: the reason codes and the learner-facing messages of
enterprise-access (subsidy_access_policy/constants.py, ``MissingSubsidyAccessReasonUserMessages``,
and the view's reason -> message table; reference/learner_side.md §5).

Allocation refusals (admin side), redemption refusals and ``can-redeem`` answers all describe a
reason with :func:`reason_entry`, so the three speak alike:
``{"reason", "user_message", "policy_uuids", "metadata": {"enterprise_administrators": [...]}}``.
"""

from __future__ import annotations

from collections.abc import Iterable

from coursegate.accounts.models import RoleAssignment
from coursegate.core.roles import Role

POLICY_EXPIRED = "policy_expired"
SUBSIDY_EXPIRED = "subsidy_expired"
CONTENT_NOT_IN_CATALOG = "content_not_in_catalog"
BEYOND_ENROLLMENT_DEADLINE = "beyond_enrollment_deadline"
LEARNER_NOT_IN_ENTERPRISE = "learner_not_in_enterprise"
NOT_ENOUGH_VALUE_IN_SUBSIDY = "not_enough_value_in_subsidy"
POLICY_SPEND_LIMIT_REACHED = "policy_spend_limit_reached"
LEARNER_NOT_ASSIGNED_CONTENT = "reason_learner_not_assigned_content"
LEARNER_ASSIGNMENT_CANCELLED = "reason_learner_assignment_cancelled"
LEARNER_ASSIGNMENT_FAILED = "reason_learner_assignment_failed"
LEARNER_ASSIGNMENT_EXPIRED = "reason_learner_assignment_expired"
LEARNER_ASSIGNMENT_REVERSED = "reason_learner_assignment_reversed"
# Coursegate's own allocation check (the reference's PriceValidationError of allocate).
PRICE_VALIDATION = "PriceValidationError"

_NO_FUNDS = "You can't enroll right now because your organization doesn't have enough funds."
_FUNDS_EXPIRED = "You can't enroll right now because your funds expired."
_NOT_ASSIGNED = "You can't enroll right now because this course is not assigned to you."
# Without any admin to turn to, the reference adds where to go.
_NO_ADMINS_SUFFIX = {
    _NO_FUNDS: " Contact your administrator to request more.",
    _FUNDS_EXPIRED: " Contact your administrator for help.",
}

USER_MESSAGES: dict[str, str] = {
    # The reference answers "no funds" for an expired *policy* and "funds expired" for an expired
    # *subsidy*; Coursegate keeps that pairing so portals show the same sentence.
    POLICY_EXPIRED: _NO_FUNDS,
    SUBSIDY_EXPIRED: _FUNDS_EXPIRED,
    NOT_ENOUGH_VALUE_IN_SUBSIDY: _NO_FUNDS,
    POLICY_SPEND_LIMIT_REACHED: _NO_FUNDS,
    LEARNER_NOT_IN_ENTERPRISE: (
        "You can't enroll right now because your account is no longer associated with the organization."
    ),
    CONTENT_NOT_IN_CATALOG: (
        "You can't enroll right now because this course is no longer available in your organization's catalog."
    ),
    BEYOND_ENROLLMENT_DEADLINE: (
        "You can't enroll right now because the enrollment deadline for this course has passed."
    ),
    LEARNER_NOT_ASSIGNED_CONTENT: _NOT_ASSIGNED,
    # The reference's sentence, its doubled "right now" included: portals match on it.
    LEARNER_ASSIGNMENT_CANCELLED: (
        "You can't enroll right now right now because your administrator canceled your course assignment."
    ),
    LEARNER_ASSIGNMENT_FAILED: _NOT_ASSIGNED,
    # The reference has no message for these two (null); Coursegate says the assignment is not there.
    LEARNER_ASSIGNMENT_EXPIRED: _NOT_ASSIGNED,
    LEARNER_ASSIGNMENT_REVERSED: _NOT_ASSIGNED,
    PRICE_VALIDATION: "An error occurred while validating the provided price.",
}


def customer_admin_emails(customer_id: object) -> list[dict[str, str]]:
    """``[{"email": ...}]`` of the customer's admins (``enterprise_admin:<customer>``), by e-mail;
    one query."""
    emails = (
        RoleAssignment.objects.filter(role=Role.ENTERPRISE_ADMIN, context=str(customer_id))
        .exclude(user__email="")
        .values_list("user__email", flat=True)
        .order_by("user__email")
        .distinct()
    )
    return [{"email": email} for email in emails]


def user_message(reason: str, administrators: list[dict[str, str]]) -> str | None:
    message = USER_MESSAGES.get(reason)
    if message is None:
        return None
    return message if administrators else message + _NO_ADMINS_SUFFIX.get(message, "")


def reason_entry(reason: str, policy_uuids: Iterable[object], administrators: list[dict[str, str]]) -> dict:
    """One element of a refusal list, as the reference renders it."""
    return {
        "reason": reason,
        "user_message": user_message(reason, administrators),
        "policy_uuids": [str(u) for u in policy_uuids],
        "metadata": {"enterprise_administrators": administrators},
    }
