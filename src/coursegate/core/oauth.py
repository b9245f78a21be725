"""OAuth2 endpoints on top of django-oauth-toolkit.

- ``POST /oauth2/access_token`` (Open edX path), ``/oauth2/v1/access_token`` (edX Enterprise
  Postman collection) and ``/oauth2/token/``: grants ``client_credentials`` and ``password``,
  client credentials in the form body or HTTP Basic. ``token_type=jwt`` (form field, or the
  ``X-Token-Type`` header as edx-platform reads it) answers a JWT instead of the opaque token.
- ``POST /oauth2/revoke_token/`` (RFC 7009) and ``POST /oauth2/introspect/`` (RFC 7662) take
  either kind of token.

A JWT is backed by the access-token row created for it (its ``jti``), so revoking either form
ends it, and a client-credentials token acts as the user who owns the application.
"""

from __future__ import annotations

import hashlib
import json
from contextlib import contextmanager
from functools import cache

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.db import connections, router, transaction
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters
from oauth2_provider.models import (
    AbstractApplication,
    get_access_token_model,
    get_application_model,
    get_refresh_token_model,
    revoke_access_token,
)
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauth2_provider.views.mixins import OAuthLibMixin

from coursegate.core.client_secrets import basic_credentials, client_secret_check
from coursegate.core.jwt import TokenInvalid, jwt_decode, jwt_encode_for, looks_like_jwt, token_id
from coursegate.core.metrics import token_issued
from coursegate.core.rows import Columns, insert, read_cursor

# Grant names on the wire (RFC 6749) and as oauth2_provider stores them on an application.
SUPPORTED_GRANTS = {"client_credentials", "password"}
_APP_GRANTS = {AbstractApplication.GRANT_CLIENT_CREDENTIALS, AbstractApplication.GRANT_PASSWORD}


class CoursegateOAuth2Validator(OAuth2Validator):
    def validate_grant_type(self, client_id, grant_type, client, request, *args, **kwargs):
        # A confidential client registered for either grant may use both: Open edX clients ask
        # for client_credentials, people's scripts for password (ARCHITECTURE.md, token endpoint).
        if grant_type in SUPPORTED_GRANTS and client.authorization_grant_type in _APP_GRANTS:
            return True
        return super().validate_grant_type(client_id, grant_type, client, request, *args, **kwargs)

    def authenticate_client(self, request, *args, **kwargs):
        # As oauth2_provider does it (HTTP Basic first, RFC 6749 §2.3.1, then the form body), with
        # the secret checked by core/client_secrets.py: a keyed hash instead of PBKDF2, and old
        # PBKDF2 hashes re-stored in that form on first use.
        candidates = []
        basic = basic_credentials(request.headers.get("HTTP_AUTHORIZATION") or "")
        if basic is not None:
            candidates.append(basic)
        body_id = getattr(request, "client_id", None)
        if body_id:
            candidates.append((body_id, getattr(request, "client_secret", None) or ""))
        for client_id, secret in candidates:
            if self._load_application(client_id, request) is not None and client_secret_check(request.client, secret):
                return True
        return False

    def _load_application(self, client_id, request):
        # The application with its owner (whom client-credentials tokens act as) and the owner's
        # profile (the JWT's name) in one query; oauth2_provider then reuses request.client.
        client = request.client
        if client is None or client.client_id != client_id:
            request.client = application_with_owner(client_id)
            if request.client is None:
                return None  # unknown (CIMD, which could register it on the fly, is off)
        return super()._load_application(client_id, request)

    def save_bearer_token(self, token, request, *args, **kwargs):
        if "refresh_token" in token:
            super().save_bearer_token(token, request, *args, **kwargs)
        else:
            with _token_issuance():
                self._save_bearer_token(token, request, *args, **kwargs)
        jwt = _jwt_requested(getattr(request, "token_type", None), request.headers.get("HTTP_X_TOKEN_TYPE"))
        if jwt:
            token.update(_as_jwt(token, request, getattr(request, "issued_access_token", None)))
        token_issued(grant_type=request.grant_type, jwt=jwt)

    def _create_access_token(self, expires, request, token, source_refresh_token=None):
        if request.grant_type == "client_credentials":
            # oauth2_provider leaves these tokens without a user; ours act as the app's owner.
            request.user = request.client.user
        if token.get("id_token") or source_refresh_token is not None:
            access = super()._create_access_token(expires, request, token, source_refresh_token)
        else:
            # The row oauth2_provider writes (the token stored as its storage setting says), saved
            # by core/rows.insert: the ORM compiles its INSERT again for every token.
            access = get_access_token_model()(
                user=request.user,
                scope=token["scope"],
                expires=expires,
                application=request.client,
                resource=getattr(request, "resource", []),
            )
            self._set_token_value(access, token["access_token"])
            insert(access, router.db_for_write(type(access)))
        request.issued_access_token = access  # the row a JWT of this response names (jti)
        return access


