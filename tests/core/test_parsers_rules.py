"""core/parsers.py's rules, one row per case: what each JSON parser reads and what it refuses (with
DRF's ParseError, which every family answers as its 400). Through the endpoints: test_parsers.py."""

from __future__ import annotations

import io
import json

import pytest
from rest_framework.exceptions import ParseError

from coursegate.core.parsers import (
    ControlCharactersJSONParser,
    StrictJSONParser,
    TypographicQuotesJSONParser,
    UnclosedObjectJSONParser,
)


def parse(parser, body: bytes | str, charset: str | None = None):
    raw = body.encode() if isinstance(body, str) else body
    context = {"encoding": charset} if charset else {}
    return parser().parse(io.BytesIO(raw), "application/json", context)


def deep(levels: int) -> str:
    return "[" * levels + "]" * levels


READ = [
    (StrictJSONParser, '{"a": [1, {"b": null}]}', {"a": [1, {"b": None}]}),
    (StrictJSONParser, deep(64), json.loads(deep(64))),  # the limit itself
    (StrictJSONParser, '{"a": "\\ud83d\\ude00"}', {"a": "\U0001f600"}),  # a surrogate pair is one character
    (StrictJSONParser, '{"a": "\\\\u0000"}', {"a": "\\u0000"}),  # an escaped backslash, then text
    (StrictJSONParser, '{"a": "caf\\u00e9 \\u4e2d"}', {"a": "caf\u00e9 \u4e2d"}),
    (StrictJSONParser, json.dumps([{"k": "[[[[[[[[" * 20}] * 100), [{"k": "[[[[[[[[" * 20}] * 100),
    (ControlCharactersJSONParser, '{"a": "x\n\ty"}', {"a": "x\n\ty"}),
    (UnclosedObjectJSONParser, '{"a": [1, 2]', {"a": [1, 2]}),
    (UnclosedObjectJSONParser, '{"a": [1, 2]}', {"a": [1, 2]}),
    (TypographicQuotesJSONParser, "{\u201ca\u201d: \u201cb\u201d}", {"a": "b"}),
    (TypographicQuotesJSONParser, '{"a": "\u201cquoted\u201d"}', {"a": "\u201cquoted\u201d"}),  # valid: as it is
]


@pytest.mark.parametrize(("parser", "body", "expected"), READ)
def test_what_each_parser_reads(parser, body, expected):
    assert parse(parser, body) == expected


REFUSED = [
    (StrictJSONParser, '{"a": 1', "Expecting ',' delimiter"),
    (StrictJSONParser, deep(65), "nested more than 64 levels deep"),
    (StrictJSONParser, deep(1_000), "nested more than 64 levels deep"),
    (StrictJSONParser, deep(100_000), "nested more than 64 levels deep"),
    (StrictJSONParser, '{"a":' * 5_000 + "1" + "}" * 5_000, "nested more than 64 levels deep"),
    (StrictJSONParser, '{"a": "x\\u0000"}', "NUL"),
    (StrictJSONParser, '{"a\\u0000": "x"}', "NUL"),
    (StrictJSONParser, '"\\u0000"', "NUL"),
    (StrictJSONParser, '{"a": ["\\ud800"]}', "lone surrogates"),
    (StrictJSONParser, '{"a": "\\ude00\\ud83d"}', "lone surrogates"),  # the wrong order is no pair
    (StrictJSONParser, '{"\\uDFFF": 1}', "lone surrogates"),
    (StrictJSONParser, b'{"a": "\xff"}', "not valid utf-8"),
    (StrictJSONParser, b'{"a": "\xed\xa0\x80"}', "not valid utf-8"),  # a surrogate written in UTF-8
    (StrictJSONParser, b'{"a": "\xc0\x80"}', "not valid utf-8"),  # an overlong NUL
    (StrictJSONParser, '{"a": "x\ny"}', "Invalid control character"),
    (StrictJSONParser, "[NaN]", "NaN is not valid JSON"),
    (StrictJSONParser, "[-Infinity]", "-Infinity is not valid JSON"),
    (StrictJSONParser, "9" * 5_000, "Exceeds the limit"),
    (StrictJSONParser, "{\u201ca\u201d: 1}", "Expecting property name"),
    (ControlCharactersJSONParser, '{"a": "x\x00y"}', "NUL"),
    (ControlCharactersJSONParser, '{"a": "x\ny"', "Expecting ',' delimiter"),
    (UnclosedObjectJSONParser, '{"a": "\\u0000"', "NUL"),
    (UnclosedObjectJSONParser, '{"a": [1, 2', "Expecting ',' delimiter"),  # only the final brace
    (UnclosedObjectJSONParser, "[" * 1_000, "nested more than 64 levels deep"),
    (TypographicQuotesJSONParser, "{\u201ca\u201d: 1", "Expecting property name"),  # the body's own error
    (TypographicQuotesJSONParser, "{\u201ca\u201d: \u201c\\u0000\u201d}", "NUL"),
]


@pytest.mark.parametrize(("parser", "body", "message"), REFUSED)
def test_what_each_parser_refuses_with_a_parse_error(parser, body, message):
    with pytest.raises(ParseError) as raised:
        parse(parser, body)

    assert str(raised.value.detail).startswith("JSON parse error - ")
    assert message in str(raised.value.detail)


def test_the_content_type_charset_is_honoured_and_its_output_checked_too():
    assert parse(StrictJSONParser, '{"a": "\u00e9"}'.encode("utf-16"), "utf-16") == {"a": "\u00e9"}
    with pytest.raises(ParseError, match="lone surrogates"):  # decoded into the text, no escape left
        parse(StrictJSONParser, b'{"a": "\\ud800"}', "unicode_escape")
    with pytest.raises(ParseError, match="Unsupported charset"):
        parse(StrictJSONParser, b"{}", "bz2_codec")


def test_the_depth_limit_is_a_setting(settings):
    settings.COURSEGATE_JSON_MAX_DEPTH = 3

    assert parse(StrictJSONParser, deep(3)) == [[[]]]
    with pytest.raises(ParseError, match="nested more than 3 levels deep"):
        parse(StrictJSONParser, deep(4))


def test_a_bulk_body_of_ten_thousand_events_is_read_whole():
    events = [{"event": f"e{i}", "learnerId": "caf\u00e9", "cost": 1.5} for i in range(10_000)]

    assert parse(StrictJSONParser, json.dumps(events)) == events
