"""Fixtures shared by the authentication tests (tests/conftest.py mints the real tokens)."""

from __future__ import annotations

import base64

import pytest
from rest_framework.test import APIClient

from coursegate.enrollments.models import Source
from coursegate.enrollments.services import enrollment_upsert

ENROLLMENT_LIST = "/api/enrollment/v1/enrollment"


def basic_auth(client_id: str, client_secret: str) -> str:
    """An RFC 6749 §2.3.1 HTTP Basic header for an OAuth client."""
    return "Basic " + base64.b64encode(f"{client_id}:{client_secret}".encode()).decode()


@pytest.fixture
def enroll(make_run):
    """enroll(user, key="course-v1:Org+Num+Run") -> the active audit Enrollment (run created if need be)."""

    def make(user, key: str = "course-v1:Org+Num+Run"):
        run = make_run(key)
        return enrollment_upsert(user=user, course_run=run, source=Source.ADMIN).enrollment

    return make


@pytest.fixture
def list_enrollments():
    """list_enrollments("Bearer <token>") -> the response of GET /api/enrollment/v1/enrollment."""

    def get(authorization: str | None):
        client = APIClient()
        if authorization is not None:
            client.credentials(HTTP_AUTHORIZATION=authorization)
        return client.get(ENROLLMENT_LIST)

    return get
