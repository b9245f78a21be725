"""Request shapes of the Appsembler API (seed 001_5eba60f39cd742d9.txt)."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from coursegate.core.course_keys import is_course_run_key

MAX_IDENTIFIERS = 10_000
MAX_COURSES = 100
_WRAPPED = re.compile(r"\r?\n[ \t]+")  # a line break followed by indentation
_SEPARATORS = re.compile(r"[,\s]+")


def split_items(value, *, is_item=lambda item: True) -> list[str]:
    """Items of a comma/whitespace-separated string or of a JSON list of strings, de-duplicated in
    order. Where a line break followed by indentation leaves a part that is no item on its own
    (``is_item``) and rejoining the parts makes one, the break is a wrapped line (the seed's bulk-enroll
    sample wraps ``test2@appsembler.\\n\\tcom`` that way) and the parts are joined."""
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(dict.fromkeys(item.strip() for item in value if item.strip()))
    if not isinstance(value, str):
        raise serializers.ValidationError("Expected a comma-separated string or a list of strings.")
    pieces = _WRAPPED.split(value)
    text = pieces[0]
    for piece in pieces[1:]:
        head = _SEPARATORS.split(text.rstrip())[-1]
        tail = _SEPARATORS.split(piece.lstrip(), maxsplit=1)[0]
        joined = head and tail and is_item(head + tail) and not (is_item(head) and is_item(tail))
        text = f"{text}{piece}" if joined else f"{text} {piece}"
    return list(dict.fromkeys(item for item in _SEPARATORS.split(text) if item))


def _is_identifier(item: str) -> bool:
    """A username (no "@") or a well-formed e-mail address."""
    if "@" not in item:
        return True
    try:
        validate_email(item)
    except DjangoValidationError:
        return False
    return True


@extend_schema_field(
    {"oneOf": [{"type": "string", "description": "comma-separated"}, {"type": "array", "items": {"type": "string"}}]}
)
class ItemListField(serializers.Field):
    """A list given either as a comma-separated string or as a JSON list of strings."""

    def __init__(self, *, max_items: int, is_item=lambda item: True, **kwargs):
        self.max_items = max_items
        self.is_item = is_item
        super().__init__(**kwargs)

    def to_internal_value(self, data) -> list[str]:
        items = split_items(data, is_item=self.is_item)
        if not items:
            raise serializers.ValidationError("This field may not be blank.")
        if len(items) > self.max_items:
            raise serializers.ValidationError(f"At most {self.max_items} items are allowed in one request.")
        return items

    def to_representation(self, value):
        return value


class BulkEnrollInput(serializers.Serializer):
    action = serializers.ChoiceField(choices=["enroll", "unenroll"])
    identifiers = ItemListField(max_items=MAX_IDENTIFIERS, is_item=_is_identifier, help_text="E-mails and/or usernames")
    courses = ItemListField(max_items=MAX_COURSES, is_item=is_course_run_key, help_text="Course run ids")
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
