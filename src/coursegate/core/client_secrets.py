"""OAuth2 client secrets: stored as a keyed hash (HMAC-SHA256), checked in microseconds.

A client secret is a long random string that this server generates, not a password a person
chose: nobody can guess it from a dictionary, so a deliberately slow hash (PBKDF2 with a million
iterations, ~0.2 s) protects nothing more and made every token request cost that much CPU.
It is stored as ``coursegate_hmac_sha256$<key id>$<salt>$<HMAC-SHA256(key, salt$secret)>``
and compared in constant time. Without the key (``CLIENT_SECRET_KEY``, kept outside the
database) a copy of the database does not let anyone check guesses either.

How it plugs in: ``ClientSecretHasher`` is one of Django's ``PASSWORD_HASHERS`` (listed after
the default one, so user passwords keep PBKDF2) and django-oauth-toolkit's
``CLIENT_SECRET_HASHER`` names it, so ``Application.client_secret`` (a ``ClientSecretField``)
is hashed with it on save. ``client_secret_check`` verifies a presented secret; a secret stored
another way (PBKDF2, as oauth2_provider stored them before) or under an older key
(``CLIENT_SECRET_KEY_FALLBACKS``) still works and is re-stored in the current format on its
first successful use.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from urllib.parse import unquote_plus

from django.conf import settings
from django.contrib.auth.hashers import BasePasswordHasher, check_password, identify_hasher, make_password, mask_hash
from django.utils.crypto import constant_time_compare

ALGORITHM = "coursegate_hmac_sha256"  # settings.py names it too (OAUTH2_PROVIDER CLIENT_SECRET_HASHER)


def _key_id(key: str) -> str:
    # Names the key a hash was made with, so a rotated key is found without trying each one.
    return hashlib.sha256(b"coursegate client secret key id:" + key.encode()).hexdigest()[:8]


def _keys() -> tuple[str, dict[str, bytes]]:
    """(id of the current key, {key id: key} of the current key and its fallbacks)."""
    current = settings.CLIENT_SECRET_KEY
    keys = {_key_id(key): key.encode() for key in [*settings.CLIENT_SECRET_KEY_FALLBACKS, current] if key}
    return _key_id(current), keys


def _digest(key: bytes, salt: str, secret: str) -> str:
    return hmac.new(key, f"{salt}${secret}".encode(), hashlib.sha256).hexdigest()


class ClientSecretHasher(BasePasswordHasher):
    """HMAC-SHA256 under a server key: for client secrets (random strings), never for passwords."""

    algorithm = ALGORITHM

    def encode(self, password: str, salt: str) -> str:
        self._check_encode_args(password, salt)
        key_id, keys = _keys()
        return f"{self.algorithm}${key_id}${salt}${_digest(keys[key_id], salt, password)}"

    def decode(self, encoded: str) -> dict:
        algorithm, key_id, salt, digest = encoded.split("$", 3)
        if algorithm != self.algorithm:
            raise ValueError("not a client secret hash")
        return {"algorithm": algorithm, "key_id": key_id, "salt": salt, "hash": digest}

    def verify(self, password: str, encoded: str) -> bool:
        try:
            decoded = self.decode(encoded)
        except ValueError:
            return False
        key = _keys()[1].get(decoded["key_id"])
        if key is None:  # made with a key this server no longer has
            return False
        return constant_time_compare(_digest(key, decoded["salt"], password), decoded["hash"])

    def must_update(self, encoded: str) -> bool:
        try:
            return self.decode(encoded)["key_id"] != _keys()[0]
        except ValueError:
            return True

    def harden_runtime(self, password: str, encoded: str) -> None:
        pass  # no work factor to even out

    def safe_summary(self, encoded: str) -> dict:
        decoded = self.decode(encoded)
        return {
            "algorithm": decoded["algorithm"],
            "key id": decoded["key_id"],
            "salt": mask_hash(decoded["salt"], show=2),
            "hash": mask_hash(decoded["hash"]),
        }


def client_secret_check(application, secret: str) -> bool:
    """True when ``secret`` is ``application``'s client secret.

    A hash in another format (PBKDF2) or under a fallback key is replaced by the current format
    after a successful check, in one UPDATE that applies only if nobody replaced it meanwhile.
    A secret stored in plain (``hash_client_secret=False``) is compared in constant time.
    """
    stored = application.client_secret or ""
    if not secret or not stored:
        return False
    try:
        identify_hasher(stored)
    except ValueError:
        return constant_time_compare(secret, stored)

    def upgrade(raw: str) -> None:
        rehashed = make_password(raw, hasher=ALGORITHM)
        type(application).objects.filter(pk=application.pk, client_secret=stored).update(client_secret=rehashed)
        application.client_secret = rehashed

    return check_password(secret, stored, setter=upgrade, preferred=ALGORITHM)


def basic_credentials(header: str) -> tuple[str, str] | None:
    """(client_id, client_secret) of an ``Authorization: Basic ...`` header (RFC 6749 §2.3.1:
    both form-urlencoded), or None when the header is not one or is malformed."""
    if header[:6].lower() != "basic ":
        return None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    raw_id, sep, raw_secret = decoded.partition(":")
    if not sep:
        return None
    return unquote_plus(raw_id), unquote_plus(raw_secret)
