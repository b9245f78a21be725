"""Fixtures of the idempotency-key tests: the families' own worlds (imported from their contract
tests' conftest modules) and small helpers to send keyed requests."""

from __future__ import annotations

import pytest

from tests.api.enterprise.conftest import enterprise_world  # noqa: F401 - a fixture, used by name

KEY = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"


def keyed(key: str | None) -> dict:
    """The test client's extra argument carrying ``key`` in the Idempotency-Key header."""
    return {} if key is None else {"HTTP_IDEMPOTENCY_KEY": key}


@pytest.fixture
def events_writer(make_user, jwt_for):
    """An APIClient with a real JWT holding StoreApprenticeshipEvent and ReadApprenticeshipEvent."""
    from rest_framework.test import APIClient

    client = APIClient()
    token = jwt_for(make_user("events_writer"), roles=["StoreApprenticeshipEvent", "ReadApprenticeshipEvent"])
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


@pytest.fixture
def client_for_roles(make_user, jwt_for):
    """client_for_roles(*roles) -> an APIClient whose JWT (of a new user) holds ``roles``."""
    from rest_framework.test import APIClient

    made: list = []

    def make(*roles):
        made.append(1)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {jwt_for(make_user(f'roles{len(made)}'), roles=roles)}")
        return client

    return make
