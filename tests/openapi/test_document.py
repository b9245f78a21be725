"""The OpenAPI document at /api/schema/: valid, and complete in what every operation promises
(issue 15, OpenAPI part; docs/openapi.md)."""

from __future__ import annotations

import jsonschema
import pytest
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient

FAMILY_TAGS = {"Enrollment", "Appsembler", "Jitterbit", "Enterprise", "Apprenticeship events", "Webhooks"}


@pytest.fixture(scope="module")
def document(django_db_blocker):
    with django_db_blocker.unblock():
        response = APIClient().get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    return response.json()


def _operations(document):
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            yield f"{method.upper()} {path}", operation


def test_the_document_is_valid_openapi_3(document):
    validate_schema(document)  # raises on any violation of the OpenAPI 3.0 meta-schema


def test_every_operation_has_one_tag_and_a_summary(document):
    untagged = [name for name, operation in _operations(document) if len(operation.get("tags", [])) != 1]
    unsummarized = [name for name, operation in _operations(document) if not operation.get("summary")]
    assert (untagged, unsummarized) == ([], [])
    family_ops = {operation["tags"][0] for _, operation in _operations(document)} - {"OAuth2"}
    assert family_ops <= FAMILY_TAGS
    assert {"Enrollment", "Appsembler", "Jitterbit", "Enterprise", "Apprenticeship events"} <= family_ops


def test_every_family_operation_declares_401_403_404_429_with_bodies(document):
    missing = []
    for name, operation in _operations(document):
        if operation["tags"] == ["OAuth2"]:
            continue
        responses = operation["responses"]
        for status in ("400", "401", "403", "404", "429"):
            if status not in responses:
                missing.append((name, status))
        for status in ("401", "403", "429"):
            if "application/json" not in responses.get(status, {}).get("content", {}):
                missing.append((name, f"{status} body"))
    assert missing == []


def test_every_family_post_declares_the_idempotency_key_and_its_answers(document):
    missing = []
    for name, operation in _operations(document):
        if not name.startswith("POST") or operation["tags"] == ["OAuth2"]:
            continue
        headers = [p["name"] for p in operation.get("parameters", []) if p["in"] == "header"]
        if "Idempotency-Key" not in headers or not {"400", "409", "422"} <= operation["responses"].keys():
            missing.append(name)
        success = next(answer for status, answer in operation["responses"].items() if status.startswith("2"))
        if "Idempotent-Replayed" not in success.get("headers", {}):
            missing.append(f"{name} replay header")
    assert missing == []


def test_security_schemes_offer_oauth2_client_credentials_bearer_and_jwt(document):
    schemes = document["components"]["securitySchemes"]
    assert schemes["oauth2"]["flows"]["clientCredentials"]["tokenUrl"] == "/oauth2/access_token"
    assert schemes["bearer"] == {**schemes["bearer"], "type": "http", "scheme": "bearer"}
    assert schemes["jwt"] == {**schemes["jwt"], "type": "apiKey", "in": "header", "name": "Authorization"}
    enrollment = document["paths"]["/api/enrollment/v1/enrollment/"]["post"]
    assert enrollment["security"] == [{"oauth2": []}, {"bearer": []}, {"jwt": []}]


def test_enterprise_answers_are_declared_in_xml_and_json(document):
    for path, operations in document["paths"].items():
        if path.startswith("/enterprise/") and "get" in operations and not path.endswith("/csv/"):
            content = operations["get"]["responses"]["200"].get("content", {})
            assert {"application/xml", "application/json"} <= content.keys(), path


def test_no_enrollment_is_a_declared_null_200(document):
    for path in ("/api/enrollment/v1/enrollment/{course_id}/", "/api/enrollment/v1/enrollment/{username},{course_id}/"):
        schema = document["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        assert schema["nullable"] is True


def test_appsembler_and_jitterbit_answers_have_schemas(document):
    for path, operations in document["paths"].items():
        if path.startswith(("/appsembler_api/", "/api/jitterbit/")):
            for method, operation in operations.items():
                ok = operation["responses"]["200"]
                assert ok.get("content", {}).get("application/json", {}).get("schema"), f"{method} {path}"


@pytest.mark.django_db
def test_oauth_error_answers_match_their_declared_bodies(document, make_user, oauth_app):
    client_id, secret = oauth_app(make_user("oauth-doc"))
    token = document["paths"]["/oauth2/access_token"]["post"]["responses"]
    revoke = document["paths"]["/oauth2/revoke_token/"]["post"]["responses"]
    http = APIClient()

    wrong_secret = http.post("/oauth2/access_token", {"grant_type": "client_credentials", "client_id": client_id,
                                                      "client_secret": "wrong"})  # fmt: skip
    bad_grant = http.post("/oauth2/access_token", {"grant_type": "telepathy", "client_id": client_id,
                                                   "client_secret": secret})  # fmt: skip
    no_token = http.post("/oauth2/revoke_token/", {"client_id": client_id, "client_secret": secret})

    assert [wrong_secret.status_code, bad_grant.status_code, no_token.status_code] == [401, 400, 400]
    for answer, declared in ((wrong_secret, token["401"]), (bad_grant, token["400"]), (no_token, revoke["400"])):
        jsonschema.validate(answer.json(), declared["content"]["application/json"]["schema"])
    assert [wrong_secret.json()["error"], bad_grant.json()["error"]] == ["invalid_client", "unsupported_grant_type"]
