"""Fixtures of the Enrollment API contract tests (seed 002; reference/edx_appsembler.md §1, §6).

Every request goes through real tokens from POST /oauth2/access_token (tests/conftest.py).
State that a test starts from (an existing enrollment, a past enrollment window) is written with
the domain service or the ORM, never through the endpoint under test.
"""

from __future__ import annotations

import pytest

from coursegate.enrollments.models import Enrollment, Source
from coursegate.enrollments.services import enrollment_upsert
from tests.api.edx_enrollment.support import C


@pytest.fixture
def course(make_run):
    """Course C with only the audit mode (the reference's §6 convention)."""
    return make_run(C)


@pytest.fixture
def paid_run(make_run):
    """Course C offering audit and verified."""
    return make_run(C, modes=["audit", "verified"])


@pytest.fixture
def enroll(db):
    """enroll(user, run, mode=None (the run's default), is_active=True) -> Enrollment, written by the
    domain service as staff would (window, capacity and invitations ignored)."""

    def make(user, run, mode: str | None = None, is_active: bool = True) -> Enrollment:
        enrollment_upsert(
            user=user, course_run=run, mode=mode, is_active=True, source=Source.ADMIN, privileged=True, force=True
        )
        if not is_active:
            enrollment_upsert(
                user=user, course_run=run, mode=mode, is_active=False, source=Source.ADMIN, privileged=True
            )
        return Enrollment.objects.get(user=user, course_run=run)

    return make
