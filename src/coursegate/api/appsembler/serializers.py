"""Request shapes of the Appsembler API (seed 001_5eba60f39cd742d9.txt)."""

from __future__ import annotations

import re

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from coursegate.core.course_keys import is_course_run_key

MAX_IDENTIFIERS = 10_000
MAX_COURSES = 100
# A line break followed by indentation continues an item (the seed's sample wraps an e-mail and a
# course key that way); any other comma, blank or line break separates items.
_CONTINUATION = re.compile(r"\r?\n[ \t]+")
_SEPARATORS = re.compile(r"[,\s]+")


def split_items(value) -> list[str]:
    """Items of a comma/whitespace-separated string or of a JSON list of strings, de-duplicated
    in order."""
    if isinstance(value, str):
        items = _SEPARATORS.split(_CONTINUATION.sub("", value))
    elif isinstance(value, list) and all(isinstance(v, str) for v in value):
        items = [item.strip() for item in value]
    else:
        raise serializers.ValidationError("Expected a comma-separated string or a list of strings.")
    return list(dict.fromkeys(item for item in items if item))


@extend_schema_field(
    {"oneOf": [{"type": "string", "description": "comma-separated"}, {"type": "array", "items": {"type": "string"}}]}
)
class ItemListField(serializers.Field):
    """A list given either as a comma-separated string or as a JSON list of strings."""

    def __init__(self, *, max_items: int, **kwargs):
        self.max_items = max_items
        super().__init__(**kwargs)

    def to_internal_value(self, data) -> list[str]:
        items = split_items(data)
        if not items:
            raise serializers.ValidationError("This field may not be blank.")
        if len(items) > self.max_items:
            raise serializers.ValidationError(f"At most {self.max_items} items are allowed in one request.")
        return items

    def to_representation(self, value):
        return value


class BulkEnrollInput(serializers.Serializer):
    action = serializers.ChoiceField(choices=["enroll", "unenroll"])
    identifiers = ItemListField(max_items=MAX_IDENTIFIERS, help_text="E-mails and/or usernames")
    courses = ItemListField(max_items=MAX_COURSES, help_text="Course run ids")
    auto_enroll = serializers.BooleanField(default=False)
    email_students = serializers.BooleanField(default=False)

    def validate_courses(self, courses: list[str]) -> list[str]:
        for key in courses:
            if not is_course_run_key(key):
                raise serializers.ValidationError(f"Course key not valid: {key}")
        return courses


class AccountCreateInput(serializers.Serializer):
    """Documentation of the body; the account service does the validation."""

    username = serializers.CharField()
    password = serializers.CharField()
    email = serializers.EmailField()
    name = serializers.CharField()


class GenerateCodesInput(serializers.Serializer):
    course_id = serializers.CharField()
    total_registration_codes = serializers.IntegerField(min_value=1, max_value=10_000)


class EnrollWithCodeInput(serializers.Serializer):
    email = serializers.CharField()
    enrollment_code = serializers.CharField()


class CodeStatusInput(serializers.Serializer):
    enrollment_code = serializers.CharField()
    action = serializers.ChoiceField(choices=["cancel", "restore"])
