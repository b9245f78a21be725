"""A role deleted under a live JWT, against a real server (issue 11, failure 7).

The demo's enterprise admin reads customer A's catalog with a JWT whose ``roles`` claim names
that customer; the role assignment is then deleted from another process (``coursegate shell -c``,
as an operator would) and the same JWT is refused at once, by both gunicorn workers, with nothing
restarted and no cache to wait for.
"""

from __future__ import annotations

import jwt
import pytest
import requests

pytestmark = pytest.mark.slow

CUSTOMER_A = "904b1785-9d3a-1000-848d-6ae7a56e6355"
CATALOG_A = "3f56a21c-76c8-47c0-add8-a99714d40d94"
FORBIDDEN = {"detail": "You do not have permission to perform this action."}

ROLE_EDIT = (
    "from coursegate.accounts.models import User; from coursegate.accounts.services import {service}; "
    "print({service}(user=User.objects.get(username={username!r}), role='enterprise_admin', "
    "context='" + CUSTOMER_A + "'))"
)


def _token(server, role: str, **extra: str) -> str:
    cred = server.credentials[role]
    response = requests.post(
        f"{server.url}/oauth2/access_token",
        data={
            "grant_type": "client_credentials",
            "client_id": cred["client_id"],
            "client_secret": cred["client_secret"],
        }
        | extra,
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def _read_catalog(server, authorization: str) -> requests.Response:
    return requests.get(
        f"{server.url}/enterprise/v2/enterprise-catalogs/{CATALOG_A}",
        headers={"Authorization": authorization, "Accept": "application/json"},
        timeout=10,
    )


def test_a_deleted_role_stops_a_live_jwt_at_the_next_request(server):
    username = server.credentials["enterprise_admin"]["username"]
    token = _token(server, "enterprise_admin", token_type="jwt")
    opaque = _token(server, "enterprise_admin")
    claims = jwt.decode(token, server.jwt_secret, algorithms=["HS256"], audience="coursegate", issuer="coursegate")
    assert f"enterprise_admin:{CUSTOMER_A}" in claims["roles"]
    assert [_read_catalog(server, f"JWT {token}").status_code for _ in range(4)] == [200] * 4  # both workers

    deleted = server.coursegate("shell", "-v", "0", "-c", ROLE_EDIT.format(service="role_revoke", username=username))

    try:
        assert deleted.strip() == "1"
        answers = [_read_catalog(server, f"JWT {token}") for _ in range(4)]
        assert [(a.status_code, a.json()) for a in answers] == [(403, FORBIDDEN)] * 4
        assert _read_catalog(server, f"Bearer {opaque}").status_code == 403
    finally:  # the module's server is shared: give the demo admin its role back
        server.coursegate("shell", "-v", "0", "-c", ROLE_EDIT.format(service="role_assign", username=username))

    assert _read_catalog(server, f"JWT {token}").status_code == 200
