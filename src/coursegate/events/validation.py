"""Validation of incoming apprenticeship events (seed 004 and issue 6's rules).

Input keys match case-insensitively (the seed's camelCase, the .NET client's PascalCase); unknown
keys are ignored. Every violation is reported under the seed's camelCase field name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from coursegate.events.models import TrainingType

EVENT_MAX = 50
TEXT_MAX = 50
ID_MAX = 2**63 - 1
COST_MAX = Decimal("9999999999999999.99")  # DECIMAL(18, 2)
REQUIRED = "This field is required."
_WHOLE = re.compile(r"[0-9]{1,19}")  # ASCII digits only, and short enough for int() and a bigint

TEXT_FIELDS = ["paymentStatus", "agreementStatus", "providerId", "learnerId", "employerAccountId", "trainingId"]
FIELDS = ["event", "apprenticeshipId", *TEXT_FIELDS, "trainingType", "trainingStartDate", "trainingEndDate",
          "trainingTotalCost"]  # fmt: skip
_BY_LOWER = {name.lower(): name for name in FIELDS}
_TRAINING_TYPES = {"framework": TrainingType.FRAMEWORK, "standard": TrainingType.STANDARD}


@dataclass(frozen=True)
class EventInput:
    event: str
    apprenticeship_id: int
    payment_status: str
    agreement_status: str
    provider_id: str
    learner_id: str
    employer_account_id: str
    training_type: int
    training_id: str
    training_start_date: datetime
    training_end_date: datetime
    training_total_cost: Decimal


def _normalise_keys(body: dict) -> dict:
    values = {}
    for key, value in body.items():
        name = _BY_LOWER.get(str(key).lower())
        if name is not None:
            values[name] = value
    return values


def _text(value, limit: int) -> tuple[str | None, str | None]:
    if value is None or value == "":
        return None, REQUIRED
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None, "Must be a string."
    text = str(value).strip()
    if not text:
        return None, "This field may not be blank."
    if len(text) > limit:
        return None, f"Ensure this field has no more than {limit} characters."
    return text, None


def _datetime(value) -> tuple[datetime | None, str | None]:
    if value is None or value == "":
        return None, REQUIRED
    if not isinstance(value, str):
        return None, "Must be an ISO 8601 date-time string."
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None, "Must be an ISO 8601 date-time, e.g. 2017-01-31T00:00:00."
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC), None
    except OverflowError:
        return None, "Date-time out of range."


def validate_event(body) -> tuple[EventInput | None, dict[str, list[str]]]:
    """(the event, {}) or (None, {field: [messages]})."""
    if not isinstance(body, dict):
        return None, {"non_field_errors": ["Each event must be a JSON object."]}
    values = _normalise_keys(body)
    errors: dict[str, list[str]] = {}
    clean: dict = {}

    event, problem = _text(values.get("event"), EVENT_MAX)
    if problem:
        errors["event"] = [problem]
    clean["event"] = event

    raw_id = values.get("apprenticeshipId")
    if raw_id is None or raw_id == "":
        errors["apprenticeshipId"] = [REQUIRED]
    elif isinstance(raw_id, bool) or not isinstance(raw_id, int | str) or not _WHOLE.fullmatch(str(raw_id).strip()):
        errors["apprenticeshipId"] = ["Must be a whole number greater than 0."]
    elif not 0 < int(raw_id) <= ID_MAX:
        errors["apprenticeshipId"] = ["Must be a whole number greater than 0."]
    else:
        clean["apprenticeship_id"] = int(raw_id)

    for name in TEXT_FIELDS:
        text, problem = _text(values.get(name), TEXT_MAX)
        if problem:
            errors[name] = [problem]
        clean[name] = text

    raw_type = values.get("trainingType")
    if raw_type is None or raw_type == "":
        errors["trainingType"] = [REQUIRED]
    elif isinstance(raw_type, str) and raw_type.strip().lower() in _TRAINING_TYPES:
        clean["training_type"] = int(_TRAINING_TYPES[raw_type.strip().lower()])
    elif isinstance(raw_type, int) and not isinstance(raw_type, bool) and raw_type in TrainingType.values:
        clean["training_type"] = raw_type
    else:
        errors["trainingType"] = ['Must be "framework" or 1, or "standard" or 2.']

    start, problem = _datetime(values.get("trainingStartDate"))
    if problem:
        errors["trainingStartDate"] = [problem]
    end, problem = _datetime(values.get("trainingEndDate"))
    if problem:
        errors["trainingEndDate"] = [problem]
    if start and end and start > end:
        errors["trainingEndDate"] = ["Must not be earlier than trainingStartDate."]

    raw_cost = values.get("trainingTotalCost")
    cost = None
    if raw_cost is None or raw_cost == "":
        errors["trainingTotalCost"] = [REQUIRED]
    elif isinstance(raw_cost, bool) or not isinstance(raw_cost, int | float | Decimal | str):
        errors["trainingTotalCost"] = ["Must be a number."]
    else:
        try:
            cost = Decimal(str(raw_cost))
        except InvalidOperation:
            errors["trainingTotalCost"] = ["Must be a number."]
        else:
            if not cost.is_finite() or cost < 0:
                errors["trainingTotalCost"] = ["Must be a number greater than or equal to 0."]
            elif cost > COST_MAX:  # checked before quantize, which cannot take huge exponents
                errors["trainingTotalCost"] = ["Must be less than 10^16."]
            elif cost != cost.quantize(Decimal("0.01")):
                errors["trainingTotalCost"] = ["Must have at most two decimal places."]

    if errors:
        return None, errors
    return (
        EventInput(
            event=clean["event"],
            apprenticeship_id=clean["apprenticeship_id"],
            payment_status=clean["paymentStatus"],
            agreement_status=clean["agreementStatus"],
            provider_id=clean["providerId"],
            learner_id=clean["learnerId"],
            employer_account_id=clean["employerAccountId"],
            training_type=clean["training_type"],
            training_id=clean["trainingId"],
            training_start_date=start,
            training_end_date=end,
            training_total_cost=cost.quantize(Decimal("0.01")),
        ),
        {},
    )
