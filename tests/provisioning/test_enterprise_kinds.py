"""coursegate import customers, catalog and plans."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from coursegate.catalogs.models import ContentItem, EnterpriseCatalog
from coursegate.enterprise.models import EnterpriseCustomer
from coursegate.subscriptions.models import License, SubscriptionPlan
from tests.provisioning.conftest import CATALOG, CUSTOMER, PLAN

pytestmark = pytest.mark.django_db

CUSTOMERS = "uuid,name,slug,contact_email"
CATALOGS = "catalog_uuid,customer_uuid,title,content_type,content_key,content_title"
PLANS = "uuid,customer_uuid,catalog_uuid,title,start_date,expiration_date,num_licenses"
OTHER = "11111111-2222-4333-8444-555555555555"


def test_customers_are_created_updated_and_left_unchanged(write, run_import):
    path = write("c.csv", [CUSTOMERS, f"{CUSTOMER},Customer A,customer-a,admin@a.example", f"{OTHER},B,b,"])

    first = run_import("customers", path)
    again = run_import("customers", path)
    changed = run_import("customers", write("c2.csv", [CUSTOMERS, f"{OTHER},Customer B,b,"]))

    assert "2 created, 0 updated, 0 unchanged, 0 failed" in first.out
    assert "0 created, 0 updated, 2 unchanged, 0 failed" in again.out
    assert "0 created, 1 updated, 0 unchanged, 0 failed" in changed.out
    assert dict(EnterpriseCustomer.objects.values_list("slug", "name")) == {
        "customer-a": "Customer A",
        "b": "Customer B",
    }


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (f"{OTHER},B,customer-a,", "slug: 'customer-a' belongs to another customer"),
        (f"{OTHER},B,not a slug,", "slug: 'not a slug' is not a slug"),
        (f"{OTHER},,b,", "name: a value is required"),
        ("xyz,B,b,", "uuid: 'xyz' is not a UUID"),
        (f"{OTHER},B,b,nope", "contact_email: 'nope' is not a valid e-mail address"),
    ],
)
def test_a_bad_customer_row_fails_alone(write, run_import, row, message):
    result = run_import("customers", write("c.csv", [CUSTOMERS, f"{CUSTOMER},Customer A,customer-a,", row]))

    assert result.status == 1
    assert f"line 3: {message}" in result.err
    assert list(EnterpriseCustomer.objects.values_list("slug", flat=True)) == ["customer-a"]


def test_catalog_rows_create_the_catalog_and_its_content(customer, write, run_import):
    path = write(
        "cat.csv",
        [
            CATALOGS,
            f"{CATALOG},{CUSTOMER},Catalog A,course,edx+tr1012,Training",
            f"{CATALOG},{CUSTOMER},Catalog A,courserun,course-v1:edx+tr1012+1T2021,Training 2021",
            f"{OTHER},{CUSTOMER},Empty catalog,,,",
        ],
    )

    first = run_import("catalog", path)
    again = run_import("catalog", path)

    assert "2 created, 1 updated, 0 unchanged, 0 failed" in first.out  # the second row adds to the new catalog
    assert "0 created, 0 updated, 3 unchanged, 0 failed" in again.out
    catalog = EnterpriseCatalog.objects.get(uuid=CATALOG)
    assert sorted(catalog.items.values_list("content_type", "content_key", "title")) == [
        ("course", "edx+tr1012", "Training"),
        ("courserun", "course-v1:edx+tr1012+1T2021", "Training 2021"),
    ]
    assert EnterpriseCatalog.objects.get(uuid=OTHER).items.count() == 0


def test_catalog_rows_with_unknown_customers_or_content_types_fail(customer, write, run_import):
    path = write(
        "cat.csv",
        [
            CATALOGS,
            f"{CATALOG},{OTHER},A,course,x+y,",
            f"{CATALOG},{CUSTOMER},A,video,x+y,",
            f"{CATALOG},{CUSTOMER},A,course,,",
        ],
    )

    result = run_import("catalog", path)

    assert "0 created, 0 updated, 0 unchanged, 3 failed" in result.out
    assert f"line 2: customer_uuid: no enterprise customer {OTHER}" in result.err
    assert "line 3: content_type: one of course, courserun, program is required with content_key" in result.err
    assert "line 4: content_key: a value is required" in result.err
    assert not EnterpriseCatalog.objects.exists() and not ContentItem.objects.exists()  # each row all or nothing


def test_plans_are_created_with_licenses_and_grow_but_never_shrink(catalog, write, run_import):
    path = write("p.csv", [PLANS, f"{PLAN},{CUSTOMER},{CATALOG},Plan,2024-01-01,2030-12-31,5"])

    first = run_import("plans", path)
    again = run_import("plans", path)
    grown = run_import("plans", write("p2.csv", [PLANS, f"{PLAN},{CUSTOMER},{CATALOG},Plan,2024-01-01,2030-12-31,8"]))
    smaller = run_import("plans", write("p3.csv", [PLANS, f"{PLAN},{CUSTOMER},{CATALOG},Plan,2024-01-01,2030-12-31,2"]))

    assert "1 created" in first.out and "1 unchanged" in again.out and "1 updated" in grown.out
    assert "1 unchanged" in smaller.out
    plan = SubscriptionPlan.objects.get(uuid=PLAN)
    assert (plan.start_date, plan.expiration_date) == (
        datetime(2024, 1, 1, tzinfo=UTC),
        datetime(2030, 12, 31, tzinfo=UTC),
    )
    assert License.objects.filter(plan=plan, status="unassigned").count() == 8


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            f"{PLAN},{CUSTOMER},{OTHER},P,2024-01-01,2030-12-31,1",
            f"catalog_uuid: customer {CUSTOMER} has no catalog {OTHER}",
        ),
        (f"{PLAN},{CUSTOMER},{CATALOG},P,2031-01-01,2030-12-31,1", "expiration_date: must not be before start_date"),
        (f"{PLAN},{CUSTOMER},{CATALOG},P,,2030-12-31,1", "start_date and expiration_date: both are required"),
        (f"{PLAN},{CUSTOMER},{CATALOG},P,2024-01-01,2030-12-31,many", "num_licenses: 'many' is not a whole number"),
    ],
)
def test_a_bad_plan_row_fails(catalog, write, run_import, row, message):
    result = run_import("plans", write("p.csv", [PLANS, row]))

    assert result.status == 1
    assert f"line 2: {message}" in result.err
    assert not SubscriptionPlan.objects.exists()


def test_customers_catalog_and_plans_round_trip_through_an_empty_database(catalog, write, run_import, run_export):
    run_import("catalog", write("cat.csv", [CATALOGS, f"{CATALOG},{CUSTOMER},Catalog A,program,p-1,Program"]))
    run_import(
        "plans", write("p.csv", [PLANS, f"{PLAN},{CUSTOMER},{CATALOG},Plan,2024-01-01,2030-12-31T08:00:00+02:00,3"])
    )
    exports = {kind: run_export(kind, f"{kind}.jsonl")[1] for kind in ("customers", "catalog", "plans")}
    SubscriptionPlan.objects.all().delete()
    EnterpriseCustomer.objects.all().delete()
    ContentItem.objects.all().delete()

    for kind in ("customers", "catalog", "plans"):
        assert run_import(kind, write(f"in-{kind}.jsonl", exports[kind].splitlines())).status == 0

    assert {kind: run_export(kind, f"again-{kind}.jsonl")[1] for kind in exports} == exports
    assert SubscriptionPlan.objects.get(uuid=PLAN).expiration_date == datetime(2030, 12, 31, 6, tzinfo=UTC)
