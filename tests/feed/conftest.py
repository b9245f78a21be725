"""The feed tests' demo data set (tests/feed/support.py reads the feed back with its clients)."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command


@pytest.fixture
def demo(db, settings, tmp_path) -> dict:
    """`coursegate demo --json` into the test database: the demo clients' credentials by role."""
    settings.VAR_DIR = tmp_path
    out = StringIO()
    call_command("demo", "--json", stdout=out)
    return json.loads(out.getvalue())
