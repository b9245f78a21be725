"""/api/webhooks/v1/subscriptions (issue 14 §3): staff create, list, read, delete and ping webhook
subscriptions; everyone else is refused; bad input is a 400 naming the fields."""

from __future__ import annotations

import uuid

import pytest

from coursegate.webhooks.models import WebhookSubscription
from tests.kit.permissions import (
    ANONYMOUS,
    BAD_TOKEN,
    FORBIDDEN,
    INVALID_TOKEN,
    NOT_FOUND,
    NOT_PROVIDED,
    Endpoint,
    Expected,
    check,
    matrix,
    send,
)
from tests.webhooks.conftest import append
from tests.webhooks.receiver import Receiver, verify

pytestmark = pytest.mark.django_db

BASE = "/api/webhooks/v1/subscriptions"
EXISTING = "11111111-2222-3333-4444-555555555555"
UNKNOWN = "99999999-2222-3333-4444-555555555555"
BODY = {"url": "https://example.com/hook", "event_types": ["coursegate.enrollment.*"]}
OUTPUT_FIELDS = {"uuid", "url", "event_types", "status", "paused_reason", "last_delivered_id", "failures",
                 "next_attempt_at", "last_error", "last_success_at", "created", "modified"}  # fmt: skip

ENDPOINTS = [
    Endpoint("create", "post", BASE, BODY, expect={"staff": 201, "staff (jwt)": 201}),
    Endpoint("list", "get", BASE),
    Endpoint("read", "get", f"{BASE}/{EXISTING}"),
    Endpoint("read-unknown", "get", f"{BASE}/{UNKNOWN}", expect={"staff": NOT_FOUND, "staff (jwt)": NOT_FOUND}),
    Endpoint("delete", "delete", f"{BASE}/{EXISTING}", expect={"staff": 204, "staff (jwt)": 204}),
    Endpoint("delete-unknown", "delete", f"{BASE}/{UNKNOWN}", expect={"staff": 404, "staff (jwt)": 404}),
    Endpoint("ping-unknown", "post", f"{BASE}/{UNKNOWN}/ping", expect={"staff": 404, "staff (jwt)": 404}),
    Endpoint(
        "create-bad-input",
        "post",
        BASE,
        {"url": "ftp://x", "event_types": []},
        expect={"staff": 400, "staff (jwt)": 400},
    ),  # fmt: skip
]
CALLERS: dict[str, Expected | int] = {
    ANONYMOUS: NOT_PROVIDED, BAD_TOKEN: INVALID_TOKEN, "learner": FORBIDDEN, "enterprise admin": FORBIDDEN,
    "staff": 200, "staff (jwt)": 200,
}  # fmt: skip


@pytest.fixture
def existing():
    return WebhookSubscription.objects.create(uuid=EXISTING, url="https://example.com/old",
                                              event_types=["coursegate.*"], secret="x" * 32)  # fmt: skip


@pytest.mark.parametrize(("endpoint", "caller", "expected"), matrix(ENDPOINTS, CALLERS))
def test_the_permission_matrix(clients, existing, endpoint, caller, expected):
    response = send(clients(caller), endpoint)

    check(response, expected)
    refused = expected.status in (401, 403)
    assert WebhookSubscription.objects.filter(uuid=EXISTING).exists() == (refused or endpoint.name != "delete")
    if refused or endpoint.name != "create":
        assert WebhookSubscription.objects.count() == (0 if endpoint.name == "delete" and not refused else 1)


