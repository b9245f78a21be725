"""OAuth2 client secrets (core/client_secrets.py): stored as a keyed HMAC-SHA256, checked at the
token, revoke and introspect endpoints; PBKDF2 secrets stored before keep working and are
re-stored in the new form on their first successful use."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher, make_password
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import get_application_model
from oauth2_provider.settings import oauth2_settings
from rest_framework.test import APIClient

from coursegate import settings as project_settings
from coursegate.core.client_secrets import ALGORITHM, ClientSecretHasher, client_secret_check

from .conftest import basic_auth

TOKEN = "/oauth2/access_token"
REVOKE = "/oauth2/revoke_token/"
INTROSPECT = "/oauth2/introspect/"
INVALID_CLIENT = {"error": "invalid_client", "error_description": "Client authentication failed."}
TOKEN_INVALID_CLIENT = {"error": "invalid_client"}  # the token endpoint's body (oauthlib)
PREFIX = f"{ALGORITHM}$"


@pytest.fixture
def pbkdf2(settings):
    """Also accept PBKDF2 hashes, as a deployment with clients created before this hasher does."""
    settings.PASSWORD_HASHERS = [*settings.PASSWORD_HASHERS, "django.contrib.auth.hashers.PBKDF2PasswordHasher"]


def _pbkdf2(secret: str) -> str:
    # oauth2_provider's earlier format; few iterations so that the test stays fast.
    return PBKDF2PasswordHasher().encode(secret, "legacysalt", iterations=1000)


def _app(user, stored_secret: str):
    """An application whose client_secret column holds ``stored_secret`` as it is (a hash)."""
    model = get_application_model()
    return model.objects.create(
        name=f"app-{model.objects.count()}",
        client_type=model.CLIENT_CONFIDENTIAL,
        authorization_grant_type=model.GRANT_CLIENT_CREDENTIALS,
        user=user,
        client_secret=stored_secret,
    )


def _stored(app) -> str:
    return get_application_model().objects.values_list("client_secret", flat=True).get(pk=app.pk)


def _token(client_id: str, secret: str, auth: str = "form", **extra):
    if auth == "basic":
        return APIClient().post(
            TOKEN, {"grant_type": "client_credentials", **extra}, HTTP_AUTHORIZATION=basic_auth(client_id, secret)
        )
    return APIClient().post(
        TOKEN, {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret, **extra}
    )


def _client_call(path: str, client_id: str, secret: str, auth: str, **data):
    if auth == "basic":
        return APIClient().post(path, data, HTTP_AUTHORIZATION=basic_auth(client_id, secret))
    return APIClient().post(path, {"client_id": client_id, "client_secret": secret, **data})


# --- where the hasher plugs in ------------------------------------------------------------


def test_oauth2_provider_hashes_client_secrets_with_the_client_secret_hasher_and_passwords_keep_pbkdf2():
    assert oauth2_settings.CLIENT_SECRET_HASHER == ClientSecretHasher.algorithm == ALGORITHM
    assert project_settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.PBKDF2PasswordHasher"
    assert "coursegate.core.client_secrets.ClientSecretHasher" in project_settings.PASSWORD_HASHERS


def test_a_new_application_stores_its_secret_as_a_keyed_hash(staff):
    secret = generate_client_secret()

    app = _app(staff, secret)

    stored = _stored(app)
    assert stored.startswith(PREFIX) and secret not in stored
    assert _token(app.client_id, secret).status_code == 200
    assert _stored(app) == stored  # already current: nothing re-written


def test_saving_an_application_again_keeps_its_hash(staff):
    secret = generate_client_secret()
    app = _app(staff, secret)
    stored = _stored(app)

    app.name = "renamed"
    app.save()

    assert _stored(app) == stored
    assert _token(app.client_id, secret).status_code == 200


def test_the_hash_depends_on_the_server_key(settings, staff):
    secret = generate_client_secret()
    app = _app(staff, secret)

    settings.CLIENT_SECRET_KEY = "another key entirely"

    assert _token(app.client_id, secret).json() == TOKEN_INVALID_CLIENT


def test_a_hash_under_a_fallback_key_works_and_is_re_made_with_the_current_key(settings, staff):
    secret = generate_client_secret()
    app = _app(staff, secret)
    old = _stored(app)
    settings.CLIENT_SECRET_KEY_FALLBACKS = [settings.CLIENT_SECRET_KEY]
    settings.CLIENT_SECRET_KEY = "the rotated key"

    assert _token(app.client_id, secret).status_code == 200

    new = _stored(app)
    assert new.startswith(PREFIX) and new != old
    settings.CLIENT_SECRET_KEY_FALLBACKS = []
    assert _token(app.client_id, secret).status_code == 200


# --- PBKDF2 secrets stored before ---------------------------------------------------------


@pytest.mark.parametrize("auth", ["form", "basic"])
@pytest.mark.parametrize("token_type", [None, "jwt"])
def test_a_pbkdf2_secret_authenticates_once_and_is_then_stored_as_a_keyed_hash(pbkdf2, staff, auth, token_type):
    secret = generate_client_secret()
    app = _app(staff, _pbkdf2(secret))
    assert _stored(app).startswith("pbkdf2_sha256$")
    extra = {"token_type": token_type} if token_type else {}

    first = _token(app.client_id, secret, auth, **extra)

    assert first.status_code == 200, first.content
    stored = _stored(app)
    assert stored.startswith(PREFIX)
    assert ClientSecretHasher().verify(secret, stored)
    second = _token(app.client_id, secret, auth, **extra)
    assert second.status_code == 200
    assert _stored(app) == stored


@pytest.mark.parametrize("auth", ["form", "basic"])
def test_a_wrong_secret_is_refused_and_leaves_a_pbkdf2_hash_as_it_was(pbkdf2, staff, auth):
    secret = generate_client_secret()
    app = _app(staff, _pbkdf2(secret))
    before = _stored(app)

    response = _token(app.client_id, "wrong", auth)

    assert (response.status_code, response.json()) == (401, TOKEN_INVALID_CLIENT)
    assert _stored(app) == before


@pytest.mark.parametrize("auth", ["form", "basic"])
def test_a_wrong_secret_is_refused_for_a_keyed_hash(staff, auth):
    app = _app(staff, generate_client_secret())

    response = _token(app.client_id, generate_client_secret(), auth)

    assert (response.status_code, response.json()) == (401, TOKEN_INVALID_CLIENT)


@pytest.mark.parametrize("stored_as", ["keyed", "pbkdf2"])
@pytest.mark.parametrize("auth", ["form", "basic"])
def test_revoke_authenticates_the_client_with_either_format(pbkdf2, staff, list_enrollments, stored_as, auth):
    secret = generate_client_secret()
    app = _app(staff, secret)
    token = _token(app.client_id, secret).json()["access_token"]
    if stored_as == "pbkdf2":
        get_application_model().objects.filter(pk=app.pk).update(client_secret=_pbkdf2(secret))

    assert _client_call(REVOKE, app.client_id, "wrong", auth, token=token).json() == INVALID_CLIENT
    response = _client_call(REVOKE, app.client_id, secret, auth, token=token)

    assert response.status_code == 200
    assert list_enrollments(f"Bearer {token}").status_code == 401
    assert _stored(app).startswith(PREFIX)


@pytest.mark.parametrize("stored_as", ["keyed", "pbkdf2"])
@pytest.mark.parametrize("auth", ["form", "basic"])
def test_introspect_authenticates_the_client_with_either_format(pbkdf2, staff, stored_as, auth):
    secret = generate_client_secret()
    app = _app(staff, secret)
    token = _token(app.client_id, secret, token_type="jwt").json()["access_token"]
    if stored_as == "pbkdf2":
        get_application_model().objects.filter(pk=app.pk).update(client_secret=_pbkdf2(secret))

    refused = _client_call(INTROSPECT, app.client_id, "wrong", auth, token=token)
    assert (refused.status_code, refused.json()) == (401, INVALID_CLIENT)
    response = _client_call(INTROSPECT, app.client_id, secret, auth, token=token)

    assert response.status_code == 200
    assert response.json()["active"] is True
    assert response.json()["username"] == "staff"
    assert _stored(app).startswith(PREFIX)


# --- the check itself ---------------------------------------------------------------------


def test_a_secret_stored_in_plain_is_compared_as_it_is(staff):
    model = get_application_model()
    secret = generate_client_secret()
    app = model(name="plain", client_type=model.CLIENT_CONFIDENTIAL, hash_client_secret=False, user=staff)
    app.client_secret = secret
    app.authorization_grant_type = model.GRANT_CLIENT_CREDENTIALS
    app.save()

    assert _stored(app) == secret
    assert client_secret_check(app, secret)
    assert not client_secret_check(app, secret + "x")
    assert _token(app.client_id, secret).status_code == 200


@pytest.mark.parametrize("presented", ["", None])
def test_an_empty_secret_never_matches(staff, presented):
    app = _app(staff, generate_client_secret())

    assert not client_secret_check(app, presented)


def test_an_upgrade_does_not_overwrite_a_secret_changed_meanwhile(pbkdf2, staff):
    secret = generate_client_secret()
    app = _app(staff, _pbkdf2(secret))
    replaced = make_password(generate_client_secret(), hasher=ALGORITHM)
    get_application_model().objects.filter(pk=app.pk).update(client_secret=replaced)

    assert client_secret_check(app, secret)  # the copy in memory still holds the old hash

    assert _stored(app) == replaced


def test_the_hash_summary_hides_the_salt_and_digest(staff):
    encoded = make_password("s3cret-value", hasher=ALGORITHM)

    summary = ClientSecretHasher().safe_summary(encoded)

    assert summary["algorithm"] == ALGORITHM
    assert encoded.split("$")[3] not in str(summary)
    assert not ClientSecretHasher().verify("s3cret-value", "not$a$hash")
