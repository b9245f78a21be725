"""POST /appsembler_api/v0/bulk-enrollment/bulk-enroll with ``email_students`` (seed 001 "Bulk
Enrollment"; reference §2.7; issue 3).

One e-mail per changed identifier and course, sent after the transaction commits, through a real
SMTP server; none without ``email_students``; a mail server that is down does not fail the
committed enrollment.
"""

from __future__ import annotations

import email
import socket

import pytest
from aiosmtpd.controller import Controller

from tests.api.appsembler.conftest import APP_COURSE, DEMO_COURSE, active_pairs

pytestmark = pytest.mark.django_db


# --- E-mails -----------------------------------------------------------------------------------


def test_email_students_sends_one_email_per_changed_identifier_per_course(
    post, demo_run, app101, learner, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = post(
            {
                "action": "enroll",
                "identifiers": "honor,new@example.com,percivaloctavius",
                "courses": [DEMO_COURSE, APP_COURSE],
                "email_students": True,
            }
        )

    assert response.status_code == 200
    assert response.json()["email_students"] is True
    assert len(callbacks) == 1  # sent after commit, in one go
    assert sorted((m.to, m.subject) for m in mailoutbox) == sorted(
        [
            (["honor@example.com"], f"You have been enrolled in {DEMO_COURSE}"),
            (["honor@example.com"], f"You have been enrolled in {APP_COURSE}"),
            (["new@example.com"], f"You have been invited to register for {DEMO_COURSE}"),
            (["new@example.com"], f"You have been invited to register for {APP_COURSE}"),
        ]
    )
    message = next(m for m in mailoutbox if m.to == ["new@example.com"] and DEMO_COURSE in m.subject)
    assert f"({DEMO_COURSE})" in message.body
    assert message.from_email == "Coursegate <no-reply@coursegate.local>"


def test_email_students_on_unenroll_mails_only_those_whose_state_changed(
    post, demo_run, unenroll_setup, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        post(
            {
                "action": "unenroll",
                "identifiers": "honor,invited@example.com,audit,nobody@example.com",
                "courses": DEMO_COURSE,
                "email_students": True,
            }
        )

    assert sorted((m.to, m.subject) for m in mailoutbox) == [
        (["honor@example.com"], f"You have been unenrolled from {DEMO_COURSE}"),
        (["invited@example.com"], f"You have been removed from the invitation list of {DEMO_COURSE}"),
    ]


@pytest.mark.parametrize("email_students", [False, "false", None], ids=["false", "the string false", "absent"])
def test_without_email_students_no_email_is_sent(
    post, demo_run, learner, email_students, django_capture_on_commit_callbacks, mailoutbox
):
    body = {"action": "enroll", "identifiers": "honor,new@example.com", "courses": DEMO_COURSE}
    if email_students is not None:
        body["email_students"] = email_students

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = post(body)

    assert response.status_code == 200
    assert response.json()["email_students"] is False
    assert callbacks == []
    assert mailoutbox == []


def test_no_email_leaves_before_the_transaction_commits(post, demo_run, learner, mailoutbox):
    # Outside django_capture_on_commit_callbacks the test transaction never commits.
    post({"action": "enroll", "identifiers": "honor", "courses": DEMO_COURSE, "email_students": True})

    assert mailoutbox == []


class _Collector:
    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    collector = _Collector()
    controller = Controller(collector, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 10
    try:
        yield collector
    finally:
        controller.stop()


def test_emails_reach_a_real_smtp_server_with_the_right_recipient_and_subject(
    post, demo_run, learner, smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(
            {"action": "enroll", "identifiers": "honor,new@example.com", "courses": DEMO_COURSE, "email_students": True}
        )

    assert response.status_code == 200
    received = sorted(
        (tuple(envelope.rcpt_tos), email.message_from_bytes(envelope.content)["Subject"])
        for envelope in smtp_server.envelopes
    )
    assert received == [
        (("honor@example.com",), f"You have been enrolled in {DEMO_COURSE}"),
        (("new@example.com",), f"You have been invited to register for {DEMO_COURSE}"),
    ]
    assert {envelope.mail_from for envelope in smtp_server.envelopes} == {"no-reply@coursegate.local"}
    for envelope in smtp_server.envelopes:
        message = email.message_from_bytes(envelope.content)
        assert message["To"] in envelope.rcpt_tos
        assert f"({DEMO_COURSE})" in message.get_payload(decode=True).decode()


def test_a_mail_server_that_is_down_does_not_fail_the_committed_enrollment(
    post, demo_run, learner, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = _free_port()  # nobody listens there
    settings.EMAIL_TIMEOUT = 2

    with django_capture_on_commit_callbacks(execute=True):
        response = post({"action": "enroll", "identifiers": "honor", "courses": DEMO_COURSE, "email_students": True})

    assert response.status_code == 200
    assert active_pairs() == {("honor", DEMO_COURSE)}
