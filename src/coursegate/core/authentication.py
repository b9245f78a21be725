"""One authentication class for every API family.

Accepts ``Authorization: Bearer <opaque token or JWT>`` and ``Authorization: JWT <jwt>`` (the
scheme word in any case). Bodies are the seeds': no credentials -> 401 "Authentication
credentials were not provided."; anything wrong with a token -> 401 "Invalid Token.".

Cost: an opaque token is one indexed lookup (by checksum) that also loads its user; one of our
JWTs is verified offline and then one primary-key lookup of its backing access-token row, which
loads the user and makes revocation effective; a trusted issuer's JWT costs no query at all.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from django.utils import timezone
from oauth2_provider.models import get_access_token_model
from rest_framework import authentication, exceptions

from coursegate.core.jwt import TokenInvalid, jwt_decode, looks_like_jwt
from coursegate.core.roles import claims_from_token, claims_hold

INVALID_TOKEN = "Invalid Token."
SCHEMES = {"bearer", "jwt"}


@dataclass
class Credential:
    """What a request was authenticated with; views read roles and scopes from here."""

    kind: str  # "opaque" or "jwt"
    user_id: int | None
    scopes: list[str]
    claims: dict = field(default_factory=dict)
    issuer: str | None = None
    user: object = field(default=None, repr=False)  # the local account, for opaque tokens' roles
    _roles: list[str] | None = None

    @property
    def roles(self) -> list[str]:
        """Role claims (core/roles.py): from the JWT when the request carried one, else the
        account's role assignments (``role_claims()`` of AUTH_USER_MODEL)."""
        if self._roles is None:
            if self.kind == "jwt":
                self._roles = claims_from_token(self.claims)
            else:
                self._roles = self.user.role_claims() if self.user is not None else []
        return self._roles

    def has_role(self, role: str, context: str | None = None) -> bool:
        """True when the credential holds ``role`` for ``context`` (or for ``*``; any context when
        ``context`` is None)."""
        return claims_hold(self.roles, role, context)


class ExternalPrincipal:
    """The caller behind a trusted issuer's JWT: known by its claims, not a local account.

    Its ``username`` is empty, so no lookup "by the caller's username" can reach a local account
    that happens to share the token's ``preferred_username`` (kept in ``subject``)."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False
    pk = id = None
    email = ""
    username = ""

    def __init__(self, subject: str, issuer: str):
        self.subject = subject
        self.issuer = issuer

    def __str__(self) -> str:
        return f"{self.subject}@{self.issuer}"


class TokenAuthentication(authentication.BaseAuthentication):
    www_authenticate_realm = "api"

    def authenticate_header(self, request) -> str:
        return f'Bearer realm="{self.www_authenticate_realm}"'

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header.strip():
            return None
        parts = header.split()
        if parts[0].lower() not in SCHEMES:
            return None  # another scheme (Basic, ...): treated as no credentials for this API
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(INVALID_TOKEN)
        token = parts[1]
        if looks_like_jwt(token):
            return self._authenticate_jwt(token)
        return self._authenticate_opaque(token)

    def _authenticate_opaque(self, token: str):
        checksum = hashlib.sha256(token.encode()).hexdigest()
        access = get_access_token_model().objects.select_related("user").filter(token_checksum=checksum).first()
        user = _token_user(access)
        credential = Credential("opaque", user.pk, access.scope.split(), user=user)
        return user, credential

    def _authenticate_jwt(self, token: str):
        try:
            claims, own = jwt_decode(token)
        except TokenInvalid as exc:
            raise exceptions.AuthenticationFailed(INVALID_TOKEN) from exc
        scopes = claims.get("scopes") if isinstance(claims.get("scopes"), list) else []
        if not own:
            subject = str(claims.get("preferred_username") or claims.get("username") or claims.get("sub") or "")
            principal = ExternalPrincipal(subject, claims["iss"])
            return principal, Credential("jwt", None, scopes, claims, issuer=claims["iss"])
        jti = claims.get("jti")
        if not isinstance(jti, str) or not jti.isdigit():
            raise exceptions.AuthenticationFailed(INVALID_TOKEN)
        access = get_access_token_model().objects.select_related("user").filter(pk=int(jti)).first()
        user = _token_user(access)
        return user, Credential("jwt", user.pk, scopes, claims, issuer=claims["iss"])


def _token_user(access):
    """The active user an access-token row stands for, or 401 (unknown, expired, revoked, disabled)."""
    if access is None or access.expires <= timezone.now():
        raise exceptions.AuthenticationFailed(INVALID_TOKEN)
    # Tokens issued here always carry their user (client-credentials ones: the app's owner);
    # the application's owner is only a fallback for rows created by other tools.
    user = access.user or (access.application.user if access.application_id else None)
    if user is None or not user.is_active:
        raise exceptions.AuthenticationFailed(INVALID_TOKEN)
    return user
