"""Whether catalogs contain content (reference/learner_side.md §6; enterprise-catalog's
``contains_content_items`` and ``EnterpriseCatalog.get_matching_content``).

The answer is true when ANY of the keys is in a catalog (the reference's ``.exists()``, although
its docstring says "all"). A key of ``course_run_ids`` may name a run or a course: a course key
matches the course or any of its runs, a run key the run or its course, as catalog membership does
everywhere else (selectors.py). A program matches by its uuid, in any spelling.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db.models import Q

from coursegate.catalogs.models import CatalogItem, ContentItem
from coursegate.core.course_keys import InvalidKeyError, parse_course_run_key
from coursegate.core.uuids import uuid_or_none

Type = ContentItem.Type


def restore_plus(key: str) -> str:
    """A ``+`` that a query string decoded to a space, turned back (reference ``unquote_course_keys``):
    ``course-v1:edX DemoX Demo_Course`` -> ``course-v1:edX+DemoX+Demo_Course``."""
    return key.strip().replace(" ", "+")


def _match(course_run_ids: Iterable[str], program_uuids: Iterable[str]) -> Q | None:
    keys = {restore_plus(key) for key in course_run_ids if key and key.strip()}
    parents = set()
    for key in keys:
        try:
            parents.add(parse_course_run_key(key).course_key)
        except InvalidKeyError:
            pass  # a course key (or nothing known): matched as it is
    programs = {str(parsed) for parsed in map(uuid_or_none, program_uuids) if parsed is not None}
    match = Q()
    if keys:
        match |= Q(item__content_type__in=(Type.COURSE, Type.COURSE_RUN), item__content_key__in=keys)
        match |= Q(item__content_type=Type.COURSE_RUN, item__parent_key__in=keys)
    if parents:
        match |= Q(item__content_type=Type.COURSE, item__content_key__in=parents)
    if programs:
        match |= Q(item__content_type=Type.PROGRAM, item__content_key__in=programs)
    return match or None


def catalogs_containing(
    *, catalog_uuids: Iterable | None = None, customer_uuid=None, course_run_ids: Sequence[str] = (),
    program_uuids: Sequence[str] = (),
) -> list:  # fmt: skip
    """The uuids of the catalogs (those named, or every catalog of the customer) that hold any of
    the keys, oldest catalog first. One query (none when no key can match)."""
    match = _match(course_run_ids, program_uuids)
    if match is None:
        return []
    items = CatalogItem.objects.filter(match)
    if catalog_uuids is not None:
        items = items.filter(catalog_id__in=list(catalog_uuids))
    if customer_uuid is not None:
        items = items.filter(catalog__customer_id=customer_uuid)
    return list(items.values_list("catalog_id", flat=True).order_by("catalog__created", "catalog_id").distinct())
