"""/metrics under `coursegate serve` with two workers: a scrape, whichever worker answers it, adds
up the requests both workers served (prometheus_client's multiprocess mode, one directory per
instance), and the static COURSEGATE_METRICS_TOKEN opens it."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from tests.core.test_outage_kit import serve

pytest_plugins = ["tests.core.test_outage_kit"]
pytestmark = pytest.mark.slow

TOKEN = "scrape-token-for-the-test"


def _health_count(text: str) -> float:
    """GET /health answered 200, summed over the samples (one per label set)."""
    assert "coursegate_http_requests_total" in text, text[:2000]
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith("coursegate_http_requests_total{") and 'route="health"' in line and 'status="200"' in line
    )


def test_a_scrape_adds_up_every_worker(sqlite_template, tmp_path):
    env = sqlite_template.server_env(tmp_path, COURSEGATE_METRICS_TOKEN=TOKEN)
    served = serve(env, sqlite_template.credentials, "--no-dispatcher", workers=2)
    try:
        scrape = {"Authorization": f"Bearer {TOKEN}"}
        before = _health_count(requests.get(f"{served.url}/metrics", headers=scrape, timeout=30).text)

        def hit(_):
            # A new connection each time, eight at once: both sync workers get some.
            return requests.get(f"{served.url}/health", headers={"Connection": "close"}, timeout=30).status_code

        metrics_dir = Path(env["COURSEGATE_VAR_DIR"], "metrics")
        sent = 0
        with ThreadPoolExecutor(8) as pool:
            # A fast worker may take every request of a round: go on until both have served some.
            for _ in range(10):
                assert set(pool.map(hit, range(80))) == {200}
                sent += 80
                pids = {p.name.rsplit("_", 1)[1] for p in metrics_dir.rglob("counter_*.db")}
                if len(pids) >= 2:
                    break
        assert len(pids) >= 2, "both workers should have served requests"
        for _ in range(4):  # any worker's answer holds the sum
            after = _health_count(requests.get(f"{served.url}/metrics", headers=scrape, timeout=30).text)
            assert after - before >= sent
        wrong = requests.get(f"{served.url}/metrics", headers={"Authorization": "Bearer wrong"}, timeout=30)
        assert wrong.status_code == 401
    finally:
        served.stop()
