"""core/input_guard.py: NUL, lone surrogates and bytes that are not UTF-8 in the path, the query
string (after percent-decoding) or a header value are a 400 before any view runs; ``{"message"}``
under the Enrollment API, ``{"detail"}`` elsewhere. Clean input passes untouched. And the WSGI
guard for what breaks Django before any middleware (a charset naming a non-text codec)."""

from __future__ import annotations

import io
import json

import pytest
from django.test import Client

from coursegate.accounts.models import User

APPSEMBLER_USER = "/appsembler_api/v0/accounts/get-user/"
ENROLLMENTS = "/api/enrollment/v1/enrollments"
JITTERBIT = "/api/jitterbit/v1/accounts/batch"


@pytest.fixture
def staff_client(staff, bearer_for) -> Client:
    return Client(headers={"Authorization": f"Bearer {bearer_for(staff)}"})


REFUSED_URLS = [
    (f"{JITTERBIT}?updated_min=%00", "detail", "The query string holds a NUL character."),
    (f"{JITTERBIT}?limit=1&x=a%00b", "detail", "The query string holds a NUL character."),
    (f"{JITTERBIT}?%00=1", "detail", "The query string holds a NUL character."),
    (f"{JITTERBIT}?limit=%ED%A0%80", "detail", "The query string holds bytes or percent-escapes"),
    (f"{JITTERBIT}?limit=%FF", "detail", "The query string holds bytes or percent-escapes"),
    (f"{JITTERBIT}?limit=%C0%80", "detail", "The query string holds bytes or percent-escapes"),
    (f"{ENROLLMENTS}?username=a%00b", "message", "The query string holds a NUL character."),
    (f"{APPSEMBLER_USER}a%00b", "detail", "The path holds a NUL character."),
    (f"{APPSEMBLER_USER}a%FFb", "detail", "The path holds bytes that are not UTF-8."),
    (f"{APPSEMBLER_USER}%ED%A0%80", "detail", "The path holds bytes that are not UTF-8."),
    ("/api/enrollment/v1/enrollment/honor,course-v1:a%00", "message", "The path holds a NUL character."),
    ("/no/such/page%00", "detail", "The path holds a NUL character."),
]


@pytest.mark.parametrize(("url", "key", "message"), REFUSED_URLS)
def test_a_bad_path_or_query_is_a_400_before_the_view(staff_client, url, key, message):
    response = staff_client.get(url)

    assert response.status_code == 400
    assert list(response.json()) == [key]
    assert response.json()[key].startswith(message)


@pytest.mark.parametrize(
    ("header", "value", "problem"),
    [
        ("Authorization", "Bearer abc\x00def", "a NUL character"),
        ("X-Forwarded-For", "1.2.3.4\x00", "a NUL character"),
        ("Accept", "\ud800", "a lone surrogate"),
    ],
)
def test_a_header_with_a_nul_or_a_lone_surrogate_is_a_400(db, header, value, problem):
    response = Client().get(JITTERBIT, headers={header: value})

    assert response.status_code == 400
    assert response.json() == {"detail": f"The {header} header holds {problem}."}


def test_clean_and_non_ascii_input_reaches_the_views(staff_client, make_user):
    make_user("a+b")

    assert staff_client.get(f"{APPSEMBLER_USER}a%2Bb").json()["user_id"] == "a+b"
    assert staff_client.get(f"{APPSEMBLER_USER}nobody%C3%A9").status_code == 404
    assert staff_client.get(f"{APPSEMBLER_USER}a%252Bb").status_code == 404  # a literal %2B, decodable
    # A malformed escape is no byte at all: the view reads it as text and decides.
    assert staff_client.get(f"{JITTERBIT}?limit=%zz").status_code == 400
    assert list(staff_client.get(f"{JITTERBIT}?limit=%zz").json()) == ["limit"]
    assert staff_client.get(f"{JITTERBIT}?updated_min=2015-12-09&course_id=caf%C3%A9+x").status_code == 200
    # Header bytes need not be UTF-8 (HTTP's obs-text): an ISO-8859-1 byte passes.
    assert staff_client.get("/health", headers={"X-Note": "caf\xe9"}).status_code == 200


def test_the_guard_answers_before_authentication_and_writes_nothing(db):
    response = Client().post("/appsembler_api/v0/accounts/create?x=%00", {"username": "a"})

    assert response.status_code == 400
    assert not User.objects.exists()


def _wsgi(environ_extra: dict) -> tuple[str, dict]:
    from coursegate.wsgi import application

    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/health",
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": io.StringIO(),
        **environ_extra,
    }
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer["status"] = status

    body = b"".join(application(environ, start_response))
    return answer["status"], json.loads(body)


@pytest.mark.parametrize("charset", ["bz2_codec", "hex_codec", "base64_codec"])
def test_a_charset_that_is_no_text_encoding_is_a_400_not_a_crash_of_django(transactional_db, charset):
    status, body = _wsgi({"CONTENT_TYPE": f"application/json; charset={charset}"})

    assert status == "400 Bad Request"
    assert body == {"detail": f"The Content-Type names '{charset}', which is not a text encoding."}


@pytest.mark.parametrize("content_type", ["", "application/json; charset=utf-8", "text/plain; charset=no-such"])
def test_the_wsgi_guard_passes_other_requests_through(transactional_db, content_type):
    # transactional_db: the real handler's request signals close connections, as in production.
    status, body = _wsgi({"CONTENT_TYPE": content_type})

    assert status == "200 OK"
    assert body["status"] == "ok"
