"""Request body parser of the Apprenticeship Events API."""

from __future__ import annotations

import decimal
import json

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class ExactJSONParser(JSONParser):
    """JSON with numbers kept exact (costs are decimals); a malformed body is a 400."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return json.load(stream, parse_float=decimal.Decimal)
        except (ValueError, UnicodeDecodeError) as exc:
            raise ParseError(f"JSON parse error - {exc}") from exc
        except RecursionError:
            raise ParseError("JSON parse error - the body is nested too deeply.") from None
