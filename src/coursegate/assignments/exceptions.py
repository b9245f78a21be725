"""Domain errors of policy allocation and assignment administration (the Enterprise API maps them
in one table; unknown policies and configurations are core's NotFoundError, answered 404)."""

from __future__ import annotations

from coursegate.core.exceptions import NotFoundError


class PolicyNotFoundError(NotFoundError):
    """No subsidy access policy with that uuid (a malformed uuid included)."""

    def __init__(self, key: object = None):
        super().__init__("subsidy access policy", key)


class AssignmentConfigurationNotFoundError(NotFoundError):
    """No assignment configuration with that uuid (a malformed uuid included)."""

    def __init__(self, key: object = None):
        super().__init__("assignment configuration", key)


class AllocationRefusedError(Exception):
    """A business rule refuses the allocation; ``reason`` is the reference's code
    (policy_expired, content_not_in_catalog, subsidy_expired, not_enough_value_in_subsidy,
    policy_spend_limit_reached, PriceValidationError). ``entry`` is the answer's element
    (reasons.reason_entry: reason, user_message, policy_uuids, metadata)."""

    def __init__(self, *, entry: dict, error_message: str = ""):
        super().__init__(entry["user_message"] or entry["reason"])
        self.entry = entry
        self.reason = entry["reason"]
        self.error_message = error_message


class RedemptionRefusedError(Exception):
    """The learner cannot redeem this content with this policy; ``entries`` lists why
    (reasons.reason_entry each). Nothing was written."""

    def __init__(self, entries: list[dict]):
        super().__init__(", ".join(e["reason"] for e in entries))
        self.entries = entries


class PolicyLockedError(Exception):
    """Another redemption holds the policy's lock; the client may retry."""

    message = "Enrollment currently locked for this subsidy access policy."


class NoAssignmentsToActOnError(Exception):
    """remind-all / cancel-all matched no assignment the action applies to (reference: 404, empty)."""

    def __init__(self, action: str):
        super().__init__(f"no assignment to {action}")
        self.action = action


class AssignmentsNotActionableError(Exception):
    """Some requested assignments are unknown in the configuration or in a state that does not
    allow the action; nothing was changed."""

    def __init__(self, *, action: str, unknown: list[str], not_actionable: list[str]):
        super().__init__(f"cannot {action}")
        self.action = action
        self.unknown = unknown
        self.not_actionable = not_actionable
