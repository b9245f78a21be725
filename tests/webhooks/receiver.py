"""A real webhook receiver for the tests: an HTTP server in a thread that records every POST and
answers by a plan (fail the first N deliveries, hang, redirect...), and the receiver's side of the
contract: verify a signature, drop repeated event ids."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    headers: dict[str, str]
    raw: bytes
    at: float

    @property
    def body(self) -> dict:
        return json.loads(self.raw)

    @property
    def event_id(self) -> str:
        return self.headers.get("X-Coursegate-Event-Id", "")


def verify(secret: str, header: str, raw: bytes, *, tolerance: float = 300) -> bool:
    """What a receiver does: recompute HMAC-SHA256(secret, "<t>.<raw body>") and compare in
    constant time; a timestamp far from now is refused (a replayed delivery)."""
    parts = dict(item.split("=", 1) for item in header.split(","))
    expected = hmac.new(secret.encode(), parts["t"].encode() + b"." + raw, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts["v1"]) and abs(time.time() - int(parts["t"])) <= tolerance


@dataclass
class Receiver:
    """``fail_first``: answer ``fail_status`` to that many POSTs (recorded all the same), then 200.
    ``delay``: seconds to wait before answering each POST."""

    fail_first: int = 0
    fail_status: int = 500
    delay: float = 0.0
    redirect_to: str | None = None
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> Receiver:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # the answer's two writes must not wait on delayed ACKs

            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with owner.lock:
                    owner.received.append(Received(dict(self.headers.items()), raw, time.time()))
                    failing = len(owner.received) <= owner.fail_first
                if owner.delay:
                    time.sleep(owner.delay)
                try:
                    if owner.redirect_to:
                        self.send_response(302)
                        self.send_header("Location", owner.redirect_to)
                    else:
                        self.send_response(owner.fail_status if failing else 200)
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"ok")
                except OSError:  # the sender died while this answer waited (the crash tests)
                    self.close_connection = True

            def log_message(self, *args):
                pass

        class Server(ThreadingHTTPServer):
            def handle_error(self, request, client_address):
                pass  # a sender killed mid-request (the crash tests) is no error of the receiver

        self.server = Server(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.02,), daemon=True)
        self.thread.start()
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def accepted_ids(self) -> list[int]:
        """Event ids in order of first receipt, each once (the receiver's deduplication)."""
        return list(dict.fromkeys(r.body["id"] for r in self.received if r.body["id"] is not None))
