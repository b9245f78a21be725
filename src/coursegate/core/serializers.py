"""Parsing with input serializers: the one way a view reads a body or a query string."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers


def parse(serializer_class: type[serializers.Serializer], data, **context: Any) -> dict:
    """``serializer_class(data=data)`` validated: its ``validated_data``, or DRF's
    ValidationError (400 with the field messages, or the family's shape through its table)."""
    serializer = serializer_class(data=data, context=context)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data
