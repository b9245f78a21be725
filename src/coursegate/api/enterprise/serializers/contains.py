"""Request and response shapes of ``contains_content_items`` (reference/learner_side.md §6)."""

from __future__ import annotations

from rest_framework import serializers

from coursegate.catalogs.contains import restore_plus

NO_KEYS = "You must provide at least one of the following query parameters: course_run_ids, program_uuids."


class NoContentKeysError(Exception):
    """Neither ``course_run_ids`` nor ``program_uuids`` was given: 400 with the reference's body, a
    bare list holding NO_KEYS (api/enterprise/errors.py)."""


class _Repeated(serializers.ListField):
    """A repeatable query parameter (``?course_run_ids=a&course_run_ids=b``), blank values dropped."""

    def get_value(self, dictionary):
        return [value for value in dictionary.getlist(self.field_name) if value.strip()]


class ContainsQuery(serializers.Serializer):
    course_run_ids = _Repeated(
        child=serializers.CharField(max_length=255), required=False, help_text="Course run or course keys (repeatable)"
    )
    program_uuids = _Repeated(
        child=serializers.CharField(max_length=64), required=False, help_text="Program uuids (repeatable)"
    )

    def validate(self, attrs) -> dict:
        keys = [restore_plus(key) for key in attrs.get("course_run_ids", [])]
        programs = [value.strip() for value in attrs.get("program_uuids", [])]
        if not keys and not programs:
            raise NoContentKeysError()
        return {"course_run_ids": keys, "program_uuids": programs}


class CustomerContainsQuery(ContainsQuery):
    get_catalogs_containing_specified_content_ids = serializers.BooleanField(
        required=False, default=False, help_text="true: list the catalogs that contain the content (catalog_list)"
    )
    get_catalog_list = serializers.BooleanField(
        required=False, default=False, help_text="The legacy name of get_catalogs_containing_specified_content_ids"
    )

    def validate(self, attrs) -> dict:
        listed = attrs["get_catalogs_containing_specified_content_ids"] or attrs["get_catalog_list"]
        return {**super().validate(attrs), "catalog_list": listed}


class ContainsOutput(serializers.Serializer):
    contains_content_items = serializers.BooleanField()


class CustomerContainsOutput(ContainsOutput):
    catalog_list = serializers.ListField(
        child=serializers.UUIDField(),
        required=False,
        help_text="Only when asked for",
    )
