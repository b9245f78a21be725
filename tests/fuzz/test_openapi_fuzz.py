"""Fuzz pass over every operation of the OpenAPI document (issue 11, failures 5 and 9).

For each operation, with a staff token and with the family's own callers: every path and query
parameter malformed in turn (NUL, lone surrogates, bytes that are not UTF-8, huge and negative
numbers, wrong types), a few malformed headers, and, for operations with a body, bodies nested
1,000 and 100,000 deep, NUL and lone surrogates in every string field (and keys), numbers beyond
every column and wrong types in every field, truncated JSON, bytes that are not UTF-8, odd charsets,
and form and multipart bodies with NUL. The server must never answer 5xx. Run with ``-s`` to see
the counts; a 5xx is listed with its request.
"""

from __future__ import annotations

import json
import time
from collections import Counter

import pytest
from django.db import connection
from django.test import Client

from tests.fuzz.payloads import Request, body_requests, parameter_requests

METHODS = ("get", "post", "put", "patch", "delete")


def operations(document: dict) -> list[tuple[str, str, dict]]:
    return [
        (method, path, spec)
        for path, item in sorted(document["paths"].items())
        for method, spec in item.items()
        if method in METHODS
    ]


def callers(method: str, path: str) -> list[str]:
    """Staff, and the callers each family is made for (who get past its permissions)."""
    if path.startswith("/oauth2/"):
        return ["anonymous", "staff"]
    if path.startswith("/api/enrollment/"):
        return ["staff", "learner"]
    if path.startswith(("/enterprise/v1/learner-licenses/", "/enterprise/v1/license-activation/")):
        return ["staff", "enterprise_admin", "learner"]  # a learner's own licenses
    if path.startswith("/enterprise/"):
        return ["staff", "enterprise_admin"]
    if path.startswith("/api/events/"):
        return ["staff", "events_writer" if method == "post" else "events_reader"]
    return ["staff"]  # Appsembler, Jitterbit: staff only


def oauth_fields(path: str, world: dict) -> dict:
    learner = world["credentials"]["learner"]
    fields = {"client_id": learner["client_id"], "client_secret": learner["client_secret"]}
    if "access_token" in path:
        return {**fields, "grant_type": "client_credentials", "username": "honor", "password": "edx"}
    return {**fields, "token": world["spare_token"]}


def send(client: Client, request: Request, authorization: str | None) -> tuple[int, bytes]:
    headers = {"Authorization": authorization} if authorization else {}
    headers.update(request.headers)
    url = f"{request.path}?{request.query}" if request.query else request.path
    response = client.generic(
        request.method.upper(), url, request.body or b"", content_type=request.content_type, headers=headers
    )
    try:
        if response.streaming:
            try:
                body = b"".join(response.streaming_content)
            except Exception as exc:  # a stream that breaks half-way is a server error too
                return 599, repr(exc).encode()
        else:
            body = response.content
    finally:
        response.close()
    return response.status_code, body


@pytest.mark.slow
def test_no_malformed_request_is_answered_with_a_server_error(fuzz_world, capsys):
    document = fuzz_world["document"]
    client = Client(raise_request_exception=False)
    sent, statuses, failures = 0, Counter(), []
    started = time.monotonic()
    for operation in operations(document):
        method, path, spec = operation
        for caller in callers(method, path):
            names = oauth_fields(path, fuzz_world) if path.startswith("/oauth2/") else None
            requests = [*parameter_requests(operation, caller), *body_requests(operation, document, caller, names)]
            for request in requests:
                status, body = send(client, request, fuzz_world["authorization"][caller])
                sent += 1
                statuses[status // 100] += 1
                if status >= 500:
                    failures.append(f"{status} {method.upper()} {path} [{request.label}]: {body[:300]!r}")
    elapsed = time.monotonic() - started
    with capsys.disabled():
        print(
            f"\nfuzz ({connection.vendor}): {len(operations(document))} operations, {sent} malformed requests sent, "
            f"{len(failures)} answered 5xx, in {elapsed:.1f} s; by class: "
            f"{json.dumps({f'{k}xx': v for k, v in sorted(statuses.items())})}"
        )
        for failure in failures[:200]:
            print("  ", failure)
    assert sent > 1000
    assert failures == []
