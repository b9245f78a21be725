"""The OAuth2 endpoints in the OpenAPI document (issue 15): they are plain Django views
(core/oauth.py), which drf-spectacular does not see, so a postprocessing hook states them, with
the RFC 6749 error body of their 400 and 401 answers."""

from __future__ import annotations


def _form(properties: dict, required: list[str]) -> dict:
    return {
        "required": True,
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {"type": "object", "properties": properties, "required": required}
            }
        },
    }


_TOKEN_FORM = {
    "grant_type": {"type": "string", "enum": ["client_credentials", "password"]},
    "client_id": {"type": "string", "description": "Or HTTP Basic"},
    "client_secret": {"type": "string", "description": "Or HTTP Basic"},
    "username": {"type": "string", "description": "password grant"},
    "password": {"type": "string", "description": "password grant"},
    "token_type": {"type": "string", "enum": ["jwt"], "description": "Answer a JWT (token_type JWT)"},
}
_TOKEN_ANSWER = {
    "type": "object",
    "properties": {
        "access_token": {"type": "string"},
        "token_type": {"type": "string", "enum": ["Bearer", "JWT"]},
        "expires_in": {"type": "integer"},
        "scope": {"type": "string"},
        "refresh_token": {"type": "string"},
    },
}


_OAUTH_ERROR = {
    "type": "object",
    "description": "An RFC 6749 §5.2 error",
    "properties": {
        "error": {
            "type": "string",
            "enum": [
                "invalid_request", "invalid_client", "invalid_grant", "unauthorized_client",
                "unsupported_grant_type", "invalid_scope",
            ],
        },
        "error_description": {"type": "string"},
    },
    "required": ["error"],
}  # fmt: skip
_INTROSPECTION = {
    "type": "object",
    "description": "RFC 7662: only `active` (false) for a token that is unknown, expired, revoked or not the "
    "caller's to see",
    "properties": {
        "active": {"type": "boolean"},
        "scope": {"type": "string"},
        "client_id": {"type": "string", "nullable": True},
        "username": {"type": "string"},
        "token_type": {"type": "string", "enum": ["Bearer"]},
        "exp": {"type": "integer"},
        "iat": {"type": "integer"},
    },
    "required": ["active"],
}


def _oauth_error(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": _OAUTH_ERROR}}}


def add_oauth_paths(result, generator, request, public):
    """drf-spectacular postprocessing hook: the OAuth2 endpoints are plain Django views."""
    oauth = {"tags": ["OAuth2"], "security": []}
    result["paths"]["/oauth2/access_token"] = {
        "post": {
            **oauth,
            "operationId": "oauth2_access_token",
            "summary": "Issue an access token (also /oauth2/v1/access_token and /oauth2/token/)",
            "requestBody": _form(_TOKEN_FORM, ["grant_type"]),
            "responses": {
                "200": {"description": "Token", "content": {"application/json": {"schema": _TOKEN_ANSWER}}},
                "400": _oauth_error("invalid_request, invalid_grant, unsupported_grant_type, invalid_scope, ..."),
                "401": _oauth_error("invalid_client: unknown client or wrong secret"),
            },
        }
    }
    token_form = _form(
        {"token": {"type": "string"}, **{k: _TOKEN_FORM[k] for k in ("client_id", "client_secret")}}, ["token"]
    )
    result["paths"]["/oauth2/revoke_token/"] = {
        "post": {
            **oauth,
            "operationId": "oauth2_revoke_token",
            "summary": "Revoke a token (RFC 7009)",
            "requestBody": token_form,
            "responses": {
                "200": {"description": "Revoked (or unknown): an empty body"},
                "400": _oauth_error("invalid_request: no token parameter"),
                "401": _oauth_error("invalid_client"),
            },
        }
    }
    result["paths"]["/oauth2/introspect/"] = {
        "post": {
            **oauth,
            "operationId": "oauth2_introspect",
            "summary": "Introspect a token (RFC 7662)",
            "requestBody": token_form,
            "responses": {
                "200": {
                    "description": "The token's state",
                    "content": {"application/json": {"schema": _INTROSPECTION}},
                },
                "401": _oauth_error("invalid_client"),
            },
        }
    }
    return result
