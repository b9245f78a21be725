"""Domain errors of bulk license enrollment jobs. The Enterprise API maps them to its statuses and
bodies (api/enterprise/errors.py, one table); an unknown job is core's NotFoundError."""

from __future__ import annotations

from coursegate.core.exceptions import NotFoundError


class BulkEnrollmentJobError(Exception):
    """Base class: a bulk license enrollment request or read that the rules refuse."""


class BulkEnrollmentRequestInvalidError(BulkEnrollmentJobError):
    """The request names invalid e-mails or course run keys, or is too large; nothing was recorded.

    ``errors`` maps an input name (``emails``, ``course_run_keys``, ``subscription_uuid``,
    ``non_field_errors``) to a list of messages.
    """

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        super().__init__("; ".join(f"{field}: {' '.join(messages)}" for field, messages in errors.items()))


class BulkEnrollmentJobNotFoundError(BulkEnrollmentJobError, NotFoundError):
    """No bulk enrollment job with that uuid."""

    def __init__(self, key: object = None):
        super().__init__("bulk enrollment job", key)


class BulkEnrollmentJobCustomerMismatchError(BulkEnrollmentJobError):
    """The job exists but belongs to another customer than the one it was read through."""
