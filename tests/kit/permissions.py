"""One permission matrix for every API family: callers x endpoints x expected answer.

A family's test module declares its endpoints and what each kind of caller gets, and
parametrizes one test with ``matrix(...)``:

    ENDPOINTS = [Endpoint("list", "get", "/api/x/"), Endpoint("store", "post", "/api/x/", {"a": 1})]
    CALLERS = {ANONYMOUS: NOT_PROVIDED, BAD_TOKEN: INVALID_TOKEN, "learner": FORBIDDEN, "staff": 200}

    @pytest.mark.parametrize(("endpoint", "caller", "expected"), matrix(ENDPOINTS, CALLERS))
    def test_permission_matrix(endpoint, caller, expected, clients):
        check(send(clients(caller), endpoint), expected)

``clients(caller)`` is the family's own fixture (it knows how to mint each caller's real token);
``anonymous_client()`` and ``bad_token_client()`` serve the two callers every family has.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import pytest
from rest_framework.test import APIClient

ANONYMOUS = "anonymous"
BAD_TOKEN = "bad_token"

# A structurally valid JWT whose signature is forged, and an opaque token nobody issued.
FORGED_JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.forged-signature"
UNKNOWN_OPAQUE = "no-such-token-0000000000000000"

_UNCHECKED = object()


@dataclass(frozen=True)
class Expected:
    """The answer a caller gets: a status and, when given, the exact JSON body."""

    status: int
    body: object = _UNCHECKED


NOT_PROVIDED = Expected(401, {"detail": "Authentication credentials were not provided."})
INVALID_TOKEN = Expected(401, {"detail": "Invalid Token."})
FORBIDDEN = Expected(403, {"detail": "You do not have permission to perform this action."})
NOT_FOUND = Expected(404, {"detail": "Not found."})


@dataclass(frozen=True)
class Endpoint:
    """One operation as a test calls it; ``expect`` overrides the matrix for some callers."""

    name: str
    method: str
    path: str
    body: object = None
    format: str = "json"
    headers: Mapping[str, str] = field(default_factory=dict)
    expect: Mapping[str, Expected | int] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.name


def _expected(value: Expected | int) -> Expected:
    return value if isinstance(value, Expected) else Expected(value)


def matrix(endpoints: Iterable[Endpoint], callers: Mapping[str, Expected | int]) -> list:
    """``pytest.param(endpoint, caller, expected)`` for every endpoint x caller (id ``name-caller``)."""
    return [
        pytest.param(endpoint, caller, _expected(endpoint.expect.get(caller, default)), id=f"{endpoint.name}-{caller}")
        for endpoint in endpoints
        for caller, default in callers.items()
    ]


def send(client: APIClient, endpoint: Endpoint, **extra):
    """Make ``endpoint``'s request with ``client`` (JSON body unless the endpoint says otherwise)."""
    call = getattr(client, endpoint.method.lower())
    kwargs = {**{f"HTTP_{k.upper().replace('-', '_')}": v for k, v in endpoint.headers.items()}, **extra}
    if endpoint.body is not None:
        return call(endpoint.path, endpoint.body, format=endpoint.format, **kwargs)
    return call(endpoint.path, **kwargs)


def check(response, expected: Expected | int) -> None:
    """Assert the status and, when the expectation has one, the JSON body."""
    expected = _expected(expected)
    assert response.status_code == expected.status, (response.status_code, getattr(response, "content", b"")[:500])
    if expected.body is not _UNCHECKED:
        assert response.json() == expected.body


def anonymous_client(**headers) -> APIClient:
    client = APIClient()
    if headers:
        client.credentials(**headers)
    return client


def bad_token_client(scheme: str = "JWT", token: str = FORGED_JWT, **headers) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"{scheme} {token}", **headers)
    return client
