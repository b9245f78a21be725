"""drf-spectacular description of the shared authentication (loaded by CoreConfig.ready)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "coursegate.core.authentication.TokenAuthentication"
    name = "bearer"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An opaque token or a JWT from POST /oauth2/access_token. JWTs are also accepted "
            "as `Authorization: JWT <jwt>` (what edx-rest-api-client sends).",
        }


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


def add_oauth_paths(result, generator, request, public):
    """drf-spectacular postprocessing hook: the OAuth2 endpoints are plain Django views."""
    oauth = {"tags": ["oauth2"], "security": []}
    result["paths"]["/oauth2/access_token"] = {
        "post": {
            **oauth,
            "operationId": "oauth2_access_token",
            "summary": "Issue an access token (also /oauth2/v1/access_token and /oauth2/token/)",
            "requestBody": _form(_TOKEN_FORM, ["grant_type"]),
            "responses": {
                "200": {"description": "Token", "content": {"application/json": {"schema": _TOKEN_ANSWER}}},
                "400": {"description": "RFC 6749 error: invalid_grant, unsupported_grant_type, ..."},
                "401": {"description": "invalid_client"},
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
            "responses": {"200": {"description": "Revoked (or unknown)"}, "401": {"description": "invalid_client"}},
        }
    }
    result["paths"]["/oauth2/introspect/"] = {
        "post": {
            **oauth,
            "operationId": "oauth2_introspect",
            "summary": "Introspect a token (RFC 7662)",
            "requestBody": token_form,
            "responses": {
                "200": {"description": '{"active": true, "username", "client_id", "scope", "exp"}'},
                "401": {"description": "invalid_client"},
            },
        }
    }
    return result
