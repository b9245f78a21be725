"""Catalog reads for the Enterprise API's catalog endpoints (seed 003_daa74488a5860cfd.txt,
"enterprise-catalogs" sections; reference/enterprise.md §4.9-4.13).

Membership follows the reference catalog service: a course is in a catalog when the catalog holds
the course or one of its runs; a course run when the catalog holds the run or its course; a
program when the catalog holds the program. Listings show active content only ("active courses
are courses that are currently open for enrollment or that will open for enrollment in the
future", seed 003); a detail lookup finds an inactive item too, since it is still in the catalog.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Max, Q, QuerySet

from coursegate.catalogs.exceptions import CatalogNotFoundError, ContentNotInCatalogError
from coursegate.catalogs.models import CatalogItem, ContentItem, EnterpriseCatalog
from coursegate.core.course_keys import InvalidKeyError, parse_course_key, parse_course_run_key
from coursegate.core.uuids import uuid_or_none


def catalogs_for_customers(*, customer_uuids: Iterable | None) -> QuerySet[EnterpriseCatalog]:
    """Catalogs of those customers (None: of every customer), oldest first, each annotated with
    ``content_last_modified``: the latest change of its content (None for an empty catalog).
    Values that are not uuids (a role context such as ``""``) match nothing."""
    catalogs = EnterpriseCatalog.objects.annotate(content_last_modified=Max("items__modified"))
    if customer_uuids is not None:
        wanted = {u for u in map(uuid_or_none, customer_uuids) if u is not None}
        catalogs = catalogs.filter(customer_id__in=wanted)
    return catalogs.order_by("created", "uuid")


def catalog_get(*, catalog_uuid) -> EnterpriseCatalog:
    """The catalog (with its customer); CatalogNotFoundError when unknown or not a uuid."""
    parsed = uuid_or_none(catalog_uuid)
    catalog = EnterpriseCatalog.objects.select_related("customer").filter(uuid=parsed).first() if parsed else None
    if catalog is None:
        raise CatalogNotFoundError(catalog_uuid)
    return catalog


def catalog_content(*, catalog: EnterpriseCatalog) -> QuerySet[ContentItem]:
    """The catalog's active content items (courses, course runs, programs) in the order they were
    added, so that ``limit``/``offset`` pages are stable."""
    return ContentItem.objects.filter(catalogitem__catalog=catalog, is_active=True).order_by("catalogitem__id")


def course_runs_by_course(*, course_keys: Iterable[str]) -> dict[str, list[ContentItem]]:
    """Every known run of those courses (active or not, in a catalog or not: a course lists all
    its runs), by course key, each list ordered by run key. One query."""
    keys = set(course_keys)
    runs: dict[str, list[ContentItem]] = defaultdict(list)
    if keys:
        queryset = ContentItem.objects.filter(content_type=ContentItem.Type.COURSE_RUN, parent_key__in=keys)
        for run in queryset.order_by("content_key"):
            runs[run.parent_key].append(run)
    return dict(runs)


def _in_catalog(catalog: EnterpriseCatalog, match: Q) -> bool:
    return CatalogItem.objects.filter(catalog=catalog).filter(match).exists()


def catalog_course_get(*, catalog: EnterpriseCatalog, course_key: str) -> ContentItem:
    """The course ``Org+Course`` when it is in the catalog; ContentNotInCatalogError otherwise
    (a malformed key included)."""
    try:
        parse_course_key(course_key)
    except InvalidKeyError:
        raise ContentNotInCatalogError(course_key) from None
    course = ContentItem.objects.filter(content_type=ContentItem.Type.COURSE, content_key=course_key).first()
    if course is None or not _in_catalog(
        catalog, Q(item=course) | Q(item__content_type=ContentItem.Type.COURSE_RUN, item__parent_key=course_key)
    ):
        raise ContentNotInCatalogError(course_key)
    return course


def catalog_course_run_get(*, catalog: EnterpriseCatalog, course_run_key: str) -> ContentItem:
    """The course run (``course-v1:Org+Course[+Run]`` or legacy ``Org/Course/Run``) when it is in the
    catalog; ContentNotInCatalogError otherwise (a malformed key included)."""
    try:
        parse_course_run_key(course_run_key)
    except InvalidKeyError:
        raise ContentNotInCatalogError(course_run_key) from None
    run = ContentItem.objects.filter(content_type=ContentItem.Type.COURSE_RUN, content_key=course_run_key).first()
    if run is None:
        raise ContentNotInCatalogError(course_run_key)
    match = Q(item=run)
    if run.parent_key:
        match |= Q(item__content_type=ContentItem.Type.COURSE, item__content_key=run.parent_key)
    if not _in_catalog(catalog, match):
        raise ContentNotInCatalogError(course_run_key)
    return run


def catalog_program_get(*, catalog: EnterpriseCatalog, program_uuid: str) -> ContentItem:
    """The program when it is in the catalog; ContentNotInCatalogError otherwise (a malformed uuid
    included). Any spelling of the uuid finds it (programs are stored under the canonical one)."""
    parsed = uuid_or_none(program_uuid)
    program = (
        ContentItem.objects.filter(
            content_type=ContentItem.Type.PROGRAM, content_key=str(parsed), catalogitem__catalog=catalog
        ).first()
        if parsed
        else None
    )
    if program is None:
        raise ContentNotInCatalogError(program_uuid)
    return program
