"""drf-spectacular's settings for the OpenAPI document at /api/schema/ (settings.py applies them)."""

from __future__ import annotations


def spectacular_settings(version: str) -> dict:
    return {
        "TITLE": "Coursegate API",
        "DESCRIPTION": (
            "One server for the Open edX Enrollment API, the Appsembler and Jitterbit APIs, the edX "
            "Enterprise API and the Apprenticeship Events API. Obtain a token at POST /oauth2/access_token "
            "and send it as `Authorization: Bearer <token>` or `Authorization: JWT <jwt>`."
        ),
        "VERSION": version,
        "SERVE_INCLUDE_SCHEMA": False,
        # Swagger UI and ReDoc assets are served by this server (no CDN needed).
        "SWAGGER_UI_DIST": "SIDECAR",
        "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
        "REDOC_DIST": "SIDECAR",
        "POSTPROCESSING_HOOKS": [
            "drf_spectacular.hooks.postprocess_schema_enums",
            "coursegate.core.schema.add_oauth_paths",
        ],
        "COMPONENT_SPLIT_REQUEST": True,
    }
