"""TokenAuthentication against GET /api/enrollment/v1/enrollment: which Authorization headers are
accepted, which are refused and with which body, trusted issuers, and what authenticating costs.

Contract: ARCHITECTURE.md "Authentication and authorization" (401 bodies), reference/
events_and_clients.md §2.4 (edx JWT consumer rules: exp/iat required, iss and aud checked).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta

import jwt
import pytest
from django.conf import settings
from django.utils import timezone
from oauth2_provider.models import get_access_token_model
from rest_framework.test import APIClient

# The brief's trusted-issuer secret ("s3cret") is deliberately short; PyJWT warns about it.
pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")

NOT_PROVIDED = {"detail": "Authentication credentials were not provided."}
INVALID = {"detail": "Invalid Token."}
FORBIDDEN = {"detail": "You do not have permission to perform this action."}
STAFF_LIST = "/api/enrollment/v1/enrollments"

IDP = "https://idp.example"
IDP_AUDIENCE = "coursegate-events"
IDP_SECRET = "s3cret"
OUR_SECRET = object()


@dataclass
class Minted:
    """Real tokens of one learner, from the token endpoint."""

    user: object
    opaque: str
    jwt: str

    @property
    def claims(self) -> dict:
        return jwt.decode(self.jwt, options={"verify_signature": False})

    def resigned(self, key: str | None = None, algorithm: str = "HS256", drop=(), **changes) -> str:
        """Our JWT with some claims changed, signed again (with our secret unless ``key``)."""
        claims = {k: v for k, v in {**self.claims, **changes}.items() if k not in drop}
        return jwt.encode(claims, settings.JWT_SECRET if key is None else key, algorithm=algorithm)

    def backing_row(self):
        return get_access_token_model().objects.get(pk=int(self.claims["jti"]))


@pytest.fixture
def minted(learner, bearer_for, jwt_for) -> Minted:
    return Minted(learner, bearer_for(learner), jwt_for(learner))


# --- refused headers ----------------------------------------------------------------------


def _deactivate(m: Minted) -> None:
    m.user.is_active = False
    m.user.save()


def _expire_backing_row(m: Minted) -> None:
    get_access_token_model().objects.filter(pk=int(m.claims["jti"])).update(
        expires=timezone.now() - timedelta(seconds=1)
    )


def _expire_opaque_row(m: Minted) -> None:
    get_access_token_model().objects.exclude(pk=int(m.claims["jti"])).update(
        expires=timezone.now() - timedelta(seconds=1)
    )


def _spoiled(spoil, scheme: str = "JWT", token: str = "jwt"):
    """A header with one of the real tokens, sent after ``spoil(minted)`` changed the database."""

    def build(m: Minted) -> str:
        spoil(m)
        return f"{scheme} {getattr(m, token)}"

    return build


def _tampered(m: Minted) -> str:
    """Our JWT's header and signature around another payload (preferred_username "staff")."""
    header, _payload, signature = m.jwt.split(".")
    return f"JWT {header}.{m.resigned(preferred_username='staff').split('.')[1]}.{signature}"


