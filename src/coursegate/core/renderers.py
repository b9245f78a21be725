"""JSON rendering with orjson (the hot path of every list endpoint)."""

from __future__ import annotations

import orjson
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.encoders import JSONEncoder

_fallback = JSONEncoder()


class FastJSONRenderer(JSONRenderer):
    """Same output as DRF's JSONRenderer for API data, several times faster on large lists.

    ``None`` renders as ``null`` (DRF would send an empty body), which is what the Enrollment
    API's "no enrollment" answer needs. Raw date-times (hot paths skip serializers) render as ISO
    8601 with ``Z`` for UTC, as DRF's fields do.
    """

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return orjson.dumps(data, default=_fallback.default, option=orjson.OPT_NON_STR_KEYS | orjson.OPT_UTC_Z)
