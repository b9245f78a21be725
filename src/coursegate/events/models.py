"""The event stores: one append-only design for every kind of event (apprenticeship, agreement,
account, generic), ids strictly increasing in commit order (services.py says how).

Each store is a table whose rows are never changed or deleted. Indexes: the primary key serves
pages by ``fromEventId`` (an index range scan); ``(created_on, id)`` serves pages by date window
(a range scan plus the offset); the generic store adds ``(type, id)`` and ``(resource_type,
resource_id, created_on, id)`` for its filtered reads.
"""

from __future__ import annotations

from django.db import models

# The generic store moved to the change feed's app (same table and ids); events uses it from there.
from coursegate.feed.models import GenericEvent as GenericEvent

# The apprenticeship table's columns in order: a page row, a stored event and a COPY line hold
# them so. The seed's twelve, then the .NET client's optional ones (issue 14).
COLUMNS = (
    "id", "created_on", "event", "apprenticeship_id", "payment_status", "agreement_status", "provider_id",
    "learner_id", "employer_account_id", "training_type", "training_id", "training_start_date", "training_end_date",
    "training_total_cost",
    "paused_on_date", "stopped_on_date", "payment_order", "legal_entity_id", "legal_entity_name",
    "legal_entity_organisation_type", "account_legal_entity_public_hashed_id", "effective_from", "effective_to",
    "date_of_birth", "price_history", "transfer_sender_id", "transfer_sender_name", "transfer_approval_status",
    "transfer_approval_actioned_on",
)  # fmt: skip
AGREEMENT_COLUMNS = ("id", "created_on", "event", "provider_id", "contract_type")
ACCOUNT_COLUMNS = ("id", "created_on", "event", "resource_uri")
GENERIC_COLUMNS = ("id", "created_on", "type", "payload", "resource_type", "resource_id")


class TrainingType(models.IntegerChoices):
    # Seed 004: "framework" or 1, "standard" or 2.
    FRAMEWORK = 1, "framework"
    STANDARD = 2, "standard"


class ApprenticeshipEvent(models.Model):
    id = models.BigAutoField(primary_key=True)
    created_on = models.DateTimeField()
    event = models.CharField(max_length=50)
    apprenticeship_id = models.BigIntegerField()
    payment_status = models.CharField(max_length=50)
    agreement_status = models.CharField(max_length=50)
    provider_id = models.CharField(max_length=50)
    learner_id = models.CharField(max_length=50)
    employer_account_id = models.CharField(max_length=50)
    training_type = models.PositiveSmallIntegerField(choices=TrainingType.choices)
    training_id = models.CharField(max_length=50)
    training_start_date = models.DateTimeField()
    training_end_date = models.DateTimeField()
    training_total_cost = models.DecimalField(max_digits=18, decimal_places=2)
    # The .NET client's further fields (reference/events_and_clients.md §1.5; issue 14), all optional.
    paused_on_date = models.DateTimeField(null=True)
    stopped_on_date = models.DateTimeField(null=True)
    payment_order = models.IntegerField(null=True)
    legal_entity_id = models.CharField(max_length=50, null=True)
    legal_entity_name = models.CharField(max_length=100, null=True)
    legal_entity_organisation_type = models.CharField(max_length=20, null=True)
    account_legal_entity_public_hashed_id = models.CharField(max_length=6, null=True)
    effective_from = models.DateTimeField(null=True)
    effective_to = models.DateTimeField(null=True)
    date_of_birth = models.DateTimeField(null=True)
    # [{"totalCost": number, "effectiveFrom": ISO date-time, "effectiveTo": ISO date-time | null}]
    price_history = models.JSONField(null=True)
    transfer_sender_id = models.BigIntegerField(null=True)
    transfer_sender_name = models.CharField(max_length=100, null=True)
    transfer_approval_status = models.CharField(max_length=20, null=True)
    transfer_approval_actioned_on = models.DateTimeField(null=True)

    class Meta:
        indexes = [models.Index(fields=["created_on", "id"], name="events_created_on_id")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(apprenticeship_id__gt=0), name="events_apprenticeship_id_positive"
            ),
            models.CheckConstraint(condition=models.Q(training_total_cost__gte=0), name="events_cost_not_negative"),
            models.CheckConstraint(
                condition=models.Q(training_start_date__lte=models.F("training_end_date")),
                name="events_training_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"event {self.id}: {self.event}"


class AgreementEvent(models.Model):
    """An employer agreement (engagement) event (reference §1.2: ``/api/events/engagements``)."""

    id = models.BigAutoField(primary_key=True)
    created_on = models.DateTimeField()
    event = models.CharField(max_length=50)
    provider_id = models.CharField(max_length=20)
    contract_type = models.CharField(max_length=50)

    class Meta:
        indexes = [models.Index(fields=["created_on", "id"], name="events_agreement_created_id")]

    def __str__(self) -> str:
        return f"agreement event {self.id}: {self.event}"


class AccountEvent(models.Model):
    """An employer account event (reference §1.2: ``/api/events/accounts``)."""

    id = models.BigAutoField(primary_key=True)
    created_on = models.DateTimeField()
    event = models.CharField(max_length=50)
    resource_uri = models.CharField(max_length=1000)

    class Meta:
        indexes = [models.Index(fields=["created_on", "id"], name="events_account_created_id")]

    def __str__(self) -> str:
        return f"account event {self.id}: {self.event}"