# Each row: (id, build(minted) -> Authorization header or None, expected 401 body).
REFUSED = [
    ("no-header", lambda m: None, NOT_PROVIDED),
    ("empty-header", lambda m: "", NOT_PROVIDED),
    ("basic-scheme", lambda m: "Basic aG9ub3I6ZWR4", NOT_PROVIDED),
    ("unknown-scheme", lambda m: f"Token {m.opaque}", NOT_PROVIDED),
    ("bearer-alone", lambda m: "Bearer", INVALID),
    ("jwt-alone", lambda m: "JWT", INVALID),
    ("bearer-two-words", lambda m: "Bearer a b", INVALID),
    ("bearer-garbage", lambda m: "Bearer garbage", INVALID),
    ("jwt-garbage", lambda m: "JWT garbage", INVALID),
    ("jwt-three-garbage-parts", lambda m: "JWT a.b.c", INVALID),
    ("opaque-with-a-typo", lambda m: f"Bearer {m.opaque}x", INVALID),
    ("jwt-other-secret", lambda m: f"JWT {m.resigned(key='not-our-secret')}", INVALID),
    ("jwt-tampered-payload", _tampered, INVALID),
    ("jwt-wrong-iss", lambda m: f"JWT {m.resigned(iss='someone-else')}", INVALID),
    ("jwt-wrong-aud", lambda m: f"JWT {m.resigned(aud='another-service')}", INVALID),
    ("jwt-expired", lambda m: f"JWT {m.resigned(exp=int(time.time()) - 10)}", INVALID),
    ("jwt-missing-exp", lambda m: f"JWT {m.resigned(drop=('exp',))}", INVALID),
    ("jwt-missing-iat", lambda m: f"JWT {m.resigned(drop=('iat',))}", INVALID),
    ("jwt-missing-jti", lambda m: f"JWT {m.resigned(drop=('jti',))}", INVALID),
    ("jwt-unknown-jti", lambda m: f"JWT {m.resigned(jti='999999')}", INVALID),
    ("jwt-newer-major-version", lambda m: f"JWT {m.resigned(version='2.0.0')}", INVALID),
    ("jwt-alg-none", lambda m: f"JWT {m.resigned(key='', algorithm='none')}", INVALID),
    ("jwt-alg-hs512", lambda m: f"JWT {m.resigned(algorithm='HS512')}", INVALID),
    ("jwt-of-deleted-token", _spoiled(lambda m: m.backing_row().delete()), INVALID),
    ("jwt-of-revoked-token", _spoiled(lambda m: m.backing_row().revoke(), scheme="Bearer"), INVALID),
    ("jwt-of-expired-token-row", _spoiled(_expire_backing_row), INVALID),
    ("opaque-of-inactive-user", _spoiled(_deactivate, "Bearer", "opaque"), INVALID),
    ("jwt-of-inactive-user", _spoiled(_deactivate), INVALID),
    ("opaque-expired", _spoiled(_expire_opaque_row, "Bearer", "opaque"), INVALID),
]


@pytest.mark.parametrize(("build", "expected"), [row[1:] for row in REFUSED], ids=[row[0] for row in REFUSED])
def test_a_refused_authorization_header_answers_401_with_the_seed_body(build, expected, minted, list_enrollments):
    authorization = build(minted)

    response = list_enrollments(authorization)

    assert response.status_code == 401
    assert response.json() == expected
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_the_unchanged_resigned_jwt_is_accepted_so_the_refusals_above_test_one_change_each(minted, list_enrollments):
    response = list_enrollments(f"JWT {minted.resigned()}")

    assert (response.status_code, response.json()) == (200, [])


# --- accepted headers ---------------------------------------------------------------------

ACCEPTED = [
    ("bearer-opaque", lambda m: f"Bearer {m.opaque}"),
    ("lower-case-bearer-opaque", lambda m: f"bearer {m.opaque}"),
    ("upper-case-bearer-opaque", lambda m: f"BEARER {m.opaque}"),
    ("bearer-jwt", lambda m: f"Bearer {m.jwt}"),
    ("jwt-scheme", lambda m: f"JWT {m.jwt}"),
    ("lower-case-jwt-scheme", lambda m: f"jwt {m.jwt}"),
    ("extra-spaces", lambda m: f"  Bearer   {m.opaque}  "),
]


@pytest.mark.parametrize("build", [row[1] for row in ACCEPTED], ids=[row[0] for row in ACCEPTED])
def test_an_accepted_authorization_header_authenticates_the_token_owner(build, minted, enroll, list_enrollments):
    enroll(minted.user, "course-v1:Org+Auth+Run")

    response = list_enrollments(build(minted))

    assert response.status_code == 200
    assert [(e["user"], e["course_details"]["course_id"]) for e in response.json()] == [
        ("honor", "course-v1:Org+Auth+Run")
    ]


def test_a_learner_token_on_the_staff_only_list_is_403_not_401(minted):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {minted.opaque}")

    response = client.get(STAFF_LIST)

    assert (response.status_code, response.json()) == (403, FORBIDDEN)


# --- trusted issuers ----------------------------------------------------------------------


@pytest.fixture
def trusted_idp(settings):
    settings.JWT_TRUSTED_ISSUERS = [{"issuer": IDP, "audience": [IDP_AUDIENCE], "secret": IDP_SECRET}]
    settings.JWT_LEEWAY_SECONDS = 300


def _idp_token(
    *,
    username: str = "idp-user",
    secret: str = IDP_SECRET,
    aud=IDP_AUDIENCE,
    iss: str = IDP,
    exp_in: int = 600,
    algorithm: str = "HS256",
    **extra,
) -> str:
    """A token of the trusted identity provider; a claim given as None is left out."""
    now = int(time.time())
    claims = {"iss": iss, "aud": aud, "iat": now - 5, "exp": now + exp_in, "preferred_username": username, **extra}
    key = settings.JWT_SECRET if secret is OUR_SECRET else secret
    return jwt.encode({k: v for k, v in claims.items() if v is not None}, key, algorithm=algorithm)


