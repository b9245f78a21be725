"""Paths, roles and bodies of the agreement, account and generic events tests (issue 14 §1;
reference/events_and_clients.md §1.2-1.5)."""

from __future__ import annotations

ENGAGEMENTS = "/api/events/engagements"
ACCOUNTS = "/api/events/accounts"
CREATE = "/api/events/create"
SINCE = "/api/events/getSinceEvent"
BY_DATE = "/api/events/getByDateRange"
BY_RESOURCE = "/api/events/getByResourceId"

READ_AGREEMENT, STORE_AGREEMENT = "ReadAgreementEvent", "StoreAgreementEvent"
READ_ACCOUNT, STORE_ACCOUNT = "ReadAccountEvent", "StoreAccountEvent"
READ_GENERIC, WRITE_GENERIC = "ReadGenericEvent", "WriteGenericEvent"
READ_ROLES = ["ReadApprenticeshipEvent", READ_AGREEMENT, READ_ACCOUNT, READ_GENERIC]
WRITE_ROLES = ["StoreApprenticeshipEvent", STORE_AGREEMENT, STORE_ACCOUNT, WRITE_GENERIC]

AGREEMENT = {"event": "Agreement signed", "providerId": "10005077", "contractType": "ProviderAgreement"}
ACCOUNT = {"event": "AccountCreated", "resourceUri": "/api/accounts/ABC123"}
GENERIC = {
    "type": "SFA.DAS.Commitments.Events.ApprenticeshipCreated",
    "payload": '{"ApprenticeshipId": 445, "Uln": "1234567890"}',
    "resourceType": "apprenticeship",
    "resourceId": "445",
}


def body(base: dict, **changes) -> dict:
    """``base`` with ``changes``; a value of ``...`` removes the key."""
    merged = {**base, **changes}
    return {key: value for key, value in merged.items() if value is not ...}
