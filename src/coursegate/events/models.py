"""The apprenticeship event store: append-only, ids strictly increasing in commit order.

Indexes: the primary key serves pages by ``fromEventId`` (an index range scan); ``(created_on,
id)`` serves pages by date window (a range scan plus the offset).
"""

from __future__ import annotations

from django.db import models

# The table's columns in order: a page row, a stored event and a COPY line hold them so.
COLUMNS = (
    "id", "created_on", "event", "apprenticeship_id", "payment_status", "agreement_status", "provider_id",
    "learner_id", "employer_account_id", "training_type", "training_id", "training_start_date", "training_end_date",
    "training_total_cost",
)  # fmt: skip


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
