"""Request and response shapes of the Appsembler API (seed 001_5eba60f39cd742d9.txt).

The input serializers are the parsers. Most bodies are read as the reference reads them, with
``request.data.get(name)`` (``ContractInput``, ``BodyText``): a missing field, or a value that is
no string, is blank, and a body that is no JSON object has no fields. Where a contract answers
its validation errors in its own shape, the serializer raises its own ValidationError subclass,
which the family's table (errors.py) renders.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import ClassVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import empty

from coursegate.accounts.validators import (
    EMAIL_MAX_LENGTH,
    NAME_MAX_LENGTH,
    USERNAME_MAX_LENGTH,
    email_problems,
    password_problems,
    username_problems,
)
from coursegate.api.analytics.serializers import EnrollmentsQueryInput, UsernameField
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


class AccountParametersError(serializers.ValidationError):
    """accounts/create's body is missing a field or has a bad value (400 "Wrong parameters on user creation")."""


class CodeStatusError(serializers.ValidationError):
    """enrollment-codes/status names no valid action (400 {"success": "false", "reason": ...})."""


class ContractInput(serializers.Serializer):
    """A body read leniently, as the reference reads it (``request.data.get(name)``): a body that
    is no JSON object (a list, a string, null) has no fields. Errors are raised as ``error_class``."""

    error_class: ClassVar[type[serializers.ValidationError]] = serializers.ValidationError

    def run_validation(self, data=empty):
        return super().run_validation(data if isinstance(data, Mapping) else {})

    def is_valid(self, *, raise_exception: bool = False) -> bool:
        valid = super().is_valid()
        if not valid and raise_exception:
            raise self.error_class(self.errors)
        return valid


@extend_schema_field(OpenApiTypes.STR)
class BodyText(serializers.Field):
    """A text field as the reference reads it: stripped (unless ``strip=False``); missing, null, a
    number, a list or a file count as blank. ``blank=False``: a blank value is "This field is
    required.". ``max_length`` is checked by the serializer (``too_long``), after the field's own rules."""

    default_error_messages = {
        "required": "This field is required.",
        "max_length": "Ensure this field has no more than {max_length} characters.",
    }

    def __init__(self, *, blank: bool = True, strip: bool = True, max_length: int | None = None, **kwargs):
        self.blank, self.strip, self.max_length = blank, strip, max_length
        super().__init__(**kwargs)

    def run_validation(self, data=empty) -> str:
        text = data if isinstance(data, str) else ""
        if not self.blank and not text.strip():
            self.fail("required")
        return text.strip() if self.strip else text

    def to_representation(self, value):
        return value

    def too_long(self, value: str) -> list[str]:
        if self.max_length is not None and len(value) > self.max_length:
            return [self.error_messages["max_length"].format(max_length=self.max_length)]
        return []


class BodyChoice(serializers.ChoiceField):
    """A choice read as ``BodyText`` reads text (stripped; a value that is no string is blank)."""

    def run_validation(self, data=empty) -> str:
        text = data.strip() if isinstance(data, str) else ""
        if text not in self.choices:
            self.fail("invalid_choice", input=text)
        return text


class AccountCreateInput(ContractInput):
    """accounts/create. Contract (reference §2.2): missing or blank fields are answered alone;
    otherwise every field's problems at once, in the order username, email, name, password. The
    rules are the accounts app's (coursegate.accounts.validators), which user_create applies again."""

    error_class = AccountParametersError

    username = BodyText(blank=False, max_length=USERNAME_MAX_LENGTH)
    password = BodyText(blank=False, strip=False)  # sent as given; only its presence is read stripped
    email = BodyText(blank=False, max_length=EMAIL_MAX_LENGTH)
    name = BodyText(blank=False, max_length=NAME_MAX_LENGTH)

    def validate(self, attrs: dict) -> dict:
        username, email, name = attrs["username"], attrs["email"], attrs["name"]
        fields = self.fields
        problems = {
            "username": username_problems(username) + fields["username"].too_long(username),
            "email": fields["email"].too_long(email) or email_problems(email),
            "name": fields["name"].too_long(name),
            "password": password_problems(attrs["password"], username=username, email=email),
        }
        errors = {field: messages for field, messages in problems.items() if messages}
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class AccountCreatedOutput(serializers.Serializer):
    """{"user_id": 65, "user_id ": 65} of a User."""

    user_id = serializers.IntegerField(source="pk")

    def get_fields(self):
        fields = super().get_fields()
        # Contract (appsembler v0): legacy key "user_id " with a trailing space, beside the canonical one.
        fields["user_id "] = serializers.IntegerField(source="pk")
        return fields


class AccountOutput(serializers.Serializer):
    """{"id": 7, "user_id": "honor", "user_id ": "honor"} of a User: ``user_id`` is the username."""

    id = serializers.IntegerField(source="pk")
    user_id = serializers.CharField(source="username")

    def get_fields(self):
        fields = super().get_fields()
        # Contract (appsembler v0): legacy key "user_id " with a trailing space, beside the canonical one.
        fields["user_id "] = serializers.CharField(source="username")
        return fields


class GenerateCodesInput(serializers.Serializer):
    course_id = serializers.CharField()
    total_registration_codes = serializers.IntegerField(min_value=1, max_value=10_000)


class CodesGeneratedOutput(serializers.Serializer):
    """{course_id, codes, course_url} of ``{"course_run": CourseRun, "codes": [EnrollmentCode]}``."""

    course_id = serializers.CharField(source="course_run.key")
    codes = serializers.SerializerMethodField()
    course_url = serializers.SerializerMethodField()

    def get_codes(self, obj) -> list[str]:
        return [row.code for row in obj["codes"]]

    def get_course_url(self, obj) -> str:
        return f"/courses/{obj['course_run'].key}/about"


class EnrollWithCodeInput(ContractInput):
    email = BodyText()
    enrollment_code = BodyText()


class CodeStatusInput(ContractInput):
    error_class = CodeStatusError

    enrollment_code = BodyText()
    action = BodyChoice(
        choices=["cancel", "restore"], error_messages={"invalid_choice": "The action must be 'cancel' or 'restore'."}
    )


class EnrollmentsByUserQueryInput(EnrollmentsQueryInput):
    """The enrollments batch query. Contract (appsembler v0, seed 001): ``username`` filters the
    Appsembler enrollments batch; Jitterbit's (seed 000) has no such filter, and neither has either
    accounts batch."""

    username = UsernameField(required=False)
