"""POST /oauth2/revoke_token/ (RFC 7009) and POST /oauth2/introspect/ (RFC 7662), for opaque
tokens and our JWTs (a JWT is backed by its access-token row, so revoking either ends it)."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.utils import timezone
from oauth2_provider.models import get_access_token_model
from rest_framework.test import APIClient

from .conftest import basic_auth

REVOKE = "/oauth2/revoke_token/"
INTROSPECT = "/oauth2/introspect/"
INVALID = {"detail": "Invalid Token."}
INVALID_CLIENT = {"error": "invalid_client", "error_description": "Client authentication failed."}
DEFAULT_SCOPE = "read write email profile"


def _token(client_id: str, secret: str, kind: str) -> str:
    data = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    if kind == "jwt":
        data["token_type"] = "jwt"
    response = APIClient().post("/oauth2/access_token", data)
    assert response.status_code == 200, response.content
    return response.json()["access_token"]


def _call(path: str, client_id: str, secret: str, auth: str, **data):
    if auth == "basic":
        return APIClient().post(path, data, HTTP_AUTHORIZATION=basic_auth(client_id, secret))
    return APIClient().post(path, {"client_id": client_id, "client_secret": secret, **data})


@pytest.fixture
def learner_client(learner, oauth_app):
    return oauth_app(learner)


# --- revocation ---------------------------------------------------------------------------


@pytest.mark.parametrize("auth", ["form", "basic"])
@pytest.mark.parametrize("kind", ["opaque", "jwt"])
def test_revoking_a_token_makes_it_invalid(kind, auth, learner_client, list_enrollments):
    token = _token(*learner_client, kind)
    assert list_enrollments(f"Bearer {token}").status_code == 200

    response = _call(REVOKE, *learner_client, auth, token=token)

    assert response.status_code == 200
    assert response.content == b""
    assert response["Cache-Control"] == "no-store"
    after = list_enrollments(f"Bearer {token}")
    assert (after.status_code, after.json()) == (401, INVALID)
    assert get_access_token_model().objects.count() == 0


def test_revoking_a_jwt_also_kills_it_under_the_jwt_scheme(learner_client, list_enrollments):
    token = _token(*learner_client, "jwt")

    _call(REVOKE, *learner_client, "form", token=token)

    after = list_enrollments(f"JWT {token}")
    assert (after.status_code, after.json()) == (401, INVALID)


def test_revoking_one_token_leaves_the_clients_other_tokens_working(learner_client, list_enrollments):
    revoked, kept = _token(*learner_client, "opaque"), _token(*learner_client, "jwt")

    _call(REVOKE, *learner_client, "form", token=revoked)

    assert list_enrollments(f"Bearer {revoked}").status_code == 401
    assert list_enrollments(f"JWT {kept}").status_code == 200


@pytest.mark.parametrize("kind", ["opaque", "jwt"])
@pytest.mark.parametrize("revoker_is_staff", [False, True], ids=["learner-client", "staff-client"])
def test_another_client_cannot_revoke_a_token_it_does_not_own(
    kind, revoker_is_staff, learner_client, make_user, oauth_app, list_enrollments
):
    token = _token(*learner_client, kind)
    other_client = oauth_app(make_user("someone", is_staff=revoker_is_staff))

    response = _call(REVOKE, *other_client, "form", token=token)

    assert (response.status_code, response.content) == (200, b"")
    assert list_enrollments(f"Bearer {token}").status_code == 200


@pytest.mark.parametrize("token", ["unknown-opaque-token", "a.b.c"])
def test_revoking_an_unknown_token_answers_200_as_rfc_7009_says(token, learner_client):
    response = _call(REVOKE, *learner_client, "form", token=token)

    assert (response.status_code, response.content) == (200, b"")


CLIENT_FAILURES = [
    ("wrong-secret-in-form", lambda cid, sec: {"data": {"client_id": cid, "client_secret": "wrong"}}),
    ("wrong-secret-by-basic", lambda cid, sec: {"headers": {"HTTP_AUTHORIZATION": basic_auth(cid, "wrong")}}),
    ("unknown-client", lambda cid, sec: {"data": {"client_id": "nobody", "client_secret": sec}}),
    ("no-client-credentials", lambda cid, sec: {}),
    ("client-id-without-secret", lambda cid, sec: {"data": {"client_id": cid}}),
    ("basic-not-base64", lambda cid, sec: {"headers": {"HTTP_AUTHORIZATION": "Basic %%%"}}),
    ("basic-without-colon", lambda cid, sec: {"headers": {"HTTP_AUTHORIZATION": "Basic bm9jb2xvbg=="}}),
]


@pytest.mark.parametrize("path", [REVOKE, INTROSPECT])
@pytest.mark.parametrize("build", [r[1] for r in CLIENT_FAILURES], ids=[r[0] for r in CLIENT_FAILURES])
def test_a_bad_client_is_401_invalid_client_and_revokes_nothing(path, build, learner_client, list_enrollments):
    token = _token(*learner_client, "opaque")
    request = build(*learner_client)

    response = APIClient().post(path, {**request.get("data", {}), "token": token}, **request.get("headers", {}))

    assert response.status_code == 401
    assert response.json() == INVALID_CLIENT
    assert list_enrollments(f"Bearer {token}").status_code == 200


@pytest.mark.parametrize("auth", ["form", "basic"])
def test_revoking_without_a_token_is_400_invalid_request(auth, learner_client):
    response = _call(REVOKE, *learner_client, auth)

    assert response.status_code == 400
    assert response.json() == {"error": "invalid_request", "error_description": "Missing token parameter."}


@pytest.mark.parametrize("path", [REVOKE, INTROSPECT])
def test_revocation_and_introspection_refuse_get(path, db):
    assert APIClient().get(path).status_code == 405


# --- introspection ------------------------------------------------------------------------


@pytest.mark.parametrize("auth", ["form", "basic"])
@pytest.mark.parametrize("kind", ["opaque", "jwt"])
def test_a_client_introspecting_its_own_live_token_sees_it_active(kind, auth, learner_client):
    before = int(time.time())
    token = _token(*learner_client, kind)

    response = _call(INTROSPECT, *learner_client, auth, token=token)

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"active", "username", "client_id", "scope", "token_type", "exp", "iat"}
    assert body["active"] is True
    assert body["username"] == "honor"
    assert body["client_id"] == learner_client[0]
    assert body["scope"] == DEFAULT_SCOPE
    assert body["token_type"] == "Bearer"
    assert before - 1 <= body["iat"] <= int(time.time())
    assert body["exp"] - body["iat"] in (3599, 3600, 3601)


def _revoke(token, client_id, secret, user):
    _call(REVOKE, client_id, secret, "form", token=token)


def _expire(token, client_id, secret, user):
    get_access_token_model().objects.update(expires=timezone.now() - timedelta(seconds=1))


def _deactivate(token, client_id, secret, user):
    type(user).objects.filter(pk=user.pk).update(is_active=False)


# Each row: (id, token kind, spoil(token, client_id, secret, user)).
INACTIVE = [
    ("revoked-opaque", "opaque", _revoke),
    ("revoked-jwt", "jwt", _revoke),
    ("expired-opaque", "opaque", _expire),
    ("expired-jwt", "jwt", _expire),
    ("inactive-user-opaque", "opaque", _deactivate),
    ("inactive-user-jwt", "jwt", _deactivate),
]


@pytest.mark.parametrize(("kind", "spoil"), [r[1:] for r in INACTIVE], ids=[r[0] for r in INACTIVE])
def test_a_spoiled_token_introspects_as_inactive(kind, spoil, learner, learner_client):
    token = _token(*learner_client, kind)
    spoil(token, *learner_client, learner)

    response = _call(INTROSPECT, *learner_client, "form", token=token)

    assert (response.status_code, response.json()) == (200, {"active": False})


@pytest.mark.parametrize("token", ["", "unknown-opaque-token", "a.b.c"])
def test_an_unknown_token_introspects_as_inactive(token, learner_client):
    response = _call(INTROSPECT, *learner_client, "form", token=token)

    assert (response.status_code, response.json()) == (200, {"active": False})


@pytest.mark.parametrize("kind", ["opaque", "jwt"])
def test_a_non_staff_client_sees_another_clients_token_as_inactive(kind, learner_client, other_learner, oauth_app):
    token = _token(*learner_client, kind)

    response = _call(INTROSPECT, *oauth_app(other_learner), "form", token=token)

    assert (response.status_code, response.json()) == (200, {"active": False})


@pytest.mark.parametrize("kind", ["opaque", "jwt"])
def test_a_client_owned_by_staff_may_introspect_any_token(kind, learner_client, staff, oauth_app):
    token = _token(*learner_client, kind)

    response = _call(INTROSPECT, *oauth_app(staff), "basic", token=token)

    body = response.json()
    assert (response.status_code, body["active"], body["username"], body["client_id"]) == (
        200,
        True,
        "honor",
        learner_client[0],
    )
