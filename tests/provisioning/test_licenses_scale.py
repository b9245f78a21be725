"""The licenses import is set-based: on PostgreSQL the same number of queries whatever the file's
size (the file is staged with one COPY), on SQLite (whose statements take at most 999 parameters)
a constant number per 1,000 rows; and a big-ish file of 10,000 licenses imports whole."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coursegate.enterprise.models import EnterpriseLearner
from coursegate.subscriptions.models import License
from tests.provisioning.conftest import PLAN

pytestmark = pytest.mark.django_db

OTHER_PLAN = "5e1ec7ed-0000-4000-8000-0000000000b2"


def _file(write, name: str, plan: str, rows: int) -> str:
    return write(name, ["plan_uuid,email"] + [f"{plan},{name}-{i}@example.com" for i in range(rows)])


def _queries(run_import, path: str, *flags: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        result = run_import("licenses", path, *flags)
    assert result.status == 0, result.err
    return len(queries)


@pytest.mark.parametrize(
    ("small", "big"),
    [
        pytest.param((200, 100), (1000, 500), id="2 batches of 100 vs 500"),
        pytest.param((2000, 500), (10000, 2500), id="4 batches of 500 vs 2500", marks=pytest.mark.slow),
    ],
)
@pytest.mark.parametrize("flags", [(), ("--add-licenses",)], ids=["unassigned licenses", "added licenses"])
def test_the_number_of_queries_depends_on_the_batches_not_their_size(make_plan, write, run_import, small, big, flags):
    (small_rows, small_batch), (big_rows, big_batch) = small, big
    make_plan(0 if flags else small_rows)  # --add-licenses: plans without licenses, they grow
    make_plan(0 if flags else big_rows, uuid=OTHER_PLAN)

    few = _queries(run_import, _file(write, "small.csv", PLAN, small_rows), "--batch-size", str(small_batch), *flags)
    many = _queries(run_import, _file(write, "big.csv", OTHER_PLAN, big_rows), "--batch-size", str(big_batch), *flags)

    if connection.vendor == "postgresql":
        assert many == few
    else:  # at most a constant number of statements per 1,000 more rows (about 25), never one per row
        assert many - few <= 25 * (big_rows - small_rows) / 1000
    assert License.objects.filter(plan__uuid=OTHER_PLAN, status="assigned").count() == big_rows
    assert EnterpriseLearner.objects.filter(email__startswith="big.csv-").count() == big_rows
