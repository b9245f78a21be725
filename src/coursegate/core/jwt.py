"""JSON Web Tokens: the ones this server issues (Open edX claim set, HS256) and the ones it
accepts (its own, plus those of the issuers in COURSEGATE_TRUSTED_JWT_ISSUERS).

Claims follow edx-platform's ``_create_jwt`` as consumed by edx-drf-extensions
(reference/events_and_clients.md §2.4).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from dataclasses import dataclass

import jwt
from django.conf import settings


class TokenInvalid(Exception):
    """The JWT is malformed, badly signed, expired, or from an issuer we do not trust."""


@dataclass(frozen=True)
class _Issuer:
    issuer: str
    audiences: list[str]
    key: str
    algorithms: list[str]
    own: bool


def looks_like_jwt(token: str) -> bool:
    return token.count(".") == 2


# The ids of access-token rows (a BigAutoField) stay far below 10**18 < 2**63: a longer ``jti``
# names no row, and neither SQLite nor PostgreSQL would take it as a parameter.
_JTI_MAX_DIGITS = 18


def token_id(claims: dict) -> int | None:
    """The primary key of the access-token row our JWT names in ``jti``, or None when ``jti`` is
    not written as this server writes it: a string of ASCII digits, no sign, no leading zero, at
    most 18 of them. ``str.isdigit`` alone also passes ``"²"`` and ``"٣"`` (one of which ``int()``
    refuses), and an unbounded number overflows the database's integer."""
    jti = claims.get("jti")
    if not isinstance(jti, str) or not 0 < len(jti) <= _JTI_MAX_DIGITS:
        return None
    if not (jti.isascii() and jti.isdigit()) or jti[0] == "0":
        return None
    return int(jti)


def anonymous_user_id(user) -> str:
    """A stable, opaque per-user subject (``sub``) that does not reveal the numeric id."""
    return hmac.new(settings.SECRET_KEY.encode(), f"sub:{user.pk}".encode(), hashlib.sha256).hexdigest()[:32]


def jwt_encode_for(user, *, scopes: list[str], expires_in: int, grant_type: str, jti: str | None = None) -> str:
    """Mint a JWT for ``user`` as Open edX does; ``roles`` carries the user's role assignments."""
    now = int(time.time())
    profile_name = getattr(getattr(user, "profile", None), "name", "") or user.get_full_name()
    claims = {
        "iss": settings.JWT_ISSUER,
        "aud": settings.JWT_AUDIENCE,
        "iat": now,
        "exp": now + int(expires_in),
        "sub": anonymous_user_id(user),
        "preferred_username": user.username,
        "email": user.email,
        "email_verified": True,
        "name": profile_name,
        "administrator": bool(user.is_staff),
        "superuser": bool(user.is_superuser),
        "user_id": user.pk,
        "scopes": list(scopes),
        "filters": ["user:me"],
        "is_restricted": False,
        "version": settings.JWT_VERSION,
        "grant_type": grant_type,
        "roles": user.role_claims(),  # AUTH_USER_MODEL's interface (accounts.User)
    }
    if jti is not None:
        claims["jti"] = str(jti)
    return jwt.encode(claims, settings.JWT_SECRET, algorithm="HS256")


def _issuers() -> dict[str, _Issuer]:
    issuers = {
        settings.JWT_ISSUER: _Issuer(settings.JWT_ISSUER, [settings.JWT_AUDIENCE], settings.JWT_SECRET, ["HS256"], True)
    }
    for item in settings.JWT_TRUSTED_ISSUERS:
        if "public_key" in item:
            key, algorithms = item["public_key"], ["RS256", "RS512"]
        else:
            key, algorithms = item["secret"], ["HS256"]
        issuers.setdefault(item["issuer"], _Issuer(item["issuer"], item["audience"], key, algorithms, False))
    return issuers


def jwt_decode(token: str) -> tuple[dict, bool]:
    """Verify a JWT; return (claims, issued_by_us). Raise TokenInvalid on any failure.

    The issuer is read from the unverified payload only to pick the key; the signature (with that
    issuer's algorithms only), ``exp``, ``iat``, ``iss`` and ``aud`` are then all verified with
    that issuer's settings by PyJWT, which parses the token once more.
    """
    issuer_name = _unverified_issuer(token)
    issuer = _issuers().get(issuer_name) if issuer_name is not None else None
    if issuer is None:
        raise TokenInvalid("untrusted issuer")
    try:
        claims = jwt.decode(
            token,
            issuer.key,
            algorithms=issuer.algorithms,
            audience=issuer.audiences or None,
            issuer=issuer.issuer,
            leeway=settings.JWT_LEEWAY_SECONDS if not issuer.own else 0,
            options={"require": ["exp", "iat", "iss"], "verify_aud": bool(issuer.audiences)},
        )
    except jwt.PyJWTError as exc:
        raise TokenInvalid(str(exc)) from exc
    except (RecursionError, OverflowError, TypeError, ValueError) as exc:
        # What PyJWT lets through: a header nested too deep for the json module, an ``exp`` or
        # ``iat`` of Infinity (int() overflows). Only a token whose payload names a trusted
        # issuer gets this far, but it is still the sender's fault, never a server error.
        raise TokenInvalid(f"unreadable token: {type(exc).__name__}") from exc
    version = str(claims.get("version", "1.0.0"))
    if version.split(".")[0] != settings.JWT_VERSION.split(".")[0]:
        raise TokenInvalid("unsupported token version")
    return claims, issuer.own


def _unverified_issuer(token: str) -> str | None:
    """The ``iss`` claim of the payload, read without verifying anything; None if unreadable."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    payload = parts[1]
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (ValueError, binascii.Error, RecursionError):  # bad base64, UTF-8 or JSON; JSON too deep
        return None
    issuer = claims.get("iss") if isinstance(claims, dict) else None
    return issuer if isinstance(issuer, str) else None
