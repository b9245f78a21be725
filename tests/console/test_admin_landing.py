"""The landing page at ``/``: a page for a browser (an Accept that starts with HTML), the JSON of
links for every API client (curl's ``*/*``, no Accept, JSON), both saying they vary by Accept."""

from __future__ import annotations

import re

import pytest
from django.conf import settings

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"


def test_a_browser_gets_the_page_with_every_link(client, db):
    response = client.get("/", HTTP_ACCEPT=BROWSER)
    page = response.content.decode()

    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert "Accept" in response["Vary"]
    assert f'id="cg-version">{settings.COURSEGATE_VERSION}<' in page
    links = set(re.findall(r'href="([^"]+)"', page))
    assert {f"http://testserver{path}" for path in (
        "/api/docs/", "/api/redoc/", "/api/schema/", "/admin/", "/admin/dashboard/", "/oauth2/access_token",
        "/api/enrollment/v1/", "/appsembler_api/v0/", "/api/jitterbit/v1/", "/enterprise/",
        "/api/events/apprenticeships")} <= links  # fmt: skip


def test_the_page_loads_nothing_from_elsewhere(client, db):
    page = client.get("/", HTTP_ACCEPT=BROWSER).content.decode()

    assert not re.search(r"<(script|img|iframe)\b", page)
    assert re.findall(r"<link\b[^>]*>", page) == ['<link rel="icon" href="data:,">']  # no favicon request
    links = [url for url in re.findall(r'href="([^"]+)"', page) if url != "data:,"]
    assert links and all(url.startswith("http://testserver/") for url in links)


@pytest.mark.parametrize("accept", [None, "*/*", "application/json", "application/json, text/html"])
def test_api_clients_keep_the_json(client, db, accept):
    response = client.get("/", **({"HTTP_ACCEPT": accept} if accept else {}))

    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert "Accept" in response["Vary"]
    assert response.json()["service"] == "coursegate"
    assert response.json()["token_endpoint"] == "http://testserver/oauth2/access_token"


def test_posting_is_refused(client, db):
    assert client.post("/", HTTP_ACCEPT=BROWSER).status_code == 405
