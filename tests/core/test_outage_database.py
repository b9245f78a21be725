"""A database outage under load (issue 11, failure 6): a private PostgreSQL cluster is stopped for a
few seconds and started again under a real `coursegate serve` while a client keeps asking for
tokens, listing enrollments and writing one. Every answer is 2xx or a 503 with a JSON body and
Retry-After (never a 500), and 200s come back without restarting the server."""

from __future__ import annotations

import threading
import time
from collections import Counter

import pytest
import requests

from tests.core.test_outage_kit import DEMO_RUN, ENROLLMENT, outage_shaped, serve

# The session fixtures (databases migrated once, a private PostgreSQL cluster) live in the kit.
pytest_plugins = ["tests.core.test_outage_kit"]

pytestmark = pytest.mark.slow

OUTAGE_SECONDS = 4


class Load:
    """One client in a thread: token, enrollment list, enrollment write, again and again."""

    def __init__(self, served) -> None:
        self.served = served
        self.answers: list[tuple[float, str, requests.Response]] = []
        self.failures: list[str] = []  # transport errors: the server must never drop a request
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.token = served.token().json()["access_token"]

    def _run(self) -> None:
        while not self.stopping.is_set():
            for name, call in (("token", self._token), ("list", self._list), ("write", self._write)):
                try:
                    response = call()
                except requests.RequestException as exc:
                    self.failures.append(f"{name}: {exc}")
                    continue
                self.answers.append((time.monotonic(), name, response))
                if name == "token" and response.status_code == 200:
                    self.token = response.json()["access_token"]

    def _token(self) -> requests.Response:
        return self.served.token()

    def _list(self) -> requests.Response:
        return requests.get(f"{self.served.url}{ENROLLMENT}", headers=self._auth(), timeout=30)

    def _write(self) -> requests.Response:
        body = {"user": "honor", "mode": "honor", "course_details": {"course_id": DEMO_RUN}}
        return requests.post(f"{self.served.url}{ENROLLMENT}", json=body, headers=self._auth(), timeout=30)

    def _auth(self) -> dict:
        return {"Authorization": f"Bearer {self.token}"}

    def since(self, moment: float) -> list[tuple[str, int]]:
        return [(name, response.status_code) for at, name, response in self.answers if at >= moment]


def test_database_stopped_and_started_under_load_answers_503_then_recovers(pg_cluster, pg_template, tmp_path):
    cluster = pg_cluster
    served = serve(pg_template.server_env(tmp_path), pg_template.credentials, "--no-dispatcher")
    load = Load(served)
    try:
        load.thread.start()
        time.sleep(1.5)
        stopped_at = time.monotonic()
        cluster.stop()
        time.sleep(OUTAGE_SECONDS)
        cluster.start()
        restarted_at = time.monotonic()

        def recovered() -> bool:
            recent = load.since(time.monotonic() - 1)
            return {name for name, status in recent if status == 200} == {"token", "list", "write"}

        deadline = time.monotonic() + 20
        while not recovered() and time.monotonic() < deadline:
            time.sleep(0.2)
        recovered_at = time.monotonic()
    finally:
        load.stopping.set()
        load.thread.join(timeout=60)
        served.stop()
        cluster.ensure_started()

    by_status = Counter(response.status_code for _, _, response in load.answers)
    print(
        f"\noutage answers by status: {dict(sorted(by_status.items()))}; database down {OUTAGE_SECONDS} s, "
        f"all three requests 200 again {recovered_at - restarted_at:.1f} s after it was back"
    )
    assert not load.failures, load.failures[:5]
    assert set(by_status) <= {200, 503}, by_status
    assert all(outage_shaped(response) for _, _, response in load.answers if response.status_code == 503)
    assert by_status[503] > 0, "the outage was never seen"
    during = load.since(stopped_at + 0.5)
    assert any(status == 503 for _, status in during)
    assert recovered(), f"no 200 for every request within 20 s of the restart: {load.since(restarted_at)[-9:]}"
    assert "Traceback" not in served.err.read_text()
