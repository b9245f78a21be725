"""Receiver URLs: which a subscription may name, and connecting to them under the SSRF guard.

A webhook URL is chosen by an API caller and fetched by the server, so it must not reach the
server's own network (SSRF): unless COURSEGATE_WEBHOOK_ALLOW_PRIVATE_URLS is on, a receiver whose
address is loopback, private, link-local, multicast, reserved or unspecified is refused — when the
subscription is written (IP literals and names that resolve now) and again at every connection
(the name is resolved and the checked address is the one connected to, so a DNS answer that
changes after the check cannot slip a private address in). Redirects are never followed.

The shape of a receiver URL is one regular expression, ``URL_PATTERN``, that the API's OpenAPI
document publishes as it is (issue 15): so it is written for both Python and ECMA-262 regexes, and
a URL is taken only when it matches whole. It is narrower than what ``urlsplit`` reads, on purpose:
an RFC 3986 URI (http.client sends nothing but ASCII, and the API answers ``url`` as a URI), no user
name or password (delivery never sends them, and every staff user would read them in the list), a
port from 1 to 65535.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from urllib.parse import urlsplit

from django.conf import settings

from coursegate.webhooks.exceptions import ReceiverRefusedError

SCHEMES = ("http", "https")
MAX_URL_LENGTH = 2000

# Labels of a host name (or an IPv4 address), dot-separated: no label can backtrack into the next.
_HOST = r"[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*\.?"


def _ipv6_pattern() -> str:
    """RFC 3986 §3.2.2's IPv6address, which is what ``ipaddress`` (and so ``urlsplit``) takes: at
    most 8 groups, "::" standing for one or more, an IPv4 address (no leading zeros) as the last two."""
    h16 = "[0-9A-Fa-f]{1,4}"
    octet = "(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])"
    ls32 = rf"(?:{h16}:{h16}|{octet}(?:\.{octet}){{3}})"
    forms = [rf"(?:{h16}:){{6}}{ls32}", rf"::(?:{h16}:){{5}}{ls32}"]
    for before, after in ((0, 4), (1, 3), (2, 2), (3, 1), (4, 0)):
        head = f"(?:{h16}:){{0,{before}}}{h16}" if before else h16
        forms.append(rf"(?:{head})?::(?:{h16}:){{{after}}}{ls32}" if after else rf"(?:{head})?::{ls32}")
    forms += [rf"(?:(?:{h16}:){{0,5}}{h16})?::{h16}", rf"(?:(?:{h16}:){{0,6}}{h16})?::"]
    return r"\[(?:" + "|".join(forms) + r")\]"


_IPV6 = _ipv6_pattern()
_PORT = "(?:[1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])"
# RFC 3986 §3.3-3.4: path and query characters, or %XX escapes; no "#": no fragment.
_PATH_AND_QUERY = r"(?:[/?](?:[A-Za-z0-9._~!$&'()*+,;=:@/?-]|%[0-9A-Fa-f]{2})*)?"
URL_PATTERN = rf"^[Hh][Tt][Tt][Pp][Ss]?://(?:{_HOST}|{_IPV6})(?::{_PORT})?{_PATH_AND_QUERY}$"
_URL_SHAPE = re.compile(URL_PATTERN)
URL_SHAPE_MESSAGE = (
    "Enter an http or https URL: a host name or IP address, an optional port from 1 to 65535, then an "
    "optional path and query of URL characters (others %-encoded)."
)


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
    if "@" in parts.netloc:
        return ["Put no user name or password in the URL: they would not be sent, and staff users would read them."]
    if not _URL_SHAPE.fullmatch(url):
        return [URL_SHAPE_MESSAGE]
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
