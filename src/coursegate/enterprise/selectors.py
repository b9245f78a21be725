"""Enterprise reads: the learner summary (seed 003 "learner-summary Endpoint"; reference/enterprise.md
§4.14; issue 4; ARCHITECTURE.md "Learner summary").

One row per enterprise enrollment of a customer, leaving out learners whose link to the customer is
inactive (as the reference backend does). Every field of the seed's list is produced under the
seed's name (``course_start``, ``course_end``, ``course_duration``, ``user_country`` — not the
reference backend's ``_date``/``_weeks``/``_code`` names), plus ``user_first_name`` and
``user_last_name`` from the reference backend's list.

Where each field comes from:

========================================  ===============================================================
``enrollment_id``                          Enrollment.id
``enterprise_enrollment_id``               EnterpriseEnrollment.id
``is_consent_granted``                     EnterpriseEnrollment.is_consent_granted
``paid_by``                                "enterprise" when the enrollment came through a subscription
                                           license (source ``subscription_license`` or a license uuid),
                                           else null
``seat_delivery_method``                   EnterpriseEnrollment.source (e.g. ``subscription_license``)
``user_current_enrollment_mode``           Enrollment.mode
``enrollment_date``                        Enrollment.created (date, UTC)
``unenrollment_date``                      when the enrollment is inactive: the latest change to
                                           inactive in its history (date), else null
``unenrollment_end_within_date``           14 days after the later of the enrollment date and the
                                           run's start (the seed's "traditionally" rule)
``course_list_price``                      the run's price of the learner's mode (CourseMode.min_price)
``course_key`` / ``courserun_key``         the run's course key / the run's key
``course_title``                           the run's title, else its course's title, else the run key
``course_pacing_type``                     ``instructor_paced`` or ``self_paced`` (CourseRun.pacing)
``course_start`` / ``course_end``          the run's start / end (dates)
``course_duration``                        whole weeks from start to end, rounded up; null unless both
                                           are known (and end is not before start)
``has_passed``, ``current_grade``,         EnterpriseEnrollment progress fields (dates as dates; an
``letter_grade``, ``passed_date``,         empty letter grade is null)
``last_activity_date``
``progress_status``                        the seed's words: ``In Progress``, ``Passed``, ``Failed``
``enterprise_user_id``                     EnterpriseLearner.id (the learner's link to the customer)
``user_email``, ``user_username``,         the account (User); ``user_country`` is the profile's
``user_first_name``, ``user_last_name``,   two-letter code; blank names and country are null
``user_account_creation_date``,
``user_country``
``enterprise_customer_uuid``,              the customer
``enterprise_name``
``created``                                EnterpriseEnrollment.created (timestamp)
``course_api_url``                         built by the API layer from ``catalog_uuid`` (the customer's
                                           catalog holding the course; lowest uuid when several) and
                                           ``course_key``; null when no catalog of the customer holds it
``course_min_effort``,                     ``min_effort`` / ``max_effort`` of the run's content item
``course_max_effort``                      (catalogs.ContentItem metadata, seed "course_run Content
                                           Item"); null when the run is in no catalog content
``course_primary_subject``,                the ``name`` of the first of ``subjects`` / the ``title`` of
``course_primary_program``                 the first of ``programs`` of the course's content item
========================================  ===============================================================

Always null, because no model holds them (no payments, refunds, coupons, offers, contracts or SSO
identities are stored): ``amount_learner_paid``, ``contract_id``, ``coupon_code``,
``coupon_name``, ``enterprise_sso_uid``, ``is_refunded``, ``offer_name``, ``offer_type``.

Ordering: any listed field, ascending or descending (``-field``); rows without a value come last
in both directions; ties are broken by the enterprise enrollment id (ascending), so pages are
stable. The default is the seed's: most recent ``last_activity_date`` first.

Cost: a page is one counting query plus one row query (two when a page straddles the boundary
between rows with and without a ``last_activity_date`` under that ordering), whatever its size.
The row query picks the page's ids in a subquery that joins and sorts only what the order needs,
and computes the row's columns (8 tables, 7 correlated subqueries) for those rows only. The
``last_activity_date`` orderings are read in two parts — rows that have a date, in the order of
the (customer, -last_activity_date) index, then the rows without one — so "nulls last" needs no
index of its own on either database (PostgreSQL's DESC index puts nulls first; SQLite cannot
declare NULLS LAST in an index at all). The count avoids a join per row; see
``_learner_summary_counts``. Other orderings sort all of the customer's rows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import ClassVar

from django.db.models import (
    Case,
    CharField,
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    UUIDField,
    Value,
    When,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce, Greatest, NullIf

from coursegate.catalogs.models import CatalogItem, ContentItem
from coursegate.courses.models import CourseMode
from coursegate.enrollments.models import EnrollmentHistory
from coursegate.enterprise.models import EnterpriseCustomer, EnterpriseEnrollment

# Output order: the seed's list (its duplicate ``is_consent_granted`` once), then the two name
# fields of the reference backend.
LEARNER_SUMMARY_FIELDS: tuple[str, ...] = (
    "is_consent_granted",
    "amount_learner_paid",
    "contract_id",
    "coupon_code",
    "coupon_name",
    "course_api_url",
    "course_duration",
    "course_end",
    "course_key",
    "course_list_price",
    "course_max_effort",
    "course_min_effort",
    "course_pacing_type",
    "course_primary_program",
    "course_primary_subject",
    "course_start",
    "course_title",
    "courserun_key",
    "created",
    "current_grade",
    "enrollment_date",
    "enrollment_id",
    "enterprise_customer_uuid",
    "enterprise_enrollment_id",
    "enterprise_name",
    "enterprise_sso_uid",
    "enterprise_user_id",
    "has_passed",
    "is_refunded",
    "last_activity_date",
    "letter_grade",
    "offer_name",
    "offer_type",
    "paid_by",
    "passed_date",
    "progress_status",
    "seat_delivery_method",
    "unenrollment_date",
    "unenrollment_end_within_date",
    "user_account_creation_date",
    "user_country",
    "user_current_enrollment_mode",
    "user_email",
    "user_username",
    "user_first_name",
    "user_last_name",
)

# Seed fields no model can supply: always null (see the module docstring).
LEARNER_SUMMARY_NULL_FIELDS: frozenset[str] = frozenset(
    {
        "amount_learner_paid",
        "contract_id",
        "coupon_code",
        "coupon_name",
        "enterprise_sso_uid",
        "is_refunded",
        "offer_name",
        "offer_type",
    }
)

DEFAULT_ORDERING = "-last_activity_date"
UNENROLLMENT_REFUND_DAYS = 14  # seed: "traditionally 14 days from the enrollment date or the course start date"
LICENSE_SOURCE = "subscription_license"

_RUN = "enrollment__course_run"
_USER = "enrollment__user"


def _run_metadata(path: str) -> Subquery:
    """A number of the metadata of the run's course_run content item, or null. Selected as the
    JSON value itself (no cast, so an odd value can never fail the query): SQLite's json_extract
    gives the number, psycopg decodes PostgreSQL's jsonb; both order JSON numbers numerically."""
    item = ContentItem.objects.filter(content_type=ContentItem.Type.COURSE_RUN, content_key=OuterRef(f"{_RUN}__key"))
    return Subquery(item.values(f"metadata__{path}")[:1], output_field=IntegerField())


