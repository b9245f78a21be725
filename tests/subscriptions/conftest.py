"""Fixtures of the subscription service tests: a customer with a catalog and plans."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from coursegate.catalogs.services import catalog_upsert
from coursegate.enterprise.services import customer_upsert
from coursegate.subscriptions.models import SubscriptionPlan
from coursegate.subscriptions.services import plan_upsert

CUSTOMER = "904b1785-9d3a-1000-848d-6ae7a56e6355"
CATALOG = "3f56a21c-76c8-47c0-add8-a99714d40d94"
PLAN = "904b1785-9d3a-1000-848d-6ae7a56e6355"


@pytest.fixture
def customer(db):
    return customer_upsert(uuid=CUSTOMER, name="Customer A", slug="customer-a")


@pytest.fixture
def catalog(customer):
    return catalog_upsert(uuid=CATALOG, customer=customer, title="Customer A catalog")


@pytest.fixture
def make_plan(customer, catalog):
    """make_plan(num_licenses=10, uuid=..., **SubscriptionPlan fields) -> a plan of the customer."""

    def make(num_licenses: int = 10, *, uuid=None, **fields):
        plan = plan_upsert(
            uuid=uuid or PLAN,
            customer=fields.pop("customer", customer),
            catalog=fields.pop("catalog", catalog),
            title=fields.pop("title", "Customer A subscription"),
            start_date=fields.pop("start_date", datetime(2024, 1, 1, tzinfo=UTC)),
            expiration_date=fields.pop("expiration_date", datetime(2030, 12, 31, tzinfo=UTC)),
            num_licenses=num_licenses,
            **fields,
        )
        return SubscriptionPlan.objects.select_related("customer").get(pk=plan.pk)  # uuid as a UUID

    return make


@pytest.fixture
def plan(make_plan):
    return make_plan(10)
