"""Fixtures of the Apprenticeship Events API contract tests.

Every request carries a real token: JWTs and opaque tokens come from POST /oauth2/access_token
(tests/conftest.py), a trusted issuer's tokens are minted with PyJWT and verified by the real
authentication class. Events a test starts from are written with the domain service.
"""

from __future__ import annotations

import time
from contextlib import contextmanager

import jwt
import pytest
import time_machine
from rest_framework.test import APIClient

from coursegate.events.models import ApprenticeshipEvent
from coursegate.events.services import events_store
from tests.api.apprenticeship_events.support import IDP_AUDIENCE, IDP_ISSUER, IDP_SECRET, READ, STORE
from tests.events.support import new_event


def _client(header: str | None) -> APIClient:
    client = APIClient()
    if header is not None:
        client.credentials(HTTP_AUTHORIZATION=header)
    return client


@pytest.fixture
def token_client():
    """token_client("Bearer <token>") -> an APIClient sending that Authorization header."""
    return _client


@pytest.fixture
def writer_jwt(make_user, jwt_for) -> str:
    return jwt_for(make_user("events_writer"), roles=[STORE])


@pytest.fixture
def reader_jwt(make_user, jwt_for) -> str:
    return jwt_for(make_user("events_reader"), roles=[READ])


@pytest.fixture
def writer_client(writer_jwt) -> APIClient:
    return _client(f"Bearer {writer_jwt}")


@pytest.fixture
def reader_client(reader_jwt) -> APIClient:
    return _client(f"Bearer {reader_jwt}")


@pytest.fixture
def client_for(make_user, jwt_for):
    """client_for(*roles) -> a client whose JWT (of a new user) holds ``roles``."""
    made: list = []

    def make(*roles: str) -> APIClient:
        made.append(make_user(f"caller{len(made)}"))
        return _client(f"Bearer {jwt_for(made[-1], roles=list(roles))}")

    return make


@pytest.fixture
def frozen_writer(make_user, jwt_for):
    """``with frozen_writer(moment) as client:`` stops the clock at ``moment`` and gives a writer
    client whose token was minted at that moment (a token minted earlier would be "not yet valid"
    in the past, or expired in the future)."""

    @contextmanager
    def freeze(moment):
        with time_machine.travel(moment, tick=False):
            yield _client(f"Bearer {jwt_for(make_user('frozen_writer'), roles=[STORE])}")

    return freeze


@pytest.fixture
def store_events(db):
    """store_events(n, **changes) -> n events stored in one batch by the domain service
    (``changes``: NewEvent fields)."""

    def make(n: int, **changes) -> list[ApprenticeshipEvent]:
        return events_store(events=[new_event(apprenticeship_id=i + 1, **changes) for i in range(n)])

    return make


@pytest.fixture
def trusted_issuer(settings, db):
    """Trust the apprenticeship service's identity provider (HS256, one audience); returns
    mint(data=..., exp_in=3600, **claim changes) -> a one-hour token of that issuer that expires
    ``exp_in`` seconds from now (None as a claim value leaves the claim out)."""
    settings.JWT_TRUSTED_ISSUERS = [{"issuer": IDP_ISSUER, "audience": [IDP_AUDIENCE], "secret": IDP_SECRET}]

    def mint(data: str | None = f"{READ} {STORE}", *, exp_in: int = 3600, secret: str = IDP_SECRET, **changes):
        now = int(time.time())
        claims = {"iss": IDP_ISSUER, "aud": IDP_AUDIENCE, "iat": now + exp_in - 3600, "exp": now + exp_in, "data": data}
        claims.update(changes)
        claims = {name: value for name, value in claims.items() if value is not None}
        return jwt.encode(claims, secret, algorithm="HS256")

    return mint
