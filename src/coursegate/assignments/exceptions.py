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
    policy_spend_limit_reached, PriceValidationError)."""

    def __init__(self, *, reason: str, user_message: str, policy_uuid, error_message: str = ""):
        super().__init__(user_message)
        self.reason = reason
        self.user_message = user_message
        self.policy_uuid = policy_uuid
        self.error_message = error_message


class AssignmentsNotActionableError(Exception):
    """Some requested assignments are unknown in the configuration or in a state that does not
    allow the action; nothing was changed."""

    def __init__(self, *, action: str, unknown: list[str], not_actionable: list[str]):
        super().__init__(f"cannot {action}")
        self.action = action
        self.unknown = unknown
        self.not_actionable = not_actionable
