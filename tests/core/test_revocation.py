"""Revocation is immediate for every token this server issues (issue 11, failure 7).

Each token kind (opaque and JWT, from the client-credentials and from the password grant) meets
each revocation (the role deleted, the user deactivated, the user deleted, the token revoked
through POST /oauth2/revoke_token/); the very next request with the same token is refused: 403
for a removed role (the token is still good, the permission is gone), 401 "Invalid Token." for the
rest. The request is an enterprise admin reading its customer's catalog, which answered 200 just
before. A JWT's ``roles`` claim decides nothing: the account's role assignments at the time of the
request do (docs/authentication.md "Revocation").
"""

from __future__ import annotations

from dataclasses import dataclass

import jwt
import pytest
from oauth2_provider.models import get_application_model, get_refresh_token_model
from rest_framework.test import APIClient

from coursegate.accounts.models import RoleAssignment
from coursegate.accounts.services import role_assign, role_revoke
from coursegate.catalogs.services import catalog_upsert
from coursegate.enterprise.services import customer_upsert

from .conftest import basic_auth

CUSTOMER = "904b1785-9d3a-1000-848d-6ae7a56e6355"
CATALOG = "3f56a21c-76c8-47c0-add8-a99714d40d94"
CATALOG_URL = f"/enterprise/v2/enterprise-catalogs/{CATALOG}"
ADMIN_ROLE = f"enterprise_admin:{CUSTOMER}"
INVALID = {"detail": "Invalid Token."}
FORBIDDEN = {"detail": "You do not have permission to perform this action."}


@dataclass
class Issued:
    """A real token from the token endpoint, with the client that asked for it."""

    user: object
    token: str
    client_id: str
    client_secret: str
    refresh_token: str | None = None

    def read_catalog(self, scheme: str = "Bearer"):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"{scheme} {self.token}", HTTP_ACCEPT="application/json")
        return client.get(CATALOG_URL)

    def revoke(self, token: str | None = None):
        data = {"token": token or self.token}
        return APIClient().post(
            "/oauth2/revoke_token/", data, HTTP_AUTHORIZATION=basic_auth(self.client_id, self.client_secret)
        )

    def refresh(self):
        return APIClient().post(
            "/oauth2/access_token",
            {"grant_type": "refresh_token", "refresh_token": self.refresh_token},
            HTTP_AUTHORIZATION=basic_auth(self.client_id, self.client_secret),
        )


@pytest.fixture
def catalog(db):
    customer = customer_upsert(uuid=CUSTOMER, name="Customer A", slug="customer-a", contact_email="a@a.example")
    return catalog_upsert(uuid=CATALOG, customer=customer, title="Customer A catalog")


@pytest.fixture
def admin(make_user, catalog):
    user = make_user("ent_admin")
    role_assign(user=user, role="enterprise_admin", context=CUSTOMER)
    return user


@pytest.fixture
def issue(admin, make_user, oauth_app):
    """issue(kind) -> Issued: a token for ``admin``. Client credentials: the admin's own client;
    password grant: another user's client, given the admin's username and password."""

    def make(kind: str) -> Issued:
        grant, token_type = kind.split("/")
        extra = {"token_type": "jwt"} if token_type == "jwt" else {}
        if grant == "client_credentials":
            client_id, secret = oauth_app(admin)
        else:
            owner = make_user(f"portal_{get_application_model().objects.count()}")
            client_id, secret = oauth_app(owner, grant_type=get_application_model().GRANT_PASSWORD)
            extra |= {"username": admin.username, "password": "edx"}
        response = APIClient().post(
            "/oauth2/access_token",
            {"grant_type": grant, "client_id": client_id, "client_secret": secret, **extra},
        )
        assert response.status_code == 200, response.content
        body = response.json()
        return Issued(admin, body["access_token"], client_id, secret, body.get("refresh_token"))

    return make


@pytest.fixture
def auditor(make_user, oauth_app):
    """A staff-owned client: it may introspect any token (RFC 7662), whoever issued it."""
    return oauth_app(make_user("auditor", is_staff=True))


def introspect(auditor, token: str) -> dict:
    response = APIClient().post("/oauth2/introspect/", {"token": token}, HTTP_AUTHORIZATION=basic_auth(*auditor))
    assert response.status_code == 200
    return response.json()


KINDS = ["client_credentials/opaque", "password/opaque", "client_credentials/jwt", "password/jwt"]


def _role_deleted(issued: Issued) -> None:
    assert role_revoke(user=issued.user, role="enterprise_admin", context=CUSTOMER) == 1


def _user_deactivated(issued: Issued) -> None:
    issued.user.is_active = False
    issued.user.save(update_fields=["is_active"])


def _user_deleted(issued: Issued) -> None:
    issued.user.delete()


def _token_revoked(issued: Issued) -> None:
    response = issued.revoke()
    assert (response.status_code, response.content) == (200, b"")


