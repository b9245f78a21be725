"""The learner summary's columns: its fields, the expression each is computed by, and the row they
make (seed 003 "learner-summary Endpoint"; reference/enterprise.md §4.14; issue 4; ARCHITECTURE.md
"Learner summary"). The selector that reads them is learner_summary.py.

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
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.db.models import (
    Case,
    CharField,
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
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
from coursegate.enterprise.models import EnterpriseEnrollment

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
COLUMNS = {
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
ORDER_BY: dict[str, tuple[str, ...]] = {
    name: (f"ls_{name}",) for name in LEARNER_SUMMARY_FIELDS if name not in LEARNER_SUMMARY_NULL_FIELDS
}
ORDER_BY["course_api_url"] = ("ls_catalog_uuid", "ls_course_key")
ORDER_BY.update({name: () for name in LEARNER_SUMMARY_NULL_FIELDS})

DATE_FIELDS = frozenset(
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


def _to_date(value: datetime | None) -> date | None:
    return None if value is None else value.astimezone(UTC).date()


def _weeks(value: timedelta | None) -> int | None:
    if value is None or value < timedelta(0):
        return None
    return math.ceil(value / timedelta(weeks=1))


def summary_row(values: Mapping[str, object]) -> dict[str, Any]:
    """One row of the learner summary, keyed by the seed's names (plus ``catalog_uuid``)."""
    row = dict.fromkeys(LEARNER_SUMMARY_FIELDS)
    for name in LEARNER_SUMMARY_FIELDS:
        alias = f"ls_{name}"
        if alias in values:
            row[name] = values[alias]
    for name in DATE_FIELDS:
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