def _course_metadata(path: str) -> Subquery:
    """A text value of the metadata of the run's course content item, or null."""
    item = ContentItem.objects.filter(
        content_type=ContentItem.Type.COURSE, content_key=OuterRef(f"{_RUN}__course__key")
    )
    return Subquery(item.annotate(value=KT(f"metadata__{path}")).values("value")[:1], output_field=CharField())


# Each selected column: alias -> expression. Aliases start with "ls_" so they never collide with
# the model's own field names (several seed names are EnterpriseEnrollment fields).
_COLUMNS = {
    "ls_enterprise_enrollment_id": F("id"),
    "ls_enrollment_id": F("enrollment_id"),
    "ls_is_consent_granted": F("is_consent_granted"),
    "ls_paid_by": Case(
        When(Q(source=LICENSE_SOURCE) | Q(license_uuid__isnull=False), then=Value("enterprise")),
        default=Value(None),
        output_field=CharField(),
    ),
    "ls_seat_delivery_method": NullIf(F("source"), Value("")),
    "ls_user_current_enrollment_mode": F("enrollment__mode"),
    "ls_enrollment_date": F("enrollment__created"),
    "ls_unenrollment_date": Case(
        When(
            enrollment__is_active=False,
            then=Subquery(
                EnrollmentHistory.objects.filter(enrollment_id=OuterRef("enrollment_id"), is_active=False)
                .order_by("-changed_at", "-id")
                .values("changed_at")[:1]
            ),
        ),
        default=Value(None),
        output_field=DateTimeField(),
    ),
    "ls_unenrollment_end_within_date": ExpressionWrapper(
        Greatest(F("enrollment__created"), Coalesce(F(f"{_RUN}__start"), F("enrollment__created")))
        + Value(timedelta(days=UNENROLLMENT_REFUND_DAYS)),
        output_field=DateTimeField(),
    ),
    "ls_course_list_price": Subquery(
        CourseMode.objects.filter(course_run_id=OuterRef(f"{_RUN}_id"), slug=OuterRef("enrollment__mode")).values(
            "min_price"
        )[:1]
    ),
    "ls_course_key": F(f"{_RUN}__course__key"),
    "ls_courserun_key": F(f"{_RUN}__key"),
    "ls_course_title": Coalesce(
        NullIf(F(f"{_RUN}__title"), Value("")), NullIf(F(f"{_RUN}__course__title"), Value("")), F(f"{_RUN}__key")
    ),
    "ls_course_pacing_type": Case(
        When(**{f"{_RUN}__pacing": "self"}, then=Value("self_paced")),
        When(**{f"{_RUN}__pacing": "instructor"}, then=Value("instructor_paced")),
        default=Value(None),
        output_field=CharField(),
    ),
    "ls_course_start": F(f"{_RUN}__start"),
    "ls_course_end": F(f"{_RUN}__end"),
    "ls_course_duration": Case(
        When(
            **{f"{_RUN}__end__gte": F(f"{_RUN}__start")},
            then=ExpressionWrapper(F(f"{_RUN}__end") - F(f"{_RUN}__start"), output_field=DurationField()),
        ),
        default=Value(None),
        output_field=DurationField(),
    ),
    "ls_has_passed": F("has_passed"),
    "ls_current_grade": F("current_grade"),
    "ls_letter_grade": NullIf(F("letter_grade"), Value("")),
    "ls_passed_date": F("passed_date"),
    "ls_last_activity_date": F("last_activity_date"),
    "ls_progress_status": Case(
        *(When(progress_status=s.value, then=Value(s.label)) for s in EnterpriseEnrollment.ProgressStatus),
        default=Value(None),
        output_field=CharField(),
    ),
    "ls_enterprise_user_id": F("learner_id"),
    "ls_user_email": F(f"{_USER}__email"),
    "ls_user_username": F(f"{_USER}__username"),
    "ls_user_first_name": NullIf(F(f"{_USER}__first_name"), Value("")),
    "ls_user_last_name": NullIf(F(f"{_USER}__last_name"), Value("")),
    "ls_user_account_creation_date": F(f"{_USER}__date_joined"),
    "ls_user_country": NullIf(F(f"{_USER}__profile__country"), Value("")),
    "ls_enterprise_customer_uuid": F("customer_id"),
    "ls_enterprise_name": F("customer__name"),
    "ls_created": F("created"),
    # Course marketing metadata, from the catalogs' content items (the seed's content item fields).
    "ls_course_min_effort": _run_metadata("min_effort"),
    "ls_course_max_effort": _run_metadata("max_effort"),
    "ls_course_primary_subject": _course_metadata("subjects__0__name"),
    "ls_course_primary_program": _course_metadata("programs__0__title"),
    "ls_catalog_uuid": Subquery(
        CatalogItem.objects.filter(
            catalog__customer_id=OuterRef("customer_id"),
            item__content_type=ContentItem.Type.COURSE,
            item__content_key=OuterRef(f"{_RUN}__course__key"),
        )
        .order_by("catalog_id")
        .values("catalog_id")[:1],
        output_field=UUIDField(),
    ),
}

