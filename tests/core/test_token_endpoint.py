"""POST /oauth2/access_token (and its aliases): grants, response shape, JWT claims, errors.

Contract: ARCHITECTURE.md "Authentication and authorization"; the JWT claim set and the client's
expectations are reference/events_and_clients.md §2.3-2.5 (cases E1-E4).
"""

from __future__ import annotations

import re
import time

import jwt
import pytest
from django.conf import settings
from oauth2_provider.models import get_access_token_model
from rest_framework.test import APIClient

from coursegate.accounts.services import role_assign

from .conftest import basic_auth

TOKEN_PATHS = ["/oauth2/access_token", "/oauth2/access_token/", "/oauth2/v1/access_token", "/oauth2/token/"]
DEFAULT_SCOPE = "read write email profile"
CUSTOMER_A = "904b1785-9d3a-1000-848d-6ae7a56e6355"


def _post(path: str = "/oauth2/access_token", data: dict | None = None, **headers):
    return APIClient().post(path, data or {}, **headers)


def _decode(token: str) -> dict:
    """Verify a JWT exactly as a consumer holding our secret would (signature, aud, iss, exp)."""
    return jwt.decode(
        token,
        settings.JWT_SECRET,
        algorithms=["HS256"],
        audience=settings.JWT_AUDIENCE,
        issuer=settings.JWT_ISSUER,
        options={"require": ["exp", "iat", "iss", "aud", "sub", "jti"]},
    )


def _assert_bearer_body(body: dict) -> None:
    assert set(body) >= {"access_token", "token_type", "expires_in", "scope"}
    assert body["token_type"] == "Bearer"
    assert isinstance(body["access_token"], str) and body["access_token"].count(".") == 0
    assert type(body["expires_in"]) is int and 5 < body["expires_in"] < 86400
    assert body["expires_in"] == settings.ACCESS_TOKEN_EXPIRE_SECONDS
    assert body["scope"] == DEFAULT_SCOPE


# --- grants ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", TOKEN_PATHS)
def test_client_credentials_in_the_form_body_get_a_bearer_token_on_every_token_path(path, staff, oauth_app):
    client_id, secret = oauth_app(staff)

    response = _post(path, {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret})

    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store"
    _assert_bearer_body(response.json())


@pytest.mark.parametrize("path", TOKEN_PATHS)
def test_client_credentials_by_http_basic_get_a_bearer_token(path, staff, oauth_app):
    client_id, secret = oauth_app(staff)

    response = _post(path, {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=basic_auth(client_id, secret))

    assert response.status_code == 200, response.content
    _assert_bearer_body(response.json())


def test_password_grant_gets_a_token_that_acts_as_that_user_not_the_client_owner(
    staff, learner, oauth_app, enroll, list_enrollments
):
    client_id, secret = oauth_app(staff)
    enroll(learner, "course-v1:Org+Learner+Run")
    enroll(staff, "course-v1:Org+Staff+Run")

    response = _post(
        data={
            "grant_type": "password",
            "client_id": client_id,
            "client_secret": secret,
            "username": "honor",
            "password": "edx",
        }
    )

    assert response.status_code == 200, response.content
    body = response.json()
    _assert_bearer_body(body)
    listed = list_enrollments(f"Bearer {body['access_token']}")
    assert listed.status_code == 200
    assert [(e["user"], e["course_details"]["course_id"]) for e in listed.json()] == [
        ("honor", "course-v1:Org+Learner+Run")
    ]


def test_a_client_credentials_token_acts_as_the_owner_of_the_application(
    learner, other_learner, oauth_app, enroll, list_enrollments
):
    client_id, secret = oauth_app(learner)
    enroll(learner, "course-v1:Org+Mine+Run")
    enroll(other_learner, "course-v1:Org+Theirs+Run")
    token = _post(data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret})
    authorization = f"Bearer {token.json()['access_token']}"

    listed = list_enrollments(authorization)

    assert listed.status_code == 200
    assert [(e["user"], e["course_details"]["course_id"], e["mode"], e["is_active"]) for e in listed.json()] == [
        ("honor", "course-v1:Org+Mine+Run", "audit", True)
    ]


