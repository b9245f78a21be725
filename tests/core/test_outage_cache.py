"""A cache outage: the rate limits live in Redis (COURSEGATE_CACHE_URL). With its redis-server
stopped a throttled endpoint answers 503 with JSON and Retry-After (never a 500, and never served
unthrottled); endpoints that need no cache go on answering; when Redis is back the same server
answers 200 again."""

from __future__ import annotations

import time

import pytest
import requests

from tests.core.test_outage_kit import ENROLLMENT, RedisServer, outage_shaped, serve, wait_for

# The session fixtures (databases migrated once, a private PostgreSQL cluster) live in the kit.
pytest_plugins = ["tests.core.test_outage_kit"]

pytestmark = pytest.mark.slow


@pytest.fixture
def redis_server():
    server = RedisServer()
    yield server
    if server.process is not None and server.process.poll() is None:
        server.stop()


def test_cache_stopped_answers_503_then_recovers(redis_server, sqlite_template, tmp_path):
    env = sqlite_template.server_env(
        tmp_path,
        COURSEGATE_CACHE_URL=redis_server.url,
        COURSEGATE_THROTTLING="true",
        COURSEGATE_THROTTLE_ENROLLMENT_STAFF="100000/minute",
        COURSEGATE_THROTTLE_ENROLLMENT_USER="100000/minute",
    )
    served = serve(env, sqlite_template.credentials, "--no-dispatcher")
    try:
        auth = {"Authorization": f"Bearer {served.token().json()['access_token']}"}

        def list_enrollments() -> requests.Response:
            return requests.get(f"{served.url}{ENROLLMENT}", headers=auth, timeout=30)

        assert list_enrollments().status_code == 200
        redis_server.stop()
        down = [list_enrollments() for _ in range(5)]
        assert all(outage_shaped(response) for response in down), [(r.status_code, r.text) for r in down]
        assert "cache" in down[0].json()["detail"]
        assert served.token().status_code == 200  # the token endpoint needs no cache
        ready = requests.get(f"{served.url}/health/ready", timeout=30)
        assert ready.status_code == 503 and "cache" in ready.json(), ready.text

        redis_server.start()
        back = time.monotonic()
        wait_for(lambda: list_enrollments().status_code == 200, "no 200 after Redis came back", 20)
        print(f"\ncache down: {len(down)} x 503; 200 again {time.monotonic() - back:.1f} s after Redis was back")
        assert requests.get(f"{served.url}/health/ready", timeout=30).json()["cache"] == "ok"
        assert "Traceback" not in served.err.read_text()
    finally:
        served.stop()