# Each row: (revocation, status of the next request, its body, whether introspection says active).
REVOCATIONS = [
    ("role-deleted", _role_deleted, 403, FORBIDDEN, True),
    ("user-deactivated", _user_deactivated, 401, INVALID, False),
    ("user-deleted", _user_deleted, 401, INVALID, False),
    ("token-revoked", _token_revoked, 401, INVALID, False),
]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    ("revoke", "status", "body", "active"), [row[1:] for row in REVOCATIONS], ids=[row[0] for row in REVOCATIONS]
)
def test_the_next_request_after_a_revocation_is_refused(kind, revoke, status, body, active, issue, auditor):
    issued = issue(kind)
    assert issued.read_catalog().status_code == 200

    revoke(issued)

    response = issued.read_catalog()
    assert (response.status_code, response.json()) == (status, body)
    assert introspect(auditor, issued.token)["active"] is active


@pytest.mark.parametrize("kind", ["client_credentials/jwt", "password/jwt"])
def test_a_jwt_keeps_its_roles_claim_as_issued_but_the_claim_grants_nothing(kind, issue):
    issued = issue(kind)
    _role_deleted(issued)

    response = issued.read_catalog(scheme="JWT")

    assert jwt.decode(issued.token, options={"verify_signature": False})["roles"] == [ADMIN_ROLE]
    assert (response.status_code, response.json()) == (403, FORBIDDEN)


@pytest.mark.parametrize("kind", KINDS)
def test_a_role_given_after_the_token_was_issued_counts_at_the_next_request(kind, issue):
    issued = issue(kind)
    _role_deleted(issued)
    assert issued.read_catalog().status_code == 403

    role_assign(user=issued.user, role="enterprise_openedx_operator", context="*")

    assert issued.read_catalog().status_code == 200


def _delete_role(site: APIClient, issued: Issued):
    assignment = RoleAssignment.objects.get(user=issued.user)
    return site.post(f"/admin/accounts/roleassignment/{assignment.pk}/delete/", {"post": "yes"})


def _delete_user(site: APIClient, issued: Issued):
    return site.post(f"/admin/accounts/user/{issued.user.pk}/delete/", {"post": "yes"})


def _revoke_token(site: APIClient, issued: Issued):
    # django-oauth-toolkit's admin revokes tokens with an action (it refuses plain deletes).
    row = jwt.decode(issued.token, options={"verify_signature": False})["jti"]
    data = {"action": "revoke_tokens", "_selected_action": [row]}
    return site.post("/admin/oauth2_provider/accesstoken/", data)


# Each row: (what the operator does in the Django admin, status of the next request, its body).
IN_THE_ADMIN = [
    ("role-deleted", _delete_role, 403, FORBIDDEN),
    ("user-deleted", _delete_user, 401, INVALID),
    ("token-revoked", _revoke_token, 401, INVALID),
]


@pytest.mark.parametrize(
    ("operate", "status", "body"), [row[1:] for row in IN_THE_ADMIN], ids=[row[0] for row in IN_THE_ADMIN]
)
def test_a_revocation_in_the_django_admin_is_refused_at_the_next_request(operate, status, body, issue, make_user):
    issued = issue("password/jwt")
    operator = make_user("root", is_staff=True)
    operator.is_superuser = True
    operator.save()
    site = APIClient()
    site.force_login(operator)

    page = operate(site, issued)

    assert page.status_code == 302  # done, back to the list
    response = issued.read_catalog()
    assert (response.status_code, response.json()) == (status, body)


def test_a_reactivated_user_is_let_in_again_with_its_unexpired_tokens(issue):
    # As Django's own sessions: deactivation refuses the account, it does not delete its tokens.
    # Revoke them (or delete the user) to end them for good.
    issued = issue("client_credentials/jwt")
    _user_deactivated(issued)
    assert issued.read_catalog().status_code == 401

    issued.user.is_active = True
    issued.user.save(update_fields=["is_active"])

    assert issued.read_catalog().status_code == 200


# --- the password grant's refresh token ---------------------------------------------------------


def test_revoking_the_refresh_token_ends_the_access_token_issued_with_it(issue, auditor):
    issued = issue("password/opaque")

    assert issued.revoke(issued.refresh_token).status_code == 200

    response = issued.read_catalog()
    assert (response.status_code, response.json()) == (401, INVALID)
    assert issued.refresh().json()["error"] == "invalid_grant"
    assert get_refresh_token_model().objects.get().revoked is not None


@pytest.mark.parametrize("kind", ["password/opaque", "password/jwt"])
def test_a_revoked_access_tokens_refresh_token_no_longer_issues_tokens(kind, issue):
    issued = issue(kind)

    issued.revoke()

    refreshed = issued.refresh()
    assert (refreshed.status_code, refreshed.json()["error"]) == (400, "invalid_grant")


def test_another_clients_refresh_token_is_not_revoked(issue):
    mine, theirs = issue("password/opaque"), issue("password/opaque")

    assert mine.revoke(theirs.refresh_token).status_code == 200

    assert theirs.refresh().status_code == 200
