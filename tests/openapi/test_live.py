"""The OpenAPI document against a live demo server (issue 15): a generated Python client reads
every family with typed results, then schemathesis runs every check with each demo role's token.

Slow (a gunicorn server, a client generation, six fuzz runs); in CI once, in the SQLite pass:
the PostgreSQL pass would run the same document against the same code a second time.
"""

from __future__ import annotations

import importlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from tests.e2e.conftest import BIN, server  # noqa: F401  (the live server fixture)

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
CUSTOMER_A = "904b1785-9d3a-1000-848d-6ae7a56e6355"
ROLES = ("staff", "learner", "enterprise_admin", "other_enterprise_admin", "events_writer", "events_reader")
# The operations whose coverage phase each role runs: each family once, with the role that reaches its logic.
COVERAGE = {
    "staff": ("--include-tag-regex", "^(Enrollment|Appsembler|Jitterbit|Webhooks)$"),
    "enterprise_admin": ("--include-tag-regex", "^Enterprise$"),
    "events_writer": ("--include-tag-regex", "^Apprenticeship events$"),
    # the reads, which the writer's roles do not all reach
    "events_reader": ("--include-tag-regex", "^Apprenticeship events$", "--include-method", "GET"),
}
# Cases per operation in the fuzzing phase (the coverage phase's cases are its own, deterministic).
MAX_EXAMPLES = int(os.environ.get("COURSEGATE_FUZZ_EXAMPLES", "5"))


@pytest.fixture(scope="module", autouse=True)
def _once_per_ci():
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        pytest.skip("the same document and code as the SQLite pass: checked once, there")


