"""Courses (``Org+Course``), their runs and the enrollment modes each run offers."""

from __future__ import annotations

from datetime import datetime

from django.db import models


class Course(models.Model):
    """A course at catalog level, keyed ``Org+Course``."""

    key = models.CharField(max_length=255, unique=True)
    org = models.CharField(max_length=255)
    title = models.CharField(max_length=255, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.key


class CourseRun(models.Model):
    """One run of a course. ``key`` is ``course-v1:Org+Course+Run`` or the legacy ``Org/Course/Run``."""

    class Pacing(models.TextChoices):
        INSTRUCTOR = "instructor", "Instructor Paced"
        SELF = "self", "Self Paced"

    key = models.CharField(max_length=255, unique=True)
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="runs")
    title = models.CharField(max_length=255, blank=True)
    start = models.DateTimeField(null=True, blank=True)
    end = models.DateTimeField(null=True, blank=True)
    enrollment_start = models.DateTimeField(null=True, blank=True)
    enrollment_end = models.DateTimeField(null=True, blank=True)
    invite_only = models.BooleanField(default=False)
    max_enrollments = models.PositiveIntegerField(
        null=True, blank=True, help_text="Most active learner enrollments allowed; empty for no limit."
    )
    pacing = models.CharField(max_length=16, choices=Pacing.choices, default=Pacing.INSTRUCTOR)
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(enrollment_start__isnull=True)
                | models.Q(enrollment_end__isnull=True)
                | models.Q(enrollment_start__lte=models.F("enrollment_end")),
                name="courses_run_enrollment_window_ordered",
            )
        ]

    def __str__(self) -> str:
        return self.key

    @property
    def display_name(self) -> str:
        return self.title or self.course.title or self.key

    def enrollment_open_at(self, when: datetime) -> bool:
        """Whether the enrollment window (either end may be open) contains ``when``."""
        if self.enrollment_start is not None and when < self.enrollment_start:
            return False
        return self.enrollment_end is None or when < self.enrollment_end


class CourseMode(models.Model):
    """An enrollment track a run offers (audit, honor, verified, professional, ...)."""

    course_run = models.ForeignKey(CourseRun, on_delete=models.CASCADE, related_name="modes")
    slug = models.SlugField(max_length=100)
    name = models.CharField(max_length=255)
    min_price = models.PositiveIntegerField(default=0)
    suggested_prices = models.JSONField(default=list, blank=True)
    currency = models.CharField(max_length=8, default="usd")
    expiration_datetime = models.DateTimeField(null=True, blank=True)
    description = models.TextField(null=True, blank=True)
    sku = models.CharField(max_length=255, null=True, blank=True)
    bulk_sku = models.CharField(max_length=255, null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["course_run", "slug"], name="courses_mode_unique_slug")]

    def __str__(self) -> str:
        return f"{self.course_run_id}:{self.slug}"

    def is_expired_at(self, when: datetime) -> bool:
        return self.expiration_datetime is not None and self.expiration_datetime <= when
