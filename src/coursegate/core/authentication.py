"""One authentication class for every API family.

Accepts ``Authorization: Bearer <opaque token or JWT>`` and ``Authorization: JWT <jwt>`` (the
scheme word in any case). Bodies are the seeds': no credentials -> 401 "Authentication
credentials were not provided."; anything wrong with a token -> 401 "Invalid Token.".

Cost: one query either way, with SQL written once (core/rows.py): an opaque token is looked up
by its checksum, one of our JWTs is verified offline and then its backing access-token row is
looked up by primary key (so revoking it takes effect on the next request); either lookup also
loads the user and says whether the token has expired. A trusted issuer's JWT costs no query.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cache

from django.contrib.auth import get_user_model
from django.db import connections
from django.utils import timezone
from oauth2_provider.models import get_access_token_model, get_application_model
from rest_framework import authentication, exceptions

from coursegate.core.jwt import TokenInvalid, jwt_decode, looks_like_jwt
from coursegate.core.roles import claims_from_token, claims_hold
from coursegate.core.rows import Columns, read_cursor

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
        user, scope = _token_user("token_checksum", checksum)
        return user, Credential("opaque", user.pk, scope.split(), user=user)

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
        user, _scope = _token_user("id", int(jti))
        return user, Credential("jwt", user.pk, scopes, claims, issuer=claims["iss"])


class _TokenRead:
    """SELECT <token unexpired?>, <token scope>, <user> of one access-token row, in one query.

    Tokens issued here always carry their user (client-credentials ones: the app's owner); the
    application's owner is only a fallback for rows created by other tools."""

    def __init__(self, key: str, using: str):
        tokens, users = get_access_token_model(), get_user_model()
        self.token = Columns(tokens, "t", fields=["scope"], using=using)
        self.user = Columns(users, "u", using=using)
        app = Columns(get_application_model(), "a", fields=["id"], using=using)
        self.sql = (
            f"SELECT {self.token.column('expires')} > %s, {self.token.select}, {self.user.select}"
            f" FROM {self.token.table} t"
            f" LEFT JOIN {app.table} a ON {app.column('id')} = {self.token.column('application')}"
            f" JOIN {self.user.table} u ON {self.user.column('id')}"
            f" = COALESCE({self.token.column('user')}, {app.column('user')})"
            f" WHERE {self.token.column(key)} = %s"
        )


@cache
def _token_read(key: str, using: str, vendor: str) -> _TokenRead:
    return _TokenRead(key, using)


def _token_user(key: str, value) -> tuple:
    """(the active user, the scope) of the unexpired access-token row whose ``key`` is ``value``,
    or 401 (unknown, expired, revoked, user disabled)."""
    using = "default"
    connection = connections[using]
    read = _token_read(key, using, connection.vendor)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with read_cursor(connection) as cursor:
        cursor.execute(read.sql, [now, value])
        row = cursor.fetchone()
    if row is None or not row[0]:
        raise exceptions.AuthenticationFailed(INVALID_TOKEN)
    (scope,) = read.token.values(row, 1)
    user = read.user.instance(row, 1 + read.token.width)
    if user is None or not user.is_active:
        raise exceptions.AuthenticationFailed(INVALID_TOKEN)
    return user, scope
