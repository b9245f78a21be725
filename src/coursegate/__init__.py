"""Coursegate: one learning-platform API server for five public API families."""

__version__ = "0.1.0"

# The Celery app is created with the package so that @shared_task binds to it in every process.
from coursegate.celery import app as celery_app  # noqa: E402

__all__ = ["__version__", "celery_app"]