# Output field -> the aliases it is ordered by (course_api_url is catalog uuid + course key, which
# orders exactly as the URL string would). Null-only fields order by the tie-breaker alone.
_ORDER_BY = {name: (f"ls_{name}",) for name in LEARNER_SUMMARY_FIELDS if name not in LEARNER_SUMMARY_NULL_FIELDS}
_ORDER_BY["course_api_url"] = ("ls_catalog_uuid", "ls_course_key")
_ORDER_BY.update({name: () for name in LEARNER_SUMMARY_NULL_FIELDS})

_DATE_FIELDS = frozenset(
    {
        "course_start",
        "course_end",
        "enrollment_date",
        "last_activity_date",
        "passed_date",
        "unenrollment_date",
        "unenrollment_end_within_date",
    }
)


def customer_get(*, uuid) -> EnterpriseCustomer | None:
    """The customer with that uuid, or None."""
    return EnterpriseCustomer.objects.filter(uuid=uuid).first()


def _to_date(value: datetime | None) -> date | None:
    return None if value is None else value.astimezone(UTC).date()


def _weeks(value: timedelta | None) -> int | None:
    if value is None or value < timedelta(0):
        return None
    return math.ceil(value / timedelta(weeks=1))


def _row(values: dict) -> dict:
    """One row of the learner summary, keyed by the seed's names (plus ``catalog_uuid``)."""
    row = dict.fromkeys(LEARNER_SUMMARY_FIELDS)
    for name in LEARNER_SUMMARY_FIELDS:
        alias = f"ls_{name}"
        if alias in values:
            row[name] = values[alias]
    for name in _DATE_FIELDS:
        row[name] = _to_date(row[name])
    row["course_duration"] = _weeks(row["course_duration"])
    for name in ("course_min_effort", "course_max_effort"):  # whole hours; anything but a number is null
        value = row[name]
        row[name] = int(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
    if row["course_list_price"] is not None:
        row["course_list_price"] = float(row["course_list_price"])
    row["enterprise_customer_uuid"] = str(row["enterprise_customer_uuid"])
    row["catalog_uuid"] = values["ls_catalog_uuid"]  # for the API layer's course_api_url
    return row


def _count(qs: QuerySet) -> Subquery:
    """``SELECT COUNT(*) ...`` of ``qs`` as a scalar subquery (no GROUP BY)."""
    return Subquery(qs.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n"), output_field=IntegerField())


def _learner_summary_counts(customer_uuid) -> dict[str, int]:
    """Row counts of the summary, in one query: ``total`` and ``without_activity`` (no
    ``last_activity_date``).

    Counted as "all of the customer's enterprise enrollments" (an index-only count over the
    (customer, -last_activity_date) index) minus "those of its inactive learner links" (through
    the learner links of that customer, a handful). A join with the learner links for every row
    would cost ~30x more at 100,000 rows. This relies on the domain's invariant that an
    enterprise enrollment's learner link is a link to the same customer (every writer —
    enterprise_enrollment_record, the bulk enrollment job — passes the customer's own link).
    """
    everyone = EnterpriseEnrollment.objects.filter(customer_id=customer_uuid)
    hidden = EnterpriseEnrollment.objects.filter(learner__customer_id=customer_uuid, learner__active=False)
    counts = (
        EnterpriseCustomer.objects.filter(pk=customer_uuid)
        .values(
            all=_count(everyone),
            all_without=_count(everyone.filter(last_activity_date__isnull=True)),
            hidden=_count(hidden),
            hidden_without=_count(hidden.filter(last_activity_date__isnull=True)),
        )
        .first()
    )
    if counts is None:
        return {"total": 0, "without_activity": 0}
    return {
        "total": counts["all"] - counts["hidden"],
        "without_activity": counts["all_without"] - counts["hidden_without"],
    }


@dataclass(frozen=True)
class _Part:
    """A run of consecutive rows: ``ids`` (the customer's visible enterprise enrollments, with
    only the joins and aliases the order needs) sorted by ``keys``."""

    ids: QuerySet
    keys: tuple

    def rows(self, lo: int, hi: int) -> list[dict]:
        """Rows ``lo:hi`` in one query: the page's ids are chosen by a subquery that sorts only
        what the order needs; the row columns are computed for those rows only. (Planning the
        ordered, limited 8-table join directly costs PostgreSQL 4-8 ms per request at 100,000
        rows; this shape about 1.5 ms.)"""
        page = self.ids.values("id")[lo:hi]
        qs = EnterpriseEnrollment.objects.filter(pk__in=page).values(**_COLUMNS).order_by(*self.keys)
        return [_row(values) for values in qs]


@dataclass
class LearnerSummaryRows:
    """The learner summary of one customer in one order: what a Django paginator needs
    (``count()`` and slicing). Read from one run of rows, or from two consecutive ones (rows with
    a ``last_activity_date`` in the index's order, then rows without) for the
    ``last_activity_date`` orderings. Slices are lists of row dicts (see ``_row``)."""

    customer_uuid: object
    parts: list[_Part]
    split: bool = False  # parts = [rows with a last_activity_date, rows without]
    _sizes: list[int] | None = field(default=None, repr=False)
    ordered: ClassVar[bool] = True  # tells Django's paginator the rows are ordered

    def sizes(self) -> list[int]:
        if self._sizes is None:
            counts = _learner_summary_counts(self.customer_uuid)
            if self.split:
                self._sizes = [counts["total"] - counts["without_activity"], counts["without_activity"]]
            else:
                self._sizes = [counts["total"]]
        return self._sizes

    def count(self) -> int:
        return sum(self.sizes())

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice) or index.step not in (None, 1):
            raise TypeError("LearnerSummaryRows supports slices only")
        start, stop = index.start or 0, index.stop if index.stop is not None else self.count()
        rows: list[dict] = []
        offset = 0
        for part, size in zip(self.parts, self._part_sizes(), strict=True):
            lo, hi = max(start - offset, 0), min(stop - offset, size)
            if lo < hi:
                rows.extend(part.rows(lo, hi))
            offset += size
            if offset >= stop:
                break
        return rows

    def _part_sizes(self) -> list[int]:
        # A single run needs no count to be sliced (the paginator has counted already anyway).
        if not self.split and self._sizes is None:
            return [2**62]
        return self.sizes()


def learner_summary_for_customer(*, customer_uuid, ordering: str | None = None) -> LearnerSummaryRows:
    """The learner summary rows of a customer, in ``ordering`` (a name of
    ``LEARNER_SUMMARY_FIELDS``, ``-`` for descending; default ``-last_activity_date``).

    Raises ValueError for a field that is not in the list (the API layer validates first).
    """
    ordering = ordering or DEFAULT_ORDERING
    descending = ordering.startswith("-")
    name = ordering.removeprefix("-")
    if name not in _ORDER_BY:
        raise ValueError(f"unknown learner summary field {name!r}")

    visible = EnterpriseEnrollment.objects.filter(customer_id=customer_uuid, learner__active=True)

    if name == "last_activity_date":
        # Rows with a date in the index's order, then the others; see the module docstring.
        activity = F("last_activity_date").desc() if descending else F("last_activity_date").asc()
        keys = (activity, "id")
        valued = visible.filter(last_activity_date__isnull=False).order_by(*keys)
        missing = visible.filter(last_activity_date__isnull=True).order_by("id")
        parts = [_Part(valued, keys), _Part(missing, ("id",))]
        return LearnerSummaryRows(customer_uuid=customer_uuid, parts=parts, split=True)

    aliases = {alias: _COLUMNS[alias] for alias in _ORDER_BY[name]}
    keys = (*(F(a).desc(nulls_last=True) if descending else F(a).asc(nulls_last=True) for a in aliases), "id")
    ids = visible.alias(**aliases).order_by(*keys)
    return LearnerSummaryRows(customer_uuid=customer_uuid, parts=[_Part(ids, keys)])
