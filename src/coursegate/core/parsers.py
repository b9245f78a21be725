"""The request body parsers of every API family (issue 11).

One JSON parser for the whole server, strict by default: the body must be exact JSON (no repairs),
nested no deeper than ``MAX_DEPTH``, valid in its charset (UTF-8 unless the Content-Type names
another text charset), and no string of it, key or value, may hold a NUL (U+0000) or a lone
surrogate. PostgreSQL refuses NUL in text and no encoder writes a lone surrogate, so such a string
would otherwise become a 500 deep in the domain. Every refusal is DRF's ``ParseError``, which each
family's base view answers in that family's 400 shape (api/<family>/errors.py). A body nested too
deeply for the C scanner (about 1,000 levels) is the same 400: its ``RecursionError`` never escapes.

Leniency is opt-in, per view, as named subclasses, each kept for one of the seeds' printed examples:
``ControlCharactersJSONParser`` (raw line breaks inside strings: the Appsembler bulk-enroll sample),
``UnclosedObjectJSONParser`` (an object missing its final ``}``: seed 003's remind and cancel
examples) and ``TypographicQuotesJSONParser`` (“curly” quotes: seed 002's enrollment POST example).
A repair is tried only when the body does not parse as it is; valid JSON is read exactly.

Form and multipart bodies follow the same rule for their field names and values (and file names).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from itertools import chain

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import DataAndFiles, FormParser, JSONParser, MultiPartParser, get_encoding

MAX_DEPTH = 64  # levels of arrays and objects; settings.COURSEGATE_JSON_MAX_DEPTH overrides it

_SURROGATE = re.compile("[\ud800-\udfff]")
# The escapes that can write a NUL or a surrogate (a pair is fine; the walk tells them apart).
_SUSPICIOUS_ESCAPE = re.compile(r"\\u(?:0000|[dD][89a-fA-F])")
_CONTAINERS = (dict, list)

NUL_MESSAGE = "strings may not contain NUL (U+0000) characters"
SURROGATE_MESSAGE = "strings may not contain lone surrogates (U+D800 to U+DFFF)"


def text_problem(text: str) -> str | None:
    """Why ``text`` may not be stored (a NUL or a lone surrogate), or None. A valid surrogate pair
    in JSON (``\\ud83d\\ude00``) is decoded to one character, so any surrogate left is alone."""
    if "\x00" in text:
        return NUL_MESSAGE
    if not text.isascii() and _SURROGATE.search(text) is not None:
        return SURROGATE_MESSAGE
    return None


def max_depth() -> int:
    return getattr(settings, "COURSEGATE_JSON_MAX_DEPTH", MAX_DEPTH)


def inspect_json(data, *, depth_limit: int, check_strings: bool) -> str | None:
    """Why parsed JSON ``data`` is refused, or None: nested deeper than ``depth_limit``, or (when
    ``check_strings``) a key or string value with a NUL or a lone surrogate.

    Walks level by level with C loops over each level's values (``map``, ``chain``): a bulk body of
    10,000 flat events is two levels, a few milliseconds."""
    if not isinstance(data, _CONTAINERS):
        return text_problem(data) if check_strings and isinstance(data, str) else None
    level = [data]
    depth = 0
    while level:
        depth += 1
        if depth > depth_limit:
            return f"the body is nested more than {depth_limit} levels deep"
        dicts = [node for node in level if type(node) is dict]
        lists = [node for node in level if type(node) is list]

        def children(dicts=dicts, lists=lists):
            return chain(chain.from_iterable(map(dict.values, dicts)), chain.from_iterable(lists))

        if check_strings:
            problem = text_problem("".join(filter(_is_str, chain(chain.from_iterable(dicts), children()))))
            if problem is not None:
                return problem
        if _CONTAINER_TYPES.isdisjoint(map(type, children())):
            break
        level = [child for child in children() if type(child) in _CONTAINER_TYPES]
    return None


_is_str = str.__instancecheck__
_CONTAINER_TYPES = frozenset(_CONTAINERS)


def close_object(text: str) -> Iterator[str]:
    """Seed 003's remind and cancel examples: ``{"assignment_uuids": [...]`` without its ``}``."""
    stripped = text.rstrip()
    if stripped.startswith("{") and not stripped.endswith("}"):
        yield stripped + "}"


_CURLY_QUOTES = str.maketrans({"\u201c": '"', "\u201d": '"'})