def test_an_enrollment_posted_with_a_client_credentials_token_belongs_to_the_owner(learner, oauth_app, make_run):
    make_run("course-v1:Org+Post+Run", modes=("honor",))
    client_id, secret = oauth_app(learner)
    token = _post(data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret})
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token.json()['access_token']}")

    posted = client.post(
        "/api/enrollment/v1/enrollment", {"course_details": {"course_id": "course-v1:Org+Post+Run"}}, format="json"
    )
    listed = client.get("/api/enrollment/v1/enrollment")

    assert posted.status_code == 200, posted.content
    assert (posted.json()["user"], posted.json()["mode"]) == ("honor", "honor")
    assert [(e["user"], e["course_details"]["course_id"]) for e in listed.json()] == [
        ("honor", "course-v1:Org+Post+Run")
    ]


# --- JWTs ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("extra_data", "headers"),
    [
        ({"token_type": "jwt"}, {}),
        ({"token_type": "JWT"}, {}),
        ({}, {"HTTP_X_TOKEN_TYPE": "jwt"}),
    ],
    ids=["form-field", "form-field-upper-case", "x-token-type-header"],
)
def test_asking_for_a_jwt_answers_token_type_jwt_with_a_three_part_token(extra_data, headers, staff, oauth_app):
    client_id, secret = oauth_app(staff)

    response = _post(
        data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret, **extra_data},
        **headers,
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_in", "scope"}
    assert body["token_type"] == "JWT"
    assert re.fullmatch(r"[\w-]+\.[\w-]+\.[\w-]+", body["access_token"])
    assert type(body["expires_in"]) is int and body["expires_in"] == settings.ACCESS_TOKEN_EXPIRE_SECONDS
    assert body["scope"] == DEFAULT_SCOPE


@pytest.mark.parametrize(("username", "is_staff"), [("staff", True), ("honor", False)], ids=["staff-user", "learner"])
def test_the_jwt_carries_the_open_edx_claims_of_the_client_owner(username, is_staff, make_user, oauth_app):
    user = make_user(username, is_staff=is_staff)
    client_id, secret = oauth_app(user)
    before = int(time.time())

    response = _post(
        data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret, "token_type": "jwt"}
    )

    claims = _decode(response.json()["access_token"])
    assert claims["iss"] == settings.JWT_ISSUER == "coursegate"
    assert claims["aud"] == settings.JWT_AUDIENCE == "coursegate"
    assert before <= claims["iat"] <= int(time.time())
    assert claims["exp"] - claims["iat"] == settings.ACCESS_TOKEN_EXPIRE_SECONDS
    assert re.fullmatch(r"[0-9a-f]{32}", claims["sub"]) and claims["sub"] != str(user.pk)
    assert claims["preferred_username"] == username
    assert claims["email"] == f"{username}@example.com"
    assert claims["administrator"] is is_staff
    assert claims["scopes"] == ["read", "write", "email", "profile"]
    assert claims["filters"] == ["user:me"]
    assert claims["is_restricted"] is False
    assert claims["version"] == "1.2.0"
    assert claims["grant_type"] == "client_credentials"
    assert claims["roles"] == []
    access = get_access_token_model().objects.select_related("application").get(pk=int(claims["jti"]))
    assert (access.user_id, access.application.client_id) == (user.pk, client_id)


def test_the_jwt_subject_is_stable_per_user_and_differs_between_users(staff, learner, oauth_app):
    def subject(user):
        client_id, secret = oauth_app(user)
        data = {
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": secret,
            "token_type": "jwt",
        }
        return _decode(_post(data=data).json()["access_token"])["sub"]

    first, second, other = subject(learner), subject(learner), subject(staff)

    assert first == second
    assert first != other


def test_the_jwt_roles_claim_lists_the_users_role_assignments(learner, oauth_app):
    role_assign(user=learner, role="enterprise_admin", context=CUSTOMER_A)
    role_assign(user=learner, role="StoreApprenticeshipEvent")
    client_id, secret = oauth_app(learner)

    response = _post(
        data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret, "token_type": "jwt"}
    )

    assert _decode(response.json()["access_token"])["roles"] == [
        "StoreApprenticeshipEvent",
        f"enterprise_admin:{CUSTOMER_A}",
    ]


def test_a_password_grant_jwt_names_the_user_who_logged_in(staff, learner, oauth_app):
    client_id, secret = oauth_app(staff)

    response = _post(
        data={
            "grant_type": "password",
            "client_id": client_id,
            "client_secret": secret,
            "username": "honor",
            "password": "edx",
            "token_type": "jwt",
        }
    )

    assert response.status_code == 200, response.content
    assert response.json()["token_type"] == "JWT"
    claims = _decode(response.json()["access_token"])
    assert (claims["preferred_username"], claims["administrator"], claims["grant_type"]) == (
        "honor",
        False,
        "password",
    )


