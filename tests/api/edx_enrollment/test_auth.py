"""Who may call what: the authentication and permission matrix of every Enrollment API endpoint.

ARCHITECTURE.md "Authentication and authorization": no credentials -> 401 "Authentication
credentials were not provided."; a bad, expired, revoked token or one of a deactivated user ->
401 "Invalid Token."; authenticated but not allowed -> 403. ``Bearer <opaque>``, ``Bearer <jwt>``
and ``JWT <jwt>`` all work. The course-details endpoint is public.
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
from tests.api.edx_enrollment.support import FORBIDDEN, INVALID_TOKEN, NOT_PROVIDED, C, E

ENROLL_BODY = {"course_details": {"course_id": C}}

# (name, method, path, body); every authenticated endpoint of the family.
ENDPOINTS = [
    ("list", "get", f"{E}/enrollment", None),
    ("enroll", "post", f"{E}/enrollment", ENROLL_BODY),
    ("user enrollment", "get", f"{E}/enrollment/honor,{C}", None),
    ("own enrollment", "get", f"{E}/enrollment/{C}", None),
    ("staff list", "get", f"{E}/enrollments", None),
]
ENDPOINT_IDS = [name for name, *_ in ENDPOINTS]


def _call(client, method, path, body):
    if method == "post":
        return client.post(path, body, format="json")
    return client.get(path)


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


def _bad_header(case: str, user, oauth_app) -> str | None:
    """The Authorization header of each rejected credential (None: no header at all)."""
    if case == "no header":
        return None
    if case == "Bearer garbage":
        return "Bearer garbage"
    if case in ("JWT garbage", "Bearer without a token", "Bearer with two words"):
        return {
            "JWT garbage": "JWT garbage",
            "Bearer without a token": "Bearer",
            "Bearer with two words": "Bearer abc def",
        }[case]
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
    if case == "revoked opaque token":
        token, client_id, secret = _mint(oauth_app, user)
        _revoke(token, client_id, secret)
        return f"Bearer {token}"
    if case == "revoked JWT":
        token, client_id, secret = _mint(oauth_app, user, as_jwt=True)
        _revoke(token, client_id, secret)
        return f"JWT {token}"
    if case == "opaque token of a deactivated user":
        token, *_ = _mint(oauth_app, user)
        type(user).objects.filter(pk=user.pk).update(is_active=False)
        return f"Bearer {token}"
    if case == "JWT of a deactivated user":
        token, *_ = _mint(oauth_app, user, as_jwt=True)
        type(user).objects.filter(pk=user.pk).update(is_active=False)
        return f"JWT {token}"
    raise AssertionError(case)


REJECTED = [
    ("no header", NOT_PROVIDED),
    ("Bearer garbage", INVALID_TOKEN),
    ("JWT garbage", INVALID_TOKEN),
    ("Bearer without a token", INVALID_TOKEN),
    ("Bearer with two words", INVALID_TOKEN),
    ("JWT signed with another secret", INVALID_TOKEN),
    ("expired JWT", INVALID_TOKEN),
    ("expired opaque token", INVALID_TOKEN),
    ("revoked opaque token", INVALID_TOKEN),
    ("revoked JWT", INVALID_TOKEN),
    ("opaque token of a deactivated user", INVALID_TOKEN),
    ("JWT of a deactivated user", INVALID_TOKEN),
]


@pytest.mark.parametrize(("case", "expected_body"), REJECTED, ids=[case for case, _ in REJECTED])
@pytest.mark.parametrize(("name", "method", "path", "body"), ENDPOINTS, ids=ENDPOINT_IDS)
def test_unauthenticated_callers_get_401_with_the_contract_body(
    case, expected_body, name, method, path, body, staff, course, oauth_app
):
    # The staff user would be allowed everywhere, so only the credential can be the reason.
    header = _bad_header(case, staff, oauth_app)
    client = APIClient()
    if header is not None:
        client.credentials(HTTP_AUTHORIZATION=header)

    response = _call(client, method, path, body)

    assert response.status_code == 401
    assert response.json() == expected_body
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert Enrollment.objects.count() == 0


HEADER_FORMS = ["Bearer <opaque>", "Bearer <jwt>", "JWT <jwt>"]


def _good_header(form: str, user, oauth_app) -> str:
    if form == "Bearer <opaque>":
        return f"Bearer {_mint(oauth_app, user)[0]}"
    token = _mint(oauth_app, user, as_jwt=True)[0]
    return f"Bearer {token}" if form == "Bearer <jwt>" else f"JWT {token}"


@pytest.mark.parametrize("form", HEADER_FORMS)
@pytest.mark.parametrize(("name", "method", "path", "body"), ENDPOINTS, ids=ENDPOINT_IDS)
def test_staff_is_admitted_everywhere_with_every_header_form(
    form, name, method, path, body, staff, learner, course, oauth_app
):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=_good_header(form, staff, oauth_app))

    response = _call(client, method, path, body)

    assert response.status_code == 200, response.content


# What a learner gets on each endpoint: everything but the staff listing.
LEARNER_EXPECTED = {
    "list": (200, []),
    "enroll": (200, None),
    "user enrollment": (200, None),
    "own enrollment": (200, None),
    "staff list": (403, FORBIDDEN),
}


@pytest.mark.parametrize("form", HEADER_FORMS)
@pytest.mark.parametrize(("name", "method", "path", "body"), ENDPOINTS, ids=ENDPOINT_IDS)
def test_learner_is_admitted_everywhere_but_the_staff_list_with_every_header_form(
    form, name, method, path, body, learner, course, oauth_app
):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=_good_header(form, learner, oauth_app))

    response = _call(client, method, path, body)

    status, expected_body = LEARNER_EXPECTED[name]
    assert response.status_code == status, response.content
    if name == "enroll":
        assert response.json()["user"] == "honor"
        assert response.json()["is_active"] is True
    else:
        assert response.json() == expected_body


@pytest.mark.parametrize(
    "header",
    [None, "Bearer garbage", "JWT garbage", "Basic Zm9vOmJhcg=="],
    ids=["no header", "Bearer garbage", "JWT garbage", "Basic credentials"],
)
def test_course_details_are_public_whatever_the_authorization_header(header, course):
    client = APIClient()
    if header is not None:
        client.credentials(HTTP_AUTHORIZATION=header)

    response = client.get(f"{E}/course/{C}")

    assert response.status_code == 200
    assert response.json()["course_id"] == C


def test_course_details_ignore_an_expired_token(course, learner, oauth_app):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=_bad_header("expired JWT", learner, oauth_app))

    response = client.get(f"{E}/course/{C}")

    assert response.status_code == 200
    assert response.json()["course_id"] == C
