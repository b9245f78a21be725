"""Fixtures of the import/export tests: real files in a temporary directory, the commands run
through call_command as `coursegate import` runs them, and a customer with a catalog and a plan."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from coursegate.catalogs.services import catalog_upsert
from coursegate.enterprise.services import customer_upsert
from coursegate.subscriptions.models import SubscriptionPlan
from coursegate.subscriptions.services import plan_upsert

CUSTOMER = "904b1785-9d3a-1000-848d-6ae7a56e6355"
CATALOG = "3f56a21c-76c8-47c0-add8-a99714d40d94"
PLAN = "5e1ec7ed-0000-4000-8000-0000000000a1"


@dataclass
class Run:
    status: int
    out: str
    err: str


@pytest.fixture
def write(tmp_path):
    """write(name, lines) -> path: a CSV file from a list of lines, or JSON lines from a list of dicts."""

    def make(name: str, lines: list) -> str:
        path = tmp_path / name
        text = "".join((json.dumps(line) if isinstance(line, dict) else line) + "\n" for line in lines)
        path.write_text(text, encoding="utf-8")
        return str(path)

    return make


def command(name: str, *args: str) -> Run:
    """Run a management command; its exit status is 0 or the CommandError's returncode."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(name, *args, stdout=out, stderr=err)
    except CommandError as exc:
        return Run(exc.returncode, out.getvalue(), err.getvalue() + str(exc))
    return Run(0, out.getvalue(), err.getvalue())


@pytest.fixture
def run_import(db):
    """run_import(kind, path, *flags) -> Run(status, out, err)."""
    return lambda kind, path, *flags: command("import", kind, path, "--no-progress", *flags)


@pytest.fixture
def run_export(db, tmp_path):
    """run_export(kind, name="out.csv", *flags) -> (Run, the file's text)."""

    def make(kind: str, name: str = "out.csv", *flags: str) -> tuple[Run, str]:
        path = tmp_path / name
        result = command("export", kind, str(path), "--no-progress", *flags)
        return result, path.read_text(encoding="utf-8") if path.exists() else ""

    return make


@pytest.fixture
def customer(db):
    return customer_upsert(uuid=CUSTOMER, name="Customer A", slug="customer-a")


@pytest.fixture
def catalog(customer):
    return catalog_upsert(uuid=CATALOG, customer=customer, title="Customer A catalog")


@pytest.fixture
def make_plan(customer, catalog):
    def make(num_licenses: int = 10, *, uuid: str = PLAN) -> SubscriptionPlan:
        start, end = datetime(2024, 1, 1, tzinfo=UTC), datetime(2030, 12, 31, tzinfo=UTC)
        plan_upsert(
            uuid=uuid, customer=customer, catalog=catalog, title="Plan", num_licenses=num_licenses,
            start_date=start, expiration_date=end,
        )  # fmt: skip
        return SubscriptionPlan.objects.select_related("customer").get(uuid=uuid)

    return make
