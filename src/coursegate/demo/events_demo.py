"""The demo's events service (issue 14 §1): the ``events_writer`` client holds every store/write
event role and ``events_reader`` every read role; a few agreement, account and generic events go
into empty stores (they are append-only, so a second run adds nothing).

Called from demo/loading.py's ``load_events_demo(users)`` as ``events_roles_grant(users)``.
"""

from __future__ import annotations

from collections.abc import Mapping

from coursegate.accounts.models import User
from coursegate.accounts.services import role_assign
from coursegate.core.roles import Role
from coursegate.events.models import AccountEvent, AgreementEvent, GenericEvent
from coursegate.events.services import (
    NewAccountEvent,
    NewAgreementEvent,
    NewGenericEvent,
    account_event_store,
    agreement_event_store,
    generic_events_store,
)

WRITE_ROLES = (
    Role.STORE_APPRENTICESHIP_EVENT,
    Role.STORE_AGREEMENT_EVENT,
    Role.STORE_ACCOUNT_EVENT,
    Role.WRITE_GENERIC_EVENT,
)
READ_ROLES = (
    Role.READ_APPRENTICESHIP_EVENT,
    Role.READ_AGREEMENT_EVENT,
    Role.READ_ACCOUNT_EVENT,
    Role.READ_GENERIC_EVENT,
)

DEMO_AGREEMENT = NewAgreementEvent(event="Agreement signed", provider_id="10005077", contract_type="ProviderAgreement")
DEMO_ACCOUNT = NewAccountEvent(event="AccountCreated", resource_uri="/api/accounts/ABC123")
DEMO_GENERIC = [
    NewGenericEvent(
        type="SFA.DAS.Events.ApprenticeshipCreated",
        payload='{"ApprenticeshipId": 445, "Uln": "1234567890"}',
        resource_type="apprenticeship",
        resource_id="445",
    ),
    NewGenericEvent(
        type="SFA.DAS.Events.ApprenticeshipStopped",
        payload='{"ApprenticeshipId": 445, "StopDate": "2019-06-01"}',
        resource_type="apprenticeship",
        resource_id="445",
    ),
]


def events_roles_grant(users: Mapping[str, User]) -> None:
    """Every write role to ``users["events_writer"]``, every read role to ``users["events_reader"]``
    (idempotent), and the demo events into stores that lack them."""
    for role in WRITE_ROLES:
        role_assign(user=users["events_writer"], role=role)
    for role in READ_ROLES:
        role_assign(user=users["events_reader"], role=role)
    if not AgreementEvent.objects.exists():
        agreement_event_store(event=DEMO_AGREEMENT)
    if not AccountEvent.objects.exists():
        account_event_store(event=DEMO_ACCOUNT)
    # The generic store is also the change feed: the demo's enrollments have appended to it already.
    if not GenericEvent.objects.filter(resource_type="apprenticeship", resource_id="445").exists():
        generic_events_store(events=DEMO_GENERIC)
