"""Fixtures shared by the Enterprise API contract tests (seed 003_daa74488a5860cfd.txt).

``enterprise_world`` is a small, complete tenant set-up: customers A and B, one catalog each
holding the demo content (demo/content.py), and callers with real JWTs for every row of
the permission tables. Keep it additive: other areas extend the world in their own fixtures.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
import time_machine
from rest_framework.test import APIClient

from coursegate.catalogs.models import ContentItem, EnterpriseCatalog
from coursegate.catalogs.services import catalog_add_items, catalog_upsert, content_item_upsert
from coursegate.demo.content import DEMO_CONTENT
from coursegate.enterprise.models import EnterpriseCustomer
from coursegate.enterprise.services import customer_upsert
from tests.assignments.conftest import NOW
from tests.kit import permissions as kit

CUSTOMER_A = "904b1785-9d3a-1000-848d-6ae7a56e6355"
CUSTOMER_B = "5b0e2c3a-7d1f-4c2e-9a4b-00000000000b"
CATALOG_A = "3f56a21c-76c8-47c0-add8-a99714d40d94"
CATALOG_B = "7c1d2e3f-4a5b-4c6d-8e9f-00000000000b"

# caller name -> roles in its JWT. Two more callers need no user: None or kit.ANONYMOUS (no
# Authorization header) and kit.BAD_TOKEN ("bad_token": a forged token).
CALLERS = {
    "admin_a": [f"enterprise_admin:{CUSTOMER_A}"],
    "admin_b": [f"enterprise_admin:{CUSTOMER_B}"],
    "operator": ["enterprise_openedx_operator:*"],
    "learner_a": [f"enterprise_learner:{CUSTOMER_A}"],
    "staff": [],  # is_staff, no enterprise role
}
# The bodies of tests/kit/permissions.py's answers, for tests that compare bodies themselves.
NOT_AUTHENTICATED = kit.NOT_PROVIDED.body
INVALID_TOKEN = kit.INVALID_TOKEN.body
FORBIDDEN = kit.FORBIDDEN.body


@dataclass
class EnterpriseWorld:
    customer_a: EnterpriseCustomer
    customer_b: EnterpriseCustomer
    catalog_a: EnterpriseCatalog  # holds every demo content item
    catalog_b: EnterpriseCatalog  # holds the MyUni+Sport101x course and run only
    items: dict[str, ContentItem]  # by content_key
    users: dict = field(default_factory=dict)  # caller name -> User
    _mint: object = None
    _tokens: dict = field(default_factory=dict)

    def token(self, caller: str) -> str:
        """A real JWT from the token endpoint for one of CALLERS (minted once per test)."""
        if caller not in self._tokens:
            self._tokens[caller] = self._mint(self.users[caller], roles=CALLERS[caller])
        return self._tokens[caller]

    def client(self, caller: str | None, *, accept: str | None = "application/json") -> APIClient:
        """An APIClient for ``caller`` (None or kit.ANONYMOUS: anonymous; kit.BAD_TOKEN: a forged
        JWT) that asks for ``accept`` (None: no Accept header, i.e. the family's XML default)."""
        headers = {"HTTP_ACCEPT": accept} if accept is not None else {}
        if caller is None or caller == kit.ANONYMOUS:
            return kit.anonymous_client(**headers)
        if caller == kit.BAD_TOKEN:
            return kit.bad_token_client(**headers)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"JWT {self.token(caller)}", **headers)
        return client


@pytest.fixture
def enterprise_world(db, make_user, jwt_for) -> EnterpriseWorld:
    a = customer_upsert(uuid=CUSTOMER_A, name="Customer A", slug="customer-a", contact_email="admin@a.example")
    b = customer_upsert(uuid=CUSTOMER_B, name="Customer B", slug="customer-b", contact_email="admin@b.example")
    items = {
        key: content_item_upsert(content_type=kind, content_key=key, title=title, **columns)
        for kind, key, title, columns in DEMO_CONTENT
    }
    catalog_a = catalog_upsert(uuid=CATALOG_A, customer=a, title="Customer A catalog", query_title="All demo content")
    catalog_add_items(catalog=catalog_a, items=items.values())
    catalog_b = catalog_upsert(uuid=CATALOG_B, customer=b, title="Customer B catalog", query_title="Sport only")
    catalog_add_items(catalog=catalog_b, items=[i for k, i in items.items() if "Sport101x" in k])
    users = {name: make_user(f"ent_{name}", is_staff=(name == "staff")) for name in CALLERS}
    return EnterpriseWorld(a, b, catalog_a, catalog_b, items, users, jwt_for)


@pytest.fixture
def frozen():
    """Time stands still at NOW (tests/assignments/conftest.py's) for the whole test."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def demo_admin_jwt(db, settings, tmp_path) -> str:
    """`coursegate demo --json` into the test database, then a JWT for its enterprise_admin client
    (customer A's admin) from the token endpoint."""
    import json
    from io import StringIO

    from django.core.management import call_command
    from django.test import Client

    settings.VAR_DIR = tmp_path
    out = StringIO()
    call_command("demo", "--json", stdout=out)
    admin = json.loads(out.getvalue())["enterprise_admin"]
    response = Client().post(
        "/oauth2/access_token",
        {"grant_type": "client_credentials", "client_id": admin["client_id"], "client_secret": admin["client_secret"],
         "token_type": "jwt"},
    )  # fmt: skip
    assert response.status_code == 200, response.content
    return response.json()["access_token"]
