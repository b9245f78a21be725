"""The analytics query strings, parsed (seed 001 "Analytics Endpoints", seed 000; ARCHITECTURE.md
"Analytics").

- ``updated_min`` inclusive (the seed's misspelling ``update_min`` too, when ``updated_min`` is
  not given), ``updated_max`` exclusive, a date-only ``updated_max`` covering its whole day
  (coursegate.core.dates); a min later than the max is refused, naming the spelling the client used;
- ``course_id`` (enrollments): a ``+`` that the query string decoded to a space is put back;
- ``limit`` (1..10000) and ``after_id`` (>= 0) for keyset paging;
- ``format``: json, csv or ndjson (an unknown one is refused, not silently answered as JSON).
An empty parameter is ignored; a repeated one is refused. The contract answers one parameter at
a time: the first bad one, in the order above, is the 400 ``{param: [message]}``. The result is the domain's
``AnalyticsQuery`` and the page size.
"""

from __future__ import annotations

from typing import ClassVar

from rest_framework import serializers

from coursegate.core.course_keys import InvalidKeyError, parse_course_run_key
from coursegate.core.dates import InvalidDateError, parse_date_or_datetime, upper_bound
from coursegate.core.streaming import FORMATS
from coursegate.reporting.selectors import AnalyticsQuery

MAX_LIMIT = 10_000
DATE_MESSAGE = "Enter a valid date (YYYY-MM-DD) or ISO 8601 date-time (e.g. 2015-12-09T00:00:00Z)."


class DateBoundField(serializers.Field):
    """``YYYY-MM-DD`` or an ISO 8601 date-time -> ``(bound, date_only)``: the instant itself for a
    lower bound; for an upper one, the end of the day when only a date is given."""

    def __init__(self, *, upper: bool = False, **kwargs):
        self.upper = upper
        super().__init__(**kwargs)

    def to_internal_value(self, data: str) -> tuple:
        try:
            instant, date_only = parse_date_or_datetime(data)
            return (upper_bound(data) if self.upper else instant), date_only
        except InvalidDateError:
            raise serializers.ValidationError(DATE_MESSAGE) from None


class WholeNumberField(serializers.Field):
    def __init__(self, *, low: int, high: int | None = None, **kwargs):
        self.low, self.high = low, high
        super().__init__(**kwargs)

    def to_internal_value(self, data: str) -> int:
        try:
            value = int(data)
        except ValueError:
            raise serializers.ValidationError("A whole number is required.") from None
        if value < self.low or (self.high is not None and value > self.high):
            bound = f"between {self.low} and {self.high}" if self.high is not None else f"at least {self.low}"
            raise serializers.ValidationError(f"Must be {bound}.")
        return value


class CourseRunIdField(serializers.Field):
    def to_internal_value(self, data: str) -> str:
        # Contract (seed 001): the example calls send course-v1:edX+DemoX+... unescaped; the query
        # string decodes each "+" to a space, which is put back.
        key = data.strip().replace(" ", "+")
        try:
            parse_course_run_key(key)
        except InvalidKeyError:
            raise serializers.ValidationError(f"'{data}' is not a valid course run id.") from None
        return key


class FormatField(serializers.Field):
    def to_internal_value(self, data: str) -> str:
        if data.lower() not in FORMATS:
            raise serializers.ValidationError(f"Must be one of: {', '.join(FORMATS)}.")
        return data.lower()


class UsernameField(serializers.Field):
    def to_internal_value(self, data: str) -> str:
        if "\x00" in data:  # PostgreSQL text cannot hold NUL
            raise serializers.ValidationError("A username cannot contain NUL characters.")
        return data


class AccountsQueryInput(serializers.Serializer):
    """The accounts batch: dates and paging (``course_id`` and ``username`` are not filters here)."""

    # The order in which parameters are checked; the first bad one is the answer.
    ORDER: ClassVar[tuple[str, ...]] = (
        "updated_min",
        "update_min",
        "updated_max",
        "course_id",
        "username",
        "limit",
        "after_id",
        "format",
    )

    updated_min = DateBoundField(required=False)
    update_min = DateBoundField(required=False)  # Contract (seed 001): the seed's spelling, accepted too
    updated_max = DateBoundField(upper=True, required=False)
    limit = WholeNumberField(low=1, high=MAX_LIMIT, required=False)
    after_id = WholeNumberField(low=0, required=False)
    format = FormatField(required=False)

    def to_internal_value(self, data) -> dict:
        values: dict = {}
        for name in self.ORDER:
            field = self.fields.get(name)
            if hasattr(data, "getlist") and len(data.getlist(name)) > 1:
                raise serializers.ValidationError({name: ["Give this parameter once."]})
            raw = data.get(name)
            if field is None or not raw or (name == "update_min" and "updated_min" in values):
                continue
            try:
                values[name] = field.to_internal_value(raw)
            except serializers.ValidationError as exc:
                raise serializers.ValidationError({name: exc.detail}) from None
            if name == "updated_max":
                self._check_range(values)
        return values

    @staticmethod
    def _check_range(values: dict) -> None:
        since_param = "updated_min" if "updated_min" in values else "update_min"
        if since_param not in values:
            return
        (since, _), (until, max_is_a_date) = values[since_param], values["updated_max"]
        # A date-only max stands for its whole day: a min at or after that day's end is later.
        if since > until or (max_is_a_date and since >= until):
            raise serializers.ValidationError({since_param: [f"{since_param} must not be later than updated_max."]})

    def validate(self, attrs: dict) -> dict:
        since = attrs.get("updated_min") or attrs.get("update_min")
        until = attrs.get("updated_max")
        query = AnalyticsQuery(
            since=since[0] if since else None,
            until=until[0] if until else None,
            course_run_key=attrs.get("course_id"),
            username=attrs.get("username"),
            after_id=attrs.get("after_id"),
        )
        return {"query": query, "limit": attrs.get("limit")}


class EnrollmentsQueryInput(AccountsQueryInput):
    """The enrollments batch: dates, paging and ``course_id``."""

    course_id = CourseRunIdField(required=False)
