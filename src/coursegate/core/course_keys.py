"""Course and course-run keys.

Two run-key forms are valid (ARCHITECTURE.md, "Course keys"):
- ``course-v1:Org+Course+Run`` (and the two-part ``course-v1:Org+Course`` seen in seed 003);
- the legacy ``Org/Course/Run``.
A course (catalog level) is ``Org+Course``. Keys are kept exactly as given (case included);
parsing only decides whether a string is well-formed and splits it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Letters, digits, underscore, dot, hyphen and tilde inside a part, as Open edX opaque keys allow;
# a run may also hold ':'.
_PART = r"[\w.\-~]+"
_RUN = r"[\w.\-~:]+"
# Used with fullmatch: "$" would also accept a trailing newline.
_NEW_RUN = re.compile(rf"course-v1:(?P<org>{_PART})\+(?P<course>{_PART})(?:\+(?P<run>{_RUN}))?")
_LEGACY_RUN = re.compile(rf"(?P<org>{_PART})/(?P<course>{_PART})/(?P<run>{_RUN})")
_COURSE = re.compile(rf"(?P<org>{_PART})\+(?P<course>{_PART})")

MAX_KEY_LENGTH = 255


class InvalidKeyError(ValueError):
    """The string is not a well-formed course or course-run key."""


@dataclass(frozen=True)
class CourseRunKey:
    org: str
    course: str
    run: str
    legacy: bool
    raw: str

    @property
    def course_key(self) -> str:
        """The catalog-level course this run belongs to, ``Org+Course``."""
        return f"{self.org}+{self.course}"

    def __str__(self) -> str:
        return self.raw


def parse_course_run_key(value: str) -> CourseRunKey:
    """Parse a course-run key in either form; raise InvalidKeyError otherwise."""
    if not isinstance(value, str) or not value or len(value) > MAX_KEY_LENGTH:
        raise InvalidKeyError(value)
    if match := _NEW_RUN.fullmatch(value):
        return CourseRunKey(match["org"], match["course"], match["run"] or "", False, value)
    if match := _LEGACY_RUN.fullmatch(value):
        return CourseRunKey(match["org"], match["course"], match["run"], True, value)
    raise InvalidKeyError(value)


def is_course_run_key(value: str) -> bool:
    try:
        parse_course_run_key(value)
    except InvalidKeyError:
        return False
    return True


def parse_course_key(value: str) -> tuple[str, str]:
    """Parse a catalog-level course key ``Org+Course`` into (org, course)."""
    if not isinstance(value, str) or len(value) > MAX_KEY_LENGTH or not (match := _COURSE.fullmatch(value)):
        raise InvalidKeyError(value)
    return match["org"], match["course"]
