"""Fixtures of the outbox tests: a real SMTP server the settings point at, and a mail server
that is down (a port nobody listens on)."""

from __future__ import annotations

import pytest

from tests.outbox.smtp import SmtpServer, free_port


def point_mail_at(settings, port: int) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5


@pytest.fixture
def smtp(settings):
    """A running SMTP server that the mail settings point at (``.stop()``/``.start()`` it)."""
    server = SmtpServer().start()
    point_mail_at(settings, server.port)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def smtp_down(settings):
    """The port of an SMTP server that is not running yet, which the mail settings point at: start
    it with ``SmtpServer(port).start()``."""
    port = free_port()
    point_mail_at(settings, port)
    return port
