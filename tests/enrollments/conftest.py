"""Fixtures of the enrollment service tests: a frozen clock (``clock.NOW``) so enrollment windows
and mode expiry are explicit dates."""

from __future__ import annotations

import pytest
import time_machine

from tests.enrollments.clock import NOW


@pytest.fixture
def frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield NOW
