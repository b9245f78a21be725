"""Tokens no client of ours would send are 401 "Invalid Token." (or, at the revoke and introspect
endpoints, the RFC answers for an unknown token), never a 500 (issue 11, failure 5).

Our JWTs name their stored access token in ``jti`` as a positive decimal string; anything else —
a number too big for the database's integer, digits ``int()`` refuses or reads differently
(``²``, ``٣``), a sign, hex, a non-string — names no token. The tokens below are all signed with
our own secret, so each one reaches the ``jti`` lookup.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import jwt
import pytest
from django.conf import settings
from oauth2_provider.models import get_access_token_model
from rest_framework.test import APIClient

from .conftest import basic_auth

INVALID = {"detail": "Invalid Token."}

BAD_JTIS = [
    ("huge", "9" * 40),
    ("just-over-64-bits", str(2**64)),
    ("19-digits", "1" + "0" * 18),
    ("superscript-two", "²"),
    ("arabic-indic-three", "٣"),
    ("fullwidth-one", "１"),
    ("negative", "-1"),
    ("plus-sign", "+1"),
    ("zero", "0"),
    ("leading-zero", "01"),
    ("hex", "0x1"),
    ("decimal-point", "1.0"),
    ("exponent", "1e3"),
    ("spaces", " 1 "),
    ("empty", ""),
    ("nul", "1\x00"),
    ("integer", 1),
    ("huge-integer", 10**40),
    ("float", 1.5),
    ("boolean", True),
    ("null", None),
    ("list", ["1"]),
    ("object", {"id": "1"}),
]


@pytest.fixture
def issued(learner, jwt_for) -> dict:
    """The claims of a real JWT of ours (its backing row exists)."""
    return jwt.decode(jwt_for(learner), options={"verify_signature": False})


def _signed(claims: dict, **changes) -> str:
    return jwt.encode({**claims, **changes}, settings.JWT_SECRET, algorithm="HS256")


@pytest.mark.parametrize("jti", [row[1] for row in BAD_JTIS], ids=[row[0] for row in BAD_JTIS])
def test_a_jti_that_is_not_a_small_positive_decimal_is_an_invalid_token(jti, issued, list_enrollments):
    token = _signed(issued, jti=jti)

    response = list_enrollments(f"Bearer {token}")

    assert (response.status_code, response.json()) == (401, INVALID)


@pytest.mark.parametrize("jti", [row[1] for row in BAD_JTIS], ids=[row[0] for row in BAD_JTIS])
def test_revoke_and_introspect_treat_a_bad_jti_as_an_unknown_token(jti, issued, learner, oauth_app):
    client_id, secret = oauth_app(learner)
    token = _signed(issued, jti=jti)
    auth = basic_auth(client_id, secret)

    revoked = APIClient().post("/oauth2/revoke_token/", {"token": token}, HTTP_AUTHORIZATION=auth)
    inspected = APIClient().post("/oauth2/introspect/", {"token": token}, HTTP_AUTHORIZATION=auth)

    assert (revoked.status_code, revoked.content) == (200, b"")
    assert (inspected.status_code, inspected.json()) == (200, {"active": False})
    assert get_access_token_model().objects.count() == 1  # the issued token's row is untouched


def test_the_largest_jti_accepted_is_looked_up_and_simply_not_found(issued, list_enrollments):
    response = list_enrollments(f"Bearer {_signed(issued, jti='9' * 18)}")

    assert (response.status_code, response.json()) == (401, INVALID)


def _b64(value: bytes) -> str:
    return base64.urlsafe_b64encode(value).rstrip(b"=").decode()


def _deep(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


def _unsigned(header: bytes, payload: bytes) -> str:
    return f"{_b64(header)}.{_b64(payload)}.c2ln"


def _hand_signed(claims: dict) -> str:
    """HS256 with our secret, for claims PyJWT refuses to encode."""
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    signing_input = f"{header}.{_b64(json.dumps(claims).encode())}"
    signature = hmac.new(settings.JWT_SECRET.encode(), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(signature)}"


UNREADABLE = [
    # A payload nested deeper than the json module recurses: read before anything is verified.
    ("deep-payload", lambda c: _unsigned(b"{}", _deep(100_000))),
    # A header nested as deep, around a payload that names our issuer (so PyJWT parses the header).
    ("deep-header", lambda c: _unsigned(b'{"a":' + _deep(100_000) + b"}", json.dumps(c).encode())),
    ("payload-not-utf8", lambda c: _unsigned(b"{}", b"\xff\xfe")),
    ("payload-a-list", lambda c: _unsigned(b"{}", b"[1]")),
    ("iss-not-a-string", lambda c: _hand_signed({**c, "iss": ["coursegate"]})),
    ("exp-infinite", lambda c: _signed(c, exp=float("inf"))),
    ("iat-infinite", lambda c: _signed(c, iat=float("inf"))),
    ("exp-a-string", lambda c: _signed(c, exp="soon")),
    ("aud-an-object", lambda c: _signed(c, aud={"x": 1})),
    ("version-a-number", lambda c: _signed(c, version=2)),
    ("non-latin-token", lambda c: "ä.ö.ü"),
]


@pytest.mark.parametrize("build", [row[1] for row in UNREADABLE], ids=[row[0] for row in UNREADABLE])
def test_an_unreadable_jwt_is_an_invalid_token(build, issued, list_enrollments):
    response = list_enrollments(f"JWT {build(issued)}")

    assert (response.status_code, response.json()) == (401, INVALID)


def test_a_valid_jwt_still_works_next_to_all_that(issued, list_enrollments):
    response = list_enrollments(f"JWT {_signed(issued, iat=int(time.time()) - 1)}")

    assert (response.status_code, response.json()) == (200, [])
