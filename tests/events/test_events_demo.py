"""The demo's events clients (issue 14 §1): events_writer holds every store/write role and
events_reader every read role, so each can call every events endpoint its way and no other."""

from __future__ import annotations

from rest_framework.test import APIClient

from coursegate.accounts.models import RoleAssignment
from coursegate.demo.events_demo import events_roles_grant
from coursegate.events.models import AccountEvent, AgreementEvent, GenericEvent

READS = ["apprenticeships", "engagements", "accounts", "getSinceEvent", "getByDateRange"]


def test_the_demo_clients_get_every_events_role_and_a_second_run_changes_nothing(make_user, bearer_for):
    users = {"events_writer": make_user("events_writer"), "events_reader": make_user("events_reader")}

    events_roles_grant(users)
    events_roles_grant(users)

    assert sorted(RoleAssignment.objects.filter(user=users["events_writer"]).values_list("role", flat=True)) == [
        "StoreAccountEvent", "StoreAgreementEvent", "StoreApprenticeshipEvent", "WriteGenericEvent",
    ]  # fmt: skip
    assert sorted(RoleAssignment.objects.filter(user=users["events_reader"]).values_list("role", flat=True)) == [
        "ReadAccountEvent", "ReadAgreementEvent", "ReadApprenticeshipEvent", "ReadGenericEvent",
    ]  # fmt: skip
    assert (AgreementEvent.objects.count(), AccountEvent.objects.count(), GenericEvent.objects.count()) == (1, 1, 2)

    reader, writer = APIClient(), APIClient()
    reader.credentials(HTTP_AUTHORIZATION=f"Bearer {bearer_for(users['events_reader'])}")
    writer.credentials(HTTP_AUTHORIZATION=f"Bearer {bearer_for(users['events_writer'])}")
    assert [reader.get(f"/api/events/{path}").status_code for path in READS] == [200] * len(READS)
    assert [writer.get(f"/api/events/{path}").status_code for path in READS] == [403] * len(READS)
    assert writer.post("/api/events/create", {"type": "T", "payload": "{}"}, format="json").status_code == 201
    assert reader.post("/api/events/create", {"type": "T", "payload": "{}"}, format="json").status_code == 403
