"""The demo server of the doc runner: one for the whole session, set up like ``make run`` (run.py)."""

from __future__ import annotations

import os

import pytest

from tests.docs.run import DemoServer, demo_server


@pytest.fixture(scope="session")
def docs_server(tmp_path_factory) -> DemoServer:
    # The documents describe `make run`, which runs on SQLite: checked once, in the SQLite pass.
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        pytest.skip("the documents run against `make run` (SQLite): checked once, in the SQLite pass")
    server = demo_server(tmp_path_factory.mktemp("docs-runner"))
    server.start()
    yield server
    server.stop()
