"""coursegate.core.dates: the bounds of the analytics date filters (ARCHITECTURE.md, "Analytics").

Date-only values are midnight UTC, explicit offsets are honoured (converted, never discarded),
lower bounds are inclusive and upper bounds exclusive, except that a date-only upper bound covers
its whole day. Anything else is an InvalidDateError (which the API answers with a 400).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from coursegate.core.dates import InvalidDateError, lower_bound, parse_date_or_datetime, upper_bound


def utc(*parts) -> datetime:
    return datetime(*parts, tzinfo=UTC)


PARSED = [
    # text, expected instant in UTC, date-only?
    ("2015-12-09", utc(2015, 12, 9), True),
    ("  2015-12-09  ", utc(2015, 12, 9), True),
    ("2015-12-09T00:00:00Z", utc(2015, 12, 9), False),
    ("2015-12-09T00:00:00z", utc(2015, 12, 9), False),
    ("2015-12-09T00:00:00+00:00", utc(2015, 12, 9), False),
    ("2015-12-09T00:00:00", utc(2015, 12, 9), False),  # naive: read as UTC, not the server's zone
    ("2015-12-09T00:00:00-05:00", utc(2015, 12, 9, 5), False),  # converted, not discarded
    ("2015-12-09T10:00:00+05:00", utc(2015, 12, 9, 5), False),
    ("2015-12-09T10:00:00+0500", utc(2015, 12, 9, 5), False),
    ("2015-12-09T10:00:00 05:00", utc(2015, 12, 9, 5), False),  # a "+" decoded to a space in a query string
    ("2015-12-09T10:00 05:00", utc(2015, 12, 9, 5), False),
    ("2016-12-17T23:55:27.765Z", utc(2016, 12, 17, 23, 55, 27, 765000), False),
    ("2016-12-17T23:55:27.765432Z", utc(2016, 12, 17, 23, 55, 27, 765432), False),
    ("2016-12-17T23:55Z", utc(2016, 12, 17, 23, 55), False),
    ("2016-12-31T23:00:00-02:00", utc(2017, 1, 1, 1), False),  # crosses a year boundary
]


@pytest.mark.parametrize(("text", "instant", "date_only"), PARSED)
def test_accepted_values_parse_to_an_aware_utc_instant(text, instant, date_only):
    parsed, was_date_only = parse_date_or_datetime(text)

    assert parsed == instant
    assert parsed.utcoffset() == timedelta(0)
    assert was_date_only is date_only


@pytest.mark.parametrize(("text", "instant", "date_only"), PARSED)
def test_lower_bound_is_the_instant_itself(text, instant, date_only):
    assert lower_bound(text) == instant


@pytest.mark.parametrize(("text", "instant", "date_only"), PARSED)
def test_upper_bound_of_a_date_only_value_is_the_next_midnight_and_otherwise_the_instant(text, instant, date_only):
    expected = instant + timedelta(days=1) if date_only else instant

    assert upper_bound(text) == expected


UPPER = [
    ("2015-12-19", utc(2015, 12, 20)),
    ("2015-12-31", utc(2016, 1, 1)),
    ("2016-02-28", utc(2016, 2, 29)),  # leap year
    ("2016-02-29", utc(2016, 3, 1)),
    ("2015-12-19T00:00:00Z", utc(2015, 12, 19)),
    ("2015-12-19T23:59:59Z", utc(2015, 12, 19, 23, 59, 59)),
]


@pytest.mark.parametrize(("text", "bound"), UPPER)
def test_upper_bound_table(text, bound):
    assert upper_bound(text) == bound


def test_a_date_only_upper_bound_admits_the_last_second_of_that_day_and_not_the_next_midnight():
    bound = upper_bound("2015-12-19")

    assert utc(2015, 12, 19, 23, 59, 59, 999999) < bound
    assert not utc(2015, 12, 20) < bound


def test_a_date_only_value_is_midnight_utc_whatever_the_server_time_zone(settings):
    settings.TIME_ZONE = "America/New_York"

    assert lower_bound("2015-12-09") == utc(2015, 12, 9)
    assert lower_bound("2015-12-09T00:00:00") == utc(2015, 12, 9)


def test_the_result_is_in_utc_even_for_an_offset_input():
    parsed = lower_bound("2015-12-09T00:00:00-05:00")

    assert parsed.tzinfo == UTC
    assert (parsed.hour, parsed.minute) == (5, 0)


INVALID = [
    "",
    "   ",
    "yesterday",
    "2015",
    "2015-12",
    "2015-13-01",
    "2015-02-30",
    "2015-12-32",
    "12/09/2015",
    "09-12-2015",
    "2015-12-09T25:00:00Z",
    "2015-12-09T24:00:00Z",
    "2015-12-09T10:61:00Z",
    "2015-12-09T00:00:00Zjunk",
    "2015-12-09T00:00:00+25:00",
    "2015-12-09; DROP TABLE",
    "２０１５-１２-０９",  # full-width digits
    # Outside datetime's range once converted to UTC: a bad date, never an OverflowError (a 500).
    "0001-01-01T00:00:00+01:00",
    "9999-12-31T23:59:59-01:00",
]


@pytest.mark.parametrize("text", INVALID)
def test_invalid_values_raise_invalid_date_error_for_both_bounds(text):
    with pytest.raises(InvalidDateError):
        lower_bound(text)
    with pytest.raises(InvalidDateError):
        upper_bound(text)


def test_the_last_representable_day_as_an_upper_bound_is_never_an_overflow_error():
    assert lower_bound("9999-12-31") == utc(9999, 12, 31)
    # Its whole-day bound (10000-01-01) is not representable. Either answer is acceptable — an
    # InvalidDateError (a 400) or a bound covering the whole day — but not an OverflowError (a 500).
    try:
        bound = upper_bound("9999-12-31")
    except InvalidDateError:
        return
    assert bound >= utc(9999, 12, 31, 23, 59, 59, 999999)


def test_none_is_invalid():
    with pytest.raises(InvalidDateError):
        lower_bound(None)


def test_invalid_date_error_is_a_value_error():
    assert issubclass(InvalidDateError, ValueError)
