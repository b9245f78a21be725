"""What an operator sees: /metrics counts requests by route and status and times them, counts
issued tokens; /health answers HEAD and names a cache that does not answer; log lines can be JSON
with the request id; the edge settings (HTTPS redirect, HSTS, CORS, proxies) do what they say."""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys

import pytest
from django.test import override_settings
from django.urls import resolve
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from coursegate.core import views as core_views
from coursegate.core.logformat import JsonFormatter
from coursegate.core.middleware import RequestIdLogFilter, _current
from tests.core.test_outage_kit import free_port


def _metrics(api_client, staff, bearer_for) -> str:
    response = api_client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {bearer_for(staff)}")
    assert response.status_code == 200, response.content
    return response.content.decode()


def _sample(text: str, name: str, **labels: str) -> float:
    """The value of one sample whose labels include ``labels`` (0 when absent)."""
    for line in text.splitlines():
        if not line.startswith(name + "{"):
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', line[len(name) : line.rindex("}") + 1]))
        if all(found.get(k) == v for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_requests_are_counted_by_route_method_and_status(api_client, staff, bearer_for):
    before = _metrics(api_client, staff, bearer_for)
    api_client.get("/health")
    api_client.get("/health")
    api_client.get("/api/enrollment/v1/enrollment")  # no token: 401
    api_client.get("/no/such/path")
    after = _metrics(api_client, staff, bearer_for)

    def grew(**labels):
        return _sample(after, "coursegate_http_requests_total", **labels) - _sample(
            before, "coursegate_http_requests_total", **labels
        )

    assert grew(route="health", method="GET", status="200") == 2
    assert grew(route="unmatched", method="GET", status="404") == 1
    assert grew(route=resolve("/api/enrollment/v1/enrollment").view_name, method="GET", status="401") == 1
    # The latency histogram has a count per route, and its +Inf bucket equals it.
    count = _sample(after, "coursegate_http_request_duration_seconds_count", route="health", method="GET")
    assert count >= 2
    assert _sample(after, "coursegate_http_request_duration_seconds_bucket", route="health", le="+Inf") == count


def test_a_made_up_method_does_not_become_a_label(api_client, staff, bearer_for):
    api_client.generic("BREW", "/health")
    assert 'method="BREW"' not in _metrics(api_client, staff, bearer_for)


def test_issued_tokens_are_counted_by_grant_and_type(api_client, staff, bearer_for, jwt_for, learner):
    before = _metrics(api_client, staff, bearer_for)
    bearer_for(learner)
    jwt_for(learner)
    after = _metrics(api_client, staff, bearer_for)
    for token_type in ("bearer", "jwt"):
        labels = {"grant_type": "client_credentials", "token_type": token_type}
        # the scrape's own token (bearer) counts too: at least one more of each
        assert _sample(after, "coursegate_tokens_issued_total", **labels) > _sample(
            before, "coursegate_tokens_issued_total", **labels
        )


def test_metrics_stay_closed_to_learners(api_client, learner, bearer_for):
    assert api_client.get("/metrics").status_code == 401
    response = api_client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {bearer_for(learner)}")
    assert response.status_code == 403


def test_health_answers_head_without_a_body(api_client, db):
    response = api_client.head("/health")
    assert response.status_code == 200
    assert response.content == b""
    assert api_client.post("/health").status_code == 405


@pytest.fixture
def fresh_health_checks(monkeypatch):
    monkeypatch.setattr(core_views._CACHE, "until", 0.0)
    monkeypatch.setattr(core_views._BROKER, "until", 0.0)


def test_health_is_503_naming_a_cache_that_does_not_answer(api_client, db, fresh_health_checks):
    location = f"redis://127.0.0.1:{free_port()}/0"
    cache = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": location}}
    with override_settings(CACHES=cache):
        response = api_client.get("/health")
    assert response.status_code == 503
    assert response["Retry-After"].isdigit()
    assert response.json()["cache"].startswith("unreachable")


def test_health_says_degraded_when_only_the_broker_is_down(api_client, db, fresh_health_checks):
    with override_settings(CELERY_BROKER_URL=f"redis://127.0.0.1:{free_port()}/0"):
        response = api_client.get("/health")
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["broker"].startswith("unreachable")


def test_json_log_lines_carry_the_request_id():
    record = logging.LogRecord("coursegate.test", logging.WARNING, __file__, 1, "job %s stalled", ("j1",), None)
    token = _current.set("req-42")
    try:
        RequestIdLogFilter().filter(record)
    finally:
        _current.reset(token)
    line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == "req-42"
    assert line["message"] == "job j1 stalled"
    assert (line["level"], line["logger"]) == ("WARNING", "coursegate.test")
    assert line["time"].endswith("+00:00")


def test_log_format_json_is_read_from_the_environment(tmp_path):
    code = "import django, logging; django.setup(); logging.getLogger('coursegate.x').warning('hello %s', 'there')"
    env = {**os.environ, "COURSEGATE_LOG_FORMAT": "json", "COURSEGATE_VAR_DIR": str(tmp_path),
           "DJANGO_SETTINGS_MODULE": "coursegate.settings"}  # fmt: skip
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    line = json.loads(done.stderr.strip().splitlines()[-1])
    assert (line["message"], line["request_id"]) == ("hello there", "-")


@override_settings(SECURE_SSL_REDIRECT=True)
def test_ssl_redirect_spares_the_health_checks(api_client, db):
    response = api_client.get("/api/enrollment/v1/enrollment")
    assert response.status_code == 301
    assert response["Location"].startswith("https://")
    assert api_client.get("/health").status_code == 200


@override_settings(SECURE_HSTS_SECONDS=31536000)
def test_hsts_is_sent_over_https(api_client, db):
    assert api_client.get("/health", secure=True)["Strict-Transport-Security"] == "max-age=31536000"
    assert "Strict-Transport-Security" not in api_client.get("/health")


@override_settings(CORS_ALLOWED_ORIGINS=["https://portal.example.org"])
def test_cors_answers_only_the_allowed_origins(db):
    client = APIClient()
    preflight = {"HTTP_ACCESS_CONTROL_REQUEST_METHOD": "GET", "HTTP_ACCESS_CONTROL_REQUEST_HEADERS": "authorization"}
    allowed = client.options("/api/enrollment/v1/enrollment", HTTP_ORIGIN="https://portal.example.org", **preflight)
    assert allowed["Access-Control-Allow-Origin"] == "https://portal.example.org"
    assert "authorization" in allowed["Access-Control-Allow-Headers"]
    other = client.options("/api/enrollment/v1/enrollment", HTTP_ORIGIN="https://evil.example", **preflight)
    assert "Access-Control-Allow-Origin" not in other
    response = client.get("/health", HTTP_ORIGIN="https://portal.example.org")
    assert "X-Request-ID" in response["Access-Control-Expose-Headers"]


def test_a_forwarded_for_header_does_not_change_who_is_throttled(rf):
    request = rf.get("/", HTTP_X_FORWARDED_FOR="203.0.113.9", REMOTE_ADDR="198.51.100.7")
    assert SimpleRateThrottle.get_ident(SimpleRateThrottle.__new__(SimpleRateThrottle), request) == "198.51.100.7"
