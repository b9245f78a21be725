"""The rules of Idempotency-Key (docs/idempotency.md), through the events API's POST (a new row per
request, so every run of the handler shows): what is stored, replayed, refused, released, expired."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from coursegate.events.models import ApprenticeshipEvent
from coursegate.idempotency.models import IdempotencyKey
from coursegate.idempotency.services import idempotency_keys_sweep, lease_seconds
from tests.conftest import _token
from tests.idempotency.conftest import REPLAYED
from tests.idempotency.support import EVENT, EVENTS, post_event

STORE = ["StoreApprenticeshipEvent", "ReadApprenticeshipEvent"]


def events() -> int:
    return ApprenticeshipEvent.objects.count()


def test_a_post_without_a_key_runs_every_time(events_writer):
    post_event(events_writer)
    post_event(events_writer)

    assert events() == 2
    assert not IdempotencyKey.objects.exists()


def test_the_stored_row_records_the_request_and_its_answer(events_writer):
    response = post_event(events_writer, "k-1")

    row = IdempotencyKey.objects.get()
    assert (row.key, row.method, row.path, row.state, row.status) == ("k-1", "POST", EVENTS, "complete", 201)
    assert bytes(row.body) == response.content
    assert row.headers == {"Location": response["Location"]}
    assert row.content_type == response["Content-Type"]


@pytest.mark.parametrize(
    "change",
    [
        {"body": {**EVENT, "learnerId": "9998"}},
        {"path": f"{EVENTS}/"},
        {"path": f"{EVENTS}?x=1"},
    ],
    ids=["another body", "another path", "another query string"],
)
def test_the_same_key_with_another_request_is_a_422(events_writer, change):
    post_event(events_writer, "k-1")

    response = post_event(events_writer, "k-1", **change)

    assert response.status_code == 422
    assert "different request" in response.json()["detail"]
    assert REPLAYED not in response
    assert events() == 1


def test_a_key_whose_request_still_runs_is_a_409(events_writer):
    post_event(events_writer, "k-1")
    IdempotencyKey.objects.update(state="in_progress", started=timezone.now())

    response = post_event(events_writer, "k-1")

    assert response.status_code == 409
    assert "still being processed" in response.json()["detail"]
    assert response["Retry-After"] == "1"
    assert events() == 1


def test_a_request_that_died_before_storing_its_answer_frees_the_key_after_the_lease(events_writer):
    post_event(events_writer, "k-1")
    died = timezone.now() - timedelta(seconds=lease_seconds() + 1)
    IdempotencyKey.objects.update(state="in_progress", started=died, status=None, body=b"")

    response = post_event(events_writer, "k-1")

    assert response.status_code == 201
    assert REPLAYED not in response
    assert events() == 2
    row = IdempotencyKey.objects.get()
    assert (row.state, row.run, bytes(row.body)) == ("complete", 2, response.content)


def test_an_expired_key_runs_again_even_with_another_request(events_writer, settings):
    post_event(events_writer, "k-1")
    ttl = timedelta(seconds=settings.COURSEGATE_IDEMPOTENCY_TTL_SECONDS)
    IdempotencyKey.objects.update(created=timezone.now() - ttl)

    response = post_event(events_writer, "k-1", {**EVENT, "learnerId": "9998"})

    assert response.status_code == 201
    assert REPLAYED not in response
    assert events() == 2
    assert post_event(events_writer, "k-1", {**EVENT, "learnerId": "9998"})[REPLAYED] == "true"


def test_the_sweep_deletes_expired_keys_only(events_writer, settings):
    post_event(events_writer, "old")
    post_event(events_writer, "new")
    expired = timezone.now() - timedelta(seconds=settings.COURSEGATE_IDEMPOTENCY_TTL_SECONDS + 1)
    IdempotencyKey.objects.filter(key="old").update(created=expired)

    assert idempotency_keys_sweep() == 1

    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["new"]


def test_another_clients_same_key_is_independent(events_writer, make_user, jwt_for):
    other = APIClient()
    other.credentials(HTTP_AUTHORIZATION=f"Bearer {jwt_for(make_user('other_writer'), roles=STORE)}")
    first = post_event(events_writer, "shared")

    response = post_event(other, "shared")

    assert response.status_code == 201
    assert REPLAYED not in response
    assert response.json()["id"] != first.json()["id"]
    assert IdempotencyKey.objects.count() == 2


def test_a_retry_after_a_token_refresh_replays_opaque_or_jwt(make_user, oauth_app):
    from coursegate.accounts.services import role_assign

    user = make_user("events_writer")
    for role in STORE:
        role_assign(user=user, role=role, context="")
    client_id, secret = oauth_app(user)
    tokens = [_token(APIClient(), client_id, secret), _token(APIClient(), client_id, secret, token_type="jwt")]
    clients = []
    for token in tokens:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        clients.append(client)
    first = post_event(clients[0], "k-1")

    again = post_event(clients[1], "k-1")

    assert again[REPLAYED] == "true"
    assert again.content == first.content
    assert events() == 1


def test_the_same_user_through_another_oauth_application_is_another_client(make_user, jwt_for):
    user = make_user("events_writer")
    one, two = APIClient(), APIClient()
    one.credentials(HTTP_AUTHORIZATION=f"Bearer {jwt_for(user, roles=STORE)}")
    two.credentials(HTTP_AUTHORIZATION=f"Bearer {jwt_for(user)}")  # jwt_for: a new application each time
    post_event(one, "k-1")

    response = post_event(two, "k-1")

    assert response.status_code == 201
    assert REPLAYED not in response
    assert events() == 2


@pytest.mark.parametrize(
    "key",
    ["", "x" * 256, "clé", "tab\tinside", "nul\x7f"],
    ids=["empty", "256 characters", "not ASCII", "control character", "DEL"],
)
def test_a_bad_key_is_a_400_and_nothing_runs(events_writer, key):
    response = post_event(events_writer, key)

    assert response.status_code == 400
    assert response.json() == {"Idempotency-Key": ["Must be 1 to 255 printable ASCII characters."]}
    assert events() == 0
    assert not IdempotencyKey.objects.exists()


@pytest.mark.parametrize("key", ["a", "x" * 255, "order 42 / retry #1 ~!", "7f3a1b9e-uuid-like"])
def test_good_keys(events_writer, key):
    assert post_event(events_writer, key).status_code == 201
    assert post_event(events_writer, key)[REPLAYED] == "true"
    assert events() == 1


def test_a_get_with_a_key_is_unaffected(events_writer):
    post_event(events_writer)

    responses = [events_writer.get(EVENTS, HTTP_IDEMPOTENCY_KEY="k-1") for _ in range(2)]

    assert [r.status_code for r in responses] == [200, 200]
    assert all(REPLAYED not in r for r in responses)
    assert not IdempotencyKey.objects.exists()


def test_an_unauthenticated_post_with_a_key_is_refused_as_usual(db):
    response = post_event(APIClient(), "k-1")

    assert response.status_code == 401
    assert not IdempotencyKey.objects.exists()


def test_a_forbidden_post_stores_nothing(make_user, jwt_for):
    reader = APIClient()
    reader.credentials(HTTP_AUTHORIZATION=f"Bearer {jwt_for(make_user('reader'), roles=['ReadApprenticeshipEvent'])}")

    assert post_event(reader, "k-1").status_code == 403

    assert not IdempotencyKey.objects.exists()


def test_a_client_error_is_stored_and_replayed(events_writer):
    first = post_event(events_writer, "k-1", {**EVENT, "apprenticeshipId": "x"})
    assert first.status_code == 400

    again = post_event(events_writer, "k-1", {**EVENT, "apprenticeshipId": "x"})

    assert again[REPLAYED] == "true"
    assert (again.status_code, again.content) == (400, first.content)


def test_a_server_error_releases_the_key_so_a_retry_runs(events_writer, monkeypatch):
    from coursegate.api.apprenticeship_events import views

    def broken(**kwargs):
        raise RuntimeError("the disk is full")

    with monkeypatch.context() as patch:
        patch.setattr(views, "event_store", broken)
        events_writer.raise_request_exception = False
        assert post_event(events_writer, "k-1").status_code == 500
    assert not IdempotencyKey.objects.exists()

    response = post_event(events_writer, "k-1")

    assert response.status_code == 201
    assert REPLAYED not in response
    assert events() == 1


def test_a_transient_refusal_releases_the_key(staff, client_for):
    client = client_for(staff)
    account = {"username": "taken", "password": "edx", "email": "taken@example.com", "name": "Taken"}
    client.post("/appsembler_api/v0/accounts/create", account, format="json")

    refused = client.post("/appsembler_api/v0/accounts/create", account, format="json", HTTP_IDEMPOTENCY_KEY="k-1")

    assert refused.status_code == 409
    assert not IdempotencyKey.objects.exists()


def test_the_header_name_is_a_setting(events_writer, settings):
    settings.COURSEGATE_IDEMPOTENCY_HEADER = "X-Request-Key"
    post_event(events_writer, HTTP_X_REQUEST_KEY="k-1")

    again = post_event(events_writer, HTTP_X_REQUEST_KEY="k-1")

    assert again[REPLAYED] == "true"
    assert events() == 1
