"""Domain errors of enrollment codes."""


class EnrollmentCodeError(Exception):
    """Base class."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


class EnrollmentCodeUnusableError(EnrollmentCodeError):
    """The code does not exist, is cancelled, or has been used."""


class EnrollmentCodeNotFoundError(EnrollmentCodeError):
    """No such code."""


class EnrollmentCodeUserNotFoundError(Exception):
    """No account has the e-mail address the code is redeemed for."""


class AlreadyEnrolledError(Exception):
    """The learner is already actively enrolled in the code's run."""