def test_the_jwt_from_the_token_endpoint_is_accepted_with_the_jwt_scheme(learner, oauth_app, list_enrollments):
    client_id, secret = oauth_app(learner)
    response = _post(
        data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret, "token_type": "jwt"}
    )

    listed = list_enrollments(f"JWT {response.json()['access_token']}")

    assert (listed.status_code, listed.json()) == (200, [])


# --- errors ------------------------------------------------------------------------------


def _cc(client_id: str, secret: str) -> dict:
    return {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}


def _pw(client_id: str, secret: str, username: str, password: str) -> dict:
    return {"grant_type": "password", "client_id": client_id, "client_secret": secret,
            "username": username, "password": password}  # fmt: skip


INVALID_GRANT = {"error": "invalid_grant", "error_description": "Invalid credentials given."}

# Each row: (id, build(client_id, secret) -> (form data, headers), status, body). Every request
# also asks for a JWT, which must not change the error. The learner "honor" is inactive in the
# "inactive-user" row only.
REFUSED = [
    ("wrong-secret-in-form", lambda c, s: (_cc(c, "wrong"), {}), 401, {"error": "invalid_client"}),
    ("wrong-secret-by-basic", lambda c, s: ({"grant_type": "client_credentials"},
                                            {"HTTP_AUTHORIZATION": basic_auth(c, "wrong")}),
     401, {"error": "invalid_client"}),
    ("unknown-client", lambda c, s: (_cc("nobody", s), {}), 401, {"error": "invalid_client"}),
    ("no-client-credentials", lambda c, s: ({"grant_type": "client_credentials"}, {}), 401,
     {"error": "invalid_client"}),
    ("wrong-password", lambda c, s: (_pw(c, s, "honor", "wrong"), {}), 400, INVALID_GRANT),
    ("unknown-user", lambda c, s: (_pw(c, s, "nobody", "edx"), {}), 400, INVALID_GRANT),
    ("inactive-user", lambda c, s: (_pw(c, s, "honor", "edx"), {}), 400, INVALID_GRANT),
    ("authorization-code-grant", lambda c, s: ({**_cc(c, s), "grant_type": "authorization_code", "code": "abc",
                                                "redirect_uri": "https://example.com/cb"}, {}),
     400, {"error": "unauthorized_client"}),
    ("unknown-grant", lambda c, s: ({**_cc(c, s), "grant_type": "telepathy"}, {}), 400,
     {"error": "unsupported_grant_type"}),
    ("no-grant-type", lambda c, s: ({"client_id": c, "client_secret": s}, {}), 400,
     {"error": "unsupported_grant_type"}),
]  # fmt: skip


@pytest.mark.parametrize(
    ("case", "build", "expected_status", "expected_body"), REFUSED, ids=[row[0] for row in REFUSED]
)
def test_a_refused_token_request_answers_the_rfc_6749_error(
    case, build, expected_status, expected_body, staff, learner, oauth_app
):
    client_id, secret = oauth_app(staff)
    if case == "inactive-user":
        learner.is_active = False
        learner.save()
    data, headers = build(client_id, secret)

    response = _post(data={**data, "token_type": "jwt"}, **headers)

    assert response.status_code == expected_status
    assert response.json() == expected_body
    assert get_access_token_model().objects.count() == 0


def test_invalid_client_answers_a_www_authenticate_challenge(staff, oauth_app):
    client_id, _secret = oauth_app(staff)

    response = _post(data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": "wrong"})

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer error="invalid_client"'


@pytest.mark.parametrize("path", TOKEN_PATHS)
def test_the_token_endpoint_refuses_get_with_405(path, db):
    response = APIClient().get(path)

    assert response.status_code == 405
    assert response["Allow"] == "POST, OPTIONS"


def test_a_client_credentials_application_may_also_use_the_password_grant(oauth_app, staff, learner):
    # The demo clients are registered for client credentials; people's scripts log in with the
    # password grant through them (ARCHITECTURE.md: both grants on one token endpoint).
    client_id, secret = oauth_app(staff)

    response = _post(data=_pw(client_id, secret, "honor", "edx"))

    assert response.status_code == 200, response.content
    token = get_access_token_model().objects.get(token_checksum=_checksum(response.json()["access_token"]))
    assert token.user == learner


def _checksum(raw: str) -> str:
    import hashlib

    return hashlib.sha256(raw.encode()).hexdigest()
