"""The fast path of EventInput: a well-formed event parsed in one pass, no field objects.

A bulk request holds up to 10,000 events, and nearly all of them are well formed: text as
strings, the id and cost as JSON numbers, dates as ISO strings, the .NET client's optional fields
absent or null, its statuses as numbers. ``fast_parser(names)`` answers a
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

from coursegate.api.apprenticeship_events.client_fields import AGREEMENT_STATUSES, PAYMENT_STATUSES
from coursegate.api.apprenticeship_events.fields import (
    _CENT,
    _TRAINING_TYPES,
    COST_MAX,
    PositiveBigInteger,
    iso_date_time,
)
from coursegate.events.config import training_type_numbers
from coursegate.events.services import OPTIONAL_DEFAULTS, NewEvent

CORE = len(NewEvent._fields) - len(OPTIONAL_DEFAULTS)  # the seed's twelve fields come first

SPELLINGS_KEPT = 256  # key spellings remembered (the seed's, the .NET client's, a few more)
DATES_KEPT = 16_384  # date texts remembered with their parsed value, per process (about 2 MB at most)


def fast_parser(names: dict[str, str], text_max: int) -> Callable[[Any], NewEvent | None]:
    """``names``: NewEvent attribute -> the wire name of its field. Texts may hold ``text_max``
    characters."""
    every = tuple(names[attribute] for attribute in NewEvent._fields)
    wire = every[:CORE]
    known = frozenset(wire)
    by_lower = {name.lower(): name for name in every}
    spellings: dict[tuple, tuple[tuple, tuple]] = {}

    def source_keys(data: dict) -> tuple[tuple, tuple]:
        """The key holding each core field's value in ``data``, in NewEvent's order, and the keys
        of the optional fields it has. Keys match case-insensitively; of two spellings of one key
        the later wins (as EventInput reads them)."""
        spelling = tuple(data)
        keys = spellings.get(spelling)
        if keys is None:
            found = {}
            for key in spelling:
                name = by_lower.get(str(key).lower())
                if name is not None:
                    found[name] = key
            keys = (tuple(found.get(name, name) for name in wire), tuple(found[n] for n in every[CORE:] if n in found))
            if len(spellings) < SPELLINGS_KEPT:
                spellings[spelling] = keys
        return keys

    fromisoformat, combine = datetime.fromisoformat, datetime.combine

    def text(value: object) -> str | None:
        if type(value) is not str or len(value) > text_max:
            return None
        return value.strip() or None

    dates: dict[str, datetime | None] = {}

    def utc(value: object) -> datetime | None:
        """A date-time as UtcDateTime parses it. A batch repeats its dates (a cohort's start and
        end), so each text's answer is remembered: a dict lookup instead of a pattern and a parse."""
        if type(value) is not str:
            return None
        try:
            return dates[value]
        except KeyError:
            pass
        parsed = _utc(value)
        if len(dates) < DATES_KEPT:
            dates[value] = parsed
        return parsed

    def _utc(value: str) -> datetime | None:
        if not iso_date_time(value):
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
    payments, agreements = PAYMENT_STATUSES, AGREEMENT_STATUSES
    new = tuple.__new__
    defaults = OPTIONAL_DEFAULTS

    def parse(data: Any) -> NewEvent | None:
        if type(data) is not dict:
            return None
        get = data.get
        if data.keys() <= known:
            keys = wire
        else:
            keys, optional = source_keys(data)
            for key in optional:
                if get(key) is not None:  # an optional field given: the exact parse reads it
                    return None
        (k_event, k_apprenticeship, k_payment, k_agreement, k_provider, k_learner, k_employer, k_type, k_training,
         k_start, k_end, k_cost) = keys  # fmt: skip
        event, payment, agreement = text(get(k_event)), get(k_payment), get(k_agreement)
        payment = payments.get(payment) if type(payment) is int else text(payment)
        agreement = agreements.get(agreement) if type(agreement) is int else text(agreement)
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
            training_type = training_types.get(training_type)  # other spellings: the exact parse decides
            if training_type is None:
                return None
        elif type(training_type) is int:
            training_type = training_type_numbers().get(training_type)
            if training_type is None:
                return None
        else:
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
                              training, start, end, cents, *defaults))  # fmt: skip

    return parse
