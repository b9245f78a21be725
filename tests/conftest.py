"""Shared fixtures: users, course runs and *real* tokens (minted through the token endpoint;
authentication is never patched out)."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import get_application_model
from rest_framework.test import APIClient

from coursegate.accounts.services import role_assign
from tests.kit.factories import CourseRunFactory, UserFactory


@pytest.fixture(autouse=True)
def _fast_and_unthrottled(settings):
    # PBKDF2 costs ~0.3 s per password; tests hash users' passwords with a fast hasher. Client
    # secrets keep their own hasher (core/client_secrets.py, settings OAUTH2_PROVIDER).
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "coursegate.core.client_secrets.ClientSecretHasher",
    ]
    settings.THROTTLING_ENABLED = False
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def make_user(db):
    """make_user(username, is_staff=False, email=None, password="edx") -> User (tests/kit/factories.py)."""

    def make(username: str, *, is_staff: bool = False, email: str | None = None, password: str = "edx"):
        return UserFactory(
            username=username, email=email or f"{username}@example.com", password=password, is_staff=is_staff
        )

    return make


@pytest.fixture
def staff(make_user):
    return make_user("staff", is_staff=True)


@pytest.fixture
def learner(make_user):
    return make_user("honor")


@pytest.fixture
def other_learner(make_user):
    return make_user("audit")


@pytest.fixture
def make_run(db):
    """make_run(key, modes=("audit",), **CourseRun fields) -> CourseRun with modes loaded."""

    def make(key: str = "course-v1:Org+Num+Run", modes=("audit",), **fields):
        return CourseRunFactory(key=key, title=fields.pop("title", key), modes=modes, **fields)

    return make


@pytest.fixture
def oauth_app(db):
    """oauth_app(user) -> (client_id, client_secret) of a confidential client owned by ``user``."""

    def make(user, *, grant_type: str | None = None):
        model = get_application_model()
        grant_type = grant_type or model.GRANT_CLIENT_CREDENTIALS
        secret = generate_client_secret()
        app = model.objects.create(
            name=f"test-{user.username}-{model.objects.count()}",
            client_type=model.CLIENT_CONFIDENTIAL,
            authorization_grant_type=grant_type,
            user=user,
            client_secret=secret,
        )
        return app.client_id, secret

    return make


def _token(client, client_id, secret, **extra):
    response = client.post(
        "/oauth2/access_token",
        {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret, **extra},
    )
    assert response.status_code == 200, response.content
    return response.json()["access_token"]


@pytest.fixture
def bearer_for(oauth_app):
    """bearer_for(user) -> an opaque access token issued by POST /oauth2/access_token."""

    def make(user):
        return _token(APIClient(), *oauth_app(user))

    return make


@pytest.fixture
def jwt_for(oauth_app):
    """jwt_for(user, roles=["enterprise_admin:<uuid>", ...]) -> a JWT from the token endpoint; the
    roles are first given to the user as role assignments, so they travel in the ``roles`` claim."""

    def make(user, roles=()):
        for claim in roles:
            role, _, context = claim.partition(":")
            role_assign(user=user, role=role, context=context)
        return _token(APIClient(), *oauth_app(user), token_type="jwt")

    return make


@pytest.fixture
def client_for(bearer_for, jwt_for):
    """client_for(user, kind="bearer"|"jwt") -> an APIClient sending that user's real token."""

    def make(user, kind: str = "bearer"):
        client = APIClient()
        if kind == "jwt":
            client.credentials(HTTP_AUTHORIZATION=f"JWT {jwt_for(user)}")
        else:
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {bearer_for(user)}")
        return client

    return make


@pytest.fixture
def requires_shared_database():
    """Skip on SQLite: its in-memory test database exists per connection, so threads (each with
    its own connection) cannot share data. These tests run on PostgreSQL (CI's second run)."""
    from django.db import connection

    if connection.vendor == "sqlite":
        pytest.skip("SQLite test databases are in-memory and per connection: threads cannot share the data")
