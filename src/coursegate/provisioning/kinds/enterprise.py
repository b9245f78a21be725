"""``customers``, ``catalog`` and ``plans``: few rows each, applied row by row through the
enterprise, catalogs and subscriptions services (an unchanged row is not written)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.core.validators import validate_slug
from django.db import IntegrityError
from django.db.models import Count, Q

from coursegate.catalogs.models import CatalogItem, ContentItem, EnterpriseCatalog
from coursegate.catalogs.services import catalog_add_items, catalog_upsert, content_item_upsert
from coursegate.enterprise.models import EnterpriseCustomer
from coursegate.enterprise.services import customer_upsert
from coursegate.provisioning.files import Row
from coursegate.provisioning.runner import CREATED, UNCHANGED, UPDATED, Kind, Options, RowError, RowResult, per_row
from coursegate.provisioning.values import datetime_value, email_value, int_value, iso, required, uuid_value
from coursegate.subscriptions.models import License, SubscriptionPlan
from coursegate.subscriptions.services import plan_upsert


def _customer(values: dict[str, str], column: str = "customer_uuid") -> EnterpriseCustomer:
    customer_uuid = uuid_value(values, column)
    customer = EnterpriseCustomer.objects.filter(uuid=customer_uuid).first()
    if customer is None:
        raise RowError(f"{column}: no enterprise customer {customer_uuid}")
    return customer


# --- customers: uuid,name,slug[,contact_email] --------------------------------------------------


def _customer_row(row: Row, options: Options) -> RowResult:
    v = row.values
    wanted: dict[str, Any] = {"uuid": uuid_value(v, "uuid"), "name": required(v, "name")[:255],
                              "slug": required(v, "slug")}  # fmt: skip
    try:
        validate_slug(wanted["slug"])
    except Exception as exc:
        raise RowError(f"slug: {wanted['slug']!r} is not a slug (letters, digits, - and _)") from exc
    wanted["contact_email"] = email_value(v, "contact_email") if v.get("contact_email") else ""
    current = EnterpriseCustomer.objects.filter(uuid=wanted["uuid"]).first()
    if current is not None and all(getattr(current, k) == val for k, val in wanted.items()):
        return RowResult(row.line, UNCHANGED)
    try:
        customer_upsert(**wanted)
    except IntegrityError as exc:
        raise RowError(f"slug: {wanted['slug']!r} belongs to another customer") from exc
    return RowResult(row.line, CREATED if current is None else UPDATED)


def _customers_export() -> Iterator[dict]:
    for c in EnterpriseCustomer.objects.order_by("created", "uuid").iterator():
        yield {"uuid": str(c.uuid), "name": c.name, "slug": c.slug, "contact_email": c.contact_email}


CUSTOMERS = Kind(
    "customers",
    required=("uuid", "name", "slug"),
    optional=("contact_email",),
    apply=lambda rows, options: per_row(rows, _customer_row, options),
    export=_customers_export,
)


# --- catalog: catalog_uuid,customer_uuid,title[,content_type,content_key,content_title] ---------


def _catalog_row(row: Row, options: Options) -> RowResult:
    v = row.values
    catalog_uuid, customer, title = uuid_value(v, "catalog_uuid"), _customer(v), required(v, "title")[:255]
    current = EnterpriseCatalog.objects.filter(uuid=catalog_uuid).first()
    if current is not None and current.customer_id != customer.pk:
        raise RowError(f"catalog_uuid: catalog {catalog_uuid} belongs to another customer")
    outcome = CREATED if current is None else UNCHANGED if current.title == title else UPDATED
    kept: dict[str, Any] = (
        {"query_title": current.query_title, "catalog_query_uuid": current.catalog_query_uuid} if current else {}
    )
    catalog = catalog_upsert(uuid=catalog_uuid, customer=customer, title=title, **kept)
    content_type, key = v.get("content_type", ""), v.get("content_key", "")
    if not content_type and not key:
        return RowResult(row.line, outcome)
    if content_type not in ContentItem.Type.values:
        raise RowError(f"content_type: one of {', '.join(ContentItem.Type.values)} is required with content_key")
    key = required(v, "content_key")
    item = ContentItem.objects.filter(content_type=content_type, content_key=key).first()
    content_title = v.get("content_title", "")[:255]
    if item is None or (content_title and item.title != content_title):
        item = content_item_upsert(content_type=content_type, content_key=key, title=content_title or key)
        outcome = UPDATED if outcome == UNCHANGED else outcome
    if catalog_add_items(catalog=catalog, items=[item]) and outcome == UNCHANGED:
        outcome = UPDATED
    return RowResult(row.line, outcome)


def _catalog_export() -> Iterator[dict]:
    for catalog in EnterpriseCatalog.objects.annotate(n=Count("items")).order_by("created", "uuid").iterator():
        base = {"catalog_uuid": str(catalog.uuid), "customer_uuid": str(catalog.customer_id), "title": catalog.title}
        if not catalog.n:
            yield {**base, "content_type": "", "content_key": "", "content_title": ""}
        links = CatalogItem.objects.filter(catalog=catalog).select_related("item").order_by("id")
        for link in links.iterator(chunk_size=2000):
            item = link.item
            yield {
                **base,
                "content_type": item.content_type,
                "content_key": item.content_key,
                "content_title": item.title,
            }


CATALOG = Kind(
    "catalog",
    required=("catalog_uuid", "customer_uuid", "title"),
    optional=("content_type", "content_key", "content_title"),
    apply=lambda rows, options: per_row(rows, _catalog_row, options),
    export=_catalog_export,
)


# --- plans: uuid,customer_uuid,catalog_uuid,title,start_date,expiration_date[,num_licenses] -----

PLAN_FIELDS = ("customer_id", "catalog_id", "title", "start_date", "expiration_date")


def _plan_row(row: Row, options: Options) -> RowResult:
    v = row.values
    plan_uuid, customer = uuid_value(v, "uuid"), _customer(v)
    catalog_uuid = uuid_value(v, "catalog_uuid")
    catalog = EnterpriseCatalog.objects.filter(uuid=catalog_uuid, customer=customer).first()
    if catalog is None:
        raise RowError(f"catalog_uuid: customer {customer.uuid} has no catalog {catalog_uuid}")
    start, end = datetime_value(v, "start_date"), datetime_value(v, "expiration_date")
    if start is None or end is None:
        raise RowError("start_date and expiration_date: both are required")
    if start > end:
        raise RowError("expiration_date: must not be before start_date")
    num = int_value(v, "num_licenses", maximum=10_000_000) or 0
    wanted: dict[str, Any] = {"customer_id": customer.pk, "catalog_id": catalog.pk, "title": required(v, "title")[:255],
              "start_date": start, "expiration_date": end}  # fmt: skip
    current = SubscriptionPlan.objects.filter(uuid=plan_uuid).first()
    if current is not None and current.customer_id != customer.pk:
        raise RowError(f"uuid: plan {plan_uuid} belongs to another customer")
    live = current.licenses.exclude(status=License.Status.REVOKED).count() if current else 0
    if current is not None and live >= num and all(getattr(current, k) == val for k, val in wanted.items()):
        return RowResult(row.line, UNCHANGED)
    plan_upsert(uuid=plan_uuid, customer=customer, catalog=catalog, title=wanted["title"], start_date=start,
                expiration_date=end, num_licenses=num)  # fmt: skip
    return RowResult(row.line, CREATED if current is None else UPDATED)


def _plans_export() -> Iterator[dict]:
    plans = SubscriptionPlan.objects.annotate(
        live=Count("licenses", filter=~Q(licenses__status=License.Status.REVOKED))
    ).order_by("created", "uuid")
    for p in plans.iterator():
        yield {"uuid": str(p.uuid), "customer_uuid": str(p.customer_id), "catalog_uuid": str(p.catalog_id),
               "title": p.title, "start_date": iso(p.start_date), "expiration_date": iso(p.expiration_date),
               "num_licenses": p.live}  # fmt: skip


PLANS = Kind(
    "plans",
    required=("uuid", "customer_uuid", "catalog_uuid", "title", "start_date", "expiration_date"),
    optional=("num_licenses",),
    apply=lambda rows, options: per_row(rows, _plan_row, options),
    export=_plans_export,
)
