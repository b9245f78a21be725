"""POST /api/events/apprenticeships (one event, and the bulk path): malformed bodies (seed 004
"Storing events"; issue 6 decisions).

Bodies that are no JSON, nested too deeply or no JSON object are a 400, a form-encoded body a 415:
never a 500, and nothing is stored.
"""

from __future__ import annotations

import pytest

from coursegate.events.models import ApprenticeshipEvent
from tests.api.apprenticeship_events.support import BULK, EVENTS, event_body, post_json

MALFORMED = [
    '{"event": ',
    "not json",
    "{'event': 'An event'}",
    '{"event": "An event",}',
    b"\xff\xfe\x00",
]


@pytest.mark.parametrize("path", [EVENTS, BULK], ids=["single", "bulk"])
@pytest.mark.parametrize("body", MALFORMED, ids=["truncated", "not json", "single quotes", "trailing comma", "bytes"])
def test_a_malformed_json_body_is_a_400_never_a_500(writer_client, path, body):
    response = post_json(writer_client, path, body)

    assert response.status_code == 400
    assert list(response.json()) == ["detail"]
    assert response.json()["detail"].startswith("JSON parse error - ")
    assert not ApprenticeshipEvent.objects.exists()


def test_a_truncated_body_is_answered_with_where_parsing_stopped(writer_client):
    response = post_json(writer_client, EVENTS, '{"event": ')

    assert response.json() == {"detail": "JSON parse error - Expecting value: line 1 column 11 (char 10)"}


@pytest.mark.parametrize("path", [EVENTS, BULK], ids=["single", "bulk"])
def test_a_body_nested_too_deeply_to_parse_is_a_400_never_a_500(writer_client, path):
    response = post_json(writer_client, path, "[" * 100_000 + "]" * 100_000)

    assert response.status_code == 400
    assert list(response.json()) == ["detail"]


@pytest.mark.parametrize(
    "body", [[event_body()], [], '"An event"', 444, None], ids=["array", "[]", "string", "number", "null"]
)
def test_a_body_that_is_not_an_object_is_a_400(writer_client, body):
    response = post_json(writer_client, EVENTS, body)

    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["Each event must be a JSON object."]}
    assert not ApprenticeshipEvent.objects.exists()


def test_a_form_encoded_body_is_a_415(writer_client):
    response = writer_client.post(EVENTS, "event=An+event", content_type="application/x-www-form-urlencoded")

    assert response.status_code == 415
    assert response.json() == {"detail": 'Unsupported media type "application/x-www-form-urlencoded" in request.'}
