"""The events writes' request schemas in the OpenAPI document take every value the server takes
(issue 15): a generated client or a fuzzer reading the document never meets a refusal of what the
document allows beyond the rules it lists, nor an acceptance of what it forbids. (Keys are read in
any letter case; the document, and this test, state the camelCase spelling.)

For each body field and a grid of awkward values: when the field's parse accepts a value, the
document's schema of that field must allow it; and the stated patterns refuse what the parse
refuses for the pattern's sake (padding beyond the length, a Kelvin sign, a compact date)."""

from __future__ import annotations

from decimal import Decimal

import jsonschema
import pytest
from rest_framework.test import APIClient

from coursegate.api.apprenticeship_events.openapi import BODIES
from tests.api.apprenticeship_events.kinds_support import READ_GENERIC, SINCE
from tests.api.apprenticeship_events.support import EVENTS, event_body, post_json

GRID = [
    None, "", " ", "\t x \n", "x", "0", " 7 ", "-3", "1.5", ".5", "7.", "1e2", "NaN", "²", "x" * 6, "x" * 7,
    " " + "x" * 49 + " ", "x" * 50, "x" * 51, "x" * 100, "x" * 101, "9" * 19, "9" * 20, "0" * 19,
    0, 1, -1, 7, 2**31 - 1, 2**31, 2**63 - 1, 2**63, -(2**63), -(2**63) - 1, 10**6, 10**20, 1.5, 0.0, -0.0,
    Decimal("123.45"), Decimal("1.234"), True, False, [], {}, [1],
    "framework", " STANDARD ", "framewor\u212a", "Pending", " transferapproved ", "Active",
    "2017-01-31", "2017-01-31T10:20:30Z", " 2017-01-31 10:20 ", "2017-01-31T06:30:00.5-05:00", "2017-01-31Z",
    "20170131T102030", "2017-W05-2", "2017-01-31T10:20:30,5+0530", "2017-02-30", "0001-01-01T00:00:00+01:00",
    [{"totalCost": 10, "effectiveFrom": "2017-01-31"}], [{"totalCost": "10.50", "effectiveFrom": "2017-01-31",
     "effectiveTo": None}], [{"totalCost": 1, "effectiveFrom": "2017-01-31", "effectiveTo": ""}],
]  # fmt: skip


@pytest.fixture(scope="module")
def schemas(django_db_blocker):
    with django_db_blocker.unblock():
        response = APIClient().get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    return response.json()["components"]["schemas"]


def _json_schema(schema):
    """OpenAPI 3.0's ``nullable`` written as JSON schema's null type, at every level."""
    if isinstance(schema, list):
        return [_json_schema(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    converted = {key: _json_schema(value) for key, value in schema.items() if key != "nullable"}
    return {"anyOf": [converted, {"type": "null"}]} if schema.get("nullable") else converted


def _allows(schema: dict, value) -> bool:
    try:
        jsonschema.validate(value, _json_schema(schema))
    except jsonschema.ValidationError:
        return False
    return True


def _parse_accepts(serializer, name: str, value) -> bool:
    field = serializer().fields[name]
    if value is None or value == "":
        return not field.required  # "not given"
    return field.parse(value)[1] is None


@pytest.mark.parametrize("component", BODIES)
def test_every_value_a_body_field_accepts_is_allowed_by_its_schema(schemas, component):
    serializer = BODIES[component]
    properties = schemas[component]["properties"]
    refused_by_the_document = [
        (name, value)
        for name in serializer().fields
        for value in GRID
        if _parse_accepts(serializer, name, value) and not _allows(properties[name], value)
    ]
    assert refused_by_the_document == []


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("event", " " + "x" * 50),  # 51 characters as sent: too long, although 50 once trimmed
        ("trainingType", "framewor\u212a"),  # a Kelvin sign lower-cases to k, yet is not a k
        ("trainingStartDate", "20170131T102030"),  # ISO 8601's basic form: not stated, not taken
        ("trainingTotalCost", "1e2"),  # text must be a decimal numeral
        ("providerId", 10**20),  # a number beyond 64 bits is not taken as text
        ("transferApprovalStatus", "Pendin\u212a"),
    ],
)
def test_what_a_schema_forbids_the_server_refuses(schemas, writer_client, name, value):
    assert not _allows(schemas["EventInputRequest"]["properties"][name], value)
    body = event_body(**{name: value}, transferSenderId=1, transferSenderName="Sender")

    response = post_json(writer_client, EVENTS, body)

    assert response.status_code == 400
    assert list(response.json()) == [name]


def test_the_bulk_body_states_its_size_limit(django_db_blocker):
    with django_db_blocker.unblock():
        document = APIClient().get("/api/schema/", HTTP_ACCEPT="application/json").json()
    body = document["paths"]["/api/events/apprenticeships/bulk/"]["post"]["requestBody"]
    assert body["content"]["application/json"]["schema"]["maxItems"] == 10_000


def test_the_generic_reads_state_their_text_filters_as_the_server_reads_them(django_db_blocker, client_for):
    with django_db_blocker.unblock():
        document = APIClient().get("/api/schema/", HTTP_ACCEPT="application/json").json()
    since = {p["name"]: p["schema"] for p in document["paths"]["/api/events/getSinceEvent/"]["get"]["parameters"]}
    by_resource = document["paths"]["/api/events/getByResourceId/"]["get"]["parameters"]
    resource = {p["name"]: p["schema"] for p in by_resource}

    # An empty eventType is "any type": the document allows it, and the server answers the page.
    assert "minLength" not in since["eventType"] and since["eventType"]["maxLength"] == 255
    reader = client_for(READ_GENERIC)
    assert reader.get(SINCE, {"eventType": ""}).status_code == 200
    assert reader.get(SINCE, {"eventType": "x" * 256}).status_code == 400
    assert (resource["resourceId"]["minLength"], resource["resourceId"]["maxLength"]) == (1, 255)
