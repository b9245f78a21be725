"""EventInput's fast path (fast.py) against its exact per-field parse (serializers.py).

The fast path may decline anything (the exact parse then decides and words the messages), but
whatever it accepts must be exactly what the exact parse gives: the same NewEvent, value for
value and type for type. These tests put a grid of values, good and bad, through both.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from rest_framework.exceptions import ValidationError

from coursegate.api.apprenticeship_events import serializers
from coursegate.api.apprenticeship_events.serializers import EventBulkInput
from coursegate.core.serializers import parse
from tests.api.apprenticeship_events.support import SEED_EVENT, event_body

fast, exact = serializers._fast_event, serializers._exact_event

TEXTS = ["An event", "  padded  ", "", "   ", "x" * 50, "x" * 51, " " + "x" * 50 + " ", "tab\there", "ünïcödé ✓",
         "back\\slash", "line\nbreak", 0, 1111, -5, True, None, 1.5, Decimal("1.5"), [], {}]  # fmt: skip
IDS = [1, 444, 2**63 - 1, 2**63, 0, -1, "444", " 444 ", "", "4.0", True, False, 444.0, Decimal("444"), None, [], "²"]
TRAINING_TYPES = ["framework", "standard", "Framework", " STANDARD ", "frame work", "", 1, 2, 0, 3, True, 1.0,
                  Decimal("2"), "1", None, []]  # fmt: skip
DATES = ["2017-01-31T00:00:00", "2017-01-31", "2017-01-31T00:00:00Z", "2017-01-31T02:00:00+02:00",
         "2017-01-31T00:00:00.123456", " 2017-01-31T10:20:30 ", "20170131T102030", "2017-01-31 10:20",
         "2017-W05-2T10:00", "0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", "2017-02-30T00:00:00",
         "not a date", "", 20170131, None, True, Decimal("1")]  # fmt: skip
COSTS = [Decimal("123.45"), Decimal("1.5"), Decimal("0"), Decimal("-0"), Decimal("-0.00"), Decimal("0.001"),
         Decimal("1.230"), Decimal("1E+2"), Decimal("1E-2"), Decimal("9999999999999999.99"),
         Decimal("10000000000000000"), Decimal("-0.01"), Decimal("NaN"), Decimal("sNaN"), Decimal("Infinity"),
         Decimal("1e999999"), 0, 7, -7, 10**17, 123.45, "7", "twelve", True, None, []]  # fmt: skip


def outcome(parser, body):
    """What ``parser`` makes of ``body``: its event, or the ValidationError's detail."""
    try:
        return parser(body)
    except ValidationError as exc:
        return exc.detail


def assert_agree(body) -> None:
    answer = fast(body)
    if answer is not None:
        expected = outcome(exact, body)
        assert answer == expected, body
        assert [type(value) for value in answer] == [type(value) for value in expected], body
        assert [getattr(value, "tzinfo", None) for value in answer] == [
            getattr(value, "tzinfo", None) for value in expected
        ], body


@pytest.mark.parametrize("field", ["event", "paymentStatus", "agreementStatus", "providerId", "learnerId",
                                   "employerAccountId", "trainingId"])  # fmt: skip
@pytest.mark.parametrize("value", TEXTS, ids=repr)
def test_text_values(field, value):
    assert_agree(event_body(**{field: value}))


@pytest.mark.parametrize("value", IDS, ids=repr)
def test_apprenticeship_ids(value):
    assert_agree(event_body(apprenticeshipId=value))


@pytest.mark.parametrize("value", TRAINING_TYPES, ids=repr)
def test_training_types(value):
    assert_agree(event_body(trainingType=value))


@pytest.mark.parametrize("end", ["2017-12-31T00:00:00", "2017-01-31T00:00:00Z", "2017-01-30T23:59:59"])
@pytest.mark.parametrize("start", DATES, ids=repr)
def test_training_dates(start, end):
    assert_agree(event_body(trainingStartDate=start, trainingEndDate=end))
    assert_agree(event_body(trainingStartDate=end, trainingEndDate=start))


@pytest.mark.parametrize("value", COSTS, ids=repr)
def test_costs(value):
    assert_agree(event_body(trainingTotalCost=value))


@pytest.mark.parametrize(
    "body",
    [
        {},
        event_body(event=...),
        {key.upper(): value for key, value in event_body().items()},
        {key[0].upper() + key[1:]: value for key, value in event_body().items()} | {"TransferSenderId": None},
        event_body() | {"Event": "Later spelling", "unknown": 1},
        {"Event": "First", **event_body(), "EVENT": "Last"},
        event_body() | {"event": None, "EVENT": "Set"},
        "An event",
        [event_body()],
        None,
    ],
    ids=["empty", "missing", "upper", "pascal", "two spellings", "three spellings", "null then set", "str", "list",
         "null"],
)  # fmt: skip
def test_keys_and_shapes(body):
    assert_agree(body)


def test_the_common_bodies_take_the_fast_path():
    pascal = {key[0].upper() + key[1:]: value for key, value in event_body().items()}
    with_decimal = json.loads(json.dumps(SEED_EVENT), parse_float=Decimal)

    for body in (event_body(), pascal, with_decimal, event_body(trainingType=2, trainingStartDate="2017-01-31Z")):
        assert fast(body) is not None
        assert fast(body) == exact(body)


def test_a_batch_mixing_fast_and_exact_events_keeps_their_order():
    bodies = [event_body(apprenticeshipId=1), event_body(apprenticeshipId="2"), event_body(apprenticeshipId=3)]
    assert fast(bodies[1]) is None  # an id given as text: the exact parse takes it

    events = parse(EventBulkInput, bodies)

    assert [event.apprenticeship_id for event in events] == [1, 2, 3]


def test_the_fast_path_answers_utc_date_times():
    event = fast(event_body(trainingStartDate="2017-01-31T02:00:00+02:00", trainingEndDate="2017-02-01"))

    assert event.training_start_date == datetime(2017, 1, 31, tzinfo=UTC)
    assert event.training_start_date.tzinfo is UTC
    assert event.training_end_date.tzinfo is UTC
