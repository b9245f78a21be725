"""Request parsers."""

from __future__ import annotations

import json

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

# Typographic quotes, as in seed 002's own POST example ({“course_details”: ...}).
_CURLY_QUOTES = str.maketrans({"\u201c": '"', "\u201d": '"'})


class LenientJSONParser(JSONParser):
    """JSON as the seeds' own examples write it: raw line breaks and tabs inside strings
    (``strict=False``; the Appsembler bulk-enroll sample) and, when a body does not parse
    otherwise, the repairs of ``_repairs``. Valid JSON is read exactly as by DRF's parser."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        raw = stream.read() if stream is not None else b""
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError as exc:
            raise ParseError(f"JSON parse error - {exc}") from exc
        try:
            return json.loads(text, strict=False)
        except ValueError as exc:
            error = exc
        for repaired in _repairs(text):
            try:
                return json.loads(repaired, strict=False)
            except ValueError:
                continue
        raise ParseError(f"JSON parse error - {error}")


def _repairs(text: str):
    """The seeds' own malformed examples, tried only when a body does not parse as it is:
    typographic quotes (seed 002) and an object missing its final ``}`` (seed 003's remind and
    cancel examples)."""
    if "\u201c" in text or "\u201d" in text:
        text = text.translate(_CURLY_QUOTES)
        yield text
    stripped = text.rstrip()
    if stripped.startswith("{") and not stripped.endswith("}"):
        yield stripped + "}"
