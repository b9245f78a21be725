"""Output shape of the Apprenticeship Events API: the seed's camelCase keys plus ``id`` and
``createdOn``; ``trainingType`` as "framework"/"standard"; date-times in UTC with a ``Z``."""

from __future__ import annotations

from datetime import UTC

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from coursegate.events.models import TrainingType


def _iso(value) -> str:
    """UTC with a ``Z``; fractional seconds only when there are any (as DRF renders)."""
    return value.astimezone(UTC).replace(tzinfo=None).isoformat() + "Z"


_TRAINING_TYPES = {choice.value: choice.label for choice in TrainingType}


def event_row_as_dict(row: tuple) -> dict:
    """The same shape from a row of events.selectors.PAGE_COLUMNS. Date-times stay datetime objects
    (UTC from the database): the renderer writes them as ISO 8601 with ``Z`` in C."""
    (id_, created, event, apprenticeship_id, payment, agreement, provider, learner, employer, training_type,
     training_id, start, end, cost) = row  # fmt: skip
    return {
        "id": id_,
        "createdOn": created,
        "event": event,
        "apprenticeshipId": apprenticeship_id,
        "paymentStatus": payment,
        "agreementStatus": agreement,
        "providerId": provider,
        "learnerId": learner,
        "employerAccountId": employer,
        "trainingType": _TRAINING_TYPES[training_type],
        "trainingId": training_id,
        "trainingStartDate": start,
        "trainingEndDate": end,
        "trainingTotalCost": float(cost),
    }


def event_as_dict(event) -> dict:
    return {
        "id": event.id,
        "createdOn": _iso(event.created_on),
        "event": event.event,
        "apprenticeshipId": event.apprenticeship_id,
        "paymentStatus": event.payment_status,
        "agreementStatus": event.agreement_status,
        "providerId": event.provider_id,
        "learnerId": event.learner_id,
        "employerAccountId": event.employer_account_id,
        "trainingType": TrainingType(event.training_type).label,
        "trainingId": event.training_id,
        "trainingStartDate": _iso(event.training_start_date),
        "trainingEndDate": _iso(event.training_end_date),
        "trainingTotalCost": event.training_total_cost,
    }


@extend_schema_field(
    {"oneOf": [{"type": "string", "enum": ["framework", "standard"]}, {"type": "integer", "enum": [1, 2]}]}
)
class TrainingTypeField(serializers.Field):
    """ "framework" or 1, "standard" or 2 (names in any case); answered as the name."""


class EventInput(serializers.Serializer):
    """Documentation of the body (keys match case-insensitively; validation is the domain's)."""

    event = serializers.CharField(max_length=50)
    apprenticeshipId = serializers.IntegerField(min_value=1)  # noqa: N815 (the seed's names)
    paymentStatus = serializers.CharField()  # noqa: N815
    agreementStatus = serializers.CharField()  # noqa: N815
    providerId = serializers.CharField()  # noqa: N815
    learnerId = serializers.CharField()  # noqa: N815
    trainingType = TrainingTypeField()  # noqa: N815
    trainingId = serializers.CharField()  # noqa: N815
    employerAccountId = serializers.CharField()  # noqa: N815
    trainingStartDate = serializers.DateTimeField()  # noqa: N815
    trainingEndDate = serializers.DateTimeField()  # noqa: N815
    trainingTotalCost = serializers.DecimalField(max_digits=18, decimal_places=2, min_value=0)  # noqa: N815


class EventOutput(EventInput):
    id = serializers.IntegerField()
    createdOn = serializers.DateTimeField()  # noqa: N815