def test_create_answers_201_with_the_secret_once(staff_api, staff):
    [event] = append("coursegate.license.assigned")
    response = staff_api.post(BASE, {**BODY, "event_types": ["coursegate.license.assigned"]}, format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == OUTPUT_FIELDS | {"secret"}
    assert len(body["secret"]) == 64 and body["status"] == "active" and body["last_delivered_id"] == event.pk
    stored = WebhookSubscription.objects.get(uuid=body["uuid"])
    assert (stored.secret, stored.created_by, stored.event_types) == (body["secret"], staff,
                                                                     ["coursegate.license.assigned"])  # fmt: skip
    read = staff_api.get(f"{BASE}/{body['uuid']}").json()
    assert "secret" not in read and set(read) == OUTPUT_FIELDS


def test_a_given_secret_is_kept(staff_api):
    response = staff_api.post(BASE, {**BODY, "secret": "my-own-secret-123456"}, format="json")
    assert response.json()["secret"] == "my-own-secret-123456"


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, {"url", "event_types"}),
        ({"url": "https://example.com/h"}, {"event_types"}),
        ({**BODY, "url": "gopher://example.com"}, {"url"}),
        ({**BODY, "url": 12}, {"url"}),
        ({**BODY, "event_types": "coursegate.enrollment.*"}, {"event_types"}),
        ({**BODY, "event_types": ["coursegate.enrollment.created", 5]}, {"event_types"}),
        ({**BODY, "event_types": ["coursegate.unknown"]}, {"event_types"}),
        ({**BODY, "secret": "short"}, {"secret"}),
        ({**BODY, "secret": "s" * 201}, {"secret"}),
        ({**BODY, "secret": None}, {"secret"}),
    ],
)
def test_bad_input_is_a_400_naming_the_fields(staff_api, body, fields):
    response = staff_api.post(BASE, body, format="json")

    assert response.status_code == 400, response.content
    assert set(response.json()) == fields
    assert all(isinstance(m, str) for messages in response.json().values() for m in messages)
    assert WebhookSubscription.objects.count() == 0


def test_a_loopback_receiver_is_refused_by_the_ssrf_guard(staff_api, settings):
    settings.COURSEGATE_WEBHOOK_ALLOW_PRIVATE_URLS = False
    response = staff_api.post(BASE, {**BODY, "url": "http://127.0.0.1:9000/hook"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"url": ["The receiver's address is not public (127.0.0.1); webhooks may not "
                                       "reach private networks."]}  # fmt: skip


def test_a_body_that_is_no_json_is_a_400(staff_api):
    response = staff_api.post(BASE, b"{nope", content_type="application/json")
    assert response.status_code == 400 and "detail" in response.json()


def test_list_pages_the_subscriptions_in_creation_order_with_constant_queries(staff_api, django_assert_num_queries):
    for n in range(3):
        staff_api.post(BASE, {**BODY, "url": f"https://example.com/{n}"}, format="json")
    # the token's lookup (one), the count, the page
    with django_assert_num_queries(3):
        body = staff_api.get(BASE).json()
    assert body["count"] == 3 and body["next"] is None and body["previous"] is None
    assert [s["url"] for s in body["results"]] == [f"https://example.com/{n}" for n in range(3)]
    assert all("secret" not in s for s in body["results"])


def test_read_and_delete_without_a_trailing_slash_or_with_one(staff_api, existing):
    assert staff_api.get(f"{BASE}/{EXISTING}/").json()["uuid"] == EXISTING
    assert staff_api.get(f"{BASE}/not-a-uuid").status_code == 404
    response = staff_api.delete(f"{BASE}/{EXISTING}/")
    assert (response.status_code, response.content) == (204, b"")
    assert staff_api.get(f"{BASE}/{EXISTING}").status_code == 404


def test_ping_answers_the_receivers_status(staff_api):
    receiver = Receiver(fail_first=1, fail_status=503).start()
    try:
        created = staff_api.post(BASE, {**BODY, "url": receiver.url}, format="json").json()
        first = staff_api.post(f"{BASE}/{created['uuid']}/ping")
        second = staff_api.post(f"{BASE}/{created['uuid']}/ping/")
    finally:
        receiver.stop()
    assert first.status_code == 200 and second.status_code == 200
    assert {k: v for k, v in first.json().items() if k != "duration_ms"} == {
        "delivered": False, "status_code": 503, "error": None}  # fmt: skip
    assert second.json()["delivered"] is True and second.json()["status_code"] == 200
    assert verify(created["secret"], receiver.received[0].headers["X-Coursegate-Signature"], receiver.received[0].raw)


def test_a_ping_to_an_unreachable_receiver_answers_200_with_the_error(staff_api):
    closed = Receiver().start()
    url = closed.url
    closed.stop()
    created = staff_api.post(BASE, {**BODY, "url": url}, format="json").json()
    body = staff_api.post(f"{BASE}/{created['uuid']}/ping").json()
    assert body["delivered"] is False and body["status_code"] is None
    assert body["error"].startswith("ConnectionRefusedError")


def test_a_random_uuid_is_a_404(staff_api):
    assert staff_api.delete(f"{BASE}/{uuid.uuid4()}").json() == {"detail": "Not found."}
