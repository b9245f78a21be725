"""Who may call the agreement, account and generic events (issue 14 §1; reference §1.2, §1.7):
each kind's read role for its GETs, its store/write role for its POST; no token or a bad one is
a 401, a token without the kind's role a 403 (another kind's roles included, and a staff user's:
the events service knows only roles, as for apprenticeship events). The demo's ``events_writer``
and ``events_reader`` hold every write and every read role. /api/HealthCheck needs no token
(test_dotnet_client.py). The events have no owner, so there is no other customer's
object to refuse and no unknown object to look up."""

from __future__ import annotations

import pytest

from coursegate.accounts.services import role_assign
from coursegate.events.models import AccountEvent, AgreementEvent, GenericEvent
from tests.api.apprenticeship_events.kinds_support import (
    ACCOUNT,
    ACCOUNTS,
    AGREEMENT,
    BY_DATE,
    BY_RESOURCE,
    CREATE,
    ENGAGEMENTS,
    GENERIC,
    READ_ACCOUNT,
    READ_AGREEMENT,
    READ_GENERIC,
    READ_ROLES,
    SINCE,
    STORE_ACCOUNT,
    STORE_AGREEMENT,
    WRITE_GENERIC,
    WRITE_ROLES,
)
from tests.kit.permissions import (
    ANONYMOUS,
    BAD_TOKEN,
    FORBIDDEN,
    INVALID_TOKEN,
    NOT_PROVIDED,
    Endpoint,
    anonymous_client,
    bad_token_client,
    check,
    matrix,
    send,
)

ALL = "events_reader + events_writer roles (opaque token)"
ENDPOINTS = [
    Endpoint("agreements list", "get", ENGAGEMENTS, expect={READ_AGREEMENT: 200, "events_reader": 200, ALL: 200}),
    Endpoint(
        "agreements store",
        "post",
        ENGAGEMENTS,
        AGREEMENT,
        expect={STORE_AGREEMENT: 201, "events_writer": 201, ALL: 201},
    ),
    Endpoint("accounts list", "get", ACCOUNTS, expect={READ_ACCOUNT: 200, "events_reader": 200, ALL: 200}),
    Endpoint("accounts store", "post", ACCOUNTS, ACCOUNT, expect={STORE_ACCOUNT: 201, "events_writer": 201, ALL: 201}),
    Endpoint("generic create", "post", CREATE, GENERIC, expect={WRITE_GENERIC: 201, "events_writer": 201, ALL: 201}),
    Endpoint("generic since", "get", SINCE, expect={READ_GENERIC: 200, "events_reader": 200, ALL: 200}),
    Endpoint("generic by date", "get", BY_DATE, expect={READ_GENERIC: 200, "events_reader": 200, ALL: 200}),
    Endpoint(
        "generic by resource",
        "get",
        f"{BY_RESOURCE}?resourceType=apprenticeship&resourceId=445",
        expect={READ_GENERIC: 200, "events_reader": 200, ALL: 200},
    ),
]

CALLERS = {
    ANONYMOUS: NOT_PROVIDED,
    BAD_TOKEN: INVALID_TOKEN,
    "no roles": FORBIDDEN,
    "staff user without events roles": FORBIDDEN,
    **dict.fromkeys(READ_ROLES + WRITE_ROLES, FORBIDDEN),
    "events_reader": FORBIDDEN,
    "events_writer": FORBIDDEN,
    ALL: FORBIDDEN,
}


@pytest.fixture
def clients(make_user, jwt_for, bearer_for, token_client):
    def make(caller: str):
        match caller:
            case "anonymous":
                return anonymous_client()
            case "bad_token":
                return bad_token_client()
            case "no roles":
                return token_client(f"Bearer {jwt_for(make_user('nobody'))}")
            case "staff user without events roles":
                return token_client(f"Bearer {jwt_for(make_user('staff', is_staff=True))}")
            case "events_reader":
                return token_client(f"Bearer {jwt_for(make_user('events_reader'), roles=READ_ROLES)}")
            case "events_writer":
                return token_client(f"Bearer {jwt_for(make_user('events_writer'), roles=WRITE_ROLES)}")
            case "events_reader + events_writer roles (opaque token)":
                user = make_user("both")
                for role in READ_ROLES + WRITE_ROLES:
                    role_assign(user=user, role=role)
                return token_client(f"Bearer {bearer_for(user)}")
        return token_client(f"Bearer {jwt_for(make_user('one_role'), roles=[caller])}")

    return make


@pytest.mark.parametrize(("endpoint", "caller", "expected"), matrix(ENDPOINTS, CALLERS))
def test_permission_matrix(endpoint, caller, expected, clients):
    response = send(clients(caller), endpoint)

    check(response, expected)
    stored = AgreementEvent.objects.count() + AccountEvent.objects.count() + GenericEvent.objects.count()
    assert stored == (1 if expected.status == 201 else 0)


@pytest.mark.parametrize("path", [ENGAGEMENTS, ACCOUNTS, CREATE, SINCE, BY_DATE, BY_RESOURCE])
def test_a_trusted_issuers_data_claim_grants_the_roles_it_names(trusted_issuer, token_client, path):
    """Reference §1.7: the apprenticeship service's tokens carry the roles as a space-separated
    ``data`` claim."""
    token = trusted_issuer(" ".join(READ_ROLES + WRITE_ROLES))
    query = "?resourceType=a&resourceId=1" if path == BY_RESOURCE else ""
    client = token_client(f"Bearer {token}")

    if path in (ENGAGEMENTS, ACCOUNTS, CREATE):
        payload = {ENGAGEMENTS: AGREEMENT, ACCOUNTS: ACCOUNT, CREATE: GENERIC}[path]
        assert client.post(path, payload, format="json").status_code == 201
    if path != CREATE:
        assert client.get(f"{path}{query}").status_code == 200
