"""Who may call what: the authentication and permission matrix of the Apprenticeship Events API.

Issue 6: permissions come from the token's roles: our JWTs' ``roles`` claim, role assignments
behind an opaque token, or a trusted issuer's ``data`` claim (space-separated role names,
reference §1.7) with 5 minutes of clock skew. No or an invalid token: 401 with the foundation's
bodies; a missing permission: 403. ``Bearer``, ``bearer`` and ``JWT`` all work.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import jwt
import pytest
import time_machine
from django.conf import settings as django_settings

from coursegate.accounts.services import role_assign, role_revoke
from coursegate.events.models import ApprenticeshipEvent
from tests.api.apprenticeship_events.support import (
    BULK,
    EVENTS,
    IDP_AUDIENCE,
    IDP_SECRET,
    READ,
    STORE,
    event_body,
    post_json,
)
from tests.kit.permissions import (
    ANONYMOUS,
    BAD_TOKEN,
    FORBIDDEN,
    INVALID_TOKEN,
    NOT_PROVIDED,
    Endpoint,
    anonymous_client,
    bad_token_client,
    check,
    matrix,
    send,
)

OTHER_SECRET = "not-the-secret-anyone-configured-0123456789"

# Callers holding the read role, the store role, or both (every other caller with a valid token
# holds neither and gets 403 everywhere).
READERS = ["reader JWT", "reader opaque token", "trusted issuer, data: Read"]
WRITERS = ["writer JWT", "writer opaque token", "trusted issuer, data: Store"]
BOTH = [
    "reader and writer JWT",
    "trusted issuer, data: Read Store",
    "trusted issuer, roles claim",
    "trusted issuer, 4 min past exp",
    "trusted issuer, one of its audiences",
]

ENDPOINTS = [
    Endpoint("query", "get", EVENTS, expect=dict.fromkeys(READERS + BOTH, 200)),
    Endpoint("store", "post", EVENTS, event_body(), expect=dict.fromkeys(WRITERS + BOTH, 201)),
    Endpoint("bulk", "post", BULK, [event_body()], expect=dict.fromkeys(WRITERS + BOTH, 201)),
]

# caller -> what it gets from an endpoint that does not list it in ``expect``
CALLERS = {
    ANONYMOUS: NOT_PROVIDED,
    BAD_TOKEN: INVALID_TOKEN,
    "garbage": INVALID_TOKEN,
    "forged JWT (another secret)": INVALID_TOKEN,
    "expired JWT (1 s ago)": INVALID_TOKEN,
    "unsigned JWT (alg none)": INVALID_TOKEN,
    **dict.fromkeys(READERS + WRITERS + BOTH, FORBIDDEN),
    "JWT without roles": FORBIDDEN,
    "JWT with other roles": FORBIDDEN,
    "trusted issuer, no data claim": FORBIDDEN,
    "trusted issuer, 10 min past exp": INVALID_TOKEN,
    "trusted issuer, wrong audience": INVALID_TOKEN,
    "trusted issuer, wrong secret": INVALID_TOKEN,
    "trusted issuer, no exp": INVALID_TOKEN,
    "untrusted issuer": INVALID_TOKEN,
    "our issuer signed with the trusted issuer's secret": INVALID_TOKEN,
}


def _call(client, endpoint: str):
    return send(client, next(e for e in ENDPOINTS if e.name == endpoint))


def _resigned(token: str, key: str, **changes) -> str:
    claims = {**jwt.decode(token, options={"verify_signature": False}), **changes}
    return jwt.encode(claims, key, algorithm="HS256")


@pytest.fixture
def authorization(make_user, jwt_for, bearer_for, trusted_issuer):
    """authorization(caller) -> the Authorization header of that kind of caller."""

    def user_with(name: str, roles: list[str]):
        user = make_user(name)
        for role in roles:
            role_assign(user=user, role=role)
        return user

    def make(credential: str) -> str:
        now = int(time.time())
        match credential:
            case "reader JWT":
                return f"Bearer {jwt_for(make_user('reader'), roles=[READ])}"
            case "writer JWT":
                return f"Bearer {jwt_for(make_user('writer'), roles=[STORE])}"
            case "reader and writer JWT":
                return f"Bearer {jwt_for(make_user('both'), roles=[READ, STORE])}"
            case "JWT without roles":
                return f"Bearer {jwt_for(make_user('nobody'))}"
            case "JWT with other roles":
                return f"Bearer {jwt_for(make_user('other'), roles=['ReadAgreementEvent', 'course_staff:*'])}"
            case "reader opaque token":
                return f"Bearer {bearer_for(user_with('reader', [READ]))}"
            case "writer opaque token":
                return f"Bearer {bearer_for(user_with('writer', [STORE]))}"
            case "forged JWT (another secret)":
                return f"Bearer {_resigned(jwt_for(make_user('both'), roles=[READ, STORE]), OTHER_SECRET)}"
            case "expired JWT (1 s ago)":
                token = jwt_for(make_user("both"), roles=[READ, STORE])
                return f"Bearer {_resigned(token, django_settings.JWT_SECRET, iat=now - 3601, exp=now - 1)}"
            case "unsigned JWT (alg none)":
                token = jwt_for(make_user("both"), roles=[READ, STORE])
                claims = jwt.decode(token, options={"verify_signature": False})
                return f"Bearer {jwt.encode(claims, None, algorithm='none')}"
            case "garbage":
                return "Bearer garbage"
            case "trusted issuer, data: Read Store":
                return f"Bearer {trusted_issuer(f'{READ} {STORE}')}"
            case "trusted issuer, data: Read":
                return f"Bearer {trusted_issuer(READ)}"
            case "trusted issuer, data: Store":
                return f"Bearer {trusted_issuer(STORE)}"
            case "trusted issuer, no data claim":
                return f"Bearer {trusted_issuer(None)}"
            case "trusted issuer, roles claim":
                return f"Bearer {trusted_issuer(None, roles=[READ, STORE])}"
            case "trusted issuer, 4 min past exp":
                return f"Bearer {trusted_issuer(exp_in=-240)}"
            case "trusted issuer, 10 min past exp":
                return f"Bearer {trusted_issuer(exp_in=-600)}"
            case "trusted issuer, wrong audience":
                return f"Bearer {trusted_issuer(aud='https://elsewhere.example/events')}"
            case "trusted issuer, one of its audiences":
                return f"Bearer {trusted_issuer(aud=['https://elsewhere.example', IDP_AUDIENCE])}"
            case "trusted issuer, wrong secret":
                return f"Bearer {trusted_issuer(secret=OTHER_SECRET)}"
            case "trusted issuer, no exp":
                return f"Bearer {trusted_issuer(exp=None)}"
            case "untrusted issuer":
                return f"Bearer {trusted_issuer(iss='https://idp.attacker.example')}"
            case "our issuer signed with the trusted issuer's secret":
                return f"Bearer {trusted_issuer(iss=django_settings.JWT_ISSUER, aud=django_settings.JWT_AUDIENCE)}"
        raise AssertionError(credential)

    return make


@pytest.fixture
def clients(authorization, token_client):
    """clients(caller) -> an APIClient sending that caller's credentials (none for ANONYMOUS)."""

    def make(caller: str):
        if caller == ANONYMOUS:
            return anonymous_client()
        if caller == BAD_TOKEN:
            return bad_token_client()
        return token_client(authorization(caller))

    return make


