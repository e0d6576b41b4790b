"""A lean HTTP/1.1 client for the common health check: a GET answered over HTTP/1.1
with a Content-Length (or close-delimited) body, over plain http or TLS.

httpx + httpcore + anyio + h11 cost ~0.7 ms of client CPU per request, and a poll's
requests all run on one event loop, so 200 services took ~150 ms of CPU before the last
request was even sent. This client costs ~0.1 ms: one asyncio Protocol per connection,
a request pre-built per URL, one keep-alive connection per request in flight (a hung
service holds only its own). It answers only what it fully understands; anything else
(an https origin httpx has not yet seen answer over HTTP/1.1, HTTP/2, a redirect,
chunked or compressed bodies, a broken or odd answer, a connection error) raises
`Declined`, and the caller asks the full httpx client instead, which then gives the
same answer and the same error text it always gave.
"""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import re
import socket
import ssl
import time
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from pandadmin.core.health_trace import certificate_not_after
from pandadmin.core.lean_http_wire import (
    FIELD_NAME,
    Connection,
    Declined,
    LeanAnswer,
    Stale,
    read_answer,
)
from pandadmin.core.models import Timing

KEEPALIVE_S = 5.0  # as httpx's default keepalive_expiry
MAX_IDLE_PER_ORIGIN = 1024
CLOSE_WAIT_S = 1.0
# What httpx sends unchanged: printable ASCII but space " < > \ ^ ` { | }, valid escapes.
URL_SAFE = re.compile(r"[!#-;=?-Z\[\]_a-z~]*")
BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")
# Request headers the client sets itself: a service overriding one goes through httpx.
OWN_HEADERS = frozenset(
    {"host", "user-agent", "accept", "accept-encoding", "connection", "content-length"}
    | {"transfer-encoding", "te", "upgrade", "expect"}
)

Origin = tuple[str, int, bool]  # host, port, TLS
DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True, slots=True)
class Target:
    """A URL taken apart once: where to connect and the request's first lines."""

    host: str  # for the name lookup: no brackets
    port: int
    tls: bool
    head: bytes  # request line, Host, and the client's own headers, without the end

    @property
    def origin(self) -> Origin:
        return self.host, self.port, self.tls


@functools.lru_cache(maxsize=4096)
def target_of(url: str, own_headers: bytes) -> Target | None:
    """The Target of an http(s) URL the lean client sends exactly as httpx would (no
    character to quote, no dot segment, no user info); None otherwise."""
    if not URL_SAFE.fullmatch(url) or BAD_ESCAPE.search(url):
        return None
    parts = urlsplit(url)
    default = DEFAULT_PORTS.get(parts.scheme.lower())
    try:
        port = parts.port or default
    except ValueError:
        return None
    host = parts.hostname
    if port is None or not host or "@" in parts.netloc or url.endswith("?"):
        return None
    path = parts.path or "/"
    if "/./" in path or "/../" in path or path.endswith(("/.", "/..")):
        return None
    target = path + ("?" + parts.query if parts.query else "")
    host_text = f"[{host}]" if ":" in host else host
    authority = host_text if port == default else f"{host_text}:{port}"
    head = f"GET {target} HTTP/1.1\r\nHost: {authority}\r\n".encode("ascii") + own_headers
    return Target(host, port, default == 443, head)


def extra_headers(headers: Mapping[str, str] | None) -> bytes:
    """A service's own request headers as lines; Declined for any the client sets or any
    that is not a clean field (httpx then sends or refuses them as it always did)."""
    if not headers:
        return b""
    lines = []
    for name, value in headers.items():
        try:
            raw_name, raw_value = name.encode("ascii"), value.encode("ascii")
        except UnicodeEncodeError:
            raise Declined() from None
        if name.lower() in OWN_HEADERS or not FIELD_NAME.fullmatch(raw_name):
            raise Declined()
        if any(c in raw_value for c in b"\r\n\0"):
            raise Declined()
        lines.append(raw_name + b": " + raw_value.strip() + b"\r\n")
    return b"".join(lines)


