"""The webhooks API takes what its OpenAPI document allows and refuses the rest (issue 15): the
list's page and page_size, the create body's closed set of keys, its URL pattern, event type enum
and secret pattern. The document's pattern is checked against the server's answers, URL by URL."""

from __future__ import annotations

import re

import pytest
from rest_framework.test import APIClient

from coursegate.webhooks.models import WebhookSubscription

pytestmark = pytest.mark.django_db

BASE = "/api/webhooks/v1/subscriptions"
BODY = {"url": "https://example.com/hook", "event_types": ["coursegate.enrollment.*"]}


@pytest.fixture
def three(staff_api):
    for n in range(3):
        assert staff_api.post(BASE, {**BODY, "url": f"https://example.com/{n}"}, format="json").status_code == 201


@pytest.mark.parametrize(
    ("query", "answer"),
    [
        ("page=1&page=2", {"page": ["Give this parameter once."]}),
        ("page_size=2&page_size=3", {"page_size": ["Give this parameter once."]}),
        ("page=", {"page": ["A whole number is required."]}),
        ("page=abc", {"page": ["A whole number is required."]}),
        ("page=1.0", {"page": ["A whole number is required."]}),
        ("page=+1", {"page": ["A whole number is required."]}),
        ("page=%201", {"page": ["A whole number is required."]}),
        ("page=0", {"page": ["Must be at least 1."]}),
        ("page=-3", {"page": ["Must be at least 1."]}),
        ("page=last", {"page": ["A whole number is required."]}),
        ("page_size=", {"page_size": ["A whole number is required."]}),
        ("page_size=0", {"page_size": ["Must be between 1 and 1000."]}),
        ("page_size=1001", {"page_size": ["Must be between 1 and 1000."]}),
    ],
)
def test_a_page_or_page_size_the_document_does_not_allow_is_a_400(staff_api, query, answer):
    response = staff_api.get(f"{BASE}?{query}")
    assert (response.status_code, response.json()) == (400, answer)


def test_page_size_pages_the_list_and_the_links_keep_it(staff_api, three):
    first = staff_api.get(f"{BASE}?page_size=2").json()
    assert first["count"] == 3 and len(first["results"]) == 2 and first["previous"] is None
    assert first["next"].endswith("?page=2&page_size=2")
    second = staff_api.get(f"{BASE}?page=2&page_size=2").json()
    assert len(second["results"]) == 1 and second["next"] is None
    assert staff_api.get(f"{BASE}?page_size=1000").json()["count"] == 3


def test_a_page_past_the_last_is_a_404(staff_api, three):
    response = staff_api.get(f"{BASE}?page=2")
    assert (response.status_code, response.json()) == (404, {"detail": "Invalid page."})


@pytest.mark.parametrize("content_type", ["json", "multipart"])
def test_an_unknown_key_in_the_body_is_refused_not_ignored(staff_api, content_type):
    response = staff_api.post(BASE, {**BODY, "secrets": "x" * 20}, format=content_type)

    assert response.status_code == 400
    assert response.json() == {"secrets": ["Unknown field: a subscription has url, event_types, secret."]}
    assert WebhookSubscription.objects.count() == 0


def test_a_delete_answers_204_with_no_body(staff_api, three):
    uuid = WebhookSubscription.objects.values_list("uuid", flat=True).first()
    response = staff_api.delete(f"{BASE}/{uuid}")
    assert (response.status_code, response.content) == (204, b"")


@pytest.fixture(scope="module")
def document(django_db_blocker) -> dict:
    """The OpenAPI document, built once for the module (a build takes about half a second)."""
    with django_db_blocker.unblock():
        response = APIClient().get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    return response.json()


def _create_body(document: dict) -> dict:
    return document["components"]["schemas"]["SubscriptionCreateInputRequest"]


