"""One authentication class for every API family.

Accepts ``Authorization: Bearer <opaque token or JWT>`` and ``Authorization: JWT <jwt>`` (the
scheme word in any case). Bodies are the seeds': no credentials -> 401 "Authentication
credentials were not provided."; anything wrong with a token -> 401 "Invalid Token.".

Revocation is immediate for every token we issue: whatever the kind, the request is judged on the
database as it is now, never on what a token says about itself. An opaque token is looked up by
its checksum; one of our JWTs is verified offline and then its backing access-token row is looked
up by primary key (its ``jti``). That one read, with SQL written once (core/rows.py), answers
whether the row still exists (revoked, or deleted with its user: 401) and is unexpired, the user
(inactive: 401) and the token's scope. Roles are the account's role assignments as they are now,
read when a view first asks for them (``Credential.roles``: one query more, on the requests that
check a role; a removed role is a 403 at the next check). A JWT's own ``roles``,
``administrator`` and ``scopes`` claims stay as the issuer wrote them, for clients that read them,
and decide nothing here.

Why not join the roles into the token read: on PostgreSQL the subquery costs about as much as the
separate query (~0.1 ms, mostly planning), and it would be paid by every request, the enrollment
list's included, not only by those that check a role.

A trusted issuer's JWT is verified offline and costs no query: its claims are all there is, so it
can be revoked only by its issuer (docs/authentication.md).
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

from coursegate.core.jwt import TokenInvalid, jwt_decode, looks_like_jwt, token_id
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
    user: object = field(default=None, repr=False)  # the local account; None for a trusted issuer's
    _roles: list[str] | None = None

    @property
    def roles(self) -> list[str]:
        """Role claims (core/roles.py). A local account's (any token we issued, opaque or JWT) are
        its role assignments now, read on first use through ``role_claims()`` of AUTH_USER_MODEL
        (one query); a trusted issuer's caller has only its token's claims."""
        if self._roles is None:
            if self.user is not None:
                self._roles = self.user.role_claims()
            else:
                self._roles = claims_from_token(self.claims)
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
        # surrogatepass: a header no HTTP client can send must still be a 401, not a
        # UnicodeEncodeError; every real token encodes to the same bytes either way.
        checksum = hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()
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
        pk = token_id(claims)
        if pk is None:
            raise exceptions.AuthenticationFailed(INVALID_TOKEN)
        # The stored row's scope, user and roles decide; the claims are left as issued.
        user, scope = _token_user("id", pk)
        return user, Credential("jwt", user.pk, scope.split(), claims, issuer=claims["iss"], user=user)


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
    or 401 (unknown, expired, revoked, user disabled or deleted: its tokens are deleted with it)."""
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
