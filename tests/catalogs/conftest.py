"""Fixtures of the catalog domain tests: a customer, and a small factory for content items."""

from __future__ import annotations

import pytest

from coursegate.catalogs.services import catalog_upsert, content_item_upsert
from coursegate.enterprise.services import customer_upsert

CUSTOMER = "11111111-1111-4111-8111-111111111111"
OTHER_CUSTOMER = "22222222-2222-4222-8222-222222222222"


@pytest.fixture
def customer(db):
    return customer_upsert(uuid=CUSTOMER, name="Acme", slug="acme")


@pytest.fixture
def other_customer(db):
    return customer_upsert(uuid=OTHER_CUSTOMER, name="Globex", slug="globex")


@pytest.fixture
def make_catalog(customer):
    def make(uuid: str, owner=None, title: str = "Catalog"):
        return catalog_upsert(uuid=uuid, customer=owner or customer, title=title)

    return make


@pytest.fixture
def make_item(db):
    """make_item("course", "Org+Course", **columns) -> ContentItem (parent_key guessed for runs)."""

    def make(content_type: str, key: str, **columns):
        if content_type == "courserun" and "parent_key" not in columns and key.startswith("course-v1:"):
            org, course = key.removeprefix("course-v1:").split("+")[:2]
            columns["parent_key"] = f"{org}+{course}"
        return content_item_upsert(content_type=content_type, content_key=key, title=key, **columns)

    return make
