"""The fast path of EventInput: a well-formed event parsed in one pass, no field objects.

A bulk request holds up to 10,000 events, and nearly all of them are well formed: text as
strings, the id and cost as JSON numbers, dates as ISO strings. ``fast_parser(names)`` answers a
function that parses such an event straight into a ``NewEvent`` with the very operations the
fields use (fields.py), and answers ``None`` for anything else: a missing, blank, mistyped or
out-of-range value, a number given as text, dates in the wrong order. The caller then runs the
exact per-field parse, which alone words the messages. So the fast path never decides a refusal;
it only accepts what the fields would accept, with the same values (tests/api/apprenticeship_events/
test_fast_path.py compares the two on a grid of values).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from coursegate.api.apprenticeship_events.fields import _CENT, _TRAINING_TYPES, COST_MAX, PositiveBigInteger
from coursegate.events.services import NewEvent

SPELLINGS_KEPT = 256  # key spellings remembered (the seed's, the .NET client's, a few more)


def fast_parser(names: dict[str, str], text_max: int) -> Callable[[Any], NewEvent | None]:
    """``names``: NewEvent attribute -> the wire name of its field. Texts may hold ``text_max``
    characters."""
    wire = tuple(names[attribute] for attribute in NewEvent._fields)
    known = frozenset(wire)
    by_lower = {name.lower(): name for name in wire}
    spellings: dict[tuple, tuple] = {}

    def source_keys(data: dict) -> tuple:
        """The key holding each field's value in ``data``, in NewEvent's order. Keys match
        case-insensitively; of two spellings of one key the later wins (as EventInput reads them)."""
        spelling = tuple(data)
        keys = spellings.get(spelling)
        if keys is None:
            found = {}
            for key in spelling:
                name = by_lower.get(str(key).lower())
                if name is not None:
                    found[name] = key
            keys = tuple(found.get(name, name) for name in wire)
            if len(spellings) < SPELLINGS_KEPT:
                spellings[spelling] = keys
        return keys

    fromisoformat, combine = datetime.fromisoformat, datetime.combine

    def text(value: object) -> str | None:
        if type(value) is not str:
            return None
        value = value.strip()
        return value if value and len(value) <= text_max else None

    def utc(value: object) -> datetime | None:
        if type(value) is not str:
            return None
        try:
            parsed = fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
        if parsed.tzinfo is None:  # taken as UTC (combine: the same value, in a fraction of .replace()'s time)
            return combine(parsed, parsed.time(), UTC)
        try:
            return parsed.astimezone(UTC)
        except OverflowError:
            return None

    max_id = PositiveBigInteger.MAX
    training_types = _TRAINING_TYPES
    new = tuple.__new__

    def parse(data: Any) -> NewEvent | None:
        if type(data) is not dict:
            return None
        keys = wire if data.keys() <= known else source_keys(data)
        get = data.get
        (k_event, k_apprenticeship, k_payment, k_agreement, k_provider, k_learner, k_employer, k_type, k_training,
         k_start, k_end, k_cost) = keys  # fmt: skip
        event, payment, agreement = text(get(k_event)), text(get(k_payment)), text(get(k_agreement))
        provider, learner, employer = text(get(k_provider)), text(get(k_learner)), text(get(k_employer))
        training = text(get(k_training))
        if (
            event is None or payment is None or agreement is None or provider is None or learner is None
            or employer is None or training is None
        ):  # fmt: skip
            return None
        apprenticeship = get(k_apprenticeship)
        if type(apprenticeship) is not int or not 0 < apprenticeship <= max_id:
            return None
        training_type = get(k_type)
        if type(training_type) is str:
            training_type = training_types.get(training_type) or training_types.get(training_type.strip().lower())
            if training_type is None:
                return None
        elif type(training_type) is not int or training_type not in (1, 2):
            return None
        start, end = utc(get(k_start)), utc(get(k_end))
        if start is None or end is None or start > end:
            return None
        cost = get(k_cost)
        if type(cost) is int or type(cost) is float:  # (ExactJSONParser gives Decimals; other callers may not)
            cost = Decimal(str(cost))
        elif type(cost) is not Decimal:
            return None
        if not cost.is_finite() or cost < 0 or cost > COST_MAX:
            return None
        cents = cost.quantize(_CENT)
        if cost != cents:
            return None
        return new(NewEvent, (event, apprenticeship, payment, agreement, provider, learner, employer, training_type,
                              training, start, end, cents))  # fmt: skip

    return parse
