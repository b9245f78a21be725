"""The OpenAPI document's shared parts (drf-spectacular; wired by coursegate/openapi_settings.py).

- ``TokenAuthenticationScheme``: the three ways to present a token (OAuth2 client credentials at
  /oauth2/access_token, ``Authorization: Bearer``, ``Authorization: JWT``); loaded by CoreConfig.ready.
- ``FamilySchemaGenerator`` gives every view a ``FamilyResponses`` schema: the answers every
  operation of a family can give whatever its view says (401, 403, 429, 404, 400 in the family's
  error shape; on POST the ``Idempotency-Key`` header and its 409/422), one tag per family.
- Postprocessing hooks: the error components, a summary on every operation (the table is
  ``SUMMARIES`` in coursegate/openapi_settings.py) and the OAuth2 endpoints, plain Django views.

Families are told apart by their URL prefix: core imports no API family.
"""

from __future__ import annotations

from dataclasses import dataclass

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.openapi import AutoSchema

TOKEN_URL = "/oauth2/access_token"


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "coursegate.core.authentication.TokenAuthentication"
    name = ["oauth2", "bearer", "jwt"]

    def get_security_definition(self, auto_schema):
        return [
            {
                "type": "oauth2",
                "description": "The client credentials grant of POST /oauth2/access_token (Swagger UI fetches "
                "the token). The token acts as the user who owns the OAuth application.",
                "flows": {"clientCredentials": {"tokenUrl": TOKEN_URL, "scopes": {}}},
            },
            {
                "type": "http",
                "scheme": "bearer",
                "description": "An opaque token or a JWT from POST /oauth2/access_token, sent as "
                "`Authorization: Bearer <token>`.",
            },
            {
                "type": "apiKey",
                "in": "header",
                "name": "Authorization",
                "description": "A JWT as edx-rest-api-client sends it: the value is `JWT <jwt>` "
                "(ask POST /oauth2/access_token with token_type=jwt).",
            },
        ]

    def get_security_requirement(self, auto_schema):
        return [{name: []} for name in self.name]


# --- The families and their error shapes ---------------------------------------------------------


@dataclass(frozen=True)
class Family:
    prefix: str
    tag: str
    bad_request: str  # the component naming the family's 400 body
    # Statuses answered with an empty body by some operation of the family: declared without content.
    empty: frozenset[int] = frozenset()


FAMILIES = (
    Family("/api/enrollment/", "Enrollment", "EdxError", frozenset({404})),
    Family("/appsembler_api/", "Appsembler", "AppsemblerError"),
    Family("/api/jitterbit/", "Jitterbit", "FieldErrors"),
    Family("/enterprise/", "Enterprise", "EnterpriseError", frozenset({404})),
    Family("/api/events/", "Apprenticeship events", "EventsError"),
    Family("/api/HealthCheck", "Apprenticeship events", "EventsError"),
    Family("/api/webhooks/", "Webhooks", "FieldErrors"),
)


def family_of(path: str) -> Family | None:
    return next((family for family in FAMILIES if path.startswith(family.prefix)), None)


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


