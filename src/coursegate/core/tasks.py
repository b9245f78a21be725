"""Celery task of the sweeps (core/sweeps.py), scheduled by CELERY_BEAT_SCHEDULE."""

from __future__ import annotations

from celery import shared_task

from coursegate.core.sweeps import sweep_all


@shared_task(name="coursegate.core.sweep", ignore_result=True)
def sweep() -> dict[str, int]:
    return sweep_all()
