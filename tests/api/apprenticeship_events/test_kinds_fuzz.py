"""No malformed request to the events service is a 5xx (issue 14 §1; the fuzz pass of issue 11,
run here for the events operations with a caller holding every events role, so every request
reaches the parsers: tests/fuzz runs the whole document with the demo's callers)."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.api.apprenticeship_events.kinds_support import READ_ROLES, WRITE_ROLES
from tests.fuzz.payloads import body_requests, parameter_requests
from tests.fuzz.test_openapi_fuzz import operations, send


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)  # each request commits or rolls back alone, as in production
def test_no_malformed_events_request_is_a_server_error(make_user, jwt_for):
    document = Client().get("/api/schema/?format=json").json()
    authorization = f"Bearer {jwt_for(make_user('fuzzer'), roles=READ_ROLES + WRITE_ROLES)}"
    client = Client(raise_request_exception=False)
    ours = [op for op in operations(document) if op[1].startswith("/api/events/")]
    sent, failures = 0, []

    for operation in ours:
        for request in [*parameter_requests(operation, "events"), *body_requests(operation, document, "events")]:
            status, body = send(client, request, authorization)
            sent += 1
            if status >= 500:
                failures.append(f"{status} {request.method.upper()} {request.path} [{request.label}]: {body[:200]!r}")

    assert len(ours) == 11
    assert sent > 500
    assert failures[:20] == []