@contextmanager
def _token_issuance():
    """Where a client-credentials response writes its one access-token row.

    With COURSEGATE_TOKEN_SYNCHRONOUS_COMMIT=false (the default) on PostgreSQL, in a transaction
    whose commit does not wait for the WAL flush (``SET LOCAL synchronous_commit = off``: an fsync,
    ~3 ms on the benchmark machine's disk, more than the rest of the request). The database stays
    consistent; only if the PostgreSQL server itself crashes within a fraction of a second after
    issuing can that token be lost, and its client then gets 401 and asks for a new one. Nothing
    else is written this way (revocations and every domain write commit synchronously). Otherwise,
    the single INSERT needs no transaction around it (oauth2_provider's costs two round trips)."""
    db = connections[router.db_for_write(get_access_token_model())]
    if db.vendor != "postgresql" or settings.TOKEN_SYNCHRONOUS_COMMIT:
        yield
        return
    with transaction.atomic(using=db.alias):
        with db.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")
        yield


class _ApplicationRead:
    """SELECT <application>, <its owner>, <the owner's profile, if users have one> by client_id."""

    def __init__(self, using: str):
        users = get_user_model()
        self.app = Columns(get_application_model(), "a", using=using)
        self.user = Columns(users, "u", using=using)
        select = [self.app.select, self.user.select]
        joins = [f"LEFT JOIN {self.user.table} u ON {self.user.column('id')} = {self.app.column('user')}"]
        self.profile = None
        profile = _profile_relation(users)
        if profile is not None:
            self.profile = Columns(profile.related_model, "p", using=using)
            select.append(self.profile.select)
            on = f"{self.profile.column(profile.field.name)} = {self.user.column('id')}"
            joins.append(f"LEFT JOIN {self.profile.table} p ON {on}")
        self.sql = (
            f"SELECT {', '.join(select)} FROM {self.app.table} a {' '.join(joins)}"
            f" WHERE {self.app.column('client_id')} = %s"
        )


def _profile_relation(users):
    """The user model's one-to-one ``profile`` (accounts.Profile: the JWT's ``name``), if any."""
    try:
        relation = users._meta.get_field("profile")
    except FieldDoesNotExist:
        return None
    return relation if relation.one_to_one else None


@cache
def _application_read(using: str, vendor: str) -> _ApplicationRead:
    return _ApplicationRead(using)


def application_with_owner(client_id: str):
    """The application ``client_id`` with its owner (whom client-credentials tokens act as) and the
    owner's profile (the JWT's ``name``) loaded, in one query; None when there is none."""
    if "\x00" in client_id:  # no client has one, and PostgreSQL refuses such a query outright
        return None
    using = router.db_for_read(get_application_model())
    connection = connections[using]
    read = _application_read(using, connection.vendor)
    with read_cursor(connection) as cursor:
        cursor.execute(read.sql, [client_id])
        row = cursor.fetchone()
    if row is None:
        return None
    app = read.app.instance(row)
    user = read.user.instance(row, read.app.width)
    if user is not None:
        app.user = user
        profile = read.profile.instance(row, read.app.width + read.user.width) if read.profile else None
        if profile is not None:
            user.profile = profile
    return app


def _jwt_requested(form_value: str | None, header_value: str | None) -> bool:
    """``token_type=jwt`` in the form, or the ``X-Token-Type: jwt`` header as edx-platform reads it."""
    return (form_value or header_value or "").lower() == "jwt"


def _as_jwt(token: dict, request, access) -> dict:
    """The token response's fields for a JWT backed by the access-token row just issued."""
    if access is None:  # a refresh that handed back the token already issued
        checksum = hashlib.sha256(token["access_token"].encode()).hexdigest()
        access = get_access_token_model().objects.select_related("user__profile").get(token_checksum=checksum)
    user = access.user or request.client.user
    expires_in = int(token["expires_in"])
    jwt = jwt_encode_for(
        user, scopes=access.scope.split(), expires_in=expires_in, grant_type=request.grant_type, jti=str(access.pk)
    )
    return {"access_token": jwt, "token_type": "JWT", "expires_in": expires_in, "scope": access.scope}


