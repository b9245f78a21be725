"""A learner linked to a customer holds ``enterprise_learner:<customer>`` (reference/learner_side.md
§2; issue 12): as a role row, in JWTs minted afterwards and in role checks of any token. Links made
by license assignment (existing accounts), by the account's registration (pending e-mails), the
data migration for links made before; unlinking removes the role."""

from __future__ import annotations

import importlib
from types import SimpleNamespace

import jwt
import pytest
from django.apps import apps
from django.db import connection
from rest_framework.test import APIClient

from coursegate.accounts.models import RoleAssignment
from coursegate.enterprise.models import EnterpriseLearner
from coursegate.enterprise.services import learner_link, learner_unlink, learners_link_bulk
from coursegate.subscriptions.services import plan_upsert
from tests.api.enterprise.conftest import CUSTOMER_A, CUSTOMER_B
from tests.api.enterprise.license_support import PLAN_A, _dt

ROLE_A = f"enterprise_learner:{CUSTOMER_A}"
LIST = f"/enterprise/v1/learner-licenses/?enterprise_customer_uuid={CUSTOMER_A}"


def _claims(user) -> set[str]:
    return set(user.role_claims())


@pytest.fixture
def plan(enterprise_world):
    w = enterprise_world
    dates = {"start_date": _dt("2024-01-01"), "expiration_date": _dt("2030-12-31")}
    return plan_upsert(uuid=PLAN_A, customer=w.customer_a, catalog=w.catalog_a, title="A", num_licenses=5, **dates)


def _assign(world, emails):
    response = world.client("admin_a").post(
        f"/enterprise/v1/subscriptions/{PLAN_A}/licenses/assign", {"user_emails": emails}, format="json"
    )
    assert response.status_code == 200, response.content


def test_assigning_a_license_to_an_account_gives_it_the_learner_role_in_new_jwts(
    enterprise_world, plan, make_user, oauth_app
):
    gina = make_user("gina")
    client_id, secret = oauth_app(gina)

    _assign(enterprise_world, ["Gina@Example.com", "nobody@example.com"])

    assert _claims(gina) == {ROLE_A}
    assert not RoleAssignment.objects.filter(context=CUSTOMER_A, role="enterprise_learner").exclude(user=gina).exists()
    token = APIClient().post(
        "/oauth2/access_token",
        {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret, "token_type": "jwt"},
    )
    claims = jwt.decode(token.json()["access_token"], options={"verify_signature": False})
    assert claims["roles"] == [ROLE_A]


def test_an_account_registered_later_takes_the_link_and_the_role_over(enterprise_world, plan, staff, client_for):
    _assign(enterprise_world, ["hana@example.com"])
    assert EnterpriseLearner.objects.get(email="hana@example.com").user is None

    response = client_for(staff).post(
        "/appsembler_api/v0/accounts/create",
        {"username": "hana", "email": "Hana@example.com", "password": "edx-pass-1", "name": "Hana"},
        format="json",
    )

    assert response.status_code == 200, response.content
    link = EnterpriseLearner.objects.get(email="hana@example.com")
    assert link.user is not None and link.user.username == "hana"
    assert _claims(link.user) == {ROLE_A}


def test_unlinking_removes_the_role_at_once_under_a_live_token(enterprise_world, plan, make_user, bearer_for):
    ivan = make_user("ivan")
    _assign(enterprise_world, ["ivan@example.com"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {bearer_for(ivan)}", HTTP_ACCEPT="application/json")
    assert client.get(LIST).status_code == 200

    assert learner_unlink(customer=enterprise_world.customer_a, email="IVAN@example.com") is True

    assert client.get(LIST).status_code == 403
    assert _claims(ivan) == set()
    assert EnterpriseLearner.objects.get(email="ivan@example.com").active is False
    assert learner_unlink(customer=enterprise_world.customer_a, email="ivan@example.com") is False
    assert learner_unlink(customer=enterprise_world.customer_a, email="never@example.com") is False


def test_linking_is_idempotent_and_per_customer(enterprise_world, make_user):
    june = make_user("june")

    learner_link(customer=enterprise_world.customer_a, email="june@example.com", user=june)
    learner_link(customer=enterprise_world.customer_a, email="june@example.com", user=june)
    learners_link_bulk(customer=enterprise_world.customer_b, emails=["JUNE@example.com", "june@example.com"])

    assert _claims(june) == {ROLE_A, f"enterprise_learner:{CUSTOMER_B}"}


def test_an_inactive_link_gives_no_role(enterprise_world, make_user):
    kim = make_user("kim")
    EnterpriseLearner.objects.create(customer=enterprise_world.customer_a, email="kim@example.com", active=False)

    learners_link_bulk(customer=enterprise_world.customer_a, emails=["kim@example.com"])

    assert EnterpriseLearner.objects.get(email="kim@example.com").user == kim
    assert _claims(kim) == set()


def test_the_data_migration_gives_existing_links_their_roles(enterprise_world, make_user):
    leo, mia, ned = make_user("leo"), make_user("mia"), make_user("ned")
    EnterpriseLearner.objects.bulk_create([
        EnterpriseLearner(customer=enterprise_world.customer_a, email="leo@example.com", user=leo),
        EnterpriseLearner(customer=enterprise_world.customer_b, email="leo@example.com", user=leo),
        EnterpriseLearner(customer=enterprise_world.customer_a, email="mia@example.com", user=mia, active=False),
        EnterpriseLearner(customer=enterprise_world.customer_a, email="pending@example.com"),
        EnterpriseLearner(customer=enterprise_world.customer_a, email="ned@example.com", user=ned),
    ])  # fmt: skip
    RoleAssignment.objects.create(user=ned, role="enterprise_learner", context=CUSTOMER_A)  # held already
    migration = importlib.import_module("coursegate.enterprise.migrations.0003_learner_roles")

    # The function RunPython calls, given the live models and what it reads of the schema editor.
    migration.grant_learner_roles(apps, SimpleNamespace(connection=connection))

    assert _claims(leo) == {ROLE_A, f"enterprise_learner:{CUSTOMER_B}"}
    assert (_claims(mia), _claims(ned)) == (set(), {ROLE_A})
