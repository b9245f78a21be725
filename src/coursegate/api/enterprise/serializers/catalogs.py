"""Output shapes of the Enterprise API's catalog endpoints (seed 003_daa74488a5860cfd.txt,
"enterprise-catalogs Endpoint" and "Course, Course Run, and Program Fields").

A content item is rendered with exactly the fields the seed lists for its kind, in the seed's order
(stable XML), every field present: a value from the item's columns where the item has that
column, else from its ``metadata`` document, else ``null``. ``course_runs`` (a course's runs, each
rendered as a course run) and ``enrollment_url`` are computed.
"""

from __future__ import annotations

from rest_framework import serializers

from coursegate.catalogs.models import ContentItem, EnterpriseCatalog

# Seed 003, "Fields in a course Content Item", in its order (``enrollment_url`` is listed twice there).
COURSE_FIELDS = (
    "key", "uuid", "title", "course_runs", "enrollment_url", "entitlements", "owners", "image",
    "short_description", "type", "url_slug", "course_type", "enterprise_subscription_inclusion",
    "excluded_from_seo", "excluded_from_search", "full_description", "level_type", "subjects",
    "prerequisites", "prerequisites_raw", "expected_learning_items", "video", "sponsors", "modified",
    "marketing_url", "syllabus_raw", "outcome", "original_image", "card_image_url",
    "canonical_course_run_key", "extra_description", "additional_information", "additional_metadata",
    "faq", "learner_testimonials", "enrollment_count", "recent_enrollment_count", "topics",
    "key_for_reruns", "url_slug_history", "url_redirects", "course_run_statuses", "editors",
    "collaborators", "skill_names", "skills", "organization_short_code_override",
    "organization_logo_override_url", "geolocation", "location_restriction", "in_year_value",
    "product_source", "data_modified_timestamp", "watchers", "programs", "course_run_keys", "editable",
    "advertised_course_run_uuid",
)  # fmt: skip
# Seed 003, "Fields in a course_run Content Item", in its order; ``run_type`` is not in the table
# but is in both of the seed's example runs, where it follows ``type``.
COURSE_RUN_FIELDS = (
    "key", "uuid", "title", "external_key", "image", "short_description", "marketing_url", "seats",
    "start", "end", "go_live_date", "enrollment_start", "enrollment_end", "weeks_to_complete",
    "pacing_type", "type", "run_type", "status", "is_enrollable", "is_marketable", "availability",
    "variant_id", "course", "full_description", "announcement", "video", "content_language", "license",
    "outcome", "transcript_languages", "instructors", "staff", "min_effort", "max_effort", "modified",
    "level_type", "mobile_available", "hidden", "reporting_type", "eligible_for_financial_aid",
    "first_enrollable_paid_seat_price", "has_ofac_restrictions", "ofac_comment", "enrollment_count",
    "recent_enrollment_count", "expected_program_type", "expected_program_name", "course_uuid",
    "estimated_hours", "content_language_search_facet_name", "enterprise_subscription_inclusion",
    "programs", "enrollment_url",
)  # fmt: skip
# Seed 003, "Fields in a program Content Item", in its order.
PROGRAM_FIELDS = (
    "uuid", "title", "subtitle", "type", "type_attrs", "status", "marketing_slug", "marketing_url",
    "banner_image", "hidden", "courses", "authoring_organizations", "card_image_url",
    "is_program_eligible_for_one_click_purchase", "degree", "curricula", "marketing_hook",
    "total_hours_of_effort", "recent_enrollment_count", "organization_short_code_override",
    "organization_logo_override_url", "primary_subject_override", "level_type_override",
    "language_override", "labels", "taxi_form", "program_duration_override", "data_modified_timestamp",
    "excluded_from_search", "excluded_from_seo", "has_ofac_restrictions", "ofac_comment", "overview",
    "weeks_to_complete", "weeks_to_complete_max", "weeks_to_complete_min", "min_hours_effort_per_week",
    "max_hours_effort_per_week", "video", "expected_learning_items", "faq", "credit_backing_organizations",
    "corporate_endorsements", "job_outlook_items", "individual_endorsements", "languages",
    "transcript_languages", "subjects", "price_ranges", "staff", "credit_redemption_overview",
    "applicable_seat_types", "instructor_ordering", "enrollment_count", "topics", "credit_value",
    "enterprise_subscription_inclusion", "geolocation", "location_restriction", "is_2u_degree_program",
    "in_year_value", "skill_names", "skills", "product_source", "subscription_eligible",
    "subscription_prices", "enrollment_url",
)  # fmt: skip
FIELDS = {
    ContentItem.Type.COURSE: COURSE_FIELDS,
    ContentItem.Type.COURSE_RUN: COURSE_RUN_FIELDS,
    ContentItem.Type.PROGRAM: PROGRAM_FIELDS,
}