def _json(status: int, body: dict | None) -> HttpResponse:
    response = HttpResponse(b"" if body is None else json.dumps(body), status=status, content_type="application/json")
    response["Cache-Control"] = "no-store"
    response["Pragma"] = "no-cache"
    return response


@method_decorator(csrf_exempt, name="dispatch")
@method_decorator(sensitive_post_parameters("password", "client_secret"), name="dispatch")
class AccessTokenView(OAuthLibMixin, View):
    """POST: issue a token. 200 {access_token, token_type, expires_in, scope}; RFC 6749 errors.
    With ``token_type=jwt`` the validator answers the JWT in place of the opaque token."""

    http_method_names = ["post", "options"]

    def post(self, request, *args, **kwargs):
        _url, headers, body, status = self.create_token_response(request)
        response = HttpResponse(body, status=status, content_type="application/json")
        for name, value in headers.items():
            if name.lower() != "content-type":
                response[name] = value
        return response


def authenticate_client(request):
    """The application identified by HTTP Basic or by client_id/client_secret form fields, or None."""
    header = request.headers.get("Authorization", "")
    if header[:6].lower() == "basic ":
        credentials = basic_credentials(header)
        if credentials is None:
            return None
        client_id, client_secret = credentials
    else:
        client_id, client_secret = request.POST.get("client_id"), request.POST.get("client_secret")
    if not client_id or not client_secret:
        return None
    app = application_with_owner(client_id)
    if app is None:
        return None
    return app if client_secret_check(app, client_secret) else None


def _find_access_token(raw: str):
    """The access-token row behind an opaque token or one of our JWTs (expired JWTs included)."""
    model = get_access_token_model()
    if looks_like_jwt(raw):
        try:
            claims, own = jwt_decode(raw)
        except TokenInvalid:
            return None
        pk = token_id(claims) if own else None
        if pk is None:
            return None
        return model.objects.select_related("user", "application__user").filter(pk=pk).first()
    checksum = hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()
    return model.objects.select_related("user", "application__user").filter(token_checksum=checksum).first()


def _find_refresh_token(raw: str, client):
    """``client``'s unrevoked refresh token ``raw`` (password grants hand one out), or None."""
    checksum = hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()
    tokens = get_refresh_token_model().objects.filter(token_checksum=checksum, revoked__isnull=True)
    return tokens.filter(application=client).first()


INVALID_CLIENT = {"error": "invalid_client", "error_description": "Client authentication failed."}


@method_decorator(csrf_exempt, name="dispatch")
class RevokeTokenView(View):
    """POST token=<opaque, JWT or refresh token>: 200 whether or not the token was known (RFC 7009
    §2.2); 401 invalid_client. A client may revoke only its own tokens. Revoking an access token
    deletes its row, which every request reads, so it is refused from the next request on (its
    refresh token, left without an access token, is refused by the refresh grant too); revoking a
    refresh token also deletes the access token it was issued with (RFC 7009 §2.1)."""

    http_method_names = ["post"]

    def post(self, request):
        client = authenticate_client(request)
        if client is None:
            return _json(401, INVALID_CLIENT)
        raw = request.POST.get("token", "")
        if not raw:
            return _json(400, {"error": "invalid_request", "error_description": "Missing token parameter."})
        access = _find_access_token(raw)
        if access is not None:
            if access.application_id == client.pk:
                revoke_access_token(access)  # its refresh token too, as the admin's revoke action
        elif not looks_like_jwt(raw):
            refresh = _find_refresh_token(raw, client)
            if refresh is not None:
                refresh.revoke()
        return _json(200, None)


@method_decorator(csrf_exempt, name="dispatch")
class IntrospectTokenView(View):
    """POST token=<opaque or JWT>: RFC 7662 answer. A client sees its own tokens; a client owned by
    a staff user may introspect any token."""

    http_method_names = ["post"]

    def post(self, request):
        client = authenticate_client(request)
        if client is None:
            return _json(401, INVALID_CLIENT)
        access = _find_access_token(request.POST.get("token", ""))
        visible = access is not None and (
            access.application_id == client.pk or (client.user is not None and client.user.is_staff)
        )
        if not visible or access.expires <= timezone.now():
            return JsonResponse({"active": False})
        user = access.user or (access.application.user if access.application else None)
        if user is None or not user.is_active:
            return JsonResponse({"active": False})
        return JsonResponse(
            {
                "active": True,
                "scope": access.scope,
                "client_id": access.application.client_id if access.application else None,
                "username": user.username,
                "token_type": "Bearer",
                "exp": int(access.expires.timestamp()),
                "iat": int(access.created.timestamp()),
            }
        )
