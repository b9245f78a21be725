"""Fixtures of the webhooks API tests: staff and non-staff callers with real tokens."""

from __future__ import annotations

import pytest

from tests.kit.permissions import ANONYMOUS, BAD_TOKEN, anonymous_client, bad_token_client

CUSTOMER = "904b1785-9d3a-1000-848d-6ae7a56e6355"


@pytest.fixture(autouse=True)
def _receivers_on_loopback(settings):
    settings.COURSEGATE_WEBHOOK_ALLOW_PRIVATE_URLS = True
    settings.COURSEGATE_WEBHOOK_TIMEOUT_SECONDS = 5


@pytest.fixture
def staff_api(staff, client_for):
    return client_for(staff)


@pytest.fixture
def clients(make_user, client_for, jwt_for):
    """clients(caller) -> an APIClient with that caller's real token."""
    from rest_framework.test import APIClient

    def make(caller: str):
        if caller == ANONYMOUS:
            return anonymous_client()
        if caller == BAD_TOKEN:
            return bad_token_client()
        if caller == "staff (jwt)":
            return client_for(make_user("staff2", is_staff=True), kind="jwt")
        if caller == "staff":
            return client_for(make_user("staff", is_staff=True))
        if caller == "learner":
            return client_for(make_user("honor"))
        if caller == "enterprise admin":
            client = APIClient()
            token = jwt_for(make_user("admin_a"), roles=[f"enterprise_admin:{CUSTOMER}"])
            client.credentials(HTTP_AUTHORIZATION=f"JWT {token}")
            return client
        raise AssertionError(caller)

    return make
