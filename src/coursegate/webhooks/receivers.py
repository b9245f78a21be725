"""Receiver URLs: which a subscription may name, and connecting to them under the SSRF guard.

A webhook URL is chosen by an API caller and fetched by the server, so it must not reach the
server's own network (SSRF): unless COURSEGATE_WEBHOOK_ALLOW_PRIVATE_URLS is on, a receiver whose
address is loopback, private, link-local, multicast, reserved or unspecified is refused — when the
subscription is written (IP literals and names that resolve now) and again at every connection
(the name is resolved and the checked address is the one connected to, so a DNS answer that
changes after the check cannot slip a private address in). Redirects are never followed.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings

from coursegate.webhooks.exceptions import ReceiverRefusedError

SCHEMES = ("http", "https")
MAX_URL_LENGTH = 2000


def private_allowed() -> bool:
    return bool(getattr(settings, "COURSEGATE_WEBHOOK_ALLOW_PRIVATE_URLS", False))


def _address_refused(text: str) -> bool:
    address = ipaddress.ip_address(text.split("%", 1)[0])  # an IPv6 zone id is not part of the address
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return not address.is_global or address.is_multicast


def _ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def url_problems(url: str, *, resolve: bool = True) -> list[str]:
    """Why ``url`` cannot be a receiver (an empty list when it can)."""
    if len(url) > MAX_URL_LENGTH:
        return [f"Ensure this field has no more than {MAX_URL_LENGTH} characters."]
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return ["Enter a valid URL."]
    if parts.scheme.lower() not in SCHEMES or not parts.hostname:
        return ["Enter a valid http or https URL."]
    if any(ch.isspace() for ch in url) or parts.fragment:
        return ["Enter a valid URL without spaces or a fragment."]
    if private_allowed():
        return []
    host = parts.hostname
    refused = [f"The receiver's address is not public ({host}); webhooks may not reach private networks."]
    if _ip_literal(host):
        return refused if _address_refused(host) else []
    if host == "localhost" or host.endswith((".localhost", ".local", ".internal")):
        return refused
    if resolve:
        try:
            infos = socket.getaddrinfo(host, port or 443, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError):
            return []  # not resolvable now: checked again at each connection
        if any(_address_refused(str(info[4][0])) for info in infos):
            return refused
    return []


def _no_delay(sock: socket.socket) -> socket.socket:
    # http.client writes a request's headers and body in two sends: without TCP_NODELAY the body
    # would wait for the receiver's (delayed) ACK of the headers.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def guarded_connect(address: tuple[str, int], timeout=socket._GLOBAL_DEFAULT_TIMEOUT, source_address=None):  # type: ignore[attr-defined]
    """``socket.create_connection`` that refuses non-public addresses (http.client calls it as
    ``self._create_connection``; an HTTPS connection then wraps the socket with the host's name)."""
    host, port = address
    if private_allowed():
        return _no_delay(socket.create_connection(address, timeout, source_address))
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    allowed = [info for info in infos if not _address_refused(str(info[4][0]))]
    if not allowed or len(allowed) != len(infos):
        raise ReceiverRefusedError(f"The receiver {host} resolves to an address webhooks may not reach.")
    error: OSError | None = None
    for family, kind, proto, _name, sockaddr in allowed:
        sock = socket.socket(family, kind, proto)
        try:
            if timeout is not socket._GLOBAL_DEFAULT_TIMEOUT:  # type: ignore[attr-defined]
                sock.settimeout(timeout)
            if source_address:
                sock.bind(source_address)
            sock.connect(sockaddr)
            return _no_delay(sock)
        except OSError as exc:
            error = exc
            sock.close()
    raise error or OSError(f"Could not connect to {host}")
