"""Comparing a command's output with the output block of the document (the notation of docs/README.md).

Placeholders, usable in JSON strings, text, CSV and XML lines:

``...``      any characters (also none); a JSON value ``"..."`` is any value of any type; a text,
             CSV or XML line that is only ``...`` is any number of lines (also none); a last
             array element ``"..."`` is any number of further elements; an object key ``"..."``
             allows further keys
``<uuid>``   a UUID              ``<int>``    a whole number (a JSON number or digits)
``<time>``   an ISO 8601 date or date and time
``<token>``  a token or secret: letters, digits and ``-._~+/=``

JSON is compared structurally (key order free, numbers by value); text line by line with trailing
spaces ignored; XML after both sides are indented the same way, with ``...`` its only placeholder
(``<uuid>`` is an element there).
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from typing import Any

ANY = "..."
PLACEHOLDERS = {
    "...": r".*?",
    "<uuid>": r"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}",
    "<int>": r"-?\d+",
    "<time>": r"\d{4}-\d\d-\d\d(?:[T ]\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:?\d\d)?)?",
    "<token>": r"[A-Za-z0-9\-._~+/=]+",
}
_SPLIT = re.compile("(" + "|".join(re.escape(p) for p in PLACEHOLDERS) + ")")
_SPLIT_XML = re.compile(r"(\.\.\.)")  # in XML, <uuid> is an element: only ... is a placeholder


class Mismatch(AssertionError):
    pass


def pattern(expected: str, *, xml: bool = False) -> re.Pattern[str]:
    known = {ANY: PLACEHOLDERS[ANY]} if xml else PLACEHOLDERS
    parts = [known.get(part, re.escape(part)) for part in (_SPLIT_XML if xml else _SPLIT).split(expected)]
    return re.compile("".join(parts), re.DOTALL)


def string_matches(expected: str, actual: str, *, xml: bool = False) -> bool:
    return pattern(expected, xml=xml).fullmatch(actual) is not None


# JSON ------------------------------------------------------------------------------------------


def json_values(text: str) -> list[Any]:
    """The JSON values of ``text``, one after another (several commands print several)."""
    decoder = json.JSONDecoder()
    values, index = [], 0
    while True:
        while index < len(text) and text[index].isspace():
            index += 1
        if index == len(text):
            return values
        try:
            value, index = decoder.raw_decode(text, index)
        except json.JSONDecodeError as exc:
            raise Mismatch(f"not JSON from character {index}: {text[index : index + 80]!r} ({exc.msg})") from None
        values.append(value)


def compare_json(expected_text: str, actual_text: str) -> None:
    try:
        expected = json_values(expected_text)
    except Mismatch as exc:
        raise Mismatch(f"the document's JSON block is not JSON: {exc}") from None
    actual = json_values(actual_text)
    if len(expected) != len(actual):
        raise Mismatch(f"{len(actual)} JSON value(s) printed, the document shows {len(expected)}")
    for index, (want, got) in enumerate(zip(expected, actual, strict=True)):
        match_json(want, got, f"value {index + 1}: $" if len(expected) > 1 else "$")


def match_json(expected: Any, actual: Any, path: str = "$") -> None:
    if expected == ANY:
        return
    if isinstance(expected, str) and _SPLIT.search(expected):
        if isinstance(actual, bool) or not isinstance(actual, str | int | float):
            raise Mismatch(f"{path}: expected {expected!r}, got {json.dumps(actual)}")
        if not string_matches(expected, actual if isinstance(actual, str) else json.dumps(actual)):
            raise Mismatch(f"{path}: expected {expected!r}, got {json.dumps(actual)}")
        return
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            raise Mismatch(f"{path}: expected an object, got {json.dumps(actual)[:200]}")
        open_ended = ANY in expected
        missing = [key for key in expected if key != ANY and key not in actual]
        extra = [key for key in actual if key not in expected]
        if missing:
            raise Mismatch(f"{path}: missing key(s) {missing}")
        if extra and not open_ended:
            raise Mismatch(f"{path}: unexpected key(s) {extra}")
        for key, value in expected.items():
            if key != ANY:
                match_json(value, actual[key], f"{path}.{key}")
        return
    if isinstance(expected, list):
        if not isinstance(actual, list):
            raise Mismatch(f"{path}: expected an array, got {json.dumps(actual)[:200]}")
        open_ended = bool(expected) and expected[-1] == ANY
        head = expected[:-1] if open_ended else expected
        if len(actual) < len(head) or (not open_ended and len(actual) != len(head)):
            raise Mismatch(f"{path}: expected {len(head)}{'+' if open_ended else ''} element(s), got {len(actual)}")
        for index, value in enumerate(head):
            match_json(value, actual[index], f"{path}[{index}]")
        return
    same_type = isinstance(expected, bool) == isinstance(actual, bool)
    if not same_type or expected != actual or (expected is None) != (actual is None):
        raise Mismatch(f"{path}: expected {json.dumps(expected)}, got {json.dumps(actual)[:200]}")


# Text, CSV, XML ----------------------------------------------------------------------------------


def _lines(text: str) -> list[str]:
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    return lines


def compare_text(expected_text: str, actual_text: str, *, xml: bool = False) -> None:
    expected, actual = _lines(expected_text), _lines(actual_text)
    if xml:  # indentation is the printer's, not the server's
        expected, actual = [line.strip() for line in expected], [line.strip() for line in actual]
    if not _match_lines(expected, actual, {}, xml):
        first = _first_difference(expected, actual, xml)
        raise Mismatch(f"the output differs from the document{first}")


def _match_lines(expected: list[str], actual: list[str], seen: dict[tuple[int, int], bool], xml: bool) -> bool:
    key = (len(expected), len(actual))
    if key in seen:
        return seen[key]
    if not expected:
        result = not actual
    elif expected[0].strip() == ANY:
        result = any(_match_lines(expected[1:], actual[skip:], seen, xml) for skip in range(len(actual) + 1))
    else:
        head = bool(actual) and string_matches(expected[0], actual[0], xml=xml)
        result = head and _match_lines(expected[1:], actual[1:], seen, xml)
    seen[key] = result
    return result


def _first_difference(expected: list[str], actual: list[str], xml: bool) -> str:
    for number, (want, got) in enumerate(zip(expected, actual, strict=False), start=1):
        if want.strip() == ANY:
            return ""
        if not string_matches(want, got, xml=xml):
            return f" at line {number}: expected {want!r}, got {got!r}"
    if len(expected) != len(actual):
        return f": {len(actual)} line(s) printed, the document shows {len(expected)}"
    return ""


_EMPTY_ELEMENT = re.compile(r"<([A-Za-z_][\w.\-]*)([^<>]*?)></\1>")  # <next></next> is <next />
_DECLARATION = re.compile(r"^<\?xml[^>]*\?>")


def _indented_xml(text: str) -> str:
    element = ET.fromstring(text.strip().encode())
    ET.indent(element)
    return ET.tostring(element, encoding="unicode")


def compare_xml(expected_text: str, actual_text: str) -> None:
    expected_text = _DECLARATION.sub("", expected_text.strip(), count=1)
    try:
        actual = _indented_xml(actual_text)
    except ET.ParseError as exc:
        raise Mismatch(f"the output is not XML ({exc})") from None
    try:
        has_gaps = any(line.strip() == ANY for line in expected_text.splitlines())
        expected = expected_text if has_gaps else _indented_xml(expected_text)
    except ET.ParseError:
        expected = expected_text
    compare_text(_EMPTY_ELEMENT.sub(r"<\1\2 />", expected), actual, xml=True)


def compare(language: str, expected: str, actual: str) -> None:
    """Raise Mismatch when ``actual`` does not answer the output block ``expected``."""
    if language == "json":
        compare_json(expected, actual)
    elif language == "xml":
        compare_xml(expected, actual)
    else:
        compare_text(expected, actual)
