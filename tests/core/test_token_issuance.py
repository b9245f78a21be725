"""What a token request costs the database (core/oauth.py): the client and its owner in one query,
one INSERT of the access-token row, and for a JWT one read of the owner's roles."""

from __future__ import annotations

import jwt
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from coursegate.accounts.models import Profile
from coursegate.accounts.services import role_assign

TOKEN = "/oauth2/access_token"
# The test case's own transaction turns the issuing transaction into a savepoint.
BOOKKEEPING = ("SAVEPOINT", "RELEASE SAVEPOINT", "SET LOCAL synchronous_commit")


def _statements(captured) -> list[str]:
    return [q["sql"].split(" ")[0] for q in captured if not q["sql"].startswith(BOOKKEEPING)]


def _form(client_id: str, secret: str, **extra) -> dict:
    return {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret, **extra}


@pytest.mark.parametrize(
    ("extra", "expected"),
    [({}, ["SELECT", "INSERT"]), ({"token_type": "jwt"}, ["SELECT", "INSERT", "SELECT"])],
    ids=["opaque", "jwt"],
)
def test_a_client_credentials_token_costs_one_read_one_insert_and_the_roles_for_a_jwt(
    staff, oauth_app, extra, expected
):
    role_assign(user=staff, role="enterprise_admin", context="*")
    form = _form(*oauth_app(staff), **extra)

    with CaptureQueriesContext(connection) as captured:
        response = APIClient().post(TOKEN, form)

    assert response.status_code == 200
    assert _statements(captured) == expected


def test_the_client_owner_s_profile_name_travels_in_the_jwt_without_another_query(make_user, oauth_app):
    owner = make_user("named")
    Profile.objects.update_or_create(user=owner, defaults={"name": "Named Owner"})
    form = _form(*oauth_app(owner), token_type="jwt")

    with CaptureQueriesContext(connection) as captured:
        response = APIClient().post(TOKEN, form)

    claims = jwt.decode(response.json()["access_token"], options={"verify_signature": False})
    assert claims["name"] == "Named Owner"
    assert _statements(captured) == ["SELECT", "INSERT", "SELECT"]


@pytest.mark.django_db(transaction=True)  # SET LOCAL lasts until the end of the real transaction
@pytest.mark.parametrize("synchronous", [False, True])
def test_issuing_leaves_the_session_s_commit_mode_as_it_was(settings, staff, oauth_app, synchronous):
    if connection.vendor != "postgresql":
        pytest.skip("synchronous_commit is a PostgreSQL setting")
    settings.TOKEN_SYNCHRONOUS_COMMIT = synchronous
    client_id, secret = oauth_app(staff)

    response = APIClient().post(TOKEN, _form(client_id, secret))

    assert response.status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone()[0] == "on"
    assert (
        APIClient()
        .get("/api/enrollment/v1/enrollment", HTTP_AUTHORIZATION=f"Bearer {response.json()['access_token']}")
        .status_code
        == 200
    )


def test_an_unknown_client_is_refused(db):
    response = APIClient().post(TOKEN, _form("nobody", "secret"))

    assert (response.status_code, response.json()) == (401, {"error": "invalid_client"})


def test_a_nul_byte_in_the_client_id_is_refused_not_a_server_error(db):
    response = APIClient().post(TOKEN, _form("bad\x00id", "secret"))

    assert response.status_code == 401


@pytest.mark.parametrize(
    "token",
    [
        "a.b.c",
        "eyJhbGciOiJIUzI1NiJ9.WzEsMl0.c2ln",  # the payload is a JSON list
        "eyJhbGciOiJIUzI1NiJ9.eyJpc3MiOjF9.c2ln",  # iss is a number
        "eyJhbGciOiJIUzI1NiJ9.%%%.c2ln",
        "eyJhbGciOiJIUzI1NiJ9.gA.c2ln",  # not UTF-8
    ],
)
def test_unreadable_jwts_are_invalid_tokens(db, token):
    response = APIClient().get("/api/enrollment/v1/enrollment", HTTP_AUTHORIZATION=f"JWT {token}")

    assert (response.status_code, response.json()) == (401, {"detail": "Invalid Token."})
