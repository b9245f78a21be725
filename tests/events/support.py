"""Events for the event-store tests: seed 004's example event as the typed value the store takes."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from coursegate.events.models import TrainingType
from coursegate.events.services import NewEvent

SEED_NEW_EVENT = NewEvent(
    event="An event",
    apprenticeship_id=444,
    payment_status="active",
    agreement_status="agreed",
    provider_id="1111",
    learner_id="9999",
    employer_account_id="2222",
    training_type=TrainingType.FRAMEWORK,
    training_id="3333",
    training_start_date=datetime(2017, 1, 31, tzinfo=UTC),
    training_end_date=datetime(2017, 12, 31, tzinfo=UTC),
    training_total_cost=Decimal("123.45"),
)


def new_event(**changes) -> NewEvent:
    """The seed's event with ``changes`` applied."""
    return SEED_NEW_EVENT._replace(**changes)
