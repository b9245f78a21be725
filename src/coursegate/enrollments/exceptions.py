"""Domain errors of enrollments. Each API family maps them to its own status and body."""

from __future__ import annotations


class EnrollmentError(Exception):
    """Base class: an enrollment change that the rules refuse."""

    def __init__(self, *, username: str = "", course_id: str = "", message: str = ""):
        self.username = username
        self.course_id = course_id
        super().__init__(message or (self.__class__.__doc__ or self.__class__.__name__).strip().splitlines()[0])


class CourseModeUnavailableError(EnrollmentError):
    """The requested mode is not offered (or has expired) for this run."""

    def __init__(self, *, mode: str, **kwargs):
        self.mode = mode
        super().__init__(**kwargs)


class EnrollmentClosedError(EnrollmentError):
    """The run's enrollment window is not open."""


class InvitationRequiredError(EnrollmentClosedError):
    """The run is invite-only and this learner has no invitation."""


class CourseFullError(EnrollmentError):
    """The run has reached its maximum number of enrollments."""


class EnrollmentModeMismatchError(EnrollmentError):
    """A deactivation named a mode other than the enrollment's active mode."""

    def __init__(self, *, active_mode: str, requested_mode: str, **kwargs):
        self.active_mode = active_mode
        self.requested_mode = requested_mode
        super().__init__(**kwargs)