_DETAIL = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
    "additionalProperties": True,
}
ERROR_COMPONENTS = {
    "Detail": {**_DETAIL, "description": 'DRF\'s error body, e.g. {"detail": "Invalid Token."}.'},
    "FieldErrors": {
        "type": "object",
        "description": 'Input errors by field: {"field": ["This field is required."]}.',
        "additionalProperties": {},
    },
    "EdxError": {
        "type": "object",
        "description": 'The Enrollment API\'s errors: {"message": ...} (with "error_code" or "course_details" '
        'for some), or input errors by field; authentication and permission keep {"detail": ...}.',
        "properties": {
            "message": {"type": "string"},
            "error_code": {"type": "string"},
            "course_details": {"type": "object", "additionalProperties": {}},
            "detail": {"type": "string"},
        },
        "additionalProperties": {},
    },
    "AppsemblerError": {
        "type": "object",
        "description": 'Appsembler\'s errors: {"user_message", "field_errors"} (accounts), {"success": "false", '
        '"reason"} (enrollment codes), {"detail"}, or input errors by field.',
        "properties": {
            "user_message": {"type": "string"},
            "field_errors": {"type": "object", "additionalProperties": {}},
            "success": {"type": "string", "enum": ["false"]},
            "reason": {"type": "string"},
            "detail": {"type": "string"},
        },
        "additionalProperties": {},
    },
    "EnterpriseError": {
        "description": 'The Enterprise API\'s errors: {"detail": ...}, input errors by field, or a list '
        "(per-item reasons of a refused allocation or redemption); XML by default, JSON on request.",
        "oneOf": [
            {"type": "object", "additionalProperties": {}},
            {"type": "array", "items": {}},
        ],
    },
    "EventsError": {
        "description": "Input errors by field, or for a bulk request a list with one such map per event.",
        "oneOf": [
            {"type": "object", "additionalProperties": {}},
            {"type": "array", "items": {"type": "object", "additionalProperties": {}}},
        ],
    },
}

_GENERIC = {
    400: "Bad request: the family's input error body.",
    401: 'No credentials ({"detail": "Authentication credentials were not provided."}) or an unknown, '
    'expired, revoked or badly signed token ({"detail": "Invalid Token."}).',
    403: 'Authenticated but not allowed ({"detail": "You do not have permission to perform this action."}).',
    404: "Not found: an unknown object (or an answer the family gives with an empty body).",
    429: 'Throttled ({"detail": "Request was throttled. Expected available in N seconds."}); see Retry-After.',
}
_URI_TOO_LONG = "The request line is longer than the server's limit (gunicorn: 4094 bytes); an HTML body."
_ALWAYS_A_BODY = {401, 403, 429}  # DRF's {"detail"}: filled in where a view declared the status without one

IDEMPOTENCY_HEADER = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Makes the POST safe to retry: a retry with the same key and request replays the first "
    "answer (header Idempotent-Replayed: true) without running again. 1 to 255 printable ASCII characters.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[\\x21-\\x7E][\\x20-\\x7E]*$"},
}
_IDEMPOTENCY_ANSWERS = {
    409: "Idempotency-Key: a request with the same key is still running; retry later.",
    422: "Idempotency-Key: the key was used with a different request (method, path, query or body).",
}
REPLAYED_HEADER = {
    "Idempotent-Replayed": {
        "description": "`true` when this is the stored answer of an earlier request with the same Idempotency-Key.",
        "schema": {"type": "string", "enum": ["true"]},
    }
}


# The server refuses a NUL character anywhere in a query string (400): a free string parameter
# says so, so that the document's strings are the ones the server takes.
NO_NUL = "^[^\\x00]*$"


def _no_nul(schema: dict) -> None:
    """Give a free string (or the free strings of an array or object schema) the NO_NUL pattern."""
    if not isinstance(schema, dict):
        return
    if schema.get("type") == "string" and not ({"pattern", "format", "enum"} & schema.keys()):
        schema["pattern"] = NO_NUL
    _no_nul(schema.get("items"))
    for value in (schema.get("properties") or {}).values():
        _no_nul(value)


def _default_in_enum(schema: dict) -> None:
    """A flag parsed from text (``false``) may carry its parsed default (False): say it as text."""
    if "enum" in schema and "default" in schema and schema["default"] not in schema["enum"]:
        text = str(schema["default"]).lower()
        if text in schema["enum"]:
            schema["default"] = text
        else:
            del schema["default"]


