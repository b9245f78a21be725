"""Domain errors of the courses app (no HTTP words; each API family's errors.py answers them)."""

from __future__ import annotations

from collections.abc import Iterable

from coursegate.core.exceptions import NotFoundError


class CourseRunNotFoundError(NotFoundError):
    """No course run has this exact key."""

    def __init__(self, key: str):
        super().__init__("course run", key)


class CourseRunsNotFoundError(CourseRunNotFoundError):
    """Some of the course runs named together do not exist; ``keys`` lists those, in the order given."""

    def __init__(self, keys: Iterable[str]):
        self.keys = list(keys)
        NotFoundError.__init__(self, "course runs", ", ".join(self.keys))