# Every URL: (the document's pattern allows it) == (the server takes it). Private receivers are
# allowed in these tests (conftest), so the SSRF guard, which no pattern states, is out of the way.
URLS = {
    "https://example.com/hook": True,
    "HTTP://Example.COM": True,
    "http://example.com.:8080/a/b?c=d&e=%2F": True,
    "http://127.0.0.1:65535/": True,
    "http://[::1]/hook": True,
    "http://[2001:db8::8a2e:370:7334]:443/": True,
    "http://[::ffff:10.0.0.1]/": True,
    "http://example.com/~user/(x)!$&'*+,;=:@": True,
    "http://[1:2]/": False,
    "http://[::ffff:10.0.0.01]/": False,
    "http://[fe80::1%25eth0]/": False,
    "http://example.com:0/": False,
    "http://example.com:65536/": False,
    "http://example.com:/": False,
    "http://user:pass@example.com/": False,
    "http://example.com/a|b": False,
    "http://example.com/a b": False,
    "http://example.com/caf\u00e9": False,
    "http://ex\u00e4mple.com/": False,
    "http://example.com/%zz": False,
    "http://example.com/#top": False,
    "http://example.com/\n": False,
    "ftp://example.com/": False,
    "https:/example.com": False,
    "\x01http://example.com/": False,
}


@pytest.mark.parametrize(("url", "allowed"), URLS.items())
def test_the_documents_url_pattern_is_the_servers_rule(staff_api, document, url, allowed):
    pattern = _create_body(document)["properties"]["url"]["pattern"]
    assert bool(re.fullmatch(pattern.removeprefix("^").removesuffix("$"), url)) is allowed

    response = staff_api.post(BASE, {**BODY, "url": url}, format="json")
    assert response.status_code == (201 if allowed else 400), response.content
    if not allowed:
        assert list(response.json()) == ["url"]


def test_the_document_closes_the_body_and_lists_every_event_type_the_server_takes(staff_api, document):
    body = _create_body(document)
    assert body["additionalProperties"] is False
    event_types = body["properties"]["event_types"]
    assert (event_types["minItems"], event_types["maxItems"]) == (1, 50)
    enum = document["components"]["schemas"][event_types["items"]["$ref"].rsplit("/", 1)[1]]["enum"]
    assert {"coursegate.*", "coursegate.enrollment.*", "coursegate.license.revoked"} <= set(enum)
    response = staff_api.post(BASE, {**BODY, "event_types": enum}, format="json")
    assert response.status_code == 201, response.content
    refused = staff_api.post(BASE, {**BODY, "event_types": ["coursegate.enrollment.created.*"]}, format="json")
    assert list(refused.json()) == ["event_types"]


@pytest.mark.parametrize(
    ("secret", "allowed"),
    [("a" * 16, True), ("a b c d e f g h i", True), ("~" * 200, True), ("a" * 15, False), ("a" * 201, False),
     (" " + "a" * 20, False), ("a" * 20 + " ", False), ("\u00e9" * 20, False), ("a" * 20 + "\t", False)],
)  # fmt: skip
def test_the_documents_secret_rule_is_the_servers(staff_api, document, secret, allowed):
    schema = _create_body(document)["properties"]["secret"]
    in_document = schema["minLength"] <= len(secret) <= schema["maxLength"] and bool(
        re.fullmatch(schema["pattern"].removeprefix("^").removesuffix("$"), secret)
    )
    assert in_document is allowed

    response = staff_api.post(BASE, {**BODY, "secret": secret}, format="json")
    assert response.status_code == (201 if allowed else 400), response.content


@pytest.mark.parametrize("content_type", ["json", "multipart"])
def test_an_empty_secret_is_refused_in_a_form_as_in_json(staff_api, content_type):
    response = staff_api.post(BASE, {**BODY, "secret": ""}, format=content_type)
    assert (response.status_code, list(response.json())) == (400, ["secret"])
    assert WebhookSubscription.objects.count() == 0
