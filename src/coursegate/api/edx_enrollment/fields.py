"""Input fields of the Open edX Enrollment API: each reads a value as the reference does
(``data.get(name)``) and refuses it with the contract's own message (reference/edx_appsembler.md
§1.6, §1.7). The input serializers of serializers.py are built from them."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import empty

from coursegate.accounts.validators import username_problems
from coursegate.core.course_keys import is_course_run_key

# --- Input fields --------------------------------------------------------------------------------


LOCALIZED = "localized"  # the code of a message the contract also sends as ``localizedMessage``


class _RawField(serializers.Field):
    """A value read as the reference reads it, ``data.get(name)`` (the last one of a repeated query
    or form key; an empty form value stays ``""``)."""

    def get_value(self, dictionary):
        return dictionary.get(self.field_name, empty)

    def to_representation(self, value):
        return value


COURSE_ID_REQUIRED = "Course ID must be specified to create a new enrollment."


@extend_schema_field(
    {"type": "object", "properties": {"course_id": {"type": "string"}}, "required": ["course_id"]},
)
class CourseDetailsField(_RawField):
    """``{"course_id": ...}``: the course run's id, stripped (its form is checked later)."""

    default_error_messages = {"required": COURSE_ID_REQUIRED, "null": COURSE_ID_REQUIRED, "invalid": COURSE_ID_REQUIRED}

    def to_internal_value(self, data) -> str:
        course_id = data.get("course_id") if isinstance(data, dict) else None
        if not isinstance(course_id, str) or not course_id.strip():
            self.fail("invalid")
        return course_id.strip()


@extend_schema_field(OpenApiTypes.STR)
class OptionalTextField(_RawField):
    """An optional string; absent, ``null`` and ``""`` give None."""

    def __init__(self, **kwargs):
        super().__init__(required=False, allow_null=True, default=None, **kwargs)

    def to_internal_value(self, data) -> str | None:
        if data == "":
            return None
        if not isinstance(data, str):
            raise serializers.ValidationError(f"'{self.field_name}' must be a string.")
        return data


@extend_schema_field(OpenApiTypes.BOOL)
class JsonBooleanField(_RawField):
    """A JSON boolean or nothing (absent or ``null``: ``default``); a string such as ``"true"`` is
    refused with ``message`` (reference §1.6 step 8: form bodies can never carry these flags)."""

    def __init__(self, *, message: str, default: bool, **kwargs):
        super().__init__(required=False, allow_null=True, default=default, **kwargs)
        self.message = message

    def validate_empty_values(self, data):
        if data is None:
            return True, self.get_default()
        return super().validate_empty_values(data)

    def to_internal_value(self, data) -> bool:
        if not isinstance(data, bool):
            raise serializers.ValidationError(self.message.format(value=data))
        return data


@extend_schema_field(
    {
        "type": "array",
        "items": {
            "type": "object",
            "properties": {"namespace": {"type": "string"}, "name": {"type": "string"}, "value": {"type": "string"}},
            "required": ["namespace", "name", "value"],
        },
    }
)
class EnrollmentAttributesField(_RawField):
    """A list of ``{namespace, name, value}`` objects (reference §1.6 step 13, newest release)."""

    def __init__(self, **kwargs):
        super().__init__(required=False, allow_null=True, default=None, **kwargs)

    def to_internal_value(self, data) -> list[dict]:
        if not isinstance(data, list) or not all(isinstance(a, dict) for a in data):
            raise serializers.ValidationError("'enrollment_attributes' must be a list of objects.")
        for attribute in data:
            for key in ("namespace", "name", "value"):
                if key not in attribute:
                    raise serializers.ValidationError(f"'{key}' not in enrollment attribute", code=LOCALIZED)
        return data


@extend_schema_field(OpenApiTypes.STR)
class CourseRunKeyField(_RawField):
    """A course-run key in either form; ``message`` (with ``{value}``) refuses anything else. An
    optional one may be left empty (``?course_id=``)."""

    def __init__(self, *, message: str, **kwargs):
        super().__init__(**kwargs)
        self.message = message

    def validate_empty_values(self, data):
        if data == "" and not self.required:
            return True, self.get_default()
        return super().validate_empty_values(data)

    def to_internal_value(self, data) -> str:
        if not is_course_run_key(data):
            raise serializers.ValidationError(self.message.format(value=data))
        return data


@extend_schema_field(OpenApiTypes.STR)
class CommaListField(_RawField):
    """A comma-separated list (blanks dropped); more than ``max_items`` is refused."""

    def __init__(self, *, max_items: int | None = None, too_many: str = "", **kwargs):
        super().__init__(required=False, default=list, **kwargs)
        self.max_items, self.too_many = max_items, too_many

    def to_internal_value(self, data) -> list[str]:
        items = [item.strip() for item in str(data).split(",") if item.strip()]
        self.check_count(items)
        return items

    def check_count(self, items: list[str]) -> None:
        if self.max_items is not None and len(items) > self.max_items:
            raise serializers.ValidationError(self.too_many.format(count=len(items), max=self.max_items))


# The reference's message for its Unicode username rule (openedx accounts USERNAME_INVALID_CHARS_UNICODE),
# the rule Coursegate's accounts follow: Django's letters, digits and @.+-_.
USERNAME_INVALID = "Usernames can only contain letters, numerals, and @/./+/-/_ characters."


class UsernameListField(CommaListField):
    """Comma-separated usernames, each a possible account name (reference §1.7: the registration
    form's ``validate_username``, after the count): an empty item (``a,,b``, a trailing comma) or
    one with another character is refused with USERNAME_INVALID. Spaces around an item are dropped."""

    def to_internal_value(self, data) -> list[str]:
        items = [item.strip() for item in str(data).split(",")]
        self.check_count(items)
        if any(username_problems(item) for item in items):
            raise serializers.ValidationError(USERNAME_INVALID)
        return items


@extend_schema_field(
    {
        "type": "string",
        "enum": ["", "1", "0", "true", "false", "yes", "no"],
        "description": "1, true or yes (any case) is true; 0, false, no or empty is false",
    }
)
class TruthyFlagField(_RawField):
    """A query flag: ``1``, ``true`` or ``yes`` in any case is true; ``0``, ``false``, ``no`` or
    empty is false; any other value is refused (400), not silently read as false."""

    TRUTHY = frozenset({"1", "true", "yes"})
    FALSY = frozenset({"", "0", "false", "no"})

    def __init__(self, **kwargs):
        super().__init__(required=False, default=False, **kwargs)

    def to_internal_value(self, data) -> bool:
        value = str(data).strip().lower()
        if value not in self.TRUTHY | self.FALSY:
            raise serializers.ValidationError(f"'{data}' is not a valid boolean: use 1, true, 0 or false.")
        return value in self.TRUTHY