def _ask_for_json(operation: dict) -> None:
    """The Enterprise family answers XML unless asked for JSON (seed 003), and a generated client
    cannot ask through Accept: the document's ``format`` defaults to json, so that such clients
    send ``format=json`` and read JSON. Without it (and without Accept: application/json) the answer is XML."""
    ok = operation["responses"].get("200") or operation["responses"].get("201") or {}
    if "application/json" not in ok.get("content", {}):
        return
    for parameter in operation.get("parameters", []):
        schema = parameter.get("schema") or {}
        if parameter.get("name") == "format" and "json" in schema.get("enum", []):
            schema["default"] = "json"
            parameter["description"] = (
                "json (the default of generated clients) or xml; without it the answer is XML unless "
                "the Accept header asks for application/json"
            )


class FamilyResponses:
    """Mixed before a view's AutoSchema by FamilySchemaGenerator (a view's own declarations win)."""

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)  # type: ignore[misc]
        family = family_of(path)
        if operation is None or family is None:
            return operation
        operation["tags"] = [family.tag]
        for parameter in operation.get("parameters", []):
            if parameter.get("in") == "query":
                _no_nul(parameter.get("schema"))
                if family.tag == "Enterprise" and (parameter.get("schema") or {}).get("minLength") == 1:
                    # The Enterprise queries read an empty value as "not given" (seed 003's clients send them).
                    del parameter["schema"]["minLength"]
                _default_in_enum(parameter.get("schema") or {})
        media_types = [
            media_type
            for media_type in self.map_renderers("media_type")  # type: ignore[attr-defined]
            if media_type in ("application/json", "application/xml")
        ] or ["application/json"]
        responses = operation.setdefault("responses", {})
        generic = dict(_GENERIC)
        if method == "GET":
            generic[414] = _URI_TOO_LONG
        if method == "POST":
            operation.setdefault("parameters", []).append(IDEMPOTENCY_HEADER)
            generic.update(_IDEMPOTENCY_ANSWERS)
            for status, answer in responses.items():
                if str(status).startswith("2"):
                    answer.setdefault("headers", {}).update(REPLAYED_HEADER)
        for status, description in generic.items():
            if str(status) not in responses:
                responses[str(status)] = {"description": description}
        for status, declared in responses.items():
            code = int(status)
            if code < 400 or code == 414 or declared.get("content"):
                continue
            if code in family.empty and code not in _ALWAYS_A_BODY:
                continue
            name = "Detail" if code in _ALWAYS_A_BODY else family.bad_request
            declared["content"] = {media_type: {"schema": _ref(name)} for media_type in media_types}
        operation["responses"] = dict(sorted(responses.items()))
        if "application/xml" in media_types:
            _ask_for_json(operation)
        return operation


class FamilySchemaGenerator(SchemaGenerator):
    """drf-spectacular's generator, giving every view's schema the FamilyResponses behaviour."""

    def create_view(self, callback, method, request=None):
        view = super().create_view(callback, method, request)
        schema = getattr(view, "schema", None)
        if isinstance(schema, AutoSchema) and not isinstance(schema, FamilyResponses):
            cls = schema.__class__
            self._set_schema_to_view(view, type(f"Family{cls.__name__}", (FamilyResponses, cls), {})())
        return view


def add_error_components(result, generator, request, public):
    """drf-spectacular postprocessing hook: the error bodies FamilyResponses refers to; request
    bodies' free strings refuse NUL as the parsers do (core/parsers.py)."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    for name, schema in schemas.items():
        if name.endswith("Request"):
            _no_nul(schema)
    schemas.update(ERROR_COMPONENTS)
    return result


def add_summaries(result, generator, request, public):
    """drf-spectacular postprocessing hook: a summary on every operation (SUMMARIES by
    "METHOD path"; else the first line of the view's description)."""
    from coursegate.openapi_settings import SUMMARIES

    for path, operations in result["paths"].items():
        for method, operation in operations.items():
            summary = SUMMARIES.get(f"{method.upper()} {path}")
            if summary:
                operation["summary"] = summary
            elif not operation.get("summary"):
                first = (operation.get("description") or f"{method.upper()} {path}").strip().splitlines()[0]
                operation["summary"] = first[:120]
    return result
