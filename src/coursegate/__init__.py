"""Coursegate: one learning-platform API server for five public API families."""

__version__ = "0.1.0"
