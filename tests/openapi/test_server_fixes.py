"""Server answers made to match the OpenAPI document (found by schemathesis; issue 15)."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from coursegate.api.enterprise.renderers import EnterpriseXMLRenderer

RUN = "course-v1:Org+Num+Run"
BAD_FLAG = "'{}' is not a valid boolean: use 1, true, 0 or false."
UNKNOWN_FORMAT = {"format": ["Must be one of: json, csv, ndjson."]}


@pytest.mark.parametrize("value", ["-1.3e308", "null", "maybe"])
def test_include_expired_refuses_a_value_that_is_not_a_boolean(make_run, value):
    make_run(RUN)
    response = APIClient().get(f"/api/enrollment/v1/course/{RUN}?include_expired={value}")
    assert response.status_code == 400
    assert (
        response.json() == {"include_expired": [f"'{value}' is not a valid boolean: use 1, true, 0 or false."]}
        or "message" in response.json()
    )


@pytest.mark.parametrize("value", ["1", "TRUE", "yes", "0", "false", "No", ""])
def test_include_expired_still_takes_every_boolean_form(make_run, value):
    make_run(RUN)
    assert APIClient().get(f"/api/enrollment/v1/course/{RUN}?include_expired={value}").status_code == 200


def test_enterprise_xml_replaces_control_characters_an_error_echoes():
    body = EnterpriseXMLRenderer().render({"detail": "'\x1b\x00x' is not a valid UUID."})
    assert "<detail>'\ufffd\ufffdx' is not a valid UUID.</detail>" in body


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "query", "body"),
    [
        ("/api/jitterbit/v1/accounts/batch", "format=yaml", UNKNOWN_FORMAT),
        ("/appsembler_api/v0/analytics/enrollment/batch", "format=x", UNKNOWN_FORMAT),
        ("/api/jitterbit/v1/enrollment/batch", "after_id=1&after_id=", {"after_id": ["Give this parameter once."]}),
    ],
)
def test_analytics_refuse_an_unknown_format_and_a_repeated_parameter(path, query, body, client_for, staff):
    response = client_for(staff).get(f"{path}?{query}")
    assert (response.status_code, response.json()) == (400, body)