TRUSTED = [
    # id, token kwargs, expected status
    ("valid", {}, 200),
    ("audience-as-list", {"aud": ["other", IDP_AUDIENCE]}, 200),
    ("expired-within-the-5-minute-leeway", {"exp_in": -240}, 200),
    ("expired-beyond-the-5-minute-leeway", {"exp_in": -360}, 401),
    ("wrong-audience", {"aud": "coursegate"}, 401),
    ("no-audience", {"aud": None}, 401),
    ("wrong-secret", {"secret": "not-the-idp-secret"}, 401),
    ("signed-with-our-secret-claiming-the-idp", {"secret": OUR_SECRET}, 401),
    ("hs512", {"algorithm": "HS512"}, 401),
    ("untrusted-issuer", {"iss": "https://evil.example"}, 401),
]


@pytest.mark.parametrize(
    ("token_kwargs", "expected_status"), [row[1:] for row in TRUSTED], ids=[row[0] for row in TRUSTED]
)
def test_a_trusted_issuers_hs256_token_is_accepted_only_with_its_audience_secret_and_leeway(
    token_kwargs, expected_status, trusted_idp, list_enrollments, db
):
    response = list_enrollments(f"Bearer {_idp_token(**token_kwargs)}")

    assert response.status_code == expected_status
    assert response.json() == ([] if expected_status == 200 else INVALID)


def test_trusted_issuer_tokens_are_refused_when_the_issuer_is_not_configured(list_enrollments, settings, db):
    settings.JWT_TRUSTED_ISSUERS = []

    response = list_enrollments(f"JWT {_idp_token()}")

    assert (response.status_code, response.json()) == (401, INVALID)


def test_a_trusted_issuers_token_named_staff_is_not_the_local_staff_user(trusted_idp, staff):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {_idp_token(username='staff', administrator=True)}")

    response = client.get(STAFF_LIST)

    assert (response.status_code, response.json()) == (403, FORBIDDEN)


def test_a_trusted_issuers_token_does_not_see_the_enrollments_of_the_local_user_of_that_name(
    trusted_idp, staff, enroll, list_enrollments
):
    # ExternalPrincipal's promise: "a foreign token can never act as a local user of the same name".
    enroll(staff, "course-v1:Org+Local+Run")

    response = list_enrollments(f"Bearer {_idp_token(username='staff')}")

    assert (response.status_code, response.json()) == (200, [])


def test_a_trusted_issuers_token_cannot_enroll_the_local_user_of_that_name(trusted_idp, learner, make_run):
    # Not a local account: no Enrollment API status fits "enroll yourself" better than a refusal;
    # the invariant is that the local "honor" is left alone.
    make_run("course-v1:Org+Local+Run", modes=("honor",))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {_idp_token(username='honor')}")

    response = client.post(
        "/api/enrollment/v1/enrollment", {"course_details": {"course_id": "course-v1:Org+Local+Run"}}, format="json"
    )

    assert learner.enrollments.count() == 0
    assert response.status_code in (403, 404, 406)


# --- query cost ---------------------------------------------------------------------------
# The whole GET /api/enrollment/v1/enrollment for a user with no enrollments is measured:
# authentication + one SELECT of the caller's active enrollments (the course-mode prefetch is
# skipped for an empty result). Throttling is off (conftest) and no session is touched.
#   opaque token : 1 indexed lookup by checksum that joins user and application owner   -> 2 in all
#   our JWT      : offline verification + 1 primary-key lookup of its backing row (same
#                  join; that lookup is what makes revocation effective)             -> 2 in all
#   trusted JWT  : offline verification only, no local account                      -> 1 in all


@pytest.mark.parametrize(("kind", "queries"), [("opaque", 2), ("own-jwt", 2), ("trusted-jwt", 1)])
def test_authenticating_costs_one_query_for_our_tokens_and_none_for_a_trusted_issuers(
    kind, queries, minted, trusted_idp, django_assert_num_queries
):
    token = {"opaque": minted.opaque, "own-jwt": minted.jwt, "trusted-jwt": _idp_token()}[kind]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")

    with django_assert_num_queries(queries):
        response = client.get("/api/enrollment/v1/enrollment")

    assert (response.status_code, response.json()) == (200, [])
