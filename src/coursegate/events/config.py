"""Deployment settings of the events service.

``COURSEGATE_EVENTS_TRAINING_TYPE_NUMBERING`` (issue 14 §1): how a *number* given for
``trainingType`` is read.

- ``specification`` (default): seed 004's numbering, 1 = framework, 2 = standard; 0 is also read
  as framework (the .NET client's ``Framework = 0``; the specification never uses 0).
- ``client``: the .NET client's numbering (SFA.DAS.Events.Api.Client at HEAD, reference §1.5),
  0 = framework, 1 = standard, for deployments whose producers all use that client.

Names (``"framework"``, ``"Standard"``) mean the same under both. Read from Django's settings
(settings.py reads the environment once); without that setting, from the environment directly.
"""

from __future__ import annotations

import os

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver

from coursegate.events.models import TrainingType

SETTING = "COURSEGATE_EVENTS_TRAINING_TYPE_NUMBERING"
SPECIFICATION, CLIENT = "specification", "client"

# Number given -> TrainingType stored, per numbering.
TRAINING_TYPE_NUMBERS = {
    SPECIFICATION: {0: TrainingType.FRAMEWORK.value, 1: TrainingType.FRAMEWORK.value, 2: TrainingType.STANDARD.value},
    CLIENT: {0: TrainingType.FRAMEWORK.value, 1: TrainingType.STANDARD.value},
}


def training_type_numbering() -> str:
    """``specification`` or ``client``; ImproperlyConfigured for anything else."""
    value = getattr(settings, SETTING, None)
    if value is None:
        value = os.environ.get(SETTING, "")
    value = str(value).strip().lower() or SPECIFICATION
    if value not in TRAINING_TYPE_NUMBERS:
        raise ImproperlyConfigured(f"{SETTING} must be {SPECIFICATION!r} or {CLIENT!r}, not {value!r}")
    return value


_numbers: list[dict[int, int]] = []  # the numbering in force, read once (a bulk parses 10,000 events)


def training_type_numbers() -> dict[int, int]:
    """The numbers ``trainingType`` may be given as, each to the TrainingType it means."""
    if not _numbers:
        _numbers.append(TRAINING_TYPE_NUMBERS[training_type_numbering()])
    return _numbers[0]


@receiver(setting_changed)
def _forget_numbering(*, setting: str, **kwargs) -> None:
    if setting == SETTING:
        _numbers.clear()
