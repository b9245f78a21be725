"""Catalog writes: catalogs and the content metadata they hold (seed 003_daa74488a5860cfd.txt,
"Course, Course Run, and Program Fields").

A content item keeps the fields that are queried as columns (key, title, a run's course, enroll-by
date, first paid price, active flag) and the rest of the seed's fields as the JSON ``metadata``
document, which the Enterprise API returns as stored.
"""

from __future__ import annotations

import re
import uuid as uuid_lib
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from coursegate.catalogs.exceptions import ContentMetadataInvalidError
from coursegate.catalogs.models import CatalogItem, ContentItem, EnterpriseCatalog


def _changed(row, name: str, value) -> bool:
    """Whether ``value`` differs from the row's field (a related row compared by its key, no query;
    both sides in the field's Python type, so a uuid string equals its UUID)."""
    field = row._meta.get_field(name)
    if field.is_relation:
        field, value = field.target_field, (value.pk if value is not None else None)
    return getattr(row, row._meta.get_field(name).attname) != field.to_python(value)


def _upsert(model, lookup: dict, values: dict):
    """update_or_create that leaves an unchanged row alone, so that its ``modified`` time (which
    the catalog list reports) moves only on a real change."""
    row = model.objects.filter(**lookup).first()
    if row is None:
        return model.objects.create(**lookup, **values)
    changed = [name for name, value in values.items() if _changed(row, name, value)]
    if changed:
        for name in changed:
            setattr(row, name, values[name])
        row.save()
    return row


def catalog_upsert(*, uuid, customer, title: str, query_title: str = "", catalog_query_uuid=None) -> EnterpriseCatalog:
    """Create or update a catalog; an unchanged catalog is not written (its modified time stays)."""
    return _upsert(
        EnterpriseCatalog,
        {"uuid": uuid},
        {"customer": customer, "title": title, "query_title": query_title, "catalog_query_uuid": catalog_query_uuid},
    )


# A metadata key must be an XML element name as well as a JSON key (the Enterprise API renders XML
# by default): a letter or underscore, then letters, digits, "_", "-" or "."; not "xml..."
_NAME = re.compile(r"(?!xml)[A-Za-z_][A-Za-z0-9_.\-]*", re.IGNORECASE)
# Characters XML 1.0 cannot carry at all.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _check_metadata(value, path: str = "metadata") -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str) or not _NAME.fullmatch(key):
                raise ContentMetadataInvalidError(f"{path}: {key!r} is not a field name")
            _check_metadata(item, f"{path}.{key}")
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _check_metadata(item, f"{path}[{index}]")
    elif isinstance(value, str):
        if _CONTROL.search(value):
            raise ContentMetadataInvalidError(f"{path}: text holds a control character")
    elif value is not None and not isinstance(value, bool | int | float):
        raise ContentMetadataInvalidError(f"{path}: {type(value).__name__} is not a JSON value")


def content_item_upsert(*, content_type: str, content_key: str, title: str = "", **fields) -> ContentItem:
    """Create or update one content item; ``fields`` are ContentItem columns (metadata, parent_key,
    enroll_by, price_cents, is_active).

    ``metadata`` must be a JSON object whose keys are names, and it and the title must hold no
    control characters, else ContentMetadataInvalidError. An unchanged item is not written (its
    modified time stays). A program's key is stored as the canonical uuid when it is one, so any
    spelling of the uuid finds the program.
    """
    _check_metadata(title, "title")
    if "metadata" in fields:
        if not isinstance(fields["metadata"], dict):
            raise ContentMetadataInvalidError("metadata: must be an object")
        _check_metadata(fields["metadata"])
    if content_type == ContentItem.Type.PROGRAM:
        try:
            content_key = str(uuid_lib.UUID(content_key))
        except ValueError:
            pass
    return _upsert(ContentItem, {"content_type": content_type, "content_key": content_key}, {"title": title, **fields})


@transaction.atomic
def catalog_add_items(*, catalog: EnterpriseCatalog, items: Iterable[ContentItem]) -> int:
    """Add the items to the catalog (those already in it are left alone); the catalog counts as
    modified when at least one item was new. Returns how many were added."""
    links = CatalogItem.objects.filter(catalog=catalog)
    before = links.count()
    CatalogItem.objects.bulk_create([CatalogItem(catalog=catalog, item=item) for item in items], ignore_conflicts=True)
    added = links.count() - before
    if added:
        # QuerySet.update() skips auto_now, so the modification time is set explicitly.
        EnterpriseCatalog.objects.filter(pk=catalog.pk).update(modified=timezone.now())
    return added
