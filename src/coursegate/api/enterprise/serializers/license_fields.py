"""Query fields shared by the learner's and the admin's license lists (serializers/learner.py,
serializers/plan_licenses.py)."""

from __future__ import annotations

import uuid as uuid_lib

from rest_framework import serializers


def required_uuid_detail(data, name: str, *, missing: str, invalid: str) -> uuid_lib.UUID:
    """The query value ``name`` as a uuid, or DRF's ValidationError shaped ``{"detail": ...}`` (the
    reference answers these as ParseError): ``missing`` when absent or blank, ``invalid``
    (formatted with ``value``) when not a uuid. For an input serializer's ``to_internal_value``:
    raised from there, the error keeps that shape."""
    raw = str(data.get(name, "") or "").strip()
    if not raw:
        raise serializers.ValidationError({"detail": missing})
    try:
        return uuid_lib.UUID(raw)
    except ValueError:
        raise serializers.ValidationError({"detail": invalid.format(value=raw)}) from None


class CommaList(serializers.CharField):
    """``a,b,c`` as a list of its non-blank items (``ordering=status,-user_email``)."""

    def to_internal_value(self, data) -> list[str]:  # type: ignore[override]
        text = super().to_internal_value(data)
        return [item.strip() for item in text.split(",") if item.strip()]


class PagedQuery(serializers.Serializer):
    """``page`` and ``page_size`` as positive integers (the paginator reads them again; a size
    above the list's maximum is that maximum)."""

    page = serializers.IntegerField(required=False, min_value=1)
    page_size = serializers.IntegerField(required=False, min_value=1)