def _token(server, role: str) -> str:  # noqa: F811
    credentials = server.credentials[role]
    answer = requests.post(
        f"{server.url}/oauth2/access_token",
        data={
            "grant_type": "client_credentials",
            "client_id": credentials["client_id"],
            "client_secret": credentials["client_secret"],
        },
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["access_token"]


@pytest.fixture(scope="module")
def schema_file(server, tmp_path_factory) -> Path:  # noqa: F811
    answer = requests.get(f"{server.url}/api/schema/", headers={"Accept": "application/json"}, timeout=30)
    assert answer.status_code == 200
    path = tmp_path_factory.mktemp("openapi") / "schema.json"
    path.write_text(answer.text)
    return path


def test_a_generated_client_reads_every_family_with_typed_results(server, schema_file, tmp_path):  # noqa: F811
    done = subprocess.run(
        [str(BIN / "openapi-python-client"), "generate", "--path", str(schema_file), "--meta", "none",
         "--output-path", str(tmp_path / "coursegate_client")],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "WARNING" not in done.stdout, done.stdout  # nothing of the document was left out
    sys.path.insert(0, str(tmp_path))
    try:
        gen = importlib.import_module("coursegate_client")
        api = importlib.import_module("coursegate_client.api")
        models = importlib.import_module("coursegate_client.models")
        calls = _client_calls(server, gen, api, models)
    finally:
        sys.path.remove(str(tmp_path))
        for name in [name for name in sys.modules if name.startswith("coursegate_client")]:
            del sys.modules[name]
    failures = [
        (name, answer.status_code, answer.content[:200])
        for name, answer, expected in calls
        if answer.status_code not in (200, 201) or not _is_typed(answer.parsed, expected)
    ]
    assert failures == []
    assert {name.split(".")[0] for name, _, _ in calls} == {
        "enrollment", "appsembler", "jitterbit", "enterprise", "apprenticeship_events", "webhooks"
    }  # fmt: skip


def _is_typed(parsed, expected) -> bool:
    if isinstance(expected, list):
        return isinstance(parsed, list) and all(isinstance(item, expected[0]) for item in parsed)
    return isinstance(parsed, expected)


def _client_calls(server, gen, api, models):  # noqa: F811
    def client(role):
        return gen.AuthenticatedClient(base_url=server.url, token=_token(server, role), raise_on_unexpected_status=True)

    def op(name):
        family, module = name.split(".")
        return importlib.import_module(f"coursegate_client.api.{family}.{module}")

    staff, learner = client("staff"), client("learner")
    admin, reader = client("enterprise_admin"), client("events_reader")
    # A public address written as an IP literal: no DNS needed, and nothing is delivered (no sweep runs here).
    hook = models.SubscriptionCreateInputRequest(
        url="https://93.184.215.14/hook", event_types=[models.EventTypesEnum("coursegate.enrollment.*")]
    )
    return [
        (
            "enrollment.enrollment_course_detail",
            op("enrollment.enrollment_course_detail").sync_detailed(
                course_id="course-v1:edX+DemoX+Demo_Course", client=learner
            ),
            models.CourseDetailsOutput,
        ),
        ("enrollment.enrollment_list", op("enrollment.enrollment_list").sync_detailed(client=learner),
         [models.EnrollmentOutput]),
        ("appsembler.appsembler_account_get",
         op("appsembler.appsembler_account_get").sync_detailed(username="honor", client=staff),
         models.AppsemblerAccountGetResponse200),
        ("appsembler.appsembler_analytics_accounts",
         op("appsembler.appsembler_analytics_accounts").sync_detailed(client=staff, limit=5),
         [models.AccountRowOutput]),
        ("jitterbit.jitterbit_accounts_batch",
         op("jitterbit.jitterbit_accounts_batch").sync_detailed(client=staff, limit=5), [models.AccountRowOutput]),
        ("jitterbit.jitterbit_enrollment_batch",
         op("jitterbit.jitterbit_enrollment_batch").sync_detailed(client=staff, limit=5),
         [models.EnrollmentRowOutput]),
        ("enterprise.enterprise_catalogs_list",
         op("enterprise.enterprise_catalogs_list").sync_detailed(client=admin), models.PaginatedCatalogOutputList),
        ("enterprise.enterprise_subscriptions_list",
         op("enterprise.enterprise_subscriptions_list").sync_detailed(
             client=admin, enterprise_customer_uuid=CUSTOMER_A),
         models.PaginatedSubscriptionPlanOutputList),
        ("apprenticeship_events.apprenticeship_events_list",
         op("apprenticeship_events.apprenticeship_events_list").sync_detailed(client=reader), [models.EventOutput]),
        ("apprenticeship_events.events_account_list",
         op("apprenticeship_events.events_account_list").sync_detailed(client=reader), [models.AccountEventOutput]),
        ("webhooks.webhooks_subscriptions_list",
         op("webhooks.webhooks_subscriptions_list").sync_detailed(client=staff), models.SubscriptionPageOutput),
        ("webhooks.webhooks_subscriptions_create",
         op("webhooks.webhooks_subscriptions_create").sync_detailed(client=staff, body=hook),
         models.SubscriptionCreatedOutput),
    ]  # fmt: skip


def _schemathesis(server, role: str, phases: str, tmp_path, *extra: str) -> dict:  # noqa: F811
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SCHEMATHESIS_HOOKS": "tests.openapi.schemathesis_hooks"}
    done = subprocess.run(
        [str(BIN / "schemathesis"), "--config-file", str(ROOT / "tests/openapi/schemathesis.toml"), "run",
         f"{server.url}/api/schema/", "--checks", "all", "--phases", phases, "-n", str(MAX_EXAMPLES),
         "--seed", "15", "--request-timeout", "60",
         # The path pattern of {username},{course_id} makes Hypothesis discard many drafts: not a finding.
         "--suppress-health-check", "filter_too_much",
         "--output-truncate", "false",
         "-H", f"Authorization: Bearer {_token(server, role)}", *extra],
        capture_output=True, text=True, timeout=900, cwd=tmp_path, env={**env, "NO_COLOR": "1"},
    )  # fmt: skip
    cases = re.search(r"(\d+) generated", done.stdout)
    outcome = {"cases": int(cases.group(1)) if cases else 0, "exit": done.returncode}
    if done.returncode != 0:
        start = done.stdout.find("FAILURES")
        outcome["report"] = (done.stdout[start:] if start >= 0 else done.stdout)[-20000:]
    return outcome


def test_schemathesis_finds_nothing_with_any_demo_role(server, schema_file, tmp_path):  # noqa: F811
    """Every role fuzzes every operation (examples and fuzzing phases); the coverage phase (its
    boundary and negative cases, thousands per run) runs each family once, with the role that
    reaches its logic."""
    outcomes = {}
    for role in ROLES:
        outcomes[role] = _schemathesis(server, role, "examples,fuzzing", tmp_path)
        if role in COVERAGE:
            outcomes[f"{role} coverage"] = _schemathesis(server, role, "coverage", tmp_path, *COVERAGE[role])
    print(json.dumps({run: {k: v for k, v in o.items() if k != "report"} for run, o in outcomes.items()}))
    failed = {run: outcome["report"] for run, outcome in outcomes.items() if outcome["exit"] != 0}
    for run, report in failed.items():
        print(f"===== schemathesis, {run} =====\n{report}")
    assert sorted(failed) == []
    assert all(outcome["cases"] > 0 for outcome in outcomes.values())
