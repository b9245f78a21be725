"""Real mail servers for the outbox tests: an aiosmtpd server that records what it receives (and
refuses recipients at ``refused.example``), and a server that accepts connections but never says
a word (a mail server that hangs)."""

from __future__ import annotations

import email
import socket
import threading
from collections import Counter

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Recorder:
    def __init__(self, received: list[tuple[str, str]]):
        self.received = received

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 (aiosmtpd hook)
        if address.endswith("@refused.example"):
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd hook)
        subject = email.message_from_bytes(envelope.content)["Subject"]
        self.received.extend((rcpt, subject) for rcpt in envelope.rcpt_tos)
        return "250 Message accepted for delivery"


class SmtpServer:
    """An SMTP server on ``port`` that can be stopped and started again on the same port."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.received: list[tuple[str, str]] = []  # (recipient, subject), in order of arrival
        self._controller: Controller | None = None

    def start(self) -> SmtpServer:
        self._controller = Controller(_Recorder(self.received), hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def per_recipient(self) -> Counter:
        return Counter(rcpt for rcpt, _ in self.received)


class HangingServer:
    """Accepts TCP connections on ``port`` and never answers (no SMTP greeting): a client waits
    until its own timeout. ``connections`` counts the clients that came."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.connections = 0
        self._held: list[socket.socket] = []
        self._listener = socket.create_server(("127.0.0.1", self.port), reuse_port=False)
        self._listener.settimeout(0.2)
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stopping.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self._held.append(conn)
            self.connections += 1

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(timeout=5)
        self._listener.close()
        for conn in self._held:
            conn.close()
