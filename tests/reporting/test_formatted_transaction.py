"""The export's own transaction on PostgreSQL (coursegate.reporting.formatted), through the real
view and outside any test transaction: one REPEATABLE READ, READ ONLY snapshot for the whole
body, read chunk by chunk as the body is read, ended when the body ends — and when the response
is closed early (a client that went away) or never read — leaving the connection in autocommit.
"""

from __future__ import annotations

import json

import pytest
from django.db import connection, connections
from psycopg.pq import TransactionStatus

from coursegate.accounts.models import User
from coursegate.reporting import formatted

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the database formats rows on PostgreSQL only"),
]

URL = "/api/jitterbit/v1/accounts/batch"


@pytest.fixture
def staff_api(staff, client_for, make_user, monkeypatch):
    """The staff user's client; six accounts in all, read two by two."""
    monkeypatch.setattr(formatted, "CHUNK_ROWS", 2)
    for name in ("a1", "a2", "a3", "a4", "a5"):
        make_user(name)
    return client_for(staff)


def other_connection_runs(sql: str, params: list) -> None:
    """Run and commit ``sql`` on a second connection, as another request would."""
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute(sql, params)
    finally:
        other.close()


def outside_any_transaction() -> bool:
    return connection.get_autocommit() and connection.connection.info.transaction_status == TransactionStatus.IDLE


def test_the_body_is_one_read_only_snapshot_read_as_it_goes(staff_api):
    before = list(User.objects.order_by("id").values_list("username", flat=True))
    response = staff_api.get(URL)
    stream = iter(response.streaming_content)
    first = next(stream)
    with connection.cursor() as cursor:  # the export's transaction is open between two chunks
        cursor.execute("SELECT current_setting('transaction_isolation'), current_setting('transaction_read_only')")
        assert cursor.fetchall() == [("repeatable read", "on")]

    # Another request adds an account after those sent and renames one not sent yet.
    other_connection_runs(
        "INSERT INTO accounts_user (password, is_superuser, username, first_name, last_name, email, is_staff, "
        "is_active, date_joined) VALUES ('!', false, 'late', '', '', 'late@example.com', false, true, now())",
        [],
    )
    other_connection_runs("UPDATE accounts_user SET username = %s WHERE username = %s", ["renamed", "a5"])
    body = json.loads(first + b"".join(stream))

    assert [item["username"] for item in body] == before  # as when the export began
    assert outside_any_transaction()
    assert set(User.objects.values_list("username", flat=True)) == {*before, "late", "renamed"} - {"a5"}


def test_a_client_that_goes_away_ends_the_transaction(staff_api, make_user):
    response = staff_api.get(URL)
    stream = iter(response.streaming_content)
    next(stream)
    next(stream)

    response.close()  # what the server does when the client has gone

    assert outside_any_transaction()
    make_user("writes-work-again")  # not stuck in a read-only transaction
    assert User.objects.filter(username="writes-work-again").exists()


def test_a_body_never_read_ends_the_transaction_when_the_response_is_closed(staff_api):
    response = staff_api.get(URL)
    assert not outside_any_transaction()  # the first chunk has been read, in the export's transaction

    response.close()

    assert outside_any_transaction()


def test_after_the_last_chunk_the_transaction_is_over(staff_api):
    response = staff_api.get(URL)

    body = json.loads(b"".join(response.streaming_content))

    assert len(body) == 6
    assert outside_any_transaction()
