"""Agreement events (/api/events/engagements) and account events (/api/events/accounts):
storing, every field rule with its 400 body, and the apprenticeship events' paging (issue 14 §1;
reference §1.2-1.5)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

from coursegate.events.models import AccountEvent, AgreementEvent
from coursegate.events.services import (
    NewAccountEvent,
    NewAgreementEvent,
    account_event_store,
    agreement_event_store,
)
from tests.api.apprenticeship_events.kinds_support import (
    ACCOUNT,
    ACCOUNTS,
    AGREEMENT,
    ENGAGEMENTS,
    READ_ACCOUNT,
    READ_AGREEMENT,
    STORE_ACCOUNT,
    STORE_AGREEMENT,
    body,
)
from tests.api.apprenticeship_events.support import REQUIRED, post_json

CREATED = datetime(2024, 3, 1, 9, 30, tzinfo=UTC)


@pytest.mark.parametrize("slash", ["", "/"], ids=["no trailing slash", "trailing slash"])
def test_an_agreement_event_is_stored_and_answered(client_for, slash):
    with time_machine.travel(CREATED, tick=False):
        response = post_json(client_for(STORE_AGREEMENT), f"{ENGAGEMENTS}{slash}", AGREEMENT)

    assert response.status_code == 201
    row = AgreementEvent.objects.values().get()
    assert response.json() == {"id": row["id"], "createdOn": "2024-03-01T09:30:00Z", **AGREEMENT}
    assert row == {"id": row["id"], "created_on": CREATED, "event": "Agreement signed", "provider_id": "10005077",
                   "contract_type": "ProviderAgreement"}  # fmt: skip
    assert response["Location"] == f"http://testserver{ENGAGEMENTS}?fromEventId={row['id']}&pageSize=1"


@pytest.mark.parametrize("slash", ["", "/"], ids=["no trailing slash", "trailing slash"])
def test_an_account_event_is_stored_and_answered(client_for, slash):
    with time_machine.travel(CREATED, tick=False):
        response = post_json(client_for(STORE_ACCOUNT), f"{ACCOUNTS}{slash}", ACCOUNT)

    assert response.status_code == 201
    row = AccountEvent.objects.values().get()
    assert response.json() == {"id": row["id"], "createdOn": "2024-03-01T09:30:00Z", **ACCOUNT}
    assert row == {"id": row["id"], "created_on": CREATED, "event": "AccountCreated",
                   "resource_uri": "/api/accounts/ABC123"}  # fmt: skip


def test_the_location_reads_the_stored_event_back(client_for):
    stored = post_json(client_for(STORE_AGREEMENT), ENGAGEMENTS, AGREEMENT)

    response = client_for(READ_AGREEMENT).get(stored["Location"])

    assert response.json() == [stored.json()]


AGREEMENT_RULES = [
    ({"event": ...}, {"event": REQUIRED}),
    ({"event": None}, {"event": REQUIRED}),
    ({"event": "   "}, {"event": ["This field may not be blank."]}),
    ({"event": "x" * 51}, {"event": ["Ensure this field has no more than 50 characters."]}),
    ({"event": ["x"]}, {"event": ["Must be a string."]}),
    ({"providerId": ...}, {"providerId": REQUIRED}),  # reference §1.10 #38
    ({"providerId": "1" * 21}, {"providerId": ["Ensure this field has no more than 20 characters."]}),
    ({"contractType": ""}, {"contractType": REQUIRED}),
    ({"contractType": "x" * 51}, {"contractType": ["Ensure this field has no more than 50 characters."]}),
    ({"event": ..., "providerId": ..., "contractType": ...},
     {"event": REQUIRED, "providerId": REQUIRED, "contractType": REQUIRED}),
]  # fmt: skip


@pytest.mark.parametrize(("changes", "errors"), AGREEMENT_RULES)
def test_a_bad_agreement_event_is_a_400_naming_every_field(client_for, changes, errors):
    response = post_json(client_for(STORE_AGREEMENT), ENGAGEMENTS, body(AGREEMENT, **changes))

    assert (response.status_code, response.json()) == (400, errors)
    assert not AgreementEvent.objects.exists()


ACCOUNT_RULES = [
    ({"resourceUri": ...}, {"resourceUri": REQUIRED}),  # reference §1.10 #39
    ({"resourceUri": "/x" * 501}, {"resourceUri": ["Ensure this field has no more than 1000 characters."]}),
    ({"resourceUri": 7}, None),  # a number is taken as its text
    ({"event": ..., "resourceUri": None}, {"event": REQUIRED, "resourceUri": REQUIRED}),
]


@pytest.mark.parametrize(("changes", "errors"), ACCOUNT_RULES)
def test_account_event_rules(client_for, changes, errors):
    response = post_json(client_for(STORE_ACCOUNT), ACCOUNTS, body(ACCOUNT, **changes))

    if errors is None:
        assert response.status_code == 201
        assert AccountEvent.objects.get().resource_uri == "7"
    else:
        assert (response.status_code, response.json()) == (400, errors)
        assert not AccountEvent.objects.exists()


@pytest.mark.parametrize(
    ("path", "role"), [(ENGAGEMENTS, STORE_AGREEMENT), (ACCOUNTS, STORE_ACCOUNT)], ids=["agreements", "accounts"]
)
@pytest.mark.parametrize(
    ("raw", "errors"),
    [
        ("", {"detail": "JSON parse error - Expecting value: line 1 column 1 (char 0)"}),
        ("[]", {"non_field_errors": ["Each event must be a JSON object."]}),
        ('"text"', {"non_field_errors": ["Each event must be a JSON object."]}),
    ],
    ids=["empty body", "array", "string"],
)
def test_a_body_that_is_not_an_object_is_a_400(client_for, path, role, raw, errors):
    response = post_json(client_for(role), path, raw)

    assert response.status_code == 400
    if raw:
        assert response.json() == errors


def test_keys_match_in_any_case_and_unknown_keys_are_ignored(client_for):
    sent = {"EVENT": "Agreement signed", "ProviderID": "10005077", "contracttype": "ProviderAgreement", "Type": "x"}

    response = post_json(client_for(STORE_AGREEMENT), ENGAGEMENTS, sent)

    assert response.status_code == 201
    assert {key: response.json()[key] for key in AGREEMENT} == AGREEMENT


def _stored_agreements(n: int, at: datetime) -> list:
    with time_machine.travel(at, tick=False):
        return [agreement_event_store(event=NewAgreementEvent(f"e{i}", "1", "c")) for i in range(n)]


def test_agreements_page_by_id_and_by_date_as_apprenticeship_events_do(client_for):
    early = _stored_agreements(2, datetime(2024, 1, 1, tzinfo=UTC))
    late = _stored_agreements(3, datetime(2024, 2, 1, tzinfo=UTC))
    reader = client_for(READ_AGREEMENT)

    by_id = reader.get(f"{ENGAGEMENTS}?fromEventId={early[1].id}&pageSize=2")
    by_date = reader.get(f"{ENGAGEMENTS}?fromDate=20240115000000&toDate=20240301000000&pageSize=2&pageNumber=2")
    everything = reader.get(ENGAGEMENTS)

    assert [e["id"] for e in by_id.json()] == [early[1].id, late[0].id]
    assert by_id["Link"] == (
        f'<http://testserver{ENGAGEMENTS}?fromEventId={late[0].id + 1}&pageSize=2&pageNumber=1>; rel="next"'
    )
    assert [e["id"] for e in by_date.json()] == [late[2].id]
    assert "Link" not in by_date
    assert [e["id"] for e in everything.json()] == [e.id for e in early + late]
    assert everything.json()[0] == {"id": early[0].id, "createdOn": "2024-01-01T00:00:00Z", "event": "e0",
                                    "providerId": "1", "contractType": "c"}  # fmt: skip


def test_accounts_page_as_apprenticeship_events_do(client_for):
    with time_machine.travel(datetime(2024, 1, 1, tzinfo=UTC), tick=False):
        stored = [account_event_store(event=NewAccountEvent(f"e{i}", f"/a/{i}")) for i in range(3)]

    response = client_for(READ_ACCOUNT).get(f"{ACCOUNTS}?pageSize=2&pageNumber=2")

    assert response.json() == [{"id": stored[2].id, "createdOn": "2024-01-01T00:00:00Z", "event": "e2",
                                "resourceUri": "/a/2"}]  # fmt: skip


@pytest.mark.parametrize(("path", "role"), [(ENGAGEMENTS, READ_AGREEMENT), (ACCOUNTS, READ_ACCOUNT)])
@pytest.mark.parametrize(
    ("query", "errors"),
    [
        ("fromDate=2016-12-31", {"fromDate": ["Bad date format: expected yyyyMMddHHmmss, e.g. 20161231235959."]}),
        (
            "fromDate=20170102000000&toDate=20170101000000",
            {"fromDate": ["Must be the same as or earlier than the end of the range."]},
        ),
        ("pageSize=0", {"pageSize": ["Must be a whole number between 1 and 10000."]}),
        ("pageSize=10001", {"pageSize": ["Must be a whole number between 1 and 10000."]}),
        ("pageNumber=0", {"pageNumber": ["Must be a whole number between 1 and 1000000000."]}),
        ("fromEventId=-1", {"fromEventId": ["Must be a whole number between 0 and 9223372036854775807."]}),
        ("fromEventId=abc", {"fromEventId": ["Must be a whole number between 0 and 9223372036854775807."]}),
    ],  # fmt: skip
)
def test_bad_query_parameters_are_a_400_naming_them(client_for, path, role, query, errors):
    response = client_for(role).get(f"{path}?{query}")

    assert (response.status_code, response.json()) == (400, errors)


@pytest.mark.parametrize("size", [5, 50])
def test_a_page_costs_three_queries_whatever_its_size(client_for, django_assert_num_queries, size):
    _stored_agreements(size, CREATED)
    reader = client_for(READ_AGREEMENT)

    with django_assert_num_queries(3):  # the token row, the caller's roles, the page
        response = reader.get(f"{ENGAGEMENTS}?pageSize={size}")

    assert len(response.json()) == size
