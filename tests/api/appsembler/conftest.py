"""Fixtures shared by the Appsembler API contract tests (kept minimal; tokens are real)."""

from __future__ import annotations

import pytest

DEMO_COURSE = "course-v1:edX+DemoX+Demo_Course"


@pytest.fixture
def staff_client(staff, client_for):
    """An APIClient sending a real bearer token of the staff user."""
    return client_for(staff)


@pytest.fixture
def demo_run(make_run):
    """The seed's course run, course-v1:edX+DemoX+Demo_Course, offering audit."""
    return make_run(DEMO_COURSE, modes=("audit",))
