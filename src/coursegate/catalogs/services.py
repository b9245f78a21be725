"""Catalog writes: catalogs and the content metadata they hold."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from coursegate.catalogs.models import CatalogItem, ContentItem, EnterpriseCatalog


def catalog_upsert(*, uuid, customer, title: str, query_title: str = "", catalog_query_uuid=None) -> EnterpriseCatalog:
    catalog, _ = EnterpriseCatalog.objects.update_or_create(
        uuid=uuid,
        defaults={"customer": customer, "title": title, "query_title": query_title,
                  "catalog_query_uuid": catalog_query_uuid},
    )  # fmt: skip
    return catalog


def content_item_upsert(*, content_type: str, content_key: str, title: str = "", **fields) -> ContentItem:
    """Create or update one content item; ``fields`` are ContentItem columns (metadata, parent_key,
    enroll_by, price_cents, is_active)."""
    item, _ = ContentItem.objects.update_or_create(
        content_type=content_type, content_key=content_key, defaults={"title": title, **fields}
    )
    return item


@transaction.atomic
def catalog_add_items(*, catalog: EnterpriseCatalog, items: Iterable[ContentItem]) -> None:
    CatalogItem.objects.bulk_create([CatalogItem(catalog=catalog, item=item) for item in items], ignore_conflicts=True)
    EnterpriseCatalog.objects.filter(pk=catalog.pk).update(title=catalog.title)  # touch ``modified``
