"""The analytics filters shared by the Appsembler and Jitterbit batch endpoints, read from a
mapping of query parameters (no HTTP objects here).

- ``updated_min`` (also the seed's misspelling ``update_min``) inclusive, ``updated_max``
  exclusive, a date-only ``updated_max`` covering its whole day (coursegate.core.dates);
- ``course_id``: a ``+`` that a query string decoded to a space is put back;
- ``username`` where the endpoint allows it;
- ``limit`` (1..10000) and ``after_id`` (>= 0) for keyset paging, both optional.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from coursegate.core.course_keys import InvalidKeyError, parse_course_run_key
from coursegate.core.dates import InvalidDateError, lower_bound, parse_date_or_datetime, upper_bound

MAX_LIMIT = 10_000


class InvalidFilterError(ValueError):
    def __init__(self, param: str, message: str):
        super().__init__(message)
        self.param = param
        self.message = message


@dataclass(frozen=True)
class AnalyticsFilter:
    since: datetime | None = None
    until: datetime | None = None
    course_run_key: str | None = None
    username: str | None = None
    limit: int | None = None
    after_id: int | None = None


DATE_MESSAGE = "Enter a valid date (YYYY-MM-DD) or ISO 8601 date-time (e.g. 2015-12-09T00:00:00Z)."


def analytics_filter_from_params(
    params: Mapping[str, str], *, allow_username: bool, allow_course: bool = True
) -> AnalyticsFilter:
    since = until = None
    since_param = "updated_min"
    for name in ("updated_min", "update_min"):
        if params.get(name):
            since_param = name
            try:
                since = lower_bound(params[name])
            except InvalidDateError:
                raise InvalidFilterError(name, DATE_MESSAGE) from None
            break
    if params.get("updated_max"):
        try:
            until = upper_bound(params["updated_max"])
            max_is_a_date = parse_date_or_datetime(params["updated_max"])[1]
        except InvalidDateError:
            raise InvalidFilterError("updated_max", DATE_MESSAGE) from None
        # A date-only max stands for its whole day: a min at or after that day's end is later.
        if since is not None and (since > until or (max_is_a_date and since >= until)):
            raise InvalidFilterError(since_param, f"{since_param} must not be later than updated_max.")

    course_run_key = None
    if allow_course and params.get("course_id"):
        course_run_key = params["course_id"].strip().replace(" ", "+")
        try:
            parse_course_run_key(course_run_key)
        except InvalidKeyError:
            raise InvalidFilterError("course_id", f"'{params['course_id']}' is not a valid course run id.") from None

    username = (params.get("username") or None) if allow_username else None
    if username is not None and "\x00" in username:  # PostgreSQL text cannot hold NUL
        raise InvalidFilterError("username", "A username cannot contain NUL characters.")
    return AnalyticsFilter(
        since=since,
        until=until,
        course_run_key=course_run_key,
        username=username,
        limit=_int_param(params, "limit", 1, MAX_LIMIT),
        after_id=_int_param(params, "after_id", 0, None),
    )


def _int_param(params: Mapping[str, str], name: str, low: int, high: int | None) -> int | None:
    raw = params.get(name)
    if raw in (None, ""):
        return None
    try:
        value = int(raw)
    except ValueError:
        raise InvalidFilterError(name, "A whole number is required.") from None
    if value < low or (high is not None and value > high):
        bound = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise InvalidFilterError(name, f"Must be {bound}.")
    return value
