"""Malformed requests for one OpenAPI operation, built from its parameters and request schema.

Deterministic (no randomness, no hypothesis database): the same document gives the same requests.
Values start from the demo data set (demo/loading.py), so a malformed field sits in an otherwise
valid request and reaches as deep into the server as it can.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import quote, urlencode

from coursegate.demo.content import PROGRAM_UUID
from coursegate.demo.loading import (
    ASSIGNMENT_CONFIGURATION_A,
    CATALOG_A,
    CUSTOMER_A,
    DEMO_ASSIGNMENTS,
    PLAN_A,
    POLICY_A,
)

RUN = "course-v1:edX+DemoX+Demo_Course"

# Path and query parameters by name: the demo's own objects.
PARAMETERS = {
    "course_id": RUN,
    "course_run_id": RUN,
    "course_key": "edx+tr1012",
    "username": "honor",
    "configuration_uuid": ASSIGNMENT_CONFIGURATION_A,
    "policy_uuid": POLICY_A,
    "plan_uuid": PLAN_A,
    "catalog_uuid": CATALOG_A,
    "customer_uuid": CUSTOMER_A,
    "enterprise_customer_uuid": CUSTOMER_A,
    "subscription_uuid": PLAN_A,
    "program_id": PROGRAM_UUID,
}

UNKNOWN = "00000000-0000-4000-8000-000000000000"  # a required parameter the demo has no value for

# Body fields by name, where a generic value would not reach past validation.
FIELDS = {
    "course_id": RUN,
    "user": "honor",
    "username": "fuzzed",
    "email": "honor@example.com",
    "password": "edx-password-1",
    "mode": "audit",
    "identifiers": ["honor@example.com"],
    "courses": [RUN],
    "course_run_keys": [RUN],
    "learner_emails": ["honor@example.com"],
    "emails": ["honor@example.com"],
    "user_emails": ["honor@example.com"],
    "content_key": "edx+api101",
    "content_price_cents": 1000,
    "assignment_uuids": [DEMO_ASSIGNMENTS[0][0]],
    "filters": [{"user_email": "honor@example.com"}],
}

# Values that broke the server or might: NUL, lone surrogates, bytes that are not UTF-8, numbers
# beyond every column, wrong types.
TEXTS = ["\x00", "a\x00b", "\ud800", "x\udfff", "\udc00\ud800"]
NUMBERS = [10**30, -(10**30), -1, 0, 2**63, -(2**63) - 1, 1e308, -1e308, 0.5]
WRONG_TYPES = [None, True, {}, [], "", "x", 123, [[]], {"a": {"b": []}}]
RAW_VALUES = [  # path and query values, as bytes before percent-encoding
    b"\x00",
    b"a\x00b",
    "\ud800".encode("utf-8", "surrogatepass"),
    b"\xff\xfe",
    b"\xc0\x80",  # an overlong NUL
    b"9" * 40,
    b"-99999999999999999999",
    b"-1",
    b"1e309",
    b"NaN",
    b"[]",
    b"true",
    b"",
    b"x" * 3000,
    b"%00",  # decoded once by the server, once more by a view that reads %-encoded keys
    b"%ED%A0%80",
]
RAW_QUERY_VALUES = ["%zz", "%", "%e9", "%ED%A0%80", "%00"]  # sent as they are


def deep(levels: int, kind: str = "[") -> bytes:
    if kind == "[":
        return b"[" * levels + b"]" * levels
    return b'{"a":' * levels + b"1" + b"}" * levels


@dataclass(frozen=True)
class Request:
    label: str
    method: str
    path: str  # percent-encoded
    query: str = ""  # percent-encoded
    body: bytes | None = None
    content_type: str = "application/json"
    headers: dict = field(default_factory=dict)


def resolve(schema: dict, document: dict) -> dict:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        schema = document["components"]["schemas"][name]
    return schema


def example(schema: dict, document: dict, name: str = "", names: dict = FIELDS):
    """A valid-looking value for ``schema``: the value ``names`` gives a field name first."""
    if name in names:
        return names[name]
    schema = resolve(schema, document)
    if "oneOf" in schema:
        return example(schema["oneOf"][-1], document, name, names)
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        properties = schema.get("properties", {})
        return {key: example(value, document, key, names) for key, value in properties.items()}
    if kind == "array":
        return [example(schema.get("items", {}), document, "", names)]
    if kind == "integer":
        return schema.get("minimum", 1)
    if kind == "number":
        return 1.5
    if kind == "boolean":
        return True
    return {"email": "honor@example.com", "uuid": CUSTOMER_A, "date": "2024-01-01"}.get(
        schema.get("format", ""), "fuzz"
    )


def leaves(value, at=()) -> Iterator[tuple[tuple, object]]:
    """Every (path, value) of a JSON document, containers included, the root excluded."""
    children = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, child in children:
        yield (*at, key), child
        yield from leaves(child, (*at, key))


def replaced(document, at: tuple, new):
    if not at:
        return new
    copy = dict(document) if isinstance(document, dict) else list(document)
    copy[at[0]] = replaced(document[at[0]], at[1:], new)
    return copy


def dumps(value) -> bytes:
    # ensure_ascii writes lone surrogates as \\udXXX escapes, as a client's JSON library would.
    return json.dumps(value).encode()


def encode_path(template: str, values: dict[str, bytes]) -> str:
    path = template
    for name, raw in values.items():
        path = path.replace("{" + name + "}", quote(raw, safe="+:,@"))
    return path


def parameter_requests(operation, caller: str) -> Iterator[Request]:
    """Each path and query parameter in turn, malformed, the others as the demo has them."""
    method, template, spec = operation
    params = spec.get("parameters", [])
    in_path = {p["name"]: PARAMETERS.get(p["name"], "x").encode() for p in params if p["in"] == "path"}
    in_query = [p["name"] for p in params if p["in"] == "query"]
    required = {
        p["name"]: PARAMETERS.get(p["name"], UNKNOWN) for p in params if p["in"] == "query" and p.get("required")
    }
    base_query = urlencode(required)
    for name in in_path:
        for raw in RAW_VALUES:
            path = encode_path(template, {**in_path, name: raw})
            yield Request(f"{caller} path {name}={raw[:12]!r}", method, path, base_query)
    path = encode_path(template, in_path)
    for name in in_query:
        others = urlencode({k: v for k, v in required.items() if k != name})
        joiner = "&" if others else ""
        for raw in RAW_VALUES:
            yield Request(f"{caller} query {name}={raw[:12]!r}", method, path, f"{others}{joiner}{name}={quote(raw)}")
        for text in RAW_QUERY_VALUES:
            yield Request(f"{caller} query {name}={text}", method, path, f"{others}{joiner}{name}={text}")
    for header, value in [("Authorization", "Bearer a\x00b"), ("X-Request-ID", "\ud800"), ("Accept", "x\x00")]:
        yield Request(f"{caller} header {header}", method, path, base_query, headers={header: value})


def body_requests(operation, document: dict, caller: str, names: dict | None = None) -> Iterator[Request]:
    """The body: deep nesting, NUL and surrogates in every string field, numbers and wrong types in
    every field, truncated JSON, bytes that are not UTF-8; form bodies with NUL when forms are taken.
    ``names``: field values beyond ``FIELDS`` (an OAuth client's real credentials)."""
    method, template, spec = operation
    content = spec.get("requestBody", {}).get("content", {})
    if not content:
        return
    params = spec.get("parameters", [])
    path = encode_path(
        template, {p["name"]: PARAMETERS.get(p["name"], "x").encode() for p in params if p["in"] == "path"}
    )
    query = urlencode(
        {p["name"]: PARAMETERS.get(p["name"], UNKNOWN) for p in params if p["in"] == "query" and p.get("required")}
    )
    entry = next(iter(content.values()))
    base = example(entry.get("schema", {}), document, names={**FIELDS, **(names or {})})

    def request(label: str, body: bytes, content_type: str = "application/json") -> Request:
        return Request(f"{caller} body {label}", method, path, query, body, content_type)

    if "application/json" in content:
        yield from _json_bodies(base, request)
    for form in ("application/x-www-form-urlencoded", "multipart/form-data"):
        if form in content:
            yield from _form_bodies(base, form, request)


def _json_bodies(base, request) -> Iterator[Request]:
    text = dumps(base)
    for levels in (1_000, 100_000):
        yield request(f"[ x {levels}", deep(levels))
        yield request(f"{{ x {levels}", deep(levels, "{"))
    first = next(iter(base), None) if isinstance(base, dict) else None
    if first is not None:
        marker = dumps(replaced(base, (first,), "__DEEP__"))
        yield request(f"{first}: [ x 1000", marker.replace(b'"__DEEP__"', deep(1_000)))
        yield request(f"{first}: not UTF-8", marker.replace(b'"__DEEP__"', b'"\xff\xfe"'))
        yield request(f"{first}: CESU surrogate", marker.replace(b'"__DEEP__"', b'"\xed\xa0\x80"'))
        yield request(f"{first}: raw NUL", marker.replace(b'"__DEEP__"', b'"a\x00b"'))
        yield request(f"{first}: NaN", marker.replace(b'"__DEEP__"', b"NaN"))
        yield request(f"{first}: 5000 digits", marker.replace(b'"__DEEP__"', b"9" * 5000))
        yield request("NUL key", dumps({"\x00": 1, **base}))
        yield request("surrogate key", dumps({"\ud800": 1, **base}))
    yield request("truncated by one byte", text[:-1])
    yield request("truncated in half", text[: len(text) // 2])
    yield request("BOM", b"\xef\xbb\xbf" + text)
    for top in (b"null", b"[]", b"{}", b"1", b'"x"', b"true", b"not json", b"\xff"):
        yield request(f"top-level {top!r}", top)
    yield request("charset=utf-16", text, "application/json; charset=utf-16")
    yield request("charset=unicode_escape", b'{"a": "\\x00 \\ud800"}', "application/json; charset=unicode_escape")
    for at, value in leaves(base):
        bad = [*TEXTS, *NUMBERS, *WRONG_TYPES] if isinstance(value, str) else [*NUMBERS, *WRONG_TYPES, *TEXTS[:3]]
        for new in bad:
            yield request(f"{'.'.join(map(str, at))}={new!r:.20}", dumps(replaced(base, at, new)))


def _form_bodies(base, form: str, request) -> Iterator[Request]:
    if not isinstance(base, dict):
        return
    flat = {key: value if isinstance(value, str) else json.dumps(value) for key, value in base.items()}
    for key in flat:
        for raw in (b"a\x00b", "\ud800".encode("utf-8", "surrogatepass"), b"\xff"):
            if form == "multipart/form-data":
                yield request(f"multipart {key}={raw!r}", _multipart({**flat, key: raw}), f"{form}; boundary=FUZZ")
            else:
                fields = {k: (v.encode() if isinstance(v, str) else v) for k, v in {**flat, key: raw}.items()}
                yield request(f"form {key}={raw!r}", urlencode(fields).encode(), form)
    if form != "multipart/form-data":
        yield request("form %zz", b"a=%zz&b=%", form)


def _multipart(fields: dict) -> bytes:
    parts = []
    for key, value in fields.items():
        raw = value.encode() if isinstance(value, str) else value
        parts.append(b'--FUZZ\r\nContent-Disposition: form-data; name="' + key.encode() + b'"\r\n\r\n' + raw + b"\r\n")
    parts.append(b'--FUZZ\r\nContent-Disposition: form-data; name="f"; filename="a\x00.txt"\r\n\r\nx\r\n')
    return b"".join(parts) + b"--FUZZ--\r\n"
