"""The published edX Enterprise API Postman collection against the demo data (issue 4, "Real
clients"; reference/enterprise.md §6).

The collection's five requests, reproduced as it sends them: a form-encoded client-credentials
token request to ``/oauth2/v1/access_token?`` (an empty query string) with ``token_type=jwt``,
then, with ``Authorization: JWT <token>`` and no Accept header (so the family's XML default): the
catalog list with a trailing slash, a catalog without one, a course in it, and the learner
summary. The collection has no test scripts; every request must answer 200.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from coursegate.demo.loading import CATALOG_A, CUSTOMER_A

# Postman variables of the collection
CATALOG_UUID = CATALOG_A  # 3f56a21c-76c8-47c0-add8-a99714d40d94, seed 003's example catalog
COURSE_KEY = "MyUni+Sport101x"  # seed 003's example course
ENTERPRISE_UUID = CUSTOMER_A  # 904b1785-9d3a-1000-848d-6ae7a56e6355


@pytest.fixture
def demo_credentials(db, settings, tmp_path) -> dict:
    """`coursegate demo --json` into a test database (its credentials file goes to tmp_path)."""
    settings.VAR_DIR = tmp_path
    out = StringIO()
    call_command("demo", "--json", stdout=out)
    return json.loads(out.getvalue())


@pytest.fixture
def postman(demo_credentials) -> dict:
    """Request 1, "edX API Generate API Access Token", and the collection's variables."""
    admin = demo_credentials["enterprise_admin"]
    client = Client()  # a plain HTTP client: no Accept header unless one is given
    response = client.post(
        "/oauth2/v1/access_token?",
        data=(
            f"grant_type=client_credentials&client_id={admin['client_id']}"
            f"&client_secret={admin['client_secret']}&token_type=jwt"
        ),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200, response.content
    token = response.json()
    assert (token["token_type"], isinstance(token["expires_in"], int)) == ("JWT", True)
    return {"client": client, "access_token": token["access_token"]}


def send(postman: dict, path: str):
    """A GET as the collection sends it: ``Authorization: JWT {{access_token}}``, nothing else."""
    response = postman["client"].get(path, HTTP_AUTHORIZATION=f"JWT {postman['access_token']}")
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/xml; charset=utf-8"
    return ET.fromstring(response.content)


def test_request_2_retrieve_enterprise_catalogs(postman):
    root = send(postman, "/enterprise/v2/enterprise-catalogs/")

    assert [item.findtext("uuid") for item in root.find("results")] == [CATALOG_UUID]


def test_request_3_retrieve_catalog_courses(postman):
    root = send(postman, f"/enterprise/v2/enterprise-catalogs/{CATALOG_UUID}")

    assert COURSE_KEY in [item.findtext("key") for item in root.find("results")]


def test_request_4_retrieve_course_metadata(postman):
    root = send(postman, f"/enterprise/v2/enterprise-catalogs/{CATALOG_UUID}/courses/{COURSE_KEY}")

    assert root.findtext("key") == COURSE_KEY
    assert root.findtext("enrollment_url").startswith(f"http://testserver/enterprise/{ENTERPRISE_UUID}/course/")


def test_request_5_retrieve_learner_enrollments(postman):
    root = send(postman, f"/enterprise/v3/enterprise-customer/{ENTERPRISE_UUID}/learner-summary")

    assert int(root.findtext("count")) >= 1
    assert {row.findtext("enterprise_customer_uuid") for row in root.find("results")} == {ENTERPRISE_UUID}


def test_the_whole_collection_in_order_with_one_token(postman):
    for path in (
        "/enterprise/v2/enterprise-catalogs/",
        f"/enterprise/v2/enterprise-catalogs/{CATALOG_UUID}",
        f"/enterprise/v2/enterprise-catalogs/{CATALOG_UUID}/courses/{COURSE_KEY}",
        f"/enterprise/v3/enterprise-customer/{ENTERPRISE_UUID}/learner-summary",
    ):
        send(postman, path)