@pytest.mark.parametrize(("endpoint", "caller", "expected"), matrix(ENDPOINTS, CALLERS))
def test_the_permission_matrix(clients, endpoint, caller, expected):
    response = send(clients(caller), endpoint)

    check(response, expected)
    if expected.status == 401:
        assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert ApprenticeshipEvent.objects.count() == (1 if expected.status == 201 else 0)


@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "BEARER", "JWT", "jwt"])
@pytest.mark.parametrize(
    "credential", ["reader and writer JWT", "writer opaque token", "trusted issuer, data: Read Store"]
)
def test_the_scheme_word_may_be_bearer_or_jwt_in_any_case(authorization, token_client, scheme, credential):
    token = authorization(credential).split()[1]

    response = _call(token_client(f"{scheme} {token}"), "store")

    assert response.status_code == 201


@pytest.mark.parametrize("header", ["Basic d3JpdGVyOmVkeA==", "Token abc"])
def test_another_scheme_counts_as_no_credentials(token_client, header):
    response = _call(token_client(header), "query")

    check(response, NOT_PROVIDED)


def test_revoking_the_role_behind_an_opaque_token_takes_effect_at_once(make_user, bearer_for, token_client):
    user = make_user("writer")
    role_assign(user=user, role=STORE)
    client = token_client(f"Bearer {bearer_for(user)}")
    assert _call(client, "store").status_code == 201

    role_revoke(user=user, role=STORE)

    assert _call(client, "store").status_code == 403


def test_an_opaque_token_past_its_lifetime_is_a_401(make_user, bearer_for, token_client):
    user = make_user("reader")
    role_assign(user=user, role=READ)
    client = token_client(f"Bearer {bearer_for(user)}")

    lifetime = timedelta(seconds=django_settings.ACCESS_TOKEN_EXPIRE_SECONDS)
    with time_machine.travel(datetime.now(UTC) + lifetime + timedelta(seconds=1)):
        response = _call(client, "query")

    check(response, INVALID_TOKEN)


@pytest.mark.parametrize(("expired_ago", "status"), [(60, 200), (299, 200), (301, 401), (600, 401)])
def test_a_trusted_issuers_token_is_accepted_up_to_5_minutes_after_it_expires(
    trusted_issuer, token_client, expired_ago, status
):
    with time_machine.travel(datetime.now(UTC), tick=False):  # the boundary to the second
        response = _call(token_client(f"Bearer {trusted_issuer(exp_in=-expired_ago)}"), "query")

    assert response.status_code == status


def test_a_trusted_issuer_is_configured_with_issuer_audiences_and_secret(db, settings, token_client):
    settings.JWT_TRUSTED_ISSUERS = [
        {"issuer": "https://das-idp.example", "audience": ["a", "https://events.example"], "secret": IDP_SECRET}
    ]
    now = int(time.time())
    token = jwt.encode(
        {"iss": "https://das-idp.example", "aud": "https://events.example", "iat": now, "exp": now + 60,
         "data": f"{READ} {STORE}"},
        IDP_SECRET,
        algorithm="HS256",
    )  # fmt: skip

    assert _call(token_client(f"Bearer {token}"), "store").status_code == 201
    assert _call(token_client(f"JWT {token}"), "query").status_code == 200


def test_the_trusted_issuers_token_is_not_accepted_once_the_issuer_is_no_longer_trusted(
    settings, trusted_issuer, token_client
):
    token = trusted_issuer()
    settings.JWT_TRUSTED_ISSUERS = []

    response = _call(token_client(f"Bearer {token}"), "query")

    check(response, INVALID_TOKEN)


def test_the_permission_is_checked_before_the_body_is_read(reader_client):
    response = post_json(reader_client, EVENTS, '{"event": ')

    check(response, FORBIDDEN)


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_other_methods_are_a_405_for_a_writer_and_a_403_for_a_reader(writer_client, reader_client, method):
    response = getattr(writer_client, method)(EVENTS)

    assert response.status_code == 405
    assert response.json() == {"detail": f'Method "{method.upper()}" not allowed.'}
    assert getattr(reader_client, method)(EVENTS).status_code == 403
