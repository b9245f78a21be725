"""The real edx-rest-api-client against a real server (gunicorn, 2 workers, demo data).

Cases E1-E7 of reference/events_and_clients.md §2.5, the client's own token caching (§2.2), and
curl-equivalent checks of the demo data set (ARCHITECTURE.md "The demo data set").
"""

from __future__ import annotations

import json
import os

import jwt
import pytest
import requests
from edx_django_utils.cache import TieredCache
from edx_rest_api_client.client import OAuthAPIClient

pytestmark = pytest.mark.slow

HARVARD = "course-v1:HarvardX+FIH+3T2023"
ENROLLMENT = "/api/enrollment/v1/enrollment"


def _client(server, role: str, base_url: str | None = None) -> OAuthAPIClient:
    cred = server.credentials[role]
    return OAuthAPIClient(base_url or server.url, cred["client_id"], cred["client_secret"])


def _cache_key(server, role: str) -> str:
    # edx_rest_api_client.client.get_and_cache_oauth_access_token's key.
    client_id = server.credentials[role]["client_id"]
    return f"edx_rest_api_client.access_token.jwt.client_credentials.{client_id}.{server.url}/oauth2/access_token"


def _bearer(server, role: str) -> dict[str, str]:
    """What `curl -d grant_type=client_credentials -d client_id=... -d client_secret=...` gets."""
    cred = server.credentials[role]
    response = requests.post(
        f"{server.url}/oauth2/access_token",
        data={
            "grant_type": "client_credentials",
            "client_id": cred["client_id"],
            "client_secret": cred["client_secret"],
        },
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def test_the_server_runs_on_the_database_of_this_test_run(server):
    expected = "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"

    response = requests.get(f"{server.url}/health", timeout=10)

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["database"]) == ("ok", expected)


def test_tiered_cache_works_in_the_test_process():
    TieredCache.set_all_tiers("e2e.probe", {"value": 1}, 60)

    cached = TieredCache.get_cached_response("e2e.probe")

    assert (cached.is_found, cached.value) == (True, {"value": 1})


def test_the_staff_client_lists_its_own_enrollments(server):
    response = _client(server, "staff").get(f"{server.url}{ENROLLMENT}", timeout=10)

    assert response.status_code == 200
    assert [(e["user"], e["course_details"]["course_id"], e["mode"], e["is_active"]) for e in response.json()] == [
        ("staff", "edX/DemoX/Demo_Course", "honor", True)
    ]


def test_the_client_sends_a_jwt_carrying_the_open_edx_claims(server):
    token = _client(server, "staff").get_jwt_access_token()

    claims = jwt.decode(token, server.jwt_secret, algorithms=["HS256"], audience="coursegate", issuer="coursegate")
    assert (claims["preferred_username"], claims["administrator"], claims["grant_type"]) == (
        "staff",
        True,
        "client_credentials",
    )
    assert 5 < claims["exp"] - claims["iat"] < 86400
    assert isinstance(claims["scopes"], list) and isinstance(claims["filters"], list)
    assert claims["is_restricted"] is False


def test_staff_enrolls_the_learner_and_reads_the_enrollment_back(server):
    client = _client(server, "staff")

    posted = client.post(
        f"{server.url}{ENROLLMENT}", json={"course_details": {"course_id": HARVARD}, "user": "honor"}, timeout=10
    )
    read = client.get(f"{server.url}{ENROLLMENT}/honor,{HARVARD}", timeout=10)

    assert posted.status_code == 200, posted.text
    assert read.status_code == 200, read.text
    for body in (posted.json(), read.json()):
        assert (body["user"], body["course_details"]["course_id"], body["mode"], body["is_active"]) == (
            "honor",
            HARVARD,
            "audit",
            True,
        )
        assert body["course_details"]["course_name"] == "Food in History"
    assert read.json()["created"] == posted.json()["created"]


@pytest.mark.parametrize("suffix", ["", "/", "/oauth2", "/oauth2/", "/oauth2/access_token"])
def test_every_base_url_form_gets_its_token_from_oauth2_access_token(suffix, server):
    before = server.token_requests()
    client = _client(server, "learner", base_url=f"{server.url}{suffix}")

    response = client.get(f"{server.url}{ENROLLMENT}", timeout=10)

    assert response.status_code == 200, response.text
    assert {e["user"] for e in response.json()} == {"honor"}
    assert response.json()[0]["course_details"]["course_id"] == "course-v1:edX+DemoX+Demo_Course"
    assert server.token_requests() == before + 1


