"""Outage answers in-process (core/outage.py): the exceptions real drivers raise when their server
does not answer are answered 503 + Retry-After with a JSON body, by a view (process_exception) and
by handler500; anything else stays a 500. The processes-level tests are test_outage_database.py
(PostgreSQL stopped under load) and test_outage_cache.py (Redis stopped)."""

from __future__ import annotations

import json
import logging

import pytest
from django.db import OperationalError, connection, transaction
from django.db.utils import ConnectionHandler
from django.test import RequestFactory, override_settings

from coursegate.core.errors import json_server_error
from coursegate.core.outage import RETRY_AFTER_SECONDS, outage_response, unavailable_service
from tests.core.test_outage_kit import free_port

ENROLLMENT_LIST = "/api/enrollment/v1/enrollment"


def _raised(call) -> BaseException:
    try:
        call()
    except Exception as exc:  # noqa: BLE001  (whatever the driver raises is the subject)
        return exc
    raise AssertionError("expected the call to fail")


def _unreachable_postgresql():
    handler = ConnectionHandler(
        {"default": {"ENGINE": "django.db.backends.postgresql", "HOST": "127.0.0.1", "PORT": free_port(), "NAME": "x"}}
    )
    return handler["default"].ensure_connection


def _unopenable_sqlite(tmp_path):
    handler = ConnectionHandler(
        {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(tmp_path / "missing" / "db.sqlite3")}}
    )
    return handler["default"].ensure_connection


def _unreachable_redis():
    from django.core.cache.backends.redis import RedisCache

    return lambda: RedisCache(f"redis://127.0.0.1:{free_port()}/0", {}).get("key")


def _unreachable_broker():
    from kombu import Connection

    return lambda: Connection(f"redis://127.0.0.1:{free_port()}/0").ensure_connection(max_retries=1)


@pytest.mark.parametrize(
    ("make_call", "service"),
    [
        (lambda tmp_path: _unreachable_postgresql(), "database"),
        (_unopenable_sqlite, "database"),
        (lambda tmp_path: _unreachable_redis(), "cache"),
        (lambda tmp_path: _unreachable_broker(), "broker"),
        (lambda tmp_path: lambda: 1 / 0, None),
    ],
    ids=["postgresql", "sqlite", "redis", "broker", "a bug"],
)
@pytest.mark.django_db
def test_driver_errors_are_told_apart_from_bugs(tmp_path, make_call, service):
    assert unavailable_service(_raised(make_call(tmp_path))) == service


def _assert_outage_answer(response, words: str) -> None:
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert words in json.loads(response.content)["detail"]


@pytest.mark.django_db
def test_handler500_answers_an_outage_raised_outside_a_view_with_503():
    request = RequestFactory().get("/admin/")
    try:
        _unreachable_postgresql()()
    except OperationalError:
        response = json_server_error(request)
    _assert_outage_answer(response, "database")


def test_handler500_answers_anything_else_with_500():
    request = RequestFactory().get("/")
    try:
        raise RuntimeError("a bug")
    except RuntimeError:
        response = json_server_error(request)
    assert response.status_code == 500
    assert not response.has_header("Retry-After")


@pytest.mark.django_db
def test_a_statement_cancelled_by_its_timeout_is_a_timeout():
    if connection.vendor != "postgresql":
        pytest.skip("statement_timeout is PostgreSQL's")

    def slow():
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL statement_timeout = 50")
            cursor.execute("SELECT pg_sleep(2)")

    exc = _raised(slow)
    assert unavailable_service(exc) == "timeout"
    _assert_outage_answer(outage_response(RequestFactory().get("/"), exc), "ran out of time")


@pytest.fixture
def unreachable_cache():
    """Redis as the cache, on a port nothing listens on; throttling on (it counts in the cache)."""
    location = f"redis://127.0.0.1:{free_port()}/0"
    cache = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": location}}
    # Restored before the suite's own teardown clears the cache.
    with override_settings(CACHES=cache, THROTTLING_ENABLED=True):
        yield


def test_a_throttled_drf_view_answers_503_when_the_cache_does_not_answer(unreachable_cache, staff, jwt_for, api_client):
    api_client.credentials(HTTP_AUTHORIZATION=f"JWT {jwt_for(staff)}")
    response = api_client.get(ENROLLMENT_LIST)
    _assert_outage_answer(response, "cache")


def test_health_says_the_database_and_the_cache_answer(api_client, db):
    response = api_client.get("/health")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok", "database": connection.vendor, "cache": "ok", "broker": "not configured"
    }  # fmt: skip


def test_ready_checks_database_cache_and_broker(api_client, db):
    response = api_client.get("/health/ready")
    assert response.status_code == 200, response.content
    assert response.json()["database"] == response.json()["cache"] == "ok"


def test_ready_names_what_does_not_answer_and_the_5xx_is_logged_with_its_request_id(
    unreachable_cache, api_client, db, caplog
):
    with caplog.at_level(logging.ERROR, logger="coursegate.core.outage"):
        response = api_client.get("/health/ready", HTTP_X_REQUEST_ID="ready-check-1")
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    body = response.json()
    assert body["status"] == "unavailable" and body["cache"].startswith("unreachable")
    assert "database" not in body
    [record] = [r for r in caplog.records if "answered 503" in r.getMessage()]
    assert record.request_id == "ready-check-1"