def straighten_quotes(text: str) -> Iterator[str]:
    """Seed 002's enrollment POST example: ``{“course_details”: {“course_id”: ...}}``."""
    if "\u201c" in text or "\u201d" in text:
        yield text.translate(_CURLY_QUOTES)


class StrictJSONParser(JSONParser):
    """Exact JSON, at most ``max_depth()`` levels deep, no NUL or lone surrogate in any string.

    Subclasses adjust three knobs: ``control_characters`` (raw control characters inside strings,
    json's ``strict=False``; a raw NUL is still refused), ``repairs`` (functions yielding repaired
    texts, tried in order when the body does not parse) and ``parse_float``."""

    control_characters: bool = False
    repairs: tuple[Callable[[str], Iterable[str]], ...] = ()
    parse_float: Callable[[str], object] | None = None

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = get_encoding(parser_context or {})
        raw = stream.read() if stream is not None else b""
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError as exc:
            raise ParseError(f"JSON parse error - the body is not valid {encoding}: {exc.reason}") from None
        try:
            data = self.loads(text)
        except ValueError as exc:
            data = self.repaired(text, exc)
        self.check(data, text)
        return data

    def loads(self, text: str):
        try:
            return json.loads(
                text,
                strict=not self.control_characters,
                parse_float=self.parse_float,
                parse_constant=_refuse_constant,
            )
        except RecursionError:
            raise ParseError(f"JSON parse error - the body is nested more than {max_depth()} levels deep") from None

    def repaired(self, text: str, error: ValueError):
        for repair in self.repairs:
            for candidate in repair(text):
                try:
                    return self.loads(candidate)
                except ValueError:
                    continue
        raise ParseError(f"JSON parse error - {error}")

    def check(self, data, text: str) -> None:
        limit = max_depth()
        # Cheap tests first, so most bodies skip the walk: a body too short to hold more brackets
        # than the limit cannot be too deep; a NUL or a surrogate can only be in a string as a
        # \u0000 or \udXXX escape, or raw (a NUL with control characters allowed, a surrogate
        # from a charset such as unicode_escape; UTF-8 decoding refuses them).
        deep = len(text) > 2 * limit and (len(text) > 16384 or text.count("[") + text.count("{") > limit)
        suspicious = (
            "\x00" in text
            or ("\\u" in text and _SUSPICIOUS_ESCAPE.search(text) is not None)
            or (not text.isascii() and _SURROGATE.search(text) is not None)
        )
        if deep or suspicious:
            problem = inspect_json(data, depth_limit=limit, check_strings=suspicious)
            if problem is not None:
                raise ParseError(f"JSON parse error - {problem}")


def _refuse_constant(name: str):
    # NaN and Infinity are not JSON; Python's reader takes them by default (DRF's STRICT_JSON too).
    raise ValueError(f"{name} is not valid JSON")


class ControlCharactersJSONParser(StrictJSONParser):
    """Raw line breaks and tabs inside strings (the Appsembler bulk-enroll sample of seed 001)."""

    control_characters = True


class UnclosedObjectJSONParser(StrictJSONParser):
    """An object missing its final ``}`` (seed 003's remind and cancel curl examples)."""

    repairs = (close_object,)


class TypographicQuotesJSONParser(StrictJSONParser):
    """“Typographic” quotes instead of JSON's (seed 002's enrollment POST example)."""

    repairs = (straighten_quotes,)


def _form_problem(data, files=None) -> str | None:
    texts = [*data.keys(), *chain.from_iterable(values for _, values in data.lists())]
    if files is not None:
        uploads = chain.from_iterable(values for _, values in files.lists())
        texts += [*files.keys(), *(upload.name or "" for upload in uploads)]
    return text_problem("".join(filter(_is_str, texts)))


class StrictFormParser(FormParser):
    """A URL-encoded form whose names and values hold no NUL or lone surrogate."""

    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        problem = _form_problem(data)
        if problem is not None:
            raise ParseError(f"Form parse error - {problem}")
        return data


class StrictMultiPartParser(MultiPartParser):
    """A multipart form whose field names, values and file names hold no NUL or lone surrogate."""

    def parse(self, stream, media_type=None, parser_context=None):
        result: DataAndFiles = super().parse(stream, media_type, parser_context)
        problem = _form_problem(result.data, result.files)
        if problem is not None:
            raise ParseError(f"Multipart form parse error - {problem}")
        return result


# What every family's base view parses with (core/api.py FamilyApiView).
PARSERS = [StrictJSONParser, StrictFormParser, StrictMultiPartParser]