_datetime = serializers.DateTimeField()


def _price(cents: int | None):
    """Cents as the seed's ``first_enrollable_paid_seat_price`` (whole units: 100, or 49.99)."""
    if cents is None:
        return None
    return cents // 100 if cents % 100 == 0 else cents / 100


def enrollment_url(*, base_url: str, catalog: EnterpriseCatalog, item: ContentItem) -> str:
    """The LMS enrollment page of ``item`` for the catalog's customer, in the reference's format
    (reference/enterprise.md §4.11-4.13; seed 003's examples): the key is not escaped."""
    customer = catalog.customer
    kind = "program" if item.content_type == ContentItem.Type.PROGRAM else "course"
    return (
        f"{base_url}/enterprise/{customer.uuid}/{kind}/{item.content_key}/enroll/"
        f"?catalog={catalog.uuid}&utm_medium=enterprise&utm_source={customer.slug}"
    )


def _columns(item: ContentItem) -> dict:
    """The document fields that are kept as columns."""
    if item.content_type == ContentItem.Type.PROGRAM:
        return {"uuid": item.content_key, "title": item.title}
    columns = {"key": item.content_key, "title": item.title}
    if item.content_type == ContentItem.Type.COURSE_RUN:
        columns["course"] = item.parent_key or None
        columns["enrollment_end"] = _datetime.to_representation(item.enroll_by) if item.enroll_by else None
        columns["first_enrollable_paid_seat_price"] = _price(item.price_cents)
    return columns


class ContentItemOutput(serializers.BaseSerializer):
    """One content item as the seed lists its fields. Context: ``catalog`` (with its customer),
    ``base_url`` (of the enrollment URLs), ``runs`` (course key -> its run items; needed for
    courses, see catalogs.selectors.course_runs_by_course)."""

    def to_representation(self, item: ContentItem) -> dict:
        catalog = self.context["catalog"]
        base_url = self.context["base_url"]
        document = {**(item.metadata or {}), **_columns(item)}
        if item.content_type != ContentItem.Type.PROGRAM:
            # A document without its own modification time gets the row's.
            document.setdefault("modified", _datetime.to_representation(item.modified))
        document["enrollment_url"] = enrollment_url(base_url=base_url, catalog=catalog, item=item)
        if item.content_type == ContentItem.Type.COURSE:
            runs = self.context["runs"].get(item.content_key, [])
            document["course_runs"] = [self.to_representation(run) for run in runs]
        return {name: document.get(name) for name in FIELDS[item.content_type]}


class CatalogOutput(serializers.ModelSerializer):
    """Seed 003, "enterprise-catalogs Endpoint": one catalog. ``content_last_modified`` comes from
    catalogs.selectors.catalogs_for_customers; the model has no Executive Education flag, so
    ``include_exec_ed_2u_courses`` (nullable in the seed) is null."""

    enterprise_customer = serializers.UUIDField(source="customer_id")
    content_last_modified = serializers.DateTimeField(allow_null=True)
    catalog_modified = serializers.DateTimeField(source="modified")
    include_exec_ed_2u_courses = serializers.SerializerMethodField()

    class Meta:
        model = EnterpriseCatalog
        fields = [
            "uuid", "title", "enterprise_customer", "catalog_query_uuid", "content_last_modified",
            "catalog_modified", "query_title", "include_exec_ed_2u_courses",
        ]  # fmt: skip

    def get_include_exec_ed_2u_courses(self, catalog) -> bool | None:
        return None


class CatalogListQuery(serializers.Serializer):
    """Query of the catalog list: ``page`` (from 1) and ``page_size`` (1-1000; larger is capped)."""

    page = serializers.IntegerField(min_value=1, required=False)
    page_size = serializers.IntegerField(min_value=1, required=False)


class CatalogContentQuery(serializers.Serializer):
    """Query of a catalog's content (seed 003): ``limit`` (default 20; larger than 1000 is capped)
    and ``offset`` (from 0)."""

    limit = serializers.IntegerField(min_value=1, required=False)
    offset = serializers.IntegerField(min_value=0, required=False)
