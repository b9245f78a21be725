"""The HTTP side of idempotency keys: the write guard every family's base view runs (core/api.py).

For a POST that carries the ``Idempotency-Key`` header (settings.COURSEGATE_IDEMPOTENCY_HEADER),
after authentication and the view's permission checks and before its handler:
- a key that is not 1-255 printable ASCII characters is a 400 ``{"Idempotency-Key": [message]}`` in
  the family's shape (XML by default in the Enterprise family, like its other errors);
- the key is claimed for the client (services.key_claim): the handler runs, and its answer is stored
  when it has been rendered; or the stored answer is sent again with ``Idempotent-Replayed: true``
  and nothing runs; or 422 (the key was used with another request) or 409 (its request still runs),
  in the family's error shape.
Answers that a retry may change are not stored and release the key: 5xx, 409, 423, 429, and
streamed bodies (CSV and JSON-lines exports), which are never held in memory.

The client is the authenticated user and the OAuth application its token was issued to, not the
token: a retry after a token refresh replays. Unauthenticated requests never get this far (the
views' permissions refuse them first), and on a public endpoint their key is ignored.
"""

from __future__ import annotations

import hashlib
import logging

from django.conf import settings
from django.http import HttpResponse
from oauth2_provider.models import get_access_token_model
from rest_framework import exceptions, status

from coursegate.core.api import Answered
from coursegate.core.authentication import Credential
from coursegate.core.jwt import token_id
from coursegate.idempotency.exceptions import IdempotencyKeyInUseError, IdempotencyKeyReusedError
from coursegate.idempotency.services import Claim, StoredAnswer, key_claim, key_release, key_settle

log = logging.getLogger(__name__)

REPLAYED_HEADER = "Idempotent-Replayed"
KEPT_HEADERS = ("Location", "Link")  # replayed with the stored body; Content-Type is kept apart
KEY_MAX = 255
# Refusals a retry may turn into a success: the key is released, not stored.
RELEASED_STATUSES = frozenset({status.HTTP_409_CONFLICT, status.HTTP_423_LOCKED, status.HTTP_429_TOO_MANY_REQUESTS})

BAD_KEY = "Must be 1 to 255 printable ASCII characters."
IN_USE = "A request with this Idempotency-Key is still being processed; retry it later."
REUSED = (
    "This Idempotency-Key was already used with a different request (method, path, query string or body); "
    "send a new key with a new request."
)


class IdempotencyKeyInUse(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = IN_USE
    default_code = "idempotency_key_in_use"
    wait = 1  # DRF's handler writes it as Retry-After


class IdempotencyKeyReused(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = REUSED
    default_code = "idempotency_key_reused"


def header_name() -> str:
    return str(getattr(settings, "COURSEGATE_IDEMPOTENCY_HEADER", "Idempotency-Key"))


def _meta_name() -> str:
    return "HTTP_" + header_name().upper().replace("-", "_")


def valid_key(value: str) -> bool:
    return 0 < len(value) <= KEY_MAX and all(" " <= c <= "~" for c in value)


def fingerprint(request) -> str:
    """SHA-256 over the method, the path, the query string and the SHA-256 of the body bytes."""
    django_request = request._request
    body = hashlib.sha256(django_request.body).hexdigest()
    query = django_request.META.get("QUERY_STRING", "")
    text = "\n".join((request.method, django_request.path, query, body))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def client_of(request) -> str:
    """``u<user id>/a<application id>`` for a token this server issued (a0: no application), the
    issuer, subject and authorized party for a trusted issuer's JWT."""
    credential = request.auth
    if isinstance(credential, Credential) and credential.user is None:
        claims = credential.claims
        party = claims.get("azp") or claims.get("client_id") or ""
        client = f"iss:{credential.issuer}/sub:{getattr(request.user, 'subject', '')}/azp:{party}"
    else:
        client = f"u{request.user.pk}/a{_application_id(request, credential) or 0}"
    if len(client) > 255:
        client = "sha256:" + hashlib.sha256(client.encode("utf-8", "surrogatepass")).hexdigest()
    return client


def _application_id(request, credential) -> int | None:
    """The OAuth application of the request's access token (one indexed read, keyed requests only;
    not cached: token ids are the database's, and a process outlives a database reset)."""
    if not isinstance(credential, Credential):
        return None
    tokens = get_access_token_model().objects
    if credential.kind == "jwt":
        pk = token_id(credential.claims)
        if pk is None:
            return None
        rows = tokens.filter(pk=pk)
    else:
        raw = request.META.get("HTTP_AUTHORIZATION", "").split()[-1]
        rows = tokens.filter(token_checksum=hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest())
    found = list(rows.values_list("application_id", flat=True)[:1])
    return found[0] if found else None


def replay(answer: StoredAnswer) -> HttpResponse:
    response = HttpResponse(answer.body, status=answer.status, content_type=answer.content_type or None)
    for name, value in answer.headers.items():
        response[name] = value
    response[REPLAYED_HEADER] = "true"
    return response


class IdempotencyGuard:
    """The write guard installed into FamilyApiView (apps.py); core/api.py documents the calls."""

    def claim(self, request, view) -> Claim | None:
        if request.method != "POST":
            return None
        key = request.META.get(_meta_name())
        if key is None or not request.user.is_authenticated:
            return None
        if not valid_key(key):
            raise exceptions.ValidationError({header_name(): [BAD_KEY]})
        try:
            outcome = key_claim(
                client=client_of(request), key=key, fingerprint=fingerprint(request), method=request.method,
                path=request._request.path,
            )  # fmt: skip
        except IdempotencyKeyReusedError as exc:
            raise IdempotencyKeyReused() from exc
        except IdempotencyKeyInUseError as exc:
            raise IdempotencyKeyInUse() from exc
        if isinstance(outcome, StoredAnswer):
            raise Answered(replay(outcome))
        return outcome

    def settle(self, claim: Claim, response) -> None:
        if response.streaming or response.status_code >= 500 or response.status_code in RELEASED_STATUSES:
            self.abandon(claim)
        elif getattr(response, "is_rendered", True):
            self._store(claim, response)
        else:  # a DRF Response: its bytes exist once Django has rendered it
            response.add_post_render_callback(lambda rendered: self._store(claim, rendered))

    def abandon(self, claim: Claim) -> None:
        try:
            key_release(claim=claim)
        except Exception:  # the answer (or the error) goes out; the lease frees the key later
            log.exception("could not release idempotency key %s", claim.id)

    def _store(self, claim: Claim, response) -> None:
        answer = StoredAnswer(
            status=response.status_code,
            content_type=response.get("Content-Type", ""),
            headers={name: response[name] for name in KEPT_HEADERS if response.has_header(name)},
            body=bytes(response.content),
        )
        try:
            key_settle(claim=claim, answer=answer)
        except Exception:  # the client still gets its answer; a retry after the lease runs again
            log.exception("could not store the answer of idempotency key %s", claim.id)
