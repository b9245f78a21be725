"""drf-spectacular description of the shared authentication (loaded by CoreConfig.ready)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "coursegate.core.authentication.TokenAuthentication"
    name = ["bearer", "jwt"]

    def get_security_definition(self, auto_schema):
        return [
            {
                "type": "http",
                "scheme": "bearer",
                "description": "`Authorization: Bearer <token>`: opaque token or JWT from POST /oauth2/access_token",
            },
            {
                "type": "apiKey",
                "in": "header",
                "name": "Authorization",
                "description": "`Authorization: JWT <jwt>`, as edx-rest-api-client sends it",
            },
        ]