def test_two_requests_within_the_token_lifetime_make_exactly_one_token_request(server):
    before = server.token_requests()
    assert TieredCache.get_cached_response(_cache_key(server, "learner")).is_found is False
    client = _client(server, "learner")

    first = client.get(f"{server.url}{ENROLLMENT}", timeout=10)
    second = client.get(f"{server.url}{ENROLLMENT}/{HARVARD}", timeout=10)
    # A second client instance with the same client id shares the cached token.
    third = _client(server, "learner").get(f"{server.url}{ENROLLMENT}", timeout=10)

    assert [first.status_code, second.status_code, third.status_code] == [200, 200, 200]
    assert server.token_requests() == before + 1
    cached = TieredCache.get_cached_response(_cache_key(server, "learner"))
    assert cached.is_found and cached.value[0] == client.auth.token


def test_a_wrong_secret_makes_the_client_raise_and_caches_nothing(server):
    cred = server.credentials["learner"]
    client = OAuthAPIClient(server.url, cred["client_id"], "not-the-secret")

    with pytest.raises(requests.HTTPError) as raised:
        client.get(f"{server.url}{ENROLLMENT}", timeout=10)

    assert raised.value.response.status_code == 401
    assert raised.value.response.json() == {"error": "invalid_client"}
    assert TieredCache.get_cached_response(_cache_key(server, "learner")).is_found is False


def test_no_token_is_401_with_a_challenge(server):
    response = requests.get(f"{server.url}{ENROLLMENT}", timeout=10)

    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication credentials were not provided."}
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="api"'


def test_the_demo_learner_cannot_enroll_another_user(server):
    response = requests.post(
        f"{server.url}{ENROLLMENT}",
        json={"course_details": {"course_id": HARVARD}, "user": "audit"},
        headers=_bearer(server, "learner"),
        timeout=10,
    )

    assert (response.status_code, response.content) == (404, b"")
    staff_view = requests.get(f"{server.url}{ENROLLMENT}/audit,{HARVARD}", headers=_bearer(server, "staff"), timeout=10)
    assert (staff_view.status_code, staff_view.json()) == (200, None)


def test_the_public_course_endpoint_answers_without_a_token(server):
    response = requests.get(f"{server.url}/api/enrollment/v1/course/{HARVARD}", timeout=10)

    assert response.status_code == 200
    body = response.json()
    assert (body["course_id"], body["course_name"], body["invite_only"]) == (HARVARD, "Food in History", False)
    assert [(m["slug"], m["min_price"]) for m in body["course_modes"]] == [("audit", 0), ("honor", 0), ("verified", 49)]


# Runs last in this module: it issues fresh demo secrets (the fixture's credentials are updated).
def test_running_the_demo_again_is_idempotent_and_rotates_the_client_secrets(server):
    counts = (
        "from coursegate.accounts.models import User; from coursegate.enrollments.models import Enrollment; "
        "from oauth2_provider.models import Application; import json; "
        "print(json.dumps([User.objects.count(), Enrollment.objects.count(), Application.objects.count()]))"
    )

    def count_rows():
        # The last line: Django 5.2's shell may first announce its automatic imports.
        return json.loads(server.coursegate("shell", "-c", counts).strip().splitlines()[-1])

    old = server.credentials
    users_before, enrollments_before, apps_before = count_rows()

    new = server.load_demo()

    users_after, enrollments_after, apps_after = count_rows()
    assert users_before == users_after == 8
    assert (enrollments_after, apps_after) == (enrollments_before, apps_before)
    assert (
        set(new)
        == set(old)
        == {
            "staff",
            "learner",
            "enterprise_admin",
            "other_enterprise_admin",
            "events_writer",
            "events_reader",
        }
    )
    for role in new:
        assert new[role]["client_id"] == old[role]["client_id"]
        assert new[role]["username"] == old[role]["username"]
        assert new[role]["client_secret"] != old[role]["client_secret"]
        with_new = requests.post(
            f"{server.url}/oauth2/access_token",
            data={
                "grant_type": "client_credentials",
                "client_id": new[role]["client_id"],
                "client_secret": new[role]["client_secret"],
                "token_type": "jwt",
            },
            timeout=10,
        )
        with_old = requests.post(
            f"{server.url}/oauth2/access_token",
            data={
                "grant_type": "client_credentials",
                "client_id": old[role]["client_id"],
                "client_secret": old[role]["client_secret"],
                "token_type": "jwt",
            },
            timeout=10,
        )
        assert (role, with_new.status_code, with_new.json()["token_type"]) == (role, 200, "JWT")
        assert (role, with_old.status_code, with_old.json()) == (role, 401, {"error": "invalid_client"})
