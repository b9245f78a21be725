"""Who may call what: one permission matrix of every Enrollment API endpoint (tests/kit/permissions.py).

ARCHITECTURE.md "Authentication and authorization": no credentials -> 401 "Authentication
credentials were not provided."; a bad, expired, revoked token or one of a deactivated user ->
401 "Invalid Token."; authenticated but not allowed -> 403. ``Bearer <opaque>``, ``Bearer <jwt>``
and ``JWT <jwt>`` all work. Staff act for anyone; a learner (or course staff) naming another user
gets 404 with an empty body, and a paid mode 403 (reference/edx_appsembler.md §1.1). The
course-details endpoint is public, whatever the Authorization header says.
"""

from __future__ import annotations

import time
from datetime import timedelta

import jwt
import pytest
from django.conf import settings
from django.utils import timezone
from oauth2_provider.models import get_access_token_model
from rest_framework.test import APIClient

from coursegate.enrollments.models import Enrollment
from tests.api.edx_enrollment.support import C, E
from tests.kit.permissions import (
    ANONYMOUS,
    BAD_TOKEN,
    FORBIDDEN,
    INVALID_TOKEN,
    NOT_PROVIDED,
    Endpoint,
    Expected,
    anonymous_client,
    bad_token_client,
    check,
    matrix,
    send,
)

PAID = "course-v1:Org+Paid+Run"

# --- Callers -------------------------------------------------------------------------------------

HEADER_FORMS = ["Bearer <opaque>", "Bearer <jwt>", "JWT <jwt>"]
STAFF = [f"staff {form}" for form in HEADER_FORMS]
LEARNERS = [f"learner {form}" for form in HEADER_FORMS]
COURSE_STAFF = "course staff"  # a learner with course_staff:* (every run): no more rights here but the list filter
NOT_STAFF = [*LEARNERS, COURSE_STAFF]
USERNAMES = {**dict.fromkeys(STAFF, "staff"), **dict.fromkeys(LEARNERS, "honor"), COURSE_STAFF: "assistant"}

# Credentials that are refused; the staff user's tokens, so only the credential can be the reason.
REJECTED = {
    ANONYMOUS: NOT_PROVIDED,
    "Basic credentials": NOT_PROVIDED,
    BAD_TOKEN: INVALID_TOKEN,
    "Bearer garbage": INVALID_TOKEN,
    "JWT garbage": INVALID_TOKEN,
    "Bearer without a token": INVALID_TOKEN,
    "Bearer with two words": INVALID_TOKEN,
    "JWT signed with another secret": INVALID_TOKEN,
    "expired JWT": INVALID_TOKEN,
    "expired opaque token": INVALID_TOKEN,
    "revoked opaque token": INVALID_TOKEN,
    "revoked JWT": INVALID_TOKEN,
    "opaque token of a deactivated user": INVALID_TOKEN,
    "JWT of a deactivated user": INVALID_TOKEN,
}
CALLERS = {**REJECTED, **dict.fromkeys(STAFF + NOT_STAFF, 200)}

# --- Endpoints -----------------------------------------------------------------------------------

HIDDEN = Expected(404)  # with an empty body: another user's enrollments are not revealed
NULL = Expected(200, None)  # no enrollment
NO_PAID_MODE = Expected(403, {"message": "User does not have permission to create enrollment with mode [verified]."})


def _each(callers, expected) -> dict:
    return dict.fromkeys(callers, expected)


ENDPOINTS = [
    Endpoint("list", "get", f"{E}/enrollment", expect=_each(STAFF + NOT_STAFF, Expected(200, []))),
    Endpoint("enroll", "post", f"{E}/enrollment", {"course_details": {"course_id": C}}),
    Endpoint(
        "user enrollment",
        "get",
        f"{E}/enrollment/honor,{C}",
        expect={**_each(STAFF + LEARNERS, NULL), COURSE_STAFF: HIDDEN},
    ),
    Endpoint("own enrollment", "get", f"{E}/enrollment/{C}", expect=_each(STAFF + NOT_STAFF, NULL)),
    Endpoint(
        "another user's enrollment",
        "get",
        f"{E}/enrollment/audit,{C}",
        expect={**_each(STAFF, NULL), **_each(NOT_STAFF, HIDDEN)},
    ),
    Endpoint(
        "enroll another user",
        "post",
        f"{E}/enrollment",
        {"course_details": {"course_id": C}, "user": "audit"},
        expect=_each(NOT_STAFF, HIDDEN),
    ),
    Endpoint(
        "enroll in a paid mode",
        "post",
        f"{E}/enrollment",
        {"course_details": {"course_id": PAID}, "mode": "verified"},
        expect=_each(NOT_STAFF, NO_PAID_MODE),
    ),
    Endpoint("staff list", "get", f"{E}/enrollments", expect=_each(NOT_STAFF, FORBIDDEN)),
    # Public: no authentication at all, so no credential, good or bad, changes the answer.
    Endpoint("course details", "get", f"{E}/course/{C}", expect=_each(CALLERS, 200)),
]

