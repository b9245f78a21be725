"""Request parsers."""

from __future__ import annotations

import codecs
import json

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class LenientJSONParser(JSONParser):
    """JSON that may hold raw line breaks and tabs inside strings (json's ``strict=False``), as the
    Appsembler seed's own bulk-enroll sample does. Everything else is standard JSON."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            return json.load(codecs.getreader(encoding)(stream), strict=False)
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from exc
