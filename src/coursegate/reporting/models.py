"""Tallies: counts the operator dashboard reads instead of counting rows (reporting/tallies.py).

A tally is the number of rows of a source table in one group (``kind``, ``key``, ``sub``), e.g.
history rows that enrolled a learner on 2026-06-15 through the Appsembler API
(``enrolled``, ``2026-06-15``, ``appsembler``). Database triggers (migration 0001) append a
``TallyChange`` (+n or -n) in the same transaction as every insert, update or delete of a counted
row; the tallies sweep folds changes into ``Tally`` rows. The true count of a group is always the
``Tally`` plus its pending changes, so the figures are exact whatever the sweep's lag.
"""

from __future__ import annotations

from django.db import models


class Tally(models.Model):
    kind = models.CharField(max_length=16)
    key = models.CharField(max_length=64)
    sub = models.CharField(max_length=32, blank=True)
    n = models.BigIntegerField(default=0)

    class Meta:
        verbose_name_plural = "tallies"
        constraints = [models.UniqueConstraint(fields=["kind", "key", "sub"], name="reporting_tally_group")]

    def __str__(self) -> str:
        return f"{self.kind} {self.key} {self.sub}: {self.n}"


class TallyChange(models.Model):
    """A change of one tally not folded in yet; written only by the triggers, removed by the sweep."""

    kind = models.CharField(max_length=16)
    key = models.CharField(max_length=64)
    sub = models.CharField(max_length=32, blank=True)
    n = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["kind", "key", "sub"], name="reporting_change_group")]

    def __str__(self) -> str:
        return f"{self.kind} {self.key} {self.sub}: {self.n:+d}"