class LeanClient:
    """Keep-alive connections per origin; `get` one URL or raise `Declined`; `close()` it.

    An https origin is taken only once the full client has had an HTTP/1.1 answer from it
    (`speaks_http11`): an origin that offers HTTP/2 stays with httpx and its streams.
    """

    def __init__(
        self, own_headers: Mapping[str, str], connect_timeout: float, ssl_context: ssl.SSLContext
    ) -> None:
        self._own = b"".join(f"{k}: {v}\r\n".encode("latin-1") for k, v in own_headers.items())
        self._connect_timeout = connect_timeout
        self._ssl = ssl_context
        self._http11: set[Origin] = set()  # https origins seen answering over HTTP/1.1
        self._idle: dict[Origin, list[Connection]] = {}
        self._busy: set[Connection] = set()
        self._declined: set[str] = set()  # URLs whose answers need the full client
        self._swept = time.monotonic()

    async def get(self, url: str, headers: Mapping[str, str] | None, max_body: int) -> LeanAnswer:
        target = target_of(url, self._own) if url not in self._declined else None
        if target is None or (target.tls and target.origin not in self._http11):
            raise Declined()
        request = target.head + extra_headers(headers) + b"\r\n"
        try:
            return await self._exchange(target, request, max_body)
        except Declined as declined:
            if declined.remember and len(self._declined) < 100_000:
                self._declined.add(url)
            raise

    def speaks_http11(self, url: str) -> None:
        """The full client had an HTTP/1.1 answer from this URL's origin."""
        target = target_of(url, self._own)
        if target is not None and target.tls and len(self._http11) < 100_000:
            self._http11.add(target.origin)

    async def close(self) -> None:
        """Close every connection and wait (1 s at most) until their sockets are."""
        connections = [c for idle in self._idle.values() for c in idle] + list(self._busy)
        self._idle, self._busy = {}, set()
        for connection in connections:
            connection.close()
        closing = [c.lost for c in connections if not c.lost.done()]
        if closing:
            await asyncio.wait(closing, timeout=CLOSE_WAIT_S)
        for connection in connections:
            if not connection.lost.done() and connection.transport is not None:
                connection.transport.abort()  # a TLS peer that never answered close_notify

    async def _exchange(self, target: Target, request: bytes, max_body: int) -> LeanAnswer:
        started = time.perf_counter()
        connection, timing = self._reused(target), None
        if connection is None:
            connection, timing = await self._connect(target)
        try:
            return await self._answer(target, connection, request, max_body, started, timing)
        except Stale:
            if timing is not None:
                raise Declined() from None  # a new connection closed without an answer
        # a kept-alive connection the server had just closed: once more on a new one
        connection, timing = await self._connect(target)
        return await self._answer(target, connection, request, max_body, started, timing)

    async def _answer(
        self,
        target: Target,
        connection: Connection,
        request: bytes,
        max_body: int,
        started: float,
        timing: Timing | None,
    ) -> LeanAnswer:
        """One request on `connection`; it is kept only after a complete, clean answer."""
        self._busy.add(connection)
        complete = False
        try:
            answer = await read_answer(connection, request, max_body, started, timing)
            complete = True
            return answer
        finally:
            self._busy.discard(connection)
            if complete and not connection.closed and not connection.buffer:
                self._keep(target, connection)
            else:
                connection.close()  # cancelled, half read, or not to be kept

    def _reused(self, target: Target) -> Connection | None:
        idle = self._idle.get(target.origin)
        now = time.monotonic()
        while idle:
            connection = idle.pop()
            fresh = now - connection.idle_since < KEEPALIVE_S
            if fresh and not connection.closed and not connection.buffer:  # nothing unasked
                return connection
            connection.close()
        return None

    def _keep(self, target: Target, connection: Connection) -> None:
        now = time.monotonic()
        connection.idle_since = now
        idle = self._idle.setdefault(target.origin, [])
        if len(idle) < MAX_IDLE_PER_ORIGIN:
            idle.append(connection)
        else:
            connection.close()
        if now - self._swept > KEEPALIVE_S:
            self._sweep(now)

    def _sweep(self, now: float) -> None:
        """Close connections idle too long (services removed, intervals longer than 5 s)."""
        self._swept = now
        for origin, idle in list(self._idle.items()):
            keep = [c for c in idle if not c.closed and now - c.idle_since < KEEPALIVE_S]
            for connection in idle:
                if connection not in keep:
                    connection.close()
            if keep:
                self._idle[origin] = keep
            else:
                del self._idle[origin]

    async def _connect(self, target: Target) -> tuple[Connection, Timing]:
        """A new connection (name lookup, connect and TLS timed). A timeout is one, as in
        httpx; any other failure is Declined, so the full client reports it in its words."""
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(self._connect_timeout):
                addresses, dns_ms = await _resolve(loop, target)
                started = time.perf_counter()
                connection = await _open(loop, addresses, target.port)
                connected = time.perf_counter()
                if target.tls:
                    await self._start_tls(loop, connection, target)
        except TimeoutError:
            raise
        except OSError:  # refused, unreachable, no such name, a certificate refused
            raise Declined() from None
        tls_ms = (time.perf_counter() - connected) * 1000 if target.tls else None
        return connection, Timing(dns_ms, (connected - started) * 1000, tls_ms, None)

    async def _start_tls(
        self, loop: asyncio.AbstractEventLoop, connection: Connection, target: Target
    ) -> None:
        assert connection.transport is not None
        try:
            transport = await loop.start_tls(
                connection.transport, connection, self._ssl, server_hostname=target.host
            )
        except BaseException:
            connection.close()
            raise
        assert isinstance(transport, asyncio.Transport)
        connection.transport = transport
        ssl_object = transport.get_extra_info("ssl_object")
        if ssl_object is None or ssl_object.selected_alpn_protocol() == "h2":
            connection.close()  # the origin offers HTTP/2 now: httpx's streams serve it
            self._http11.discard(target.origin)
            raise Declined()
        connection.expires_at = certificate_not_after(ssl_object)


async def _resolve(
    loop: asyncio.AbstractEventLoop, target: Target
) -> tuple[list[str], float | None]:
    try:
        ipaddress.ip_address(target.host)
    except ValueError:
        started = time.perf_counter()
        infos = await loop.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
        addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
        return addresses, (time.perf_counter() - started) * 1000
    return [target.host], None


async def _open(loop: asyncio.AbstractEventLoop, addresses: list[str], port: int) -> Connection:
    for number, address in enumerate(addresses):
        try:
            _, connection = await loop.create_connection(Connection, address, port)
            return connection
        except OSError:
            if number == len(addresses) - 1:
                raise
    raise OSError("no address")