# --- Building each caller's client ----------------------------------------------------------------


def _mint(oauth_app, user, *, as_jwt: bool = False) -> tuple[str, str, str]:
    """(token, client_id, client_secret): a real token from the token endpoint."""
    client_id, secret = oauth_app(user)
    data = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    if as_jwt:
        data["token_type"] = "jwt"
    response = APIClient().post("/oauth2/access_token", data)
    assert response.status_code == 200, response.content
    return response.json()["access_token"], client_id, secret


def _revoke(token: str, client_id: str, secret: str) -> None:
    response = APIClient().post(
        "/oauth2/revoke_token/", {"token": token, "client_id": client_id, "client_secret": secret}
    )
    assert response.status_code == 200


def _resigned(token: str, *, key: str, **changes) -> str:
    claims = jwt.decode(token, options={"verify_signature": False})
    claims.update(changes)
    return jwt.encode(claims, key, algorithm="HS256")


def _deactivated(user) -> None:
    type(user).objects.filter(pk=user.pk).update(is_active=False)


def _bad_header(case: str, user, oauth_app) -> str:
    """The Authorization header of each rejected credential of ``user``."""
    fixed = {
        "Basic credentials": "Basic Zm9vOmJhcg==",
        "Bearer garbage": "Bearer garbage",
        "JWT garbage": "JWT garbage",
        "Bearer without a token": "Bearer",
        "Bearer with two words": "Bearer abc def",
    }
    if case in fixed:
        return fixed[case]
    if case == "JWT signed with another secret":
        token, *_ = _mint(oauth_app, user, as_jwt=True)
        return f"JWT {_resigned(token, key='another-secret-' + 'x' * 32)}"
    if case == "expired JWT":
        token, *_ = _mint(oauth_app, user, as_jwt=True)
        now = int(time.time())
        return f"Bearer {_resigned(token, key=settings.JWT_SECRET, iat=now - 7200, exp=now - 3600)}"
    if case == "expired opaque token":
        token, *_ = _mint(oauth_app, user)
        get_access_token_model().objects.filter(user=user).update(expires=timezone.now() - timedelta(seconds=1))
        return f"Bearer {token}"
    if case in ("revoked opaque token", "revoked JWT"):
        token, client_id, secret = _mint(oauth_app, user, as_jwt=case == "revoked JWT")
        _revoke(token, client_id, secret)
        return f"Bearer {token}" if case == "revoked opaque token" else f"JWT {token}"
    if case == "opaque token of a deactivated user":
        token, *_ = _mint(oauth_app, user)
        _deactivated(user)
        return f"Bearer {token}"
    if case == "JWT of a deactivated user":
        token, *_ = _mint(oauth_app, user, as_jwt=True)
        _deactivated(user)
        return f"JWT {token}"
    raise AssertionError(case)


def _good_header(form: str, user, oauth_app) -> str:
    if form == "Bearer <opaque>":
        return f"Bearer {_mint(oauth_app, user)[0]}"
    token = _mint(oauth_app, user, as_jwt=True)[0]
    return f"Bearer {token}" if form == "Bearer <jwt>" else f"JWT {token}"


@pytest.fixture
def clients(staff, learner, other_learner, make_user, make_run, course, oauth_app, jwt_for):
    """clients(caller) -> an APIClient sending that caller's credential (real tokens throughout)."""
    make_run(PAID, modes=["audit", "verified"])

    def make(caller: str) -> APIClient:
        if caller == ANONYMOUS:
            return anonymous_client()
        if caller == BAD_TOKEN:
            return bad_token_client()
        if caller == COURSE_STAFF:
            token = jwt_for(make_user(USERNAMES[COURSE_STAFF]), roles=["course_staff:*"])
            return anonymous_client(HTTP_AUTHORIZATION=f"JWT {token}")
        for prefix, user in (("staff ", staff), ("learner ", learner)):
            if caller.startswith(prefix):
                return anonymous_client(HTTP_AUTHORIZATION=_good_header(caller.removeprefix(prefix), user, oauth_app))
        return anonymous_client(HTTP_AUTHORIZATION=_bad_header(caller, staff, oauth_app))

    return make


@pytest.mark.parametrize(("endpoint", "caller", "expected"), matrix(ENDPOINTS, CALLERS))
def test_permission_matrix(endpoint, caller, expected, clients):
    response = send(clients(caller), endpoint)

    check(response, expected)
    if expected.status == 401:
        assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    if expected == HIDDEN:
        assert response.content == b""
    if expected.status != 200:
        assert Enrollment.objects.count() == 0
    elif endpoint.method == "post":
        assert response.json()["user"] == endpoint.body.get("user", USERNAMES[caller])
        assert response.json()["is_active"] is True
    elif endpoint.name == "course details":
        assert response.json()["course_id"] == C
