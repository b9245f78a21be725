"""Domain errors of subscription plans and licenses. The Enterprise API maps them to its statuses
and bodies (api/enterprise/errors.py, one table); an unknown plan is core's NotFoundError."""

from __future__ import annotations

from coursegate.core.exceptions import NotFoundError


class PlanNotFoundError(NotFoundError):
    """No subscription plan with that uuid (a malformed uuid included)."""

    def __init__(self, key: object = None):
        super().__init__("subscription plan", key)


class SubscriptionError(Exception):
    """Base class: a license operation that the rules refuse."""

    def __init__(self, message: str = ""):
        self.message = message or (self.__class__.__doc__ or self.__class__.__name__).strip().splitlines()[0]
        super().__init__(self.message)


class LicenseAssignInputError(SubscriptionError):
    """The assignment request is malformed (bad e-mail, Salesforce ids not matching the e-mails)."""


class LicenseShortageError(SubscriptionError):
    """The plan has fewer unassigned licenses than e-mails to assign."""

    def __init__(self, *, requested: int, available: int):
        self.requested = requested
        self.available = available
        super().__init__(
            "There are not enough licenses that can be assigned to complete your request. "
            f"You attempted to assign {requested} licenses, but there are only {available} potentially available."
        )


class LicenseStateError(SubscriptionError):
    """The license is not in a state that allows this change."""


class LicenseFilterError(SubscriptionError):
    """A bulk-revoke filter is malformed."""


class LicenseRevokeInputError(SubscriptionError):
    """Exactly one of user_emails or filters must be given."""


class LicenseRevocationFailure(SubscriptionError):
    """Base class of the bulk-revoke failures that name e-mails; nothing was revoked."""

    def __init__(self, message: str, *, emails: list[str]):
        self.emails = list(emails)
        super().__init__(message)


class LicenseNotFoundError(LicenseRevocationFailure):
    """Some e-mails hold no assigned or activated license in the plan."""


class LicenseRevocationCapError(LicenseRevocationFailure):
    """Revoking these activated licenses would exceed the plan's revocation cap."""


class LicenseRevocationError(LicenseRevocationFailure):
    """The revocation failed for another reason (e.g. a database error)."""


class ActivationKeyNotFoundError(NotFoundError):
    """No license with that activation key for the caller's e-mail in a plan active now (an
    unknown key and another learner's key look alike)."""

    def __init__(self, key: object = None):
        super().__init__("license", key)


class LicenseRevokedError(SubscriptionError):
    """Cannot activate a revoked license."""


class RevokeAllCapError(SubscriptionError):
    """The plan has a revocation cap, so its licenses cannot all be revoked at once."""

    def __init__(self):
        # license-manager's message, word for word (reference/learner_side.md §4.6)
        super().__init__("Cannot revoke all licenses when revocation cap is enabled for the subscription plan")


class NoPendingLicensesError(SubscriptionError):
    """Nothing to remind: no license pending activation matches (reference/learner_side.md §4.4,
    §4.5). ``message`` is license-manager's sentence, naming the first e-mail when e-mails were
    given."""

    def __init__(self, email: str | None = None):
        if email is None:
            super().__init__("Could not find any licenses pending activation")
        else:
            super().__init__(
                f"Could not find any licenses pending activation that are associated with the email: {email}"
            )
