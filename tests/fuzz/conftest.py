"""The fuzz pass's world: the demo data set, real tokens for each family's callers, and the OpenAPI
document as the server serves it."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

TOKEN = "/oauth2/access_token"


def _token(credentials: dict, *, jwt: bool = False) -> str:
    form = {"grant_type": "client_credentials", **{k: credentials[k] for k in ("client_id", "client_secret")}}
    if jwt:
        form["token_type"] = "jwt"
    response = Client().post(TOKEN, form)
    assert response.status_code == 200, response.content
    return response.json()["access_token"]


@pytest.fixture
def fuzz_world(transactional_db, settings, tmp_path):
    """``coursegate demo --json`` into the test database (committed, so after-commit work runs as
    in production), then: ``document`` (GET /api/schema/?format=json), ``credentials`` by demo role
    and ``authorization`` (the Authorization header of each caller)."""
    settings.VAR_DIR = tmp_path
    out = StringIO()
    call_command("demo", "--json", stdout=out)
    credentials = json.loads(out.getvalue())
    response = Client().get("/api/schema/?format=json")
    assert response.status_code == 200, response.content[:500]
    authorization = {
        "anonymous": None,
        "staff": f"Bearer {_token(credentials['staff'])}",
        "learner": f"Bearer {_token(credentials['learner'])}",
        "enterprise_admin": f"JWT {_token(credentials['enterprise_admin'], jwt=True)}",
        "events_writer": f"Bearer {_token(credentials['events_writer'])}",
        "events_reader": f"JWT {_token(credentials['events_reader'], jwt=True)}",
    }
    return {
        "document": json.loads(response.content),
        "credentials": credentials,
        "authorization": authorization,
        # A token of its own for the revoke and introspect bodies, so revoking it ends no caller's.
        "spare_token": _token(credentials["learner"]),
    }
