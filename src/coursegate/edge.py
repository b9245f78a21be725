"""Settings for a server on the internet, read from the environment: HTTPS, cookies, CORS and
proxies (settings.py applies them; ``.env.example`` and docs/deployment.md list them).

The defaults suit `make run` on a laptop (plain HTTP on 127.0.0.1). Behind a TLS-terminating proxy
in production, set at least COURSEGATE_SECURE_COOKIES, COURSEGATE_SSL_REDIRECT and
COURSEGATE_HSTS_SECONDS, and name the proxy in COURSEGATE_FORWARDED_ALLOW_IPS (gunicorn then trusts
its ``X-Forwarded-Proto``, and only its) and COURSEGATE_NUM_PROXIES (how many proxies append to
``X-Forwarded-For``, for the per-address throttles).
"""

from __future__ import annotations

from coursegate.envconf import env_flag, env_int, env_str


def _list(name: str) -> list[str]:
    return [item.strip() for item in env_str(name, "").split(",") if item.strip()]


def edge_settings(debug: bool) -> dict[str, object]:
    secure_cookies = env_flag("COURSEGATE_SECURE_COOKIES", False)
    hsts_seconds = env_int("COURSEGATE_HSTS_SECONDS", 0)
    return {
        # Cookies (the admin's session and CSRF cookies; the APIs use tokens): HTTPS only when set.
        "SESSION_COOKIE_SECURE": secure_cookies,
        "CSRF_COOKIE_SECURE": secure_cookies,
        "SESSION_COOKIE_HTTPONLY": True,
        "CSRF_COOKIE_HTTPONLY": not debug,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # Origins the admin's forms may be posted from when served over HTTPS behind a proxy
        # (e.g. https://coursegate.example.org).
        "CSRF_TRUSTED_ORIGINS": _list("COURSEGATE_CSRF_TRUSTED_ORIGINS"),
        # HTTPS: redirect plain HTTP (except the health checks load balancers call on the private
        # side), and Strict-Transport-Security once the site is known to work over HTTPS.
        "SECURE_SSL_REDIRECT": env_flag("COURSEGATE_SSL_REDIRECT", False),
        "SECURE_REDIRECT_EXEMPT": [r"^health(/ready)?/?$", r"^metrics/?$"],
        "SECURE_HSTS_SECONDS": hsts_seconds,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": env_flag("COURSEGATE_HSTS_INCLUDE_SUBDOMAINS", False),
        "SECURE_HSTS_PRELOAD": env_flag("COURSEGATE_HSTS_PRELOAD", False),
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
        "SECURE_REFERRER_POLICY": "same-origin",
        # Browser clients on other origins (a learner portal, an admin portal): django-cors-headers.
        # Only the listed origins (scheme://host[:port]) get CORS headers; none by default.
        "CORS_ALLOWED_ORIGINS": _list("COURSEGATE_CORS_ALLOWED_ORIGINS"),
        "CORS_ALLOW_CREDENTIALS": False,
        "CORS_EXPOSE_HEADERS": ["X-Request-ID", "Retry-After", "Server-Timing", "Content-Disposition"],
        "CORS_ALLOW_HEADERS": [
            "accept",
            "authorization",
            "content-type",
            "x-request-id",
            "x-token-type",
            "use-jwt-cookie",
        ],  # fmt: skip
        "CORS_PREFLIGHT_MAX_AGE": 3600,
    }


def num_proxies() -> int:
    """Proxies in front of gunicorn that append to X-Forwarded-For. DRF's default (None) would
    take a client's own X-Forwarded-For as its address, letting it dodge the per-address
    throttles; 0 (the default here) uses the peer address."""
    return env_int("COURSEGATE_NUM_PROXIES", 0)
